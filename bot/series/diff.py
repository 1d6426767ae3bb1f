"""A paragraph-by-paragraph diff of two resolutions, built on their alignment.

Every paragraph of both texts gets one status. A paragraph is *unchanged* when its comparison
form (``bot.series.normalise``) is the same, so a new session number or a recalled resolution's
new number does not make it *amended*; the words inserted and deleted are those of the printed
text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from bot.series.align import STATUSES, Alignment, AlignParams, Link, Status, align
from bot.series.normalise import display_tokens
from ingest.model import Resolution

# A word-level edit: ("equal" | "insert" | "delete", words)
Op = tuple[str, str]


@dataclass
class Entry:
    """One line of a diff: an old paragraph, a new one, or both."""

    status: Status
    old_label: str | None
    new_label: str | None
    old_text: str = ""
    new_text: str = ""
    similarity: float = 0.0
    ops: list[Op] = field(default_factory=list)
    # For a split or merge: the other paragraph(s) of the group ("OP5+OP6").
    group: str | None = None

    @property
    def inserted(self) -> list[str]:
        return [w for op, w in self.ops if op == "insert"]

    @property
    def deleted(self) -> list[str]:
        return [w for op, w in self.ops if op == "delete"]

    @property
    def part(self) -> str:
        from bot.series.align import part_of

        return part_of(self.new_label or self.old_label or "")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status,
            "old_label": self.old_label,
            "new_label": self.new_label,
            "similarity": round(self.similarity, 3),
        }
        if self.status in ("amended", "moved"):
            data["inserted"] = self.inserted
            data["deleted"] = self.deleted
        if self.group:
            data["group"] = self.group
        if self.new_label:
            data["new_text"] = self.new_text
        if self.old_label and self.status != "unchanged":
            data["old_text"] = self.old_text
        return data


@dataclass
class DocumentDiff:
    old_id: str
    new_id: str
    old_symbol: str | None
    new_symbol: str | None
    entries: list[Entry]
    old_title: str | None = None
    new_title: str | None = None

    @property
    def old_name(self) -> str:
        return self.old_symbol or self.old_id.removeprefix("file:")

    @property
    def new_name(self) -> str:
        return self.new_symbol or self.new_id.removeprefix("file:")

    def counts(self) -> dict[str, dict[str, int]]:
        """Per part (PP, OP, ANNEX-OP ...) and in total, how many paragraphs of each status.

        A paragraph is counted once: pairs count on the new side, dropped ones on the old."""
        out: dict[str, Counter[str]] = {}
        seen: set[tuple[str, str]] = set()
        for e in self.entries:
            side, label = ("old", e.old_label) if e.status == "dropped" else ("new", e.new_label)
            assert label is not None
            if (side, label) in seen:
                continue
            seen.add((side, label))
            out.setdefault(e.part, Counter())[e.status] += 1
        total: Counter[str] = Counter()
        for c in out.values():
            total.update(c)
        result: dict[str, dict[str, int]] = {
            part: {s: c.get(s, 0) for s in STATUSES} for part, c in out.items()
        }
        result["total"] = {s: total.get(s, 0) for s in STATUSES}
        return result

    def paragraph_status(self) -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
        """(side, label) -> (status, labels of its counterpart(s)); used by the scorer."""
        out: dict[tuple[str, str], tuple[str, set[str]]] = {}
        for e in self.entries:
            if e.old_label:
                st, other = out.setdefault(("old", e.old_label), (e.status, set()))
                if e.new_label:
                    other.add(e.new_label)
            if e.new_label:
                st, other = out.setdefault(("new", e.new_label), (e.status, set()))
                if e.old_label:
                    other.add(e.old_label)
        return {k: (s, frozenset(o)) for k, (s, o) in out.items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "old": {"doc_id": self.old_id, "symbol": self.old_symbol, "title": self.old_title},
            "new": {"doc_id": self.new_id, "symbol": self.new_symbol, "title": self.new_title},
            "counts": self.counts(),
            "entries": [e.to_json() for e in self.entries],
        }


def word_ops(old: str, new: str) -> list[Op]:
    """Word-level edits from the old text to the new, consecutive words joined."""
    a, b = display_tokens(old), display_tokens(new)
    ops: list[Op] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", " ".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            ops.append(("delete", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(("insert", " ".join(b[j1:j2])))
    return ops


def diff_resolutions(
    old: Resolution, new: Resolution, params: AlignParams | None = None
) -> DocumentDiff:
    alignment = align(old.paragraphs, new.paragraphs, params or AlignParams.load())
    return DocumentDiff(
        old.doc_id,
        new.doc_id,
        old.symbol,
        new.symbol,
        entries_of(alignment),
        old_title=old.title,
        new_title=new.title,
    )


def _status(link: Link, alignment: Alignment) -> Status:
    if link.moved:
        return "moved"
    one_to_one = len(link.old) == 1 and len(link.new) == 1
    if one_to_one and alignment.old[link.old[0]].tokens == alignment.new[link.new[0]].tokens:
        return "unchanged"
    return "amended"


def entries_of(alignment: Alignment) -> list[Entry]:
    """Entries in the new text's order; a dropped paragraph follows the entry of its old
    predecessor, so the listing reads like both texts side by side."""
    old_units, new_units = alignment.old, alignment.new
    by_new: dict[int, Link] = {j: link for link in alignment.links for j in link.new}
    linked_old = {i for link in alignment.links for i in link.old}
    entries: list[Entry] = []
    placed_after: dict[int, list[Entry]] = {}
    for i, u in enumerate(old_units):
        if i in linked_old:
            continue
        # Attach to the nearest earlier linked old paragraph's first new partner.
        anchor = -1
        for k in range(i - 1, -1, -1):
            link = next((lk for lk in alignment.links if k in lk.old and not lk.moved), None)
            if link is not None:
                anchor = min(link.new)
                break
        placed_after.setdefault(anchor, []).append(Entry("dropped", u.label, None, old_text=u.text))
    entries.extend(placed_after.get(-1, []))
    for j, u in enumerate(new_units):
        link = by_new.get(j)
        if link is None:
            entries.append(Entry("new", None, u.label, new_text=u.text))
        else:
            status = _status(link, alignment)
            group_old = "+".join(old_units[i].label for i in link.old)
            group_new = "+".join(new_units[k].label for k in link.new)
            group = f"{group_old} -> {group_new}" if len(link.old) + len(link.new) > 2 else None
            # One entry per old paragraph of the link (two for a merge); a split's two new
            # halves each come back here against the one old paragraph.
            for i in link.old:
                o = old_units[i]
                unchanged_pair = status == "unchanged" and group is None
                ops = [("equal", u.text)] if unchanged_pair else word_ops(o.text, u.text)
                entries.append(
                    Entry(status, o.label, u.label, o.text, u.text, link.similarity, ops, group)
                )
        entries.extend(placed_after.get(j, []))
    return entries
