"""Keeps the mandate table in step with the paragraph store it is derived from.

Mandates are extracted from stored paragraphs, so they live alongside them in
any mode (local store or Chroma server) and need no separate ingest path: the
table records the store generation it was built from and is brought up to date
(only the documents whose version changed) when the store moves on.

A sync is bounded: each document by its ``ExtractionBudget``, the whole sync by ``SyncBudget``
(time per call). Documents not reached stay pending for the next sync, a document that fails or
runs over keeps its previous rows and is not retried until it changes, and the ``SyncReport``
says all of this in one line, so that whoever answers from the table can say so too.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.mandates.budget import Clock, ExtractionBudget
from bot.mandates.table import MandateTable
from ingest.model import Paragraph, Resolution
from ingest.store import DocRecord, StoredParagraph

if TYPE_CHECKING:
    from collections.abc import Iterator

log = logging.getLogger(__name__)


class MandateSource(Protocol):
    """What a sync reads from the paragraph store (a ``ParagraphStore`` is one)."""

    def generation(self) -> str: ...

    def docs(self) -> dict[str, DocRecord]: ...

    def iter_paragraphs(self, where: dict[str, Any] | None = None) -> Iterator[StoredParagraph]: ...


def _state_path(db: Path) -> Path:
    return db.with_suffix(".state.json")


def resolution_from_store(record: DocRecord, paragraphs: list[Paragraph]) -> Resolution:
    meta = record.metadata
    return Resolution(
        symbol=meta.get("symbol") or None,
        title=meta.get("title") or None,
        body=meta.get("body") or None,
        source=str(meta.get("source") or ""),
        format=meta.get("format") or "text",
        paragraphs=paragraphs,
        date=meta.get("date") or None,
        session=meta.get("session") or None,
        agenda_item=meta.get("agenda_item") or None,
        recommended_by=meta.get("recommended_by") or None,
    )


@dataclass(frozen=True)
class SyncBudget:
    """How long one sync may run (None: until done) and how each document is bounded."""

    seconds: float | None = None
    extraction: ExtractionBudget = field(default_factory=ExtractionBudget)


@dataclass
class SyncReport:
    """What one sync did, and what it left undone."""

    extracted: int = 0
    removed: int = 0
    pending: list[str] = field(default_factory=list)  # not reached within the sync's budget
    skipped: dict[str, str] = field(default_factory=dict)  # doc_id -> why (failed, over budget)
    total: int = 0

    @property
    def complete(self) -> bool:
        return not self.pending

    def note(self) -> str | None:
        """One line for the user when the table is not the store's full, current picture."""
        parts: list[str] = []
        if self.pending:
            parts.append(
                f"{len(self.pending)} of {self.total} documents are still being read into the "
                "mandate table (this answer uses the table as it stands)"
            )
        if self.skipped:
            parts.append(
                f"{len(self.skipped)} document(s) could not be read into it and keep their "
                "previous mandates: " + ", ".join(sorted(self.skipped)[:3])
            )
        return "; ".join(parts) or None


def _load_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _versions(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _paragraphs(store: MandateSource, doc_id: str, record: DocRecord) -> list[Paragraph]:
    return paragraphs_from_stored(record, store.iter_paragraphs(where={"doc_id": doc_id}))


def paragraphs_from_stored(record: DocRecord, stored: Iterable[StoredParagraph]) -> list[Paragraph]:
    """A document's paragraphs of its readable version, in document order."""
    rows = sorted(
        (p for p in stored if record.accepts(p.metadata.get("ver"))),
        key=lambda p: int(p.metadata.get("order", 0)),
    )
    return [
        Paragraph(
            label=p.label,
            kind=p.metadata.get("kind", "operative"),
            text=p.text,
            footnotes=p.footnotes,
            verb=p.metadata.get("verb") or None,
        )
        for p in rows
    ]


def sync_table(
    store: MandateSource,
    db: Path,
    budget: SyncBudget | None = None,
    clock: Clock = time.monotonic,
    table: MandateTable | None = None,
) -> tuple[MandateTable, SyncReport]:
    """Bring the mandate table at ``db`` (or ``table``, already open on it) up to date with the
    store, within ``budget``; returns the table and what was done. A document that raises keeps
    its previous rows; errors of the store or the table itself propagate (the caller keeps its
    previous table)."""
    budget = budget or SyncBudget()
    db.parent.mkdir(parents=True, exist_ok=True)
    state_file = _state_path(db)
    state = _load_state(state_file)
    known = _versions(state.get("docs"))
    skipped = _versions(state.get("skipped"))
    report = SyncReport()
    generation = store.generation()
    table = table if table is not None else MandateTable.open(db)
    if state.get("generation") == generation and db.exists():
        # Up to date; documents that failed before still say so until they change.
        report.skipped = dict.fromkeys(skipped, "previously failed")
        return table, report
    docs = store.docs()
    report.total = len(docs)
    stale = [d for d, rec in docs.items() if known.get(d) != rec.ver and skipped.get(d) != rec.ver]
    report.skipped = {
        d: "previously failed" for d, v in skipped.items() if d in docs and docs[d].ver == v
    }
    for gone in set(known) - set(docs):
        table.remove(gone)
        known.pop(gone, None)
        report.removed += 1
    end = clock() + budget.seconds if budget.seconds is not None else None
    for n, doc_id in enumerate(stale):
        if end is not None and clock() > end:
            report.pending = stale[n:]
            break
        record = docs[doc_id]
        res = resolution_from_store(record, _paragraphs(store, doc_id, record))
        try:
            table.add(res, budget=budget.extraction)
        except Exception as exc:  # one bad document must not cost the others their mandates
            log.warning("mandate table: %s keeps its previous mandates: %s", doc_id, exc)
            skipped[doc_id] = record.ver
            report.skipped[doc_id] = str(exc)
            continue
        known[doc_id] = record.ver
        skipped.pop(doc_id, None)
        report.extracted += 1
    if report.extracted:
        log.info("mandate table: %d documents extracted", report.extracted)
    if report.pending:
        log.info("mandate table: %d documents left for the next sync", len(report.pending))
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(
            {
                # The generation is recorded only once every document is read, so that the next
                # sync picks up the ones this one did not reach.
                "generation": generation if report.complete else state.get("generation"),
                "docs": known,
                "skipped": {d: v for d, v in skipped.items() if d in docs},
            }
        )
    )
    tmp.replace(state_file)
    return table, report


def sync_mandates(store: MandateSource, db: Path) -> MandateTable:
    """Open the mandate table at `db`, updated to the store's current contents (no time limit;
    each document within its own extraction budget)."""
    return sync_table(store, db)[0]
