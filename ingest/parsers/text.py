"""Plain text and Markdown resolutions, typically converted from the printed PDF.

The hard part is the page layout that survives the conversion (running headers,
job numbers, page counters, footnote blocks that cut paragraphs in two); that is
``layout.blocks_from_lines``. The labelling conventions (HEADER, PPn, OPn,
ANNEX-, DRAFT-) are shared with the PDF and Word parsers through
``blocks.assemble``. This module adds what is particular to text: Markdown
markup, the front matter as lines rather than styled blocks, and the Security
Council's older typescript conventions (unnumbered operative paragraphs,
"Adopted unanimously at the 1382nd meeting.", notes after the text).
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from ingest.errors import ParseError
from ingest.model import Format, Resolution
from ingest.parsers import layout
from ingest.parsers.blocks import Block as TextBlock
from ingest.parsers.blocks import assemble, find_symbol, parse_date
from ingest.parsers.common import (
    clean_ws,
    decode_text,
    normalise_symbol,
    read_bytes,
    symbol_from_filename,
)

log = logging.getLogger(__name__)

_MARKDOWN_SUFFIXES = {".md", ".markdown"}

# --- Markdown ---------------------------------------------------------------------

_MD_SIGNS = re.compile(r"(?:^|\s)[*_]{1,2}[A-Za-z][^*_\n]{0,80}[*_]{1,2}|\]\([^)\n]{0,300}\)|^#{1,6}\s", re.M)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,300}\]\([^)\n]{0,500}\)")
_MD_LINK = re.compile(r"\[([^\]\n]{0,300})\]\([^)\n]{0,500}\)")
_MD_NOTE_REF = re.compile(r"\[\^(\d{1,3})\](?!:)")
_MD_NOTE_DEF = re.compile(r"^\s{0,3}\[\^(\d{1,3})\]:\s*")
_HTML_SUP = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>", re.I)
_HTML_BR = re.compile(r"<br\s*/?>", re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,10}(?:\s[^<>\n]{0,200})?/?>")
# Emphasis: the content must hold a letter, so "*2424145*" (a barcode) stays as it is.
_MD_EMPH = re.compile(r"(?<![\w*\\])(\*{1,3}|_{1,3})(?=[^\s*_])([^*_\n]{1,300}?)(?<=[^\s\\])\1(?![\w*])")
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
        whole_bold = line.strip().startswith("**") and line.strip().endswith("**") and len(line) < 200
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


# --- blocks for the assembler -----------------------------------------------------

_HEADING_MAX = 160
_DATE_LINE = re.compile(r"^\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\.?$")
_SC_HEAD = re.compile(
    r"^(?:Resolution\s+(\d{1,4})\s*\((\d{4})\)|(\d{1,4})\s*\((\d{4})\)\.?\s*(?:Resolution\b.*)?)"
    r"(?:\s+of\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4})?\.?$"
)
_SC_OF_DATE = re.compile(r"^(?:Resolution\s+)?of\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4})\.?$")
_SPONSORS = re.compile(
    r"^(.{2,600}?):\s+(?:revised\s+|amended\s+)?draft\s+(?:resolution|decision)\b", re.I
)
_JOINERS = (" and", " of", " the", " for", " on", " to", " in", " by", " against", " between", ",", " with")
_TITLE_NUM = re.compile(r"^(?:\d{2,4}/\d{1,4}|\d{1,4}\s*\([A-Z]+\))\.\s")
_AGENDA = re.compile(r"^Agenda\s+items?\s", re.I)
_AND_NAMES = (
    "Antigua and Barbuda",
    "Bosnia and Herzegovina",
    "Saint Kitts and Nevis",
    "Saint Vincent and the Grenadines",
    "Sao Tome and Principe",
    "Trinidad and Tobago",
    "United Kingdom of Great Britain and Northern Ireland",
    "Turks and Caicos Islands",
    "Wallis and Futuna",
    "Group of 77 and China",
)


def _front_lines(block: layout.Block) -> list[str]:
    """The front-matter lines of a block, wrapped lines of one item put back together."""
    merged: list[str] = []
    glue = False
    for raw in block.lines:
        line = clean_ws(raw)
        if not line:
            continue
        if merged and (glue or line[:1].islower()):
            merged[-1] = layout.join_lines([merged[-1], line])
        else:
            merged.append(line)
        cur = merged[-1]
        # A numbered title ("79/14. Cooperation ...") runs to the end of its block;
        # a line ending in "and" / "of" / "," wraps onto the next.
        glue = bool(_TITLE_NUM.match(cur)) or cur.endswith(_JOINERS)
    return merged


def _is_front_field(line: str) -> bool:
    return bool(
        _DATE_LINE.match(line)
        or line.startswith(("[", "Resolution adopted", "Distr", "Original"))
        or re.search(r"\bsession\b", line, re.I)
        or find_symbol(line) == line
    )


def _is_heading(text: str, lines: int) -> bool:
    """Short, unpunctuated, not opening like a paragraph: "Annex", "II", a section title."""
    if len(text) > _HEADING_MAX or lines > 3:
        return False
    if layout._ROMAN_HEADING.match(text):
        return True
    if re.match(r"^(?:Annex|ANNEX|Appendix|Attachment)\b", text) and len(text) < 120:
        return True
    if text.endswith((",", ";", ":", ".")) and not re.match(r"^[A-Z][.)]?\s", text):
        return False
    return not (layout.looks_like_para_start(text) or text[:1].islower() or not text[:1].isalnum())


_ANNEX_LINE = re.compile(r"^(?:Annex(?:es)?|ANNEX(?:ES)?|Appendix|APPENDIX)(?:\s+(?:[IVXLC]{1,6}|\d{1,3}|[A-Z]))?\.?$")
_STAND_IN_FORMULA = "The Text,"
_CONNECTOR = re.compile(r"^(?:Therefore|Accordingly|Consequently|Hence|Thus)[,:]?$")
_RESUMED = re.compile(r"\s*\((?:resumed|continued)\)", re.I)


def _front_end(blocks: list[layout.Block]) -> int:
    """Index of the formula, or (without one) of the first block that reads as a paragraph."""
    for i, b in enumerate(blocks[:120]):
        if layout.is_formula(b.text):
            return i
    for i, b in enumerate(blocks):
        if len(b.text) > 200 or layout.looks_like_para_start(b.text) or b.text.endswith((",", ";")):
            return i
    return 0


def _to_text_blocks(
    blocks: list[layout.Block], leads: dict[str, str], md_headings: set[str]
) -> tuple[list[TextBlock], list[str], str | None]:
    """Assembler blocks; also the front lines and the formula's body name."""
    start = _front_end(blocks)
    has_formula = bool(blocks) and layout.is_formula(blocks[start].text)
    out: list[TextBlock] = []
    front: list[str] = []
    formula_body: str | None = None
    closed = False
    for i, b in enumerate(blocks):
        text = b.text
        if i < start:
            for line in _front_lines(b):
                front.append(line)
                out.append(TextBlock(line, heading=line in md_headings or _is_front_heading(line)))
            if b.footnotes and out:
                out[-1].footnotes.extend(b.footnotes)
            continue
        if i == start:
            if has_formula:
                formula_body = re.sub(r"^(?:The|La|Le)\s+", "", text).rstrip(" ,:")
                out.append(TextBlock(text if text.endswith(",") else text.rstrip(" :") + ","))
                continue
            # No formula ("By Article 47 of the Charter, ..."): the assembler splits the
            # front matter at a formula, so a neutral one marks where the paragraphs begin.
            out.append(TextBlock(_STAND_IN_FORMULA))
        if _CONNECTOR.match(text) and out and not out[-1].heading and out[-1].text != _STAND_IN_FORMULA:
            _absorb(out[-1], TextBlock(text))  # "Therefore" between preamble and paragraph 1
            continue
        if layout.is_closing(text):
            closed = True
            if not text.startswith("Ad"):
                # "53rd plenary meeting": the assembler's signature ("(resumed)" confuses it)
                out.append(TextBlock(_RESUMED.sub("", text)))
            continue
        if closed and (_DATE_LINE.match(text) or layout.is_closing(text)):
            continue  # the date under the signature; the vote line of old texts
        first = clean_ws(b.lines[0]) if b.lines else ""
        if _ANNEX_LINE.match(first) and len(b.lines) > 1:
            # "Annex" and the annex title printed as one block
            out.append(TextBlock(first, heading=True))
            rest = clean_ws(layout.join_lines(b.lines[1:]))
            out.append(TextBlock(rest, footnotes=list(b.footnotes), heading=_is_heading(rest, 3)))
            continue
        lead = next((leads[line.strip()] for line in b.lines[:2] if line.strip() in leads), None)
        heading = text in md_headings or _is_heading(text, len(b.lines))
        out.append(TextBlock(text, footnotes=list(b.footnotes), italic_lead=lead, heading=heading))
    return _fix_numbering(out), front, formula_body


_NUM = re.compile(r"^(\d{1,3})\.\s+(?=\S)")


def _fix_numbering(blocks: list[TextBlock]) -> list[TextBlock]:
    """Numbered lists inside a paragraph, and an unnumbered lead-in to paragraph 1.

    "11. Approves the following provisional agenda: 1. Opening ... 7. Adoption of
    the report." -- the inner 1..7 are items of paragraph 11, not paragraphs: a
    run restarting at 1 after a paragraph that ends with a colon is merged into
    it until the outer numbering resumes. "Resolves that:" followed by "1. The
    Working Capital Fund ..." is one paragraph opening with the lead-in.
    """
    out: list[TextBlock] = []
    last = 0  # last paragraph number of the current numbering
    inner: int | None = None  # last number of a list inside a paragraph
    host: TextBlock | None = None  # the paragraph a list belongs to
    for b in blocks:
        if b.heading:
            inner, host = None, None
            if _ANNEX_LINE.match(b.text):
                last = 0
            out.append(b)
            continue
        if layout.is_formula(b.text):
            last, inner, host = 0, None, None
            out.append(b)
            continue
        m = _NUM.match(b.text)
        if not m:
            if inner is not None and host is not None:
                _absorb(host, b)
                continue
            out.append(b)
            continue
        n = int(m.group(1))
        if inner is not None and host is not None:
            if n == last + 1 and n != inner + 1:
                inner, host = None, None  # the outer numbering resumes
            else:
                inner = n
                _absorb(host, b)
                continue
        prev = out[-1] if out else None
        if n == 1 and last >= 1 and prev is not None and prev.text.endswith(":") and not prev.heading:
            inner, host = 1, prev
            _absorb(prev, b)
            continue
        if n == 1 and last == 0 and prev is not None and prev.text.endswith(":") and not prev.heading \
                and not _NUM.match(prev.text) and not layout.is_formula(prev.text) and out:
            # an unnumbered lead-in ("Resolves that:") opens paragraph 1
            out.pop()
            b = TextBlock(
                f"{m.group(0)}{prev.text} {b.text[m.end():]}",
                footnotes=prev.footnotes + [f for f in b.footnotes if f not in prev.footnotes],
                italic_lead=prev.italic_lead or b.italic_lead,
            )
        last = n
        out.append(b)
    return out


def _absorb(host: TextBlock, b: TextBlock) -> None:
    host.text = clean_ws(f"{host.text} {b.text}")
    host.footnotes.extend(f for f in b.footnotes if f not in host.footnotes)


def _is_front_heading(line: str) -> bool:
    # In the front matter only a title is styled as a heading; without styles any
    # unpunctuated line that is not a known field may be the title.
    return not _is_front_field(line) and not line.endswith((",", ";", ":", ".")) and not _AGENDA.match(line)


# --- metadata the assembler does not read from plain lines --------------------------


def _split_names(text: str) -> list[str]:
    protected = text
    for i, name in enumerate(_AND_NAMES):
        protected = protected.replace(name, f"\x00{i}\x00")
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", protected)
    names: list[str] = []
    for part in parts:
        part = re.sub(r"\x00(\d+)\x00", lambda m: _AND_NAMES[int(m.group(1))], part).strip()
        if part:
            names.append(part)
    return names


def _fill_metadata(res: Resolution, front: list[str], formula_body: str | None, source: str) -> None:
    sc_number: tuple[str, str] | None = None
    for line in front:
        m = _SPONSORS.match(line)
        if m and not res.sponsors:
            res.sponsors = _split_names(m.group(1))
        m2 = _SC_HEAD.match(line)
        if m2 and sc_number is None:
            sc_number = (m2.group(1) or m2.group(3), m2.group(2) or m2.group(4))
            if res.date is None:
                res.date = parse_date(line)
        m3 = _SC_OF_DATE.match(line)
        if m3 and res.date is None:
            res.date = parse_date(m3.group(1))
    from_name = symbol_from_filename(source)
    if formula_body:
        res.body = formula_body
    if res.body is None and from_name and from_name.startswith("S/RES/"):
        res.body = "Security Council"
    if sc_number and (res.body or "").startswith("Security Council") and "/RES/" not in (res.symbol or ""):
        res.symbol = f"S/RES/{int(sc_number[0])} ({sc_number[1]})"
    if res.symbol is None:
        res.symbol = from_name
    if res.symbol:
        res.symbol = normalise_symbol(res.symbol)
    if res.date is None:
        for line in front:
            iso = parse_date(line)
            if iso:
                res.date = iso
                break
    if res.title is None:
        res.title = _title_from_front(front)


def _title_from_front(front: list[str]) -> str | None:
    """Without "Resolution adopted by", the title is the last free line before the formula."""
    for line in reversed(front):
        if _is_front_field(line) or _SPONSORS.match(line) or _AGENDA.match(line):
            return None
        if _SC_HEAD.match(line) or _SC_OF_DATE.match(line) or parse_date(line) == line:
            return None
        if line.endswith((",", ";", ".")) or len(line) > 300:
            return None
        m = _TITLE_NUM.match(line)
        return line[m.end() :].strip() if m else line
    return None


# --- entry points -------------------------------------------------------------------


def parse_text(text: str, source: str, fmt: str = "text") -> list[Resolution]:
    """Parse the text of one resolution (plain or Markdown)."""
    name = Path(source).name
    if not text.strip():
        raise ParseError("empty file")
    lines = text.splitlines()
    leads: dict[str, str] = {}
    md_headings: set[str] = set()
    if fmt == "markdown" or looks_like_markdown(text):
        lines, leads, md_headings = strip_markdown(lines)
    blocks = layout.blocks_from_lines(lines)
    if not blocks:
        raise ParseError("no resolution text found")
    text_blocks, front, formula_body = _to_text_blocks(blocks, leads, md_headings)
    out_fmt: Format = "markdown" if fmt == "markdown" else "text"
    # bracketed lines name the draft ("[S/727]", "[A/79/L.27]"), not this document
    masthead = [line for line in front[:8] if not line.startswith("[")]
    res = assemble(text_blocks, source=name, fmt=out_fmt, masthead=masthead)
    _fill_metadata(res, front, formula_body, name)
    if not any(p.kind != "header" for p in res.paragraphs):
        raise ParseError("no resolution text found")
    return [res]


def parse_text_file(path: Path) -> list[Resolution]:
    """Parse a .txt / .md file; raises ParseError with a one-line reason."""
    text = decode_text(read_bytes(path))
    fmt = "markdown" if path.suffix.lower() in _MARKDOWN_SUFFIXES else "text"
    return parse_text(text, path.name, fmt)
