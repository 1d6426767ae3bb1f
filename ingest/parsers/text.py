"""Plain text and Markdown resolutions, typically converted from the printed PDF.

The hard part is the page layout that survives the conversion (running headers,
job numbers, page counters, footnote blocks that cut paragraphs in two); that is
``layout.blocks_from_lines``; the labels (HEADER, PPn, OPn, ANNEX-, DRAFT-)
and the metadata come from ``structure.build_resolution``, which reads them
from the drafting conventions alone (plain text has no italics or bold to go
by). This module adds Markdown: markup removed, italic opening verbs kept for
the verb, headings marked, footnote references made superscripts.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from core.errors import ParseError
from ingest.model import Format, Resolution
from ingest.parsers import layout
from ingest.parsers.common import clean_ws, decode_text, read_bytes
from ingest.parsers.structure import build_resolution

log = logging.getLogger(__name__)

_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_LINE_END = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")

# --- Markdown ---------------------------------------------------------------------

_MD_SIGNS = re.compile(
    r"(?:^|\s)[*_]{1,2}[A-Za-z][^*_\n]{0,80}[*_]{1,2}|\]\([^)\n]{0,300}\)|^#{1,6}\s", re.M
)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,200}\]\([^)\s]{0,300}\)")
_MD_LINK = re.compile(r"\[([^\]\n]{0,200})\]\([^)\s]{0,300}\)")
_MD_NOTE_REF = re.compile(r"\[\^(\d{1,3})\](?!:)")
_MD_NOTE_DEF = re.compile(r"^\s{0,3}\[\^(\d{1,3})\]:\s*")
_HTML_SUP = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>", re.I)
_HTML_BR = re.compile(r"<br\s*/?>", re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,10}(?:\s[^<>\n]{0,200})?/?>")
# Emphasis: the content must hold a letter, so "*2424145*" (a barcode) stays as it is.
_MD_EMPH = re.compile(
    r"(?<![\w*\\])(\*{1,3}|_{1,3})(?=[^\s*_])([^*_\n]{1,300}?)(?<=[^\s\\])\1(?![\w*])"
)
_MD_LEAD = re.compile(r"^(?:\d{1,3}\.\s*|\([a-z]{1,3}\)\s*)?(\*{1,3}|_{1,3})([^*_\n]{1,120}?)\1")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_SUP_TRANS = str.maketrans("0123456789", layout.SUPERSCRIPT_DIGITS)


def _sup(match: re.Match[str]) -> str:
    return match.group(1).translate(_SUP_TRANS)


def _emph(match: re.Match[str]) -> str:
    inner = match.group(2)
    return inner if any(ch.isalpha() for ch in inner) else match.group(0)


def strip_markdown(lines: list[str]) -> tuple[list[str], dict[str, str], set[str]]:
    """Markdown to plain lines.

    Returns the lines, the italic lead phrase of each line that opens with one
    (keyed by the plain line, for the verb), and the lines that were headings.
    Footnote references ``[^3]`` and ``<sup>3</sup>`` become superscript digits,
    which the layout stage reads as markers.
    """
    out: list[str] = []
    leads: dict[str, str] = {}
    headings: set[str] = set()
    for raw in lines:
        line = _MD_QUOTE.sub("", raw)
        heading = bool(_MD_HEADING.match(line))
        if heading:
            line = _MD_HEADING.sub("", line).rstrip("# ")
        line = _MD_NOTE_DEF.sub(lambda m: m.group(1).translate(_SUP_TRANS) + " ", line)
        line = _MD_NOTE_REF.sub(_sup, line)
        line = _HTML_SUP.sub(_sup, line)
        line = _HTML_BR.sub(" ", line)
        line = _MD_IMAGE.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _HTML_TAG.sub("", line)
        lead_m = _MD_LEAD.match(line.strip())
        whole_bold = (
            line.strip().startswith("**") and line.strip().endswith("**") and len(line) < 200
        )
        line = _MD_EMPH.sub(_emph, line)
        line = _MD_ESCAPE.sub(r"\1", line)
        line = html.unescape(line) if "&" in line else line
        plain = line.strip()
        if lead_m and any(ch.isalpha() for ch in lead_m.group(2)):
            leads[plain] = clean_ws(lead_m.group(2))
        if (heading or whole_bold) and plain:
            headings.add(plain)
        out.append(line)
    return out, leads, headings


def looks_like_markdown(text: str) -> bool:
    return len(_MD_SIGNS.findall(text[:200_000], 0)) >= 2


# --- entry points -------------------------------------------------------------------


def parse_text(text: str, source: str, fmt: str = "text") -> list[Resolution]:
    """Parse the text of one resolution (plain or Markdown)."""
    name = Path(source).name
    if not text.strip():
        raise ParseError("empty file")
    # Not str.splitlines: it would also split at form feeds and drop them, and a
    # form feed is a page break the layout stage needs to see.
    lines = _LINE_END.split(text)
    leads: dict[str, str] = {}
    md_headings: set[str] = set()
    if fmt == "markdown" or looks_like_markdown(text):
        lines, leads, md_headings = strip_markdown(lines)
    blocks = layout.blocks_from_lines(lines)
    if not blocks:
        raise ParseError("no resolution text found")
    out_fmt: Format = "markdown" if fmt == "markdown" else "text"
    try:
        res = build_resolution(
            blocks, source=name, fmt=out_fmt, leads=leads, md_headings=md_headings
        )
    except ValueError as exc:
        raise ParseError(str(exc)) from None
    if not any(p.kind != "header" for p in res.paragraphs):
        raise ParseError("no resolution text found")
    return [res]


def parse_text_file(path: Path) -> list[Resolution]:
    """Parse a .txt / .md file; raises ParseError with a one-line reason."""
    text = decode_text(read_bytes(path))
    fmt = "markdown" if path.suffix.lower() in _MARKDOWN_SUFFIXES else "text"
    return parse_text(text, path.name, fmt)
