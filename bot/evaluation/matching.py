"""Does a retrieved or cited paragraph match an expected one? By symbol + label, file + label, or quote.

A retrieved unit is normally one paragraph. The naive baseline retrieves text
chunks instead; each chunk lists the paragraphs it covers under
``metadata["covers"]`` and matches an expected paragraph when any of them does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.answer.types import Citation, Retrieved
from bot.evaluation.gold import Expected
from ingest.parsers.common import normalise_symbol

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_QUOTES = {ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'}


@dataclass(frozen=True)
class ParaRef:
    """The identity of a stored paragraph, as far as matching needs it."""

    label: str
    source: str
    symbol: str | None = None

    @property
    def display(self) -> str:
        return f"{self.symbol or self.source}, {self.label}"

    @property
    def key(self) -> tuple[str, str]:
        """One key per paragraph: the symbol when known, else the file name."""
        return (
            norm_symbol(self.symbol) if self.symbol else "file:" + norm_source(self.source),
            norm_label(self.label),
        )

    def to_json(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "paragraph": self.label, "source": self.source}


def norm_text(text: str) -> str:
    """Whitespace-collapsed, case-folded text with typographic quotes and dashes made plain."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").replace("\u200b", "")
    text = text.translate(_DASHES).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


def norm_symbol(symbol: str) -> str:
    return normalise_symbol(symbol).replace(" ", "").upper()


def norm_source(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1].strip().casefold()


def norm_label(label: str) -> str:
    return label.strip().upper()


def matches(expected: Expected, ref: ParaRef) -> bool:
    """Symbol + label when both sides know the symbol (any file of that resolution counts),
    otherwise source file name + label."""
    if norm_label(expected.paragraph) != norm_label(ref.label):
        return False
    if expected.symbol and ref.symbol:
        return norm_symbol(expected.symbol) == norm_symbol(ref.symbol)
    return norm_source(expected.source) == norm_source(ref.source)


def quote_in(quote: str, text: str) -> bool:
    q = norm_text(quote)
    return bool(q) and q in norm_text(text)


def refs_of(unit: Retrieved | Citation) -> list[ParaRef]:
    """The paragraphs a retrieved unit or citation stands for."""
    meta = getattr(unit, "metadata", None) or {}
    covers = meta.get("covers")
    if isinstance(covers, list):
        return [
            ParaRef(str(c.get("label", "")), str(c.get("source", "")), c.get("symbol") or None)
            for c in covers
            if isinstance(c, dict)
        ]
    return [ParaRef(unit.label, unit.source, unit.symbol)]


def unit_matches(expected: Expected, unit: Retrieved | Citation) -> bool:
    return any(matches(expected, ref) for ref in refs_of(unit))


def unique_expected(expected: Sequence[Expected]) -> list[Expected]:
    """Expected paragraphs with duplicates (same paragraph listed twice) removed."""
    out: list[Expected] = []
    seen: set[tuple[str, str]] = set()
    for e in expected:
        key = ParaRef(e.paragraph, e.source, e.symbol).key
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def unique_refs(units: Iterable[Retrieved | Citation]) -> list[ParaRef]:
    """Distinct paragraphs behind a list of citations, in first-seen order (a paragraph cited
    twice, or from two files of the same resolution, counts once)."""
    out: list[ParaRef] = []
    seen: set[tuple[str, str]] = set()
    for unit in units:
        for ref in refs_of(unit):
            if ref.key not in seen:
                seen.add(ref.key)
                out.append(ref)
    return out


def unit_display(unit: Retrieved | Citation) -> str:
    refs = refs_of(unit)
    if not refs:
        return f"{unit.source} (no paragraph)"
    if len(refs) == 1:
        return refs[0].display
    head = refs[0].symbol or refs[0].source
    return f"{head}, " + "+".join(r.label for r in refs)
