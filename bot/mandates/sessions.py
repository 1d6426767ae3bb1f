"""Session numbers as resolutions write them ("eighty-first", "34th", "2026") and the year they meet.

The calendar lives in ``bot/data/session_calendar.json`` keyed by the glossary's canonical body
names ("General Assembly", "CCPCJ", "HRC", ...).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_TENS_ORD = {
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
    "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}  # fmt: skip

# One ordinal: "eighty-first", "eightieth", "thirty-fourth", "81st", "3rd".
ORDINAL = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\-\u2011\s]"
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    r"|twentieth|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth|hundredth"
    r"|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    r"|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
    r"|\d{1,3}(?:st|nd|rd|th))"
)
_ORDINAL_RX = re.compile(ORDINAL, re.I)


def ordinal_value(word: str) -> int | None:
    """ "eighty-first" -> 81, "34th" -> 34, "2026" -> None (a year is not an ordinal)."""
    w = word.strip().lower().replace("\u2011", "-").replace(" ", "-")
    m = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", w)
    if m:
        return int(m.group(1))
    if w in _UNITS:
        return _UNITS[w]
    if w in _TENS_ORD:
        return _TENS_ORD[w]
    if "-" in w:
        tens, _, unit = w.partition("-")
        if tens in _TENS and unit in _UNITS and _UNITS[unit] < 10:
            return _TENS[tens] + _UNITS[unit]
    return None


def ordinal_words(n: int) -> str:
    """81 -> "eighty-first" (the form resolutions use), for questions and display."""
    units = {v: k for k, v in _UNITS.items()}
    if n in units:
        return units[n]
    tens_ord = {v: k for k, v in _TENS_ORD.items()}
    if n in tens_ord:
        return tens_ord[n]
    tens = {v: k for k, v in _TENS.items()}
    if 20 < n < 100 and n // 10 * 10 in tens:
        return f"{tens[n // 10 * 10]}-{units[n % 10]}"
    return f"{n}th"


@dataclass(frozen=True)
class BodyCalendar:
    rule: str
    data: dict[str, Any]

    def year_of(self, session: int) -> int | None:
        d = self.data
        explicit = d.get("explicit") or {}
        if str(session) in explicit:
            return int(explicit[str(session)])
        if self.rule == "offset":
            if session < int(d.get("min_session", 1)):
                return None
            return int(d["offset"]) + session
        if self.rule == "per_year":
            first = int(d["first_session"])
            if session < first:
                return None
            return int(d["first_year"]) + (session - first) // int(d["per_year"])
        if self.rule == "every":
            first = int(d["first_session"])
            if session < first:
                return None
            return int(d["first_year"]) + (session - first) * int(d["every"])
        return None


@lru_cache(maxsize=1)
def calendar() -> dict[str, BodyCalendar]:
    raw = resources.files("bot").joinpath("data/session_calendar.json").read_text("utf-8")
    bodies = json.loads(raw)["bodies"]
    return {name: BodyCalendar(spec["rule"], spec) for name, spec in bodies.items()}


def session_year(body: str | None, session: int | None) -> int | None:
    """The year ``body`` holds its ``session``; a four-digit session is its own year."""
    if session is None:
        return None
    if 1946 <= session <= 2100:
        return session
    if body is None:
        return None
    cal = calendar().get(body)
    return cal.year_of(session) if cal else None


def has_calendar(body: str | None) -> bool:
    return body is not None and body in calendar()


def parse_session_number(text: str) -> int | None:
    """ "eighty-first" -> 81; "2026" -> 2026 (a session named by its year)."""
    t = text.strip()
    if re.fullmatch(r"(?:19|20)\d\d", t):
        return int(t)
    return ordinal_value(t)


def own_session(session_field: str | None) -> int | None:
    """The adopting session from ``Resolution.session``: "Seventy-ninth session" -> 79."""
    if not session_field:
        return None
    m = re.search(r"(" + ORDINAL + r"|(?:19|20)\d\d)\s+(?:regular\s+)?session", session_field, re.I)
    return parse_session_number(m.group(1)) if m else None
