"""Per-file budgets of the ingest: what one file may cost before it is refused.

A folder from many sources may hold a malformed or hostile file; each file gets a budget of
time, memory, pages, glyphs, inflated bytes, paragraphs and footnote text, and one over
budget fails alone with one line naming the limit (the setting that raises it included), so
the rest of the batch is stored. Time and memory are enforced by running the parser in a
child process (:mod:`ingest.sandbox`); the others are counted by the parsers as they go or
checked on their output here.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ParseError
from ingest.model import Resolution


class OverBudget(ParseError):
    """A file exceeded one of its budgets; the message names the limit and its setting."""


@dataclass(frozen=True)
class IngestLimits:
    """Budgets for one file; the defaults leave a wide margin over any real resolution."""

    # Wall time of one file's parse (a reference loop in a PDF would otherwise spin forever).
    seconds: float = 60.0
    # Address space of the parsing process, in MiB.
    memory_mb: int = 1536
    pages: int = 400
    # Characters drawn, summed over the pages of a PDF (a dense page draws about 5,000).
    glyphs: int = 600_000
    # Bytes the compressed streams of a PDF inflate to, summed, in MiB (images excepted).
    inflated_mb: int = 64
    paragraphs: int = 10_000
    # Footnote references summed over the paragraphs of one document.
    footnote_refs: int = 20_000
    # A footnote longer than this is shortened where a paragraph carries it, with a note.
    footnote_chars: int = 4_000
    # Footnote text carried by the paragraphs of one document, summed, in characters.
    footnote_total_chars: int = 2_000_000


DEFAULT_LIMITS = IngestLimits()

# The setting behind each budget, for the one-line error.
SETTING = {
    "seconds": "RESBOT_INGEST_TIMEOUT_S",
    "memory_mb": "RESBOT_INGEST_MEMORY_MB",
    "pages": "RESBOT_INGEST_MAX_PAGES",
    "glyphs": "RESBOT_INGEST_MAX_GLYPHS",
    "inflated_mb": "RESBOT_INGEST_MAX_INFLATED_MB",
    "paragraphs": "RESBOT_INGEST_MAX_PARAGRAPHS",
    "footnote_refs": "RESBOT_INGEST_MAX_FOOTNOTE_REFS",
    "footnote_total_chars": "RESBOT_INGEST_MAX_FOOTNOTE_CHARS",
}


def over(what: str, value: str, limits: IngestLimits, key: str, unit: str = "") -> OverBudget:
    """The error for one budget: ``too many pages (over 400; limit RESBOT_INGEST_MAX_PAGES)``."""
    limit = getattr(limits, key)
    shown = f"{limit:,}" if isinstance(limit, int) else f"{limit:g}"
    return OverBudget(f"{what} ({value}; limit {shown}{unit}, {SETTING[key]})")


def shorten_note(note: str, limit: int) -> str:
    if len(note) <= limit:
        return note
    cut = note.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    return f"{note[:cut]} […] (footnote shortened from {len(note):,} characters)"


def bound_resolutions(resolutions: list[Resolution], limits: IngestLimits) -> list[Resolution]:
    """Check a parser's output against the budgets; long footnotes are shortened in place.

    One footnote may be cited from every paragraph of a document; stored whole with each, a
    large one would multiply (a 90 KB note cited 400 times is 36 MB), so each copy is capped
    and the sum of what a document carries is bounded.

    Raises:
        OverBudget: too many paragraphs or footnote references, or too much footnote text.
    """
    for res in resolutions:
        if len(res.paragraphs) > limits.paragraphs:
            raise over("too many paragraphs", f"{len(res.paragraphs):,}", limits, "paragraphs")
        refs = sum(len(p.footnotes) for p in res.paragraphs)
        if refs > limits.footnote_refs:
            raise over("too many footnote references", f"{refs:,}", limits, "footnote_refs")
        total = 0
        short: dict[str, str] = {}
        for para in res.paragraphs:
            if not para.footnotes:
                continue
            notes = []
            for note in para.footnotes:
                if note not in short:
                    short[note] = shorten_note(note, limits.footnote_chars)
                notes.append(short[note])
                total += len(short[note])
            para.footnotes = notes
        if total > limits.footnote_total_chars:
            raise over(
                "too much footnote text",
                f"{total:,} characters cited in all",
                limits,
                "footnote_total_chars",
                " characters",
            )
    return resolutions
