"""Answers "what changed", "which paragraphs were amended", "since when" and "which resolutions
recall X" from the lineage table and diffs, citing the paragraphs of both texts.

A `bot.answer.route.Router`: None means "not a series question", and retrieval goes on. A series
question about a document whose predecessor is not stored is declined plainly.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.answer.types import Answer, Citation, Turn
from bot.series.diff import DocumentDiff, Entry
from bot.series.lineage import Profile
from bot.series.questions import SeriesQuestion, classify
from bot.series.render import counts_line
from bot.series.service import SeriesService, store_service
from ingest.store import ParagraphStore

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_LISTED = 12
QUOTE_WORDS = 12


class SeriesRouter:
    name = "series"

    def __init__(
        self,
        service: SeriesService | None = None,
        store: ParagraphStore | None = None,
        path: Path | None = None,
    ) -> None:
        self._service = service
        self.store = store
        self.path = path
        self._generation: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, store: ParagraphStore | None = None) -> SeriesRouter:
        from bot.series.lineage import lineage_path

        return cls(store=store, path=lineage_path(settings))

    @property
    def service(self) -> SeriesService | None:
        """Rebuilt when the store moved on (derived, like the mandate table)."""
        if self.store is not None and self.path is not None:
            generation = self.store.generation()
            if self._service is None or generation != self._generation:
                self._service = store_service(self.store, self.path)
                self._generation = generation
        return self._service

    def maybe_answer(self, question: str, history: list[Turn] | None = None) -> Answer | None:
        service = self.service
        if service is None or not len(service.table):
            return None
        context = _context_doc(history or [])
        asked = classify(question, service.table, context)
        if asked is None:
            return None
        log.info("series question: %s", asked.kind)
        if asked.kind == "cited_by":
            return _cited_by(question, asked, service)
        assert asked.new is not None
        pred = service.table.predecessor(asked.new.doc_id)
        old = asked.old or pred
        if old is None:
            return _declined(question, asked.new)
        if asked.kind == "since":
            return _since(question, asked, service, history or [])
        diff = service.diff_profiles(old, asked.new)
        return diff_answer(question, diff, asked, predecessor=old is pred)


def _context_doc(history: list[Turn]) -> str | None:
    for turn in reversed(history):
        for c in turn.citations:
            return c.doc_id
    return None


def _declined(question: str, new: Profile) -> Answer:
    return Answer(
        question=question,
        text=(
            f"The store holds no earlier resolution in the series of {new.name}"
            f" ({new.title or 'untitled'}), so I cannot say what changed or since when."
        ),
        answerable=False,
        mode="series",
    )


def _quote(words: list[str]) -> str:
    text = " ".join(words)
    parts = text.split()
    return " ".join(parts[:QUOTE_WORDS]) + (" …" if len(parts) > QUOTE_WORDS else "")


def _citation(
    doc: Profile | None, doc_id: str, symbol: str | None, label: str, text: str
) -> Citation:
    return Citation(doc_id, symbol, label, doc.source if doc else "", text)


def diff_citations(diff: DocumentDiff, entries: list[Entry]) -> list[Citation]:
    out: list[Citation] = []
    for e in entries:
        if e.new_label:
            out.append(Citation(diff.new_id, diff.new_symbol, e.new_label, "", e.new_text))
        if e.old_label:
            out.append(Citation(diff.old_id, diff.old_symbol, e.old_label, "", e.old_text))
    return out


def diff_answer(
    question: str, diff: DocumentDiff, asked: SeriesQuestion, *, predecessor: bool = True
) -> Answer:
    """The counts, then new and amended paragraphs first, each cited on both sides."""
    relation = "its predecessor" if predecessor else "the earlier text"
    lines = [f"{diff.new_name} compared with {diff.old_name} ({relation}): {counts_line(diff)}."]
    order = {"new": 0, "amended": 1, "moved": 2, "dropped": 3}
    wanted = ("amended", "new", "moved") if asked.kind == "amended" else tuple(order)
    changed = sorted((e for e in diff.entries if e.status in wanted), key=lambda e: order[e.status])
    for e in changed[:MAX_LISTED]:
        old = f"{diff.old_name}, {e.old_label}" if e.old_label else None
        new = f"{diff.new_name}, {e.new_label}" if e.new_label else None
        if e.status == "new":
            lines.append(f"- New: {new}: “{_quote(e.new_text.split())}”")
        elif e.status == "dropped":
            lines.append(f"- Dropped: {old}: “{_quote(e.old_text.split())}”")
        else:
            ins = "; ".join(f"“{_quote(w.split())}”" for w in e.inserted[:3]) or "none"
            dele = "; ".join(f"“{_quote(w.split())}”" for w in e.deleted[:3]) or "none"
            verb = "Moved" if e.status == "moved" else "Amended"
            lines.append(f"- {verb}: {old} → {new}: inserted {ins}; deleted {dele}")
    if len(changed) > MAX_LISTED:
        lines.append(
            f"… and {len(changed) - MAX_LISTED} more (resbot diff {diff.old_name} {diff.new_name})."
        )
    if not changed:
        lines.append("No paragraph was amended, added or dropped.")
    return Answer(
        question=question,
        text="\n".join(lines),
        answerable=True,
        citations=diff_citations(diff, changed[:MAX_LISTED]),
        mode="series",
        scope={"series_diff": diff.to_json(), "series_kind": asked.kind},
    )


def _request_label(
    service: SeriesService, new: Profile, asked: SeriesQuestion, history: list[Turn]
) -> str | None:
    """The paragraph carrying the request asked about: one cited in the conversation, else the
    request-for-a-report paragraph sharing most words with the question."""
    for turn in reversed(history):
        for c in turn.citations:
            if c.doc_id == new.doc_id:
                return c.label
    res = service.resolution(new.doc_id)
    best: tuple[int, str] | None = None
    words = set(asked.words)
    for p in res.paragraphs:
        text = p.text.lower()
        if not text.startswith(("requests", "also requests", "further requests")):
            continue
        score = len(words & set(text.split())) + (5 if "report" in text else 0)
        if best is None or score > best[0]:
            best = (score, p.label)
    return best[1] if best else None


def _since(
    question: str, asked: SeriesQuestion, service: SeriesService, history: list[Turn]
) -> Answer:
    """Walk back the series while the paragraph is carried over (not new) from the text before."""
    assert asked.new is not None
    label = _request_label(service, asked.new, asked, history)
    if label is None:
        return Answer(
            question=question,
            text=f"I found no request paragraph in {asked.new.name} to trace back.",
            answerable=False,
            mode="series",
        )
    cur, cur_label = asked.new, label
    steps: list[tuple[Profile, str]] = [(cur, cur_label)]
    while True:
        pred = service.table.predecessor(cur.doc_id)
        if pred is None:
            break
        diff = service.diff_profiles(pred, cur)
        entry = next((e for e in diff.entries if e.new_label == cur_label and e.old_label), None)
        if entry is None or entry.old_label is None:
            break
        cur, cur_label = pred, entry.old_label
        steps.append((cur, cur_label))
    first, first_label = steps[-1]
    earliest = service.table.predecessor(first.doc_id) is None
    text = (
        f"The request in {asked.new.name}, {label} goes back to {first.name}, {first_label}"
        f" ({first.date or first.year or 'date unknown'})"
    )
    if len(steps) == 1:
        text = f"The request in {asked.new.name}, {label} is new in that resolution"
        if earliest:
            text = (
                f"{asked.new.name}, {label} makes the request, and the store holds no earlier"
                " resolution of its series"
            )
    elif earliest:
        text += ", the earliest resolution of the series in the store, so it may be older still"
    text += "; carried through " + ", ".join(f"{p.name}, {lab}" for p, lab in steps) + "."
    citations = []
    for p, lab in steps:
        para = service.resolution(p.doc_id).paragraph(lab)
        citations.append(Citation(p.doc_id, p.symbol, lab, p.source, para.text if para else ""))
    return Answer(
        question=question,
        text=text,
        answerable=True,
        citations=citations,
        mode="series",
        scope={"series_kind": "since", "first": first.name},
    )


def _cited_by(question: str, asked: SeriesQuestion, service: SeriesService) -> Answer:
    assert asked.cited_symbol is not None
    rows = service.table.cited_by(asked.cited_symbol)
    if not rows:
        return Answer(
            question=question,
            text=f"No stored resolution cites {asked.cited_symbol}.",
            answerable=False,
            mode="series",
        )
    lines = [f"{len(rows)} stored paragraphs cite {asked.cited_symbol}:"]
    citations: list[Citation] = []
    for p, label, words in rows:
        lines.append(f"- {p.name}, {label} ({p.date or p.year or ''}): “{words}”")
        para = service.resolution(p.doc_id).paragraph(label)
        citations.append(
            Citation(p.doc_id, p.symbol, label, p.source, para.text if para else words)
        )
    cited = service.table.resolve(asked.cited_symbol)
    scope: dict[str, Any] = {"series_kind": "cited_by", "cited": asked.cited_symbol}
    return Answer(
        question=question,
        text="\n".join(lines),
        answerable=True,
        citations=citations,
        mode="series",
        scope=scope | ({"cited_stored": cited.name} if cited else {}),
    )
