"""Comparison form of a paragraph: what changes every year without changing the meaning is set aside.

Session and year numbers ("at its seventy-ninth session", "2024"), the numbers of resolutions and
documents recalled ("its resolution 77/194", "A/79/322"), footnote markers and paragraph
numbering change from one text of a series to the next although the paragraph says the same.
They are replaced by placeholders, so two paragraphs that differ only there compare equal.
"""

from __future__ import annotations

import re

from bot.retrieval.ordinals import ordinal_words

# "first" … "ninety-ninth", "hundredth": the spelt-out session numbers.
_ORDINALS = frozenset(ordinal_words(f"{n}th") for n in range(1, 100)) | {"hundredth"}
# "seventy-ninth session", "its eighty-first and eighty-second sessions", "77th session"
_SESSION = re.compile(
    r"\b([\w-]+)(?:\s+(?:and|to)\s+([\w-]+))?(?=\s+(?:regular\s+|special\s+)?sessions?\b)",
    re.I,
)
_NUMERIC_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$", re.I)


def _is_ordinal(word: str | None) -> bool:
    return word is None or word.lower() in _ORDINALS or bool(_NUMERIC_ORDINAL.match(word))


def _session(m: re.Match[str]) -> str:
    if _is_ordinal(m.group(1)) and _is_ordinal(m.group(2)):
        return " #ord "
    return m.group(0)


_YEAR = re.compile(r"(?<![\d/])(?:19[4-9]\d|20\d\d)(?:[–-]\d{2,4})?(?![\d/])")
# Document and resolution numbers: 77/194, 2021/25, A/79/322, E/CN.15/2024/L.3, S-32/1
_DOCNUM = re.compile(r"[^\s(),;:]*/[^\s(),;:]*")
_DATE = re.compile(
    r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\b",
    re.I,
)
# Footnote markers glued to a word or punctuation ("Secretary-General,1", "report;12", "[3]").
_FOOTNOTE = re.compile(
    r"(?<=[A-Za-z\)\].,;:”’\"])\d{1,3}\b|\[\d{1,3}\]|[\u00b9\u00b2\u00b3\u2070-\u2079]+"
)
_NUMBERING = re.compile(r"^\s*(?:\d{1,3}\s*[.)]|\([a-z]{1,4}\)|[a-z]\))\s+", re.I)
_WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*|#\w+", re.UNICODE)
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "})


def _docnum(m: re.Match[str]) -> str:
    word = m.group(0)
    if not any(c.isdigit() for c in word):
        return word  # "and/or"
    tail = word[len(word.rstrip('.”’"')) :]
    return " #num " + tail


def comparison_text(text: str) -> str:
    """The paragraph with its yearly-changing parts replaced by placeholders, lower-cased."""
    t = text.translate(_QUOTES)
    t = _NUMBERING.sub("", t)
    # Each pattern only where it can match: this runs on every paragraph of every document.
    if "/" in t:
        t = _DOCNUM.sub(_docnum, t)
    if any(c.isdigit() for c in t):
        t = _FOOTNOTE.sub("", t)
        t = _DATE.sub(" #date ", t)
        t = _YEAR.sub(" #year ", t)
    if "ession" in t:
        t = _SESSION.sub(_session, t)
    return " ".join(t.lower().split())


def comparison_tokens(text: str) -> list[str]:
    """Words of the comparison form; punctuation dropped."""
    return _WORD.findall(comparison_text(text))


def display_tokens(text: str) -> list[str]:
    """The paragraph's words as printed (for showing what was inserted and deleted)."""
    return text.split()
