"""Greedy line matching as the UN's diff tool (undifferent) does it, reimplemented for scoring.

Each new line in turn is matched with the first unused old line at or after the last match whose
Levenshtein ratio exceeds 0.8 (old lines skipped on the way are dropped); a new line with no such
line is new. Identical lines (after our comparison form, so that both methods set aside the same
yearly changes) are unchanged, the other matches amended. It has no notion of parts, moves,
splits or merges.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from bot.series.normalise import comparison_text
from ingest.model import Resolution

THRESHOLD = 0.8


def _ratio(a: str, b: str) -> float:
    total = len(a) + len(b)
    return 1.0 if total == 0 else (total - Levenshtein.distance(a, b)) / total


def greedy_status(
    old: Resolution, new: Resolution
) -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    a = [p for p in old.paragraphs if p.label != "HEADER"]
    b = [p for p in new.paragraphs if p.label != "HEADER"]
    ca = [comparison_text(p.text) for p in a]
    cb = [comparison_text(p.text) for p in b]
    out: dict[tuple[str, str], tuple[str, frozenset[str]]] = {}
    used: set[int] = set()
    i = -1
    for j, line in enumerate(cb):
        match = next(
            (k for k in range(i + 1, len(a)) if k not in used and _ratio(ca[k], line) > THRESHOLD),
            None,
        )
        if match is None:
            out[("new", b[j].label)] = ("new", frozenset())
            continue
        for skipped in range(i + 1, match):
            if skipped not in used:
                used.add(skipped)
                out[("old", a[skipped].label)] = ("dropped", frozenset())
        used.add(match)
        i = match
        status = "unchanged" if ca[match] == line else "amended"
        out[("new", b[j].label)] = (status, frozenset([a[match].label]))
        out[("old", a[match].label)] = (status, frozenset([b[j].label]))
    for k in range(len(a)):
        if k not in used:
            out[("old", a[k].label)] = ("dropped", frozenset())
    return out
