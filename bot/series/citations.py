"""Earlier resolutions and decisions a resolution cites, each with the paragraph that cites it.

"Recalling its resolution 77/194 of 15 December 2022", "Economic and Social Council resolution
2021/25", "its resolutions 75/100, 76/120 and 77/194", "decision 77/555": the numbers are read
with the nearest preceding "resolution" or "decision" and the body named just before it. Numbers
of other bodies (Human Rights Council resolution 52/2, Conference resolution 10/1, Security
Council resolution 2250 (2015)) are kept apart so that they are never read as General Assembly
ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import Resolution

_CUE = re.compile(r"\b(resolutions?|decisions?)\b", re.I)
_NUMBER = re.compile(
    r"(?<![\w/.])((?:S-|ES-)?\d{1,4})/(\d{1,3})(?![\w/])|(?<![\w/])(\d{1,4})\s*\((\d{4})\)"
)
# What may stand between a cue and its numbers: more numbers, dates, "A", "and", commas.
_GAP = re.compile(
    r"^(?:[\s,;]|and|of|A|B|C|\d{1,2}\s+\w+\s+\d{4}|(?:S-|ES-)?\d{1,4}/\d{1,3}|\d{1,4}\s*\(\d{4}\)"
    r"|[IVXL]+|and\s+Corr\.\s*\d|entitled\s+“[^”]{0,200}”)*$"
)
_OTHER_BODY = re.compile(
    r"(Human Rights Council|Security Council|Commission|Conference|Committee|Board|Assembly of"
    r"|Council of|Executive|Governing|Organization|Union|Parties)\W*(?:\w+\W+){0,3}$",
    re.I,
)
_REPORT = re.compile(r"[A-Z]{2,}/[A-Z.\d]+/|\bsect\.|\bchap\.", re.I)
_ECOSOC = re.compile(r"Economic and Social Council\W*(?:\w+\W+){0,3}$", re.I)
_GA = re.compile(r"General Assembly\W*(?:\w+\W+){0,3}$", re.I)


@dataclass(frozen=True)
class Cited:
    """A resolution or decision cited by `label` of the citing document."""

    symbol: str  # A/RES/77/194, E/RES/2021/25, A/DEC/77/555, S/RES/2250 (2015)
    label: str
    text: str  # the words that cite it


def _symbol(kind: str, first: str, second: str, before: str, own_body: str | None) -> str | None:
    res = "RES" if kind.lower().startswith("resolution") else "DEC"
    if _REPORT.search(before):
        return None  # "CTOC/COP/2020/10, sect. I.A, resolution 10/1": a report's own resolution
    if _OTHER_BODY.search(before) and not (_ECOSOC.search(before) or _GA.search(before)):
        return None
    if first.isdigit() and len(first) == 4:
        if int(first) < 1946:
            return None
        return f"E/{res}/{first}/{int(second)}"
    if _ECOSOC.search(before):
        return None  # ECOSOC numbers are year/number; a session/number is someone else's
    if first.isdigit() and not 1 <= int(first) <= 99:
        return None
    if own_body and own_body.startswith("Economic") and not _GA.search(before):
        return None  # an ECOSOC text's "resolution 10/1" is a commission's, not the Assembly's
    return f"A/{res}/{first}/{int(second)}"


def citations_in(text: str, label: str, own_body: str | None = None) -> list[Cited]:
    """Resolutions and decisions cited in one paragraph (or footnote) text."""
    out: list[Cited] = []
    for cue in _CUE.finditer(text):
        pos = cue.end()
        before = text[max(0, cue.start() - 60) : cue.start()]
        while True:
            m = _NUMBER.search(text, pos)
            if m is None or not _GAP.match(text[pos : m.start()]):
                break
            if m.group(3):  # "2250 (2015)": a Security Council resolution
                if "Security Council" in before:
                    sc = f"S/RES/{int(m.group(3))} ({m.group(4)})"
                    out.append(Cited(sc, label, text[cue.start() : m.end()]))
            else:
                sym = _symbol(cue.group(1), m.group(1).upper(), m.group(2), before, own_body)
                if sym:
                    out.append(Cited(sym, label, text[cue.start() : m.end()]))
            pos = m.end()
    seen: set[str] = set()
    unique: list[Cited] = []
    for c in out:
        if c.symbol not in seen:
            seen.add(c.symbol)
            unique.append(c)
    return unique


def citations_of(res: Resolution) -> list[Cited]:
    """Every resolution or decision `res` cites, once per citing paragraph; never itself."""
    out: list[Cited] = []
    for p in res.paragraphs:
        if p.label == "HEADER":
            continue
        seen: set[str] = set()
        for text in (p.text, *p.footnotes):
            for c in citations_in(text, p.label, res.body):
                if c.symbol != res.symbol and c.symbol not in seen:
                    seen.add(c.symbol)
                    out.append(c)
    return out
