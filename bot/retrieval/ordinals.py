"""Ordinals as UN texts print them: sessions and congresses are spelt out."""

from __future__ import annotations

import re

_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = [
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_TENS = ["twent", "thirt", "fort", "fift", "sixt", "sevent", "eight", "ninet"]


def ordinal_words(ordinal: str) -> str:
    """'81st' -> 'eighty-first', '4th' -> 'fourth'; words pass through."""
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)", ordinal)
    if not m:
        return ordinal
    n = int(m.group(1))
    if 1 <= n <= 9:
        return _UNITS[n - 1]
    if 10 <= n <= 19:
        return _TEENS[n - 10]
    tens, unit = divmod(n, 10)
    if unit == 0:
        return _TENS[tens - 2] + "ieth"
    return _TENS[tens - 2] + "y-" + _UNITS[unit - 1]
