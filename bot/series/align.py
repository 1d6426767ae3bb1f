"""Paragraph alignment of two resolutions: unchanged, amended, new, dropped, moved.

Each part (PP, OP, ANNEX-OP, DRAFT-PP ...) is aligned with the same part of the other text by an
order-preserving dynamic programme over word similarities, so near-duplicate paragraphs and
numbering that shifts after an insertion do not mislead it (greedy line matching takes the first
similar line it sees). What is left is then examined for splits and merges (one paragraph against
two consecutive ones) and for moves: a paragraph matched out of order or into another part (a
preambular paragraph that became operative).

Thresholds are data (``bot/data/series_align.json``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from importlib import resources
from typing import Any, Literal

from bot.series.normalise import comparison_tokens
from ingest.model import Paragraph

Status = Literal["unchanged", "amended", "new", "dropped", "moved"]
STATUSES: tuple[Status, ...] = ("unchanged", "amended", "new", "dropped", "moved")


@dataclass(frozen=True)
class AlignParams:
    """match: least similarity of two paragraphs aligned in order; move: least similarity of a
    paragraph matched out of order or across parts; cover: least share of a paragraph's words found
    in the other for a split or merge; prefilter: word-set overlap below which no ratio is computed."""

    match: float = 0.5
    move: float = 0.6
    cover: float = 0.75
    prefilter: float = 0.15

    @classmethod
    def load(cls, path: Any = None) -> AlignParams:
        if path is None:
            text = resources.files("bot").joinpath("data/series_align.json").read_text()
        else:
            text = open(path, encoding="utf-8").read()  # noqa: SIM115
        data = json.loads(text)
        return cls(
            **{
                k: float(v)
                for k, v in data.get("params", data).items()
                if k in cls.__dataclass_fields__
            }
        )


def part_of(label: str) -> str:
    """`OP12` -> `OP`, `ANNEX2-PP3` -> `ANNEX2-PP`."""
    return re.sub(r"\d+$", "", label)


@dataclass
class Unit:
    """A paragraph ready for comparison."""

    label: str
    part: str
    index: int  # position within its part
    text: str
    tokens: list[str]
    words: frozenset[str]

    @classmethod
    def of(cls, p: Paragraph, index: int) -> Unit:
        tokens = comparison_tokens(p.text)
        return cls(p.label, part_of(p.label), index, p.text, tokens, frozenset(tokens))


@dataclass
class Link:
    """One alignment decision: old paragraphs against new ones (1:1, 1:2 split, 2:1 merge)."""

    old: list[int]
    new: list[int]
    similarity: float
    moved: bool = False


@dataclass
class Alignment:
    old: list[Unit]
    new: list[Unit]
    links: list[Link] = field(default_factory=list)


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, list(a), list(b), autojunk=False).ratio()


def coverage(of: Sequence[str], by: Sequence[str]) -> float:
    """Share of `of`'s words found, in order, in `by`."""
    if not of:
        return 0.0
    sm = SequenceMatcher(None, list(of), list(by), autojunk=False)
    return sum(b.size for b in sm.get_matching_blocks()) / len(of)


class _Sims:
    """Similarities computed once each, skipped when the word sets barely overlap."""

    def __init__(self, old: list[Unit], new: list[Unit], prefilter: float) -> None:
        self.old, self.new, self.prefilter = old, new, prefilter
        self._cache: dict[tuple[int, int], float] = {}
        self.computed = 0

    def __call__(self, i: int, j: int) -> float:
        key = (i, j)
        if key not in self._cache:
            a, b = self.old[i], self.new[j]
            if a.tokens == b.tokens:
                s = 1.0
            else:
                union = len(a.words | b.words)
                overlap = len(a.words & b.words) / union if union else 0.0
                if overlap < self.prefilter:
                    s = 0.0
                else:
                    self.computed += 1
                    s = similarity(a.tokens, b.tokens)
            self._cache[key] = s
        return self._cache[key]


def _dp(olds: list[int], news: list[int], sim: _Sims, threshold: float) -> list[tuple[int, int]]:
    """Order-preserving alignment maximising the summed similarity above `threshold`."""
    m, n = len(olds), len(news)
    score = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        row, prev = score[i], score[i - 1]
        for j in range(1, n + 1):
            best = max(prev[j], row[j - 1])
            s = sim(olds[i - 1], news[j - 1])
            if s >= threshold:
                best = max(best, prev[j - 1] + s - threshold + 1e-9)
            row[j] = best
    pairs: list[tuple[int, int]] = []
    i, j = m, n
    while i > 0 and j > 0:
        s = sim(olds[i - 1], news[j - 1])
        if (
            s >= threshold
            and abs(score[i][j] - (score[i - 1][j - 1] + s - threshold + 1e-9)) < 1e-12
        ):
            pairs.append((olds[i - 1], news[j - 1]))
            i, j = i - 1, j - 1
        elif score[i][j] == score[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _by_part(units: list[Unit]) -> dict[str, list[int]]:
    parts: dict[str, list[int]] = {}
    for k, u in enumerate(units):
        parts.setdefault(u.part, []).append(k)
    return parts


def align(
    old: list[Paragraph], new: list[Paragraph], params: AlignParams | None = None
) -> Alignment:
    """Align two texts' paragraphs (HEADER left out: it always changes)."""
    params = params or AlignParams()
    old_units = _units(old)
    new_units = _units(new)
    sim = _Sims(old_units, new_units, params.prefilter)
    result = Alignment(old_units, new_units)
    old_parts, new_parts = _by_part(old_units), _by_part(new_units)
    old_link: dict[int, Link] = {}
    new_link: dict[int, Link] = {}

    def add(link: Link) -> None:
        result.links.append(link)
        for i in link.old:
            old_link[i] = link
        for j in link.new:
            new_link[j] = link

    for part, olds in old_parts.items():
        news = new_parts.get(part, [])
        for i, j in _dp(olds, news, sim, params.match):
            add(Link([i], [j], sim(i, j)))
    for part, olds in old_parts.items():
        news = new_parts.get(part, [])
        _splits(
            olds, news, old_units, new_units, old_link, new_link, params, add, result, split=True
        )
        _splits(
            news, olds, new_units, old_units, new_link, old_link, params, add, result, split=False
        )
    _moves(old_units, new_units, sim, old_link, new_link, params, add)
    return result


def _units(paragraphs: list[Paragraph]) -> list[Unit]:
    units: list[Unit] = []
    counts: dict[str, int] = {}
    for p in paragraphs:
        if p.label == "HEADER":
            continue
        part = part_of(p.label)
        units.append(Unit.of(p, counts.get(part, 0)))
        counts[part] = counts.get(part, 0) + 1
    return units


def _splits(
    ones: list[int],
    twos: list[int],
    one_units: list[Unit],
    two_units: list[Unit],
    one_link: dict[int, Link],
    two_link: dict[int, Link],
    params: AlignParams,
    add: Any,
    result: Alignment,
    *,
    split: bool,
) -> None:
    """One paragraph of one text against two consecutive paragraphs of the other.

    With `split` the one is old and the two are new (a paragraph split in two); otherwise the
    one is new (two merged). A candidate pair must be free or held by the one paragraph itself,
    and each of the two must be mostly found in the one."""
    for a in ones:
        held = one_link.get(a)
        if held is not None and (len(held.old) + len(held.new) > 2 or held.similarity >= 1.0):
            continue
        partner = (held.new if split else held.old) if held is not None else []
        best: tuple[float, int, int] | None = None
        for k in range(len(twos) - 1):
            b1, b2 = twos[k], twos[k + 1]
            if any(b in two_link and two_link[b] is not held for b in (b1, b2)):
                continue
            if held is not None and not set(partner) <= {b1, b2}:
                continue
            if all(b in two_link for b in (b1, b2)):
                continue
            # Cheap test first: the words of both halves must mostly occur in the one paragraph.
            if any(
                len(two_units[b].words & one_units[a].words)
                < params.cover * len(two_units[b].words)
                for b in (b1, b2)
            ):
                continue
            joined = two_units[b1].tokens + two_units[b2].tokens
            s = similarity(one_units[a].tokens, joined)
            alone = (
                similarity(one_units[a].tokens, two_units[partner[0]].tokens) if partner else 0.0
            )
            if s < params.match or s <= alone:
                continue
            if (
                min(coverage(two_units[b].tokens, one_units[a].tokens) for b in (b1, b2))
                < params.cover
            ):
                continue
            if best is None or s > best[0]:
                best = (s, b1, b2)
        if best is None:
            continue
        s, b1, b2 = best
        if held is not None:
            result.links.remove(held)
        link = Link([a], [b1, b2], s) if split else Link([b1, b2], [a], s)
        add(link)


def _moves(
    old_units: list[Unit],
    new_units: list[Unit],
    sim: _Sims,
    old_link: dict[int, Link],
    new_link: dict[int, Link],
    params: AlignParams,
    add: Any,
) -> None:
    """Paragraphs left over matched anywhere, best first; a match that keeps the order of its part
    is an amendment the ordered pass missed, anything else a move."""
    free_old = [i for i in range(len(old_units)) if i not in old_link]
    free_new = [j for j in range(len(new_units)) if j not in new_link]
    candidates = sorted(
        ((sim(i, j), i, j) for i in free_old for j in free_new),
        reverse=True,
    )
    for s, i, j in candidates:
        if s < params.move:
            break
        if i in old_link or j in new_link:
            continue
        moved = old_units[i].part != new_units[j].part or not _in_order(i, j, old_units, old_link)
        add(Link([i], [j], s, moved=moved))


def _in_order(i: int, j: int, old_units: list[Unit], old_link: dict[int, Link]) -> bool:
    """Whether pairing old i with new j keeps the order of the paragraphs already aligned."""
    part = old_units[i].part
    for k, link in old_link.items():
        if old_units[k].part != part or link.moved:
            continue
        if (k < i and max(link.new) > j) or (k > i and min(link.new) < j):
            return False
    return True
