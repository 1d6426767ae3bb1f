"""Parse a UN resolution PDF from its characters' positions, fonts and sizes.

Library choice: pdfminer.six (MIT), the engine under pdfplumber (MIT), because
it exposes every character with its font name, size and box, which is what UN
layout needs: the size separates footnotes (small type at the page bottom) and
superscript markers (small raised digits) from body text, the font name marks
the italic operative verbs and bold headings, and the boxes give indentation
and vertical gaps, the only reliable paragraph boundaries. It is driven
directly, without its layout analysis or pdfplumber's object wrapping, which
makes parsing about three times faster; pdfplumber adds nothing needed here.
pypdf (BSD) extracts text without per-character sizes; PyMuPDF is AGPL.

Pipeline: characters -> lines (vertical overlap, so superscripts join their
line) -> drop running headers, job numbers, barcodes and page counters -> cut
each page's footnote block off its bottom -> paragraphs from indentation,
vertical gaps, numbering and style changes, rejoined across pages -> the shared
labelling in :mod:`ingest.parsers.blocks`.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ParseError
from ingest.limits import DEFAULT_LIMITS, IngestLimits, over
from ingest.model import Resolution
from ingest.parsers.blocks import Block, assemble, find_symbol, is_formula
from ingest.parsers.common import clean_ws, read_bytes

log = logging.getLogger(__name__)

# The trailer must sit near the end; a file cut short has none, and pdfminer
# would otherwise recover a partial document silently.
_EOF_WINDOW = 4096

# Typographic ligatures some fonts map to one code point.
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi|,B\b|-B\b", re.I)
_ITALIC_RE = re.compile(r"italic|oblique|,I\b|-It\b|-I\b", re.I)
# Footer and header furniture: page counters "2/4", job numbers "18-06884 (E) 290518",
# barcodes "*1806884*".
_FURNITURE_TOKEN_RE = re.compile(
    r"^(?:\d{1,3}/\d{1,3}|\d{2}-\d{5}\*?|\([A-Z]\)|\d{6}|\*\d{5,}\*|\*)$"
)
_ENUM_GLUED_RE = re.compile(r"(^|\s)(\((?:[a-z]{1,2}|[ivxlc]{1,7})\)|^\d{1,5}\.)(?=[A-Z“\"‘])")
_ENUM_RE = re.compile(r"^(?:\d{1,5}\.|\((?:[a-z]{1,2}|[ivxl]{1,5}|\d{1,2})\)|[a-z]\)|[•·▪◦–—-])$")


@dataclass
class _Piece:
    text: str
    italic: bool
    marker: bool = False  # a footnote marker (small raised digits or asterisks)


@dataclass
class _Segment:
    x0: float
    x1: float
    pieces: list[_Piece]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces if not p.marker)


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    segments: list[_Segment]
    enum_gap: bool = False  # starts with "1." / "(a)" followed by a tab-like gap
    starts_with_marker: bool = False
    chars: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()

    @property
    def markers(self) -> list[str]:
        return [p.text for s in self.segments for p in s.pieces if p.marker]


@dataclass
class _Para:
    lines: list[_Line] = field(default_factory=list)


def _counting_aggregator(rsrc: Any, limits: IngestLimits) -> Any:
    """pdfminer's page aggregator, counting the glyphs it is asked to draw against the budget:
    a small file can draw one glyph a million times, and every one costs an object."""
    from pdfminer.converter import PDFPageAggregator

    class CountingAggregator(PDFPageAggregator):
        glyphs = 0

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            self.glyphs += 1
            if self.glyphs > limits.glyphs:
                raise over("too many characters drawn", f"over {limits.glyphs:,}", limits, "glyphs")
            return float(super().render_char(*args, **kwargs))

    return CountingAggregator(rsrc, laparams=None)


def parse_pdf_file(path: Path, limits: IngestLimits = DEFAULT_LIMITS) -> list[Resolution]:
    data = read_bytes(path)
    _check_pdf_bytes(data)
    _check_inflated(data, limits)
    pages = _read_pages(data, limits)
    if not any(pages):
        raise ParseError("no text layer (scanned PDF?)")
    return _build(pages, path.name)


def _check_pdf_bytes(data: bytes) -> None:
    head = data[:1024]
    if b"%PDF-" not in head:
        raise ParseError("not a PDF file")
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise ParseError("truncated or corrupt PDF: no end-of-file marker")


_STREAM_RE = re.compile(rb"\bstream\r?\n")
_IMAGE_RE = re.compile(rb"/Subtype\s*/Image\b")
_INFLATE_STEP = 1 << 20


def _check_inflated(data: bytes, limits: IngestLimits) -> None:
    """Refuse a PDF whose compressed streams inflate past the budget, before pdfminer inflates
    them whole: a 500 KB file can hold a content stream of 500 MB.

    Every Flate stream is inflated here in steps of 1 MiB whose output is dropped at once,
    so the check costs at most the budget in time and one step in memory. Image streams are
    left out: nothing reads their pixels.
    """
    budget = limits.inflated_mb * 1024 * 1024
    view = memoryview(data)
    total = 0
    pos = 0
    while True:
        m = _STREAM_RE.search(data, pos)
        if m is None:
            return
        pos = m.end()
        head = data[max(0, m.start() - 2048) : m.start()]
        head = head[head.rfind(b"obj") + 3 :] if b"obj" in head else head
        if b"Flate" not in head or _IMAGE_RE.search(head):
            continue
        inflater = zlib.decompressobj()
        cur = pos
        try:
            while not inflater.eof and cur < len(data):
                piece = view[cur : cur + _INFLATE_STEP]
                cur += len(piece)
                out = inflater.decompress(piece, _INFLATE_STEP)
                while True:
                    total += len(out)
                    if total > budget:
                        raise over(
                            "compressed streams inflate too far",
                            f"over {limits.inflated_mb} MiB",
                            limits,
                            "inflated_mb",
                            " MiB",
                        )
                    if not inflater.unconsumed_tail:
                        break
                    out = inflater.decompress(inflater.unconsumed_tail, _INFLATE_STEP)
        except zlib.error:
            continue  # pdfminer reports a damaged stream in its own words
        pos = cur - len(inflater.unused_data)


def _read_pages(data: bytes, limits: IngestLimits) -> list[list[dict[str, Any]]]:
    """The upright characters of each page: text, font, size and box (top-down y)."""
    try:
        from pdfminer.layout import LTChar, LTContainer
        from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
        from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise ParseError("PDF support not installed (pdfminer.six)") from exc
    pages: list[list[dict[str, Any]]] = []
    try:
        doc = PDFDocument(PDFParser(io.BytesIO(data)))
        rsrc = PDFResourceManager(caching=True)
        # No layout analysis (laparams=None, in the aggregator): the characters are
        # all we use, and grouping them ourselves is several times faster.
        device = _counting_aggregator(rsrc, limits)
        interp = PDFPageInterpreter(rsrc, device)
        for page in PDFPage.create_pages(doc):
            if len(pages) >= limits.pages:
                raise over("too many pages", f"over {limits.pages:,}", limits, "pages")
            interp.process_page(page)
            layout = device.get_result()
            try:
                x_min, y_min, _, y_max = (float(v) for v in page.mediabox)
            except (TypeError, ValueError):
                x_min, y_min, y_max = 0.0, 0.0, 792.0
            height = y_max - y_min
            chars: list[dict[str, Any]] = []
            stack: list[Any] = [layout]
            while stack:
                for obj in stack.pop():
                    if isinstance(obj, LTChar):
                        # Sub-2pt glyphs are invisible anchors, not text.
                        text = obj.get_text()
                        if obj.upright and obj.size >= 2 and text:
                            chars.append(
                                {
                                    "text": _LIGATURES.get(text, text),
                                    "font": str(obj.fontname).split("+")[-1],
                                    "size": float(obj.size),
                                    "x0": float(obj.x0) - x_min,
                                    "x1": float(obj.x1) - x_min,
                                    "top": y_max - float(obj.y1),
                                    "bottom": y_max - float(obj.y0),
                                    "ph": height,
                                }
                            )
                    elif isinstance(obj, LTContainer):
                        stack.append(obj)
            pages.append(chars)
    except (ParseError, MemoryError):
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ParseError("encrypted PDF (password required or unsupported encryption)") from exc
    except Exception as exc:  # pdfminer raises many unrelated types on bad input
        reason = clean_ws(str(exc))[:120] or type(exc).__name__
        raise ParseError(f"truncated or corrupt PDF: {reason}") from exc
    if not pages:
        raise ParseError("truncated or corrupt PDF: no pages")
    total = sum(len(chars) for chars in pages)
    unmapped = sum(1 for chars in pages for c in chars if c["text"].startswith("(cid:"))
    if total and unmapped > 0.3 * total:
        raise ParseError("no usable text layer (fonts without a Unicode map)")
    return pages


# ---------------------------------------------------------------- lines


def _cluster_lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Group characters into lines by vertical overlap (superscripts overlap their line)."""
    chars = sorted(chars, key=lambda c: (c["top"], c["x0"]))
    lines: list[dict[str, Any]] = []
    for c in chars:
        h = max(c["bottom"] - c["top"], 0.1)
        best = None
        best_ratio = 0.0
        for ln in lines[-6:]:
            ov = min(ln["bottom"], c["bottom"]) - max(ln["top"], c["top"])
            if ov <= 0:
                continue
            ratio = ov / min(h, ln["bottom"] - ln["top"])
            if ratio > best_ratio:
                best, best_ratio = ln, ratio
        if best is not None and best_ratio >= 0.5:
            best["chars"].append(c)
            best["top"] = min(best["top"], c["top"])
            best["bottom"] = max(best["bottom"], c["bottom"])
        else:
            lines.append({"top": c["top"], "bottom": c["bottom"], "chars": [c]})
    return [ln["chars"] for ln in lines]


def _make_line(
    chars: list[dict[str, Any]], page: int, columns: tuple[float, ...] = ()
) -> _Line | None:
    chars = sorted(chars, key=lambda c: c["x0"])
    visible = [c for c in chars if c["text"].strip()]
    if not visible:
        return None
    sizes = Counter(round(c["size"] * 2) / 2 for c in visible)
    size = sizes.most_common(1)[0][0]
    main = [c for c in visible if abs(c["size"] - size) < 0.6] or visible
    baseline = statistics.median(c["bottom"] for c in main)

    def is_super(c: dict[str, Any]) -> bool:
        return c["size"] <= 0.78 * size and c["bottom"] < baseline - 0.12 * size

    # The first token ("12.", "(a)") and whether a tab-like gap follows it.
    first: list[dict[str, Any]] = []
    for c in visible:
        if first and c["x0"] - first[-1]["x1"] > 0.2 * size:
            break
        first.append(c)
    enum_gap = False
    if _ENUM_RE.match("".join(c["text"] for c in first)) and len(visible) > len(first):
        enum_gap = visible[len(first)]["x0"] - first[-1]["x1"] > 0.5 * size
    after_enum = first[-1] if enum_gap else None

    segments: list[_Segment] = []
    pieces: list[_Piece] = []
    seg_x0 = visible[0]["x0"]
    prev: dict[str, Any] | None = None
    spaced = False
    for c in chars:
        ch = c["text"]
        if not ch.strip():
            spaced = prev is not None
            continue
        sup = is_super(c) and (ch.isdigit() or ch in "*†‡")
        italic = bool(_ITALIC_RE.search(c["font"]))
        if prev is not None:
            # Bold text drawn twice with a small offset: skip the overprint.
            if ch == prev["text"] and abs(c["x0"] - prev["x0"]) < 0.3 * (c["x1"] - c["x0"]):
                continue
            gap = c["x0"] - prev["x1"]
            ref = min(c["size"], prev["size"])
            at_column = gap > 0.3 * ref and any(abs(c["x0"] - col) < 1.5 for col in columns)
            if (gap > 2.0 * ref or at_column) and prev is not after_enum:
                segments.append(_Segment(seg_x0, prev["x1"], pieces))
                pieces = []
                seg_x0 = c["x0"]
            elif spaced or gap > 0.2 * ref:
                _add(pieces, " ", False)
        spaced = False
        if sup:
            if pieces and pieces[-1].marker:
                pieces[-1].text += ch
            else:
                pieces.append(_Piece(ch, False, marker=True))
        else:
            _add(pieces, ch, italic)
        prev = c
    segments.append(_Segment(seg_x0, prev["x1"] if prev else seg_x0, pieces))
    segments = [s for s in segments if s.pieces]
    bold_chars = sum(1 for c in visible if not is_super(c) and _BOLD_RE.search(c["font"]))
    normal_chars = sum(1 for c in visible if not is_super(c)) or 1
    first_piece = segments[0].pieces[0] if segments and segments[0].pieces else None
    line = _Line(
        page=page,
        top=min(c["top"] for c in main),
        bottom=max(c["bottom"] for c in main),
        x0=visible[0]["x0"],
        x1=visible[-1]["x1"],
        size=size,
        bold=bold_chars / normal_chars > 0.9,
        segments=segments,
        enum_gap=enum_gap,
        starts_with_marker=bool(first_piece and first_piece.marker),
        chars=chars,
    )
    return line


def _last_italic(pieces: list[_Piece]) -> bool:
    return bool(pieces) and pieces[-1].italic and not pieces[-1].marker


def _add(pieces: list[_Piece], text: str, italic: bool) -> None:
    if not text.strip():
        # A space takes the style of what precedes it, so "Recalling also"
        # stays one italic run.
        italic = _last_italic(pieces)
    if pieces and not pieces[-1].marker and pieces[-1].italic == italic:
        pieces[-1].text += text
    else:
        pieces.append(_Piece(text, italic))


# ---------------------------------------------------------------- page zones


def _is_furniture(line: _Line) -> bool:
    tokens = line.text.split() + line.markers
    return bool(tokens) and all(_FURNITURE_TOKEN_RE.match(t) for t in tokens)


def _body_size(pages: list[list[dict[str, Any]]]) -> float:
    counts: Counter[float] = Counter()
    for chars in pages:
        for c in chars:
            if c["text"].strip():
                counts[round(c["size"] * 2) / 2] += 1
    return counts.most_common(1)[0][0] if counts else 10.0


@dataclass
class _Page:
    body: list[_Line]
    notes: list[_Line]


def _split_page(
    lines: list[_Line],
    page_no: int,
    height: float,
    body: float,
    symbol: str | None,
    prev_had_notes: bool,
) -> _Page:
    kept: list[_Line] = []
    for i, ln in enumerate(lines):
        in_top = ln.bottom < 0.12 * height
        in_bottom = ln.top > 0.9 * height
        if (in_top or in_bottom) and _is_furniture(ln):
            continue
        if in_bottom and ln.size <= 0.75 * body:
            continue
        if (
            page_no > 0
            and in_top
            and i < 3
            and (
                ln.size < 0.95 * body or (symbol is not None and symbol in ln.text.replace(" ", ""))
            )
        ):
            continue  # running header: symbol and short title
        kept.append(ln)
    # Footnotes: the run of small lines at the bottom of the page, opened by a marker.
    small_from = len(kept)
    while small_from > 0 and kept[small_from - 1].size <= 0.92 * body:
        small_from -= 1
    zone = kept[small_from:]
    first_marker = next((i for i, ln in enumerate(zone) if _opens_note(ln)), None)
    # A note running over from the previous page opens this page's block without
    # a marker; it sits apart from the body text above it.
    apart = bool(zone) and (
        small_from == 0 or zone[0].top - kept[small_from - 1].bottom > 1.5 * body
    )
    if first_marker is None:
        return (
            _Page(kept[:small_from], zone)
            if (zone and prev_had_notes and apart)
            else _Page(kept, [])
        )
    start = 0 if (first_marker == 0 or prev_had_notes) else first_marker
    cut = small_from + start
    return _Page(kept[:cut], kept[cut:])


def _opens_note(line: _Line) -> bool:
    if line.starts_with_marker:
        return True
    m = re.match(r"^(\d{1,3}|\*{1,3})\s", line.text)
    return bool(m) and line.enum_gap is False and len(line.text) > 4


def _read_notes(pages: list[_Page]) -> dict[int, dict[str, str]]:
    """Footnote texts per page, keyed by their marker."""
    notes: dict[int, dict[str, str]] = {}
    last: tuple[int, str] | None = None
    for pno, page in enumerate(pages):
        for ln in page.notes:
            marker: str | None = None
            text = ln.text
            if ln.starts_with_marker:
                marker = ln.segments[0].pieces[0].text
            else:
                # A note numbered in body-size digits: a number opens a note only
                # at the top of a page's block or as the next number in sequence.
                m = re.match(r"^(\d{1,3}|\*{1,3})\s+(.*)$", text)
                if m and (last is None or last[0] != pno or _is_next(last[1], m.group(1))):
                    marker, text = m.group(1), m.group(2)
            if marker is not None:
                notes.setdefault(pno, {})[marker] = text
                last = (pno, marker)
            elif last is not None:
                lp, lm = last
                notes[lp][lm] = _join(notes[lp][lm], text)
    return {p: {k: _strip_mark(clean_ws(v)) for k, v in d.items()} for p, d in notes.items()}


def _strip_mark(text: str) -> str:
    """A note's own mark repeated at its start ("* Reissued ...") is not its text."""
    return re.sub(r"^[*†‡]+\s+", "", text)


def _is_next(prev: str, marker: str) -> bool:
    return prev.isdigit() and marker.isdigit() and int(marker) == int(prev) + 1


def _note_for(notes: dict[int, dict[str, str]], page: int, marker: str) -> str | None:
    if marker in notes.get(page, {}):
        return notes[page][marker]
    for p in range(page - 1, -1, -1):  # a repeated reference to an earlier note
        if marker in notes.get(p, {}):
            return notes[p][marker]
    for p in sorted(notes):
        if p > page and marker in notes[p]:
            return notes[p][marker]
    return None


# ---------------------------------------------------------------- paragraphs


def _join(a: str, b: str) -> str:
    a = a.rstrip()
    b = b.lstrip()
    if not a:
        return b
    if a.endswith("\u00ad"):
        return a[:-1] + b
    if a.endswith(("-", "–", "—", "/")) and len(a) > 1 and not a[-2].isspace():
        return a + b  # "high-" + "level", "2011–" + "2020": the dash is real, the break is not
    return a + " " + b


def _is_heading(line: _Line, body: float) -> bool:
    return line.bold or line.size >= 1.15 * body


def _paragraphs(lines: list[_Line], body: float, right: float, front: bool = False) -> list[_Para]:
    paras: list[_Para] = []
    cur: _Para | None = None
    for ln in lines:
        new = False
        if cur is None:
            new = True
        else:
            prev = cur.lines[-1]
            size = max(prev.size, ln.size)
            if (
                _is_heading(prev, body) != _is_heading(ln, body)
                or abs(prev.size - ln.size) > 0.15 * size
            ):
                new = True
            elif front and abs(ln.x0 - prev.x0) > 6 * size:
                new = True  # masthead pieces set in separate columns
            elif ln.enum_gap:
                new = True
            elif ln.page != prev.page:
                # Table rows do not run over a page break here; prose does
                # unless its last line stopped short.
                table = len(prev.segments) > 1 or len(ln.segments) > 1
                short = table or prev.x1 < right - 3 * body
                indent = 0.6 * ln.size < ln.x0 - _margin(cur) < 6 * ln.size
                new = short or indent
            else:
                pitch = ln.bottom - prev.bottom
                if pitch > 1.45 * size or pitch < 0:
                    new = True
                elif len(cur.lines) > 1 and 0.6 * ln.size < ln.x0 - prev.x0 < 6 * ln.size:
                    new = True  # first-line indent of the next paragraph
        if new:
            cur = _Para([ln])
            paras.append(cur)
        else:
            assert cur is not None
            cur.lines.append(ln)
    return paras


def _margin(para: _Para) -> float:
    xs = [ln.x0 for ln in para.lines[1:]] or [para.lines[0].x0]
    return min(xs)


def _para_block(para: _Para, body: float, notes: dict[int, dict[str, str]]) -> Block:
    text = ""
    footnotes: list[str] = []
    pieces: list[_Piece] = []
    for ln, segs in _column_order(para.lines):
        for seg in segs:
            seg_text = ""
            for p in seg.pieces:
                if p.marker:
                    note = _note_for(notes, ln.page, p.text)
                    if note is None:
                        # Raised digits with no footnote (an exponent): keep as text.
                        seg_text += p.text
                        pieces.append(_Piece(p.text, False))
                    elif note not in footnotes:
                        footnotes.append(note)
                    continue
                seg_text += p.text
                pieces.append(p)
            text = _join(text, seg_text) if text else seg_text
            pieces.append(_Piece(" ", False))
    heading = all(_is_heading(ln, body) for ln in para.lines)
    # A long enumerator can leave a tab narrower than a space: "(xviii)To".
    text = _ENUM_GLUED_RE.sub(r"\1\2 ", clean_ws(text))
    return Block(text, footnotes, _italic_lead(pieces), heading)


def _column_order(lines: list[_Line]) -> list[tuple[_Line, list[_Segment]]]:
    """Table rows: read the first column's lines, then the next column's."""
    multi = [ln for ln in lines if len(ln.segments) > 1]
    if not multi:
        return [(ln, ln.segments) for ln in lines]
    bounds = sorted({round(s.x0) for ln in multi for s in ln.segments[1:]})
    columns: list[list[tuple[_Line, list[_Segment]]]] = [[] for _ in range(len(bounds) + 1)]
    for ln in lines:
        for seg in ln.segments:
            col = sum(1 for b in bounds if seg.x0 >= b - 3)
            columns[col].append((ln, [seg]))
    return [item for col in columns for item in col]


def _italic_lead(pieces: list[_Piece]) -> str | None:
    """The italic words a paragraph opens with, after any number such as "12."."""
    text_pieces = [p for p in pieces if not p.marker]
    joined = "".join(p.text for p in text_pieces)
    m = re.match(r"^\s*(?:\d{1,5}\.|\([a-z]{1,2}\))?\s*", joined)
    skip = m.end() if m else 0
    out = ""
    pos = 0
    for p in text_pieces:
        end = pos + len(p.text)
        part = p.text[max(0, skip - pos) :] if pos < skip else p.text
        pos = end
        if not part:
            continue
        if p.italic:
            out += part
        elif part.strip():
            before, _, _ = part.partition(part.strip()[0])
            out += before
            break
        else:
            out += part
    out = clean_ws(out)
    return out or None


# ---------------------------------------------------------------- document


def _build(pages_chars: list[list[dict[str, Any]]], source: str) -> list[Resolution]:
    body = _body_size(pages_chars)
    page_lines: list[list[_Line]] = []
    heights: list[float] = []
    for pno, chars in enumerate(pages_chars):
        lines = [ln for grp in _cluster_lines(chars) if (ln := _make_line(grp, pno)) is not None]
        lines.sort(key=lambda ln: ln.top)
        page_lines.append(lines)
        heights.append(chars[0]["ph"] if chars else 792.0)
    symbol = None
    for ln in page_lines[0][:12] if page_lines else []:
        symbol = symbol or find_symbol(ln.text.replace(" ", ""))
    split: list[_Page] = []
    for pno, lines in enumerate(page_lines):
        prev_notes = bool(split and split[-1].notes)
        split.append(_split_page(lines, pno, heights[pno], body, symbol, prev_notes))
    notes = _read_notes(split)
    _split_table_columns([page.body for page in split])

    body_lines = [ln for page in split for ln in page.body]
    right = _right_edge(body_lines, body)
    # Before the formula the page is a masthead laid out in columns: read each
    # piece on its own.
    front: list[_Line] = []
    rest: list[_Line] = []
    found = False
    for ln in body_lines:
        if not found and is_formula(clean_ws(ln.text)):
            found = True
        (rest if found else front).append(ln)
    if not found:
        front, rest = [], body_lines
    masthead: list[str] = []
    blocks: list[Block] = []
    for ln in front:
        masthead.extend(s.text for s in ln.segments)
    front_split = [
        _Line(ln.page, ln.top, ln.bottom, s.x0, s.x1, ln.size, ln.bold, [s], ln.enum_gap)
        for ln in front
        for s in ln.segments
    ]
    for para in _paragraphs(front_split, body, right, front=True):
        blocks.append(_para_block(para, body, notes))
    seen_rows: set[str] = set()
    first_on_page: set[int] = set()
    for para in _paragraphs(rest, body, right):
        block = _para_block(para, body, notes)
        page = para.lines[0].page
        is_row = any(len(ln.segments) > 1 for ln in para.lines)
        if is_row and page not in first_on_page and block.text in seen_rows:
            first_on_page.add(page)
            continue  # a table's header row repeated at the top of a page
        first_on_page.add(page)
        if is_row:
            seen_rows.add(block.text)
        blocks.append(block)
    # Notes on the first page that no marker in the text points to ("* Reissued
    # for technical reasons") are anchored in the masthead: they go with HEADER.
    used = {n for b in blocks for n in b.footnotes}
    loose = [t for t in notes.get(0, {}).values() if t not in used]
    if loose and blocks:
        blocks[0].footnotes.extend(loose)
    parts = assemble(blocks, source=source, fmt="pdf", masthead=masthead)
    log.debug(
        "%s: %d pages, %d blocks, %d paragraphs",
        source,
        len(pages_chars),
        len(blocks),
        sum(len(r.paragraphs) for r in parts),
    )
    return parts


def _split_table_columns(page_lines: list[list[_Line]]) -> None:
    """Split table lines at column starts that a narrow gap hid.

    A cell's text can end just short of the next column, closer than the gap
    that separates columns elsewhere; the column starts seen on several lines
    of the document locate the split on the other lines of the same table.
    """
    starts: Counter[int] = Counter()
    for lines in page_lines:
        for ln in lines:
            for seg in ln.segments[1:]:
                starts[round(seg.x0)] += 1
    columns = tuple(float(x) for x, n in starts.items() if n >= 3)
    if not columns:
        return
    for pno, lines in enumerate(page_lines):
        rows = [
            i
            for i, ln in enumerate(lines)
            if any(starts[round(s.x0)] >= 3 for s in ln.segments[1:])
        ]
        for a, b in itertools.pairwise(rows):
            if b - a > 12:
                continue  # two tables, or one row each side of prose
            for i in range(a + 1, b):
                ln = lines[i]
                if len(ln.segments) == 1 and ln.chars:
                    remade = _make_line(ln.chars, pno, columns)
                    if remade is not None:
                        lines[i] = remade


def _right_edge(lines: list[_Line], body: float) -> float:
    xs = sorted(ln.x1 for ln in lines if abs(ln.size - body) < 0.6)
    if not xs:
        return max((ln.x1 for ln in lines), default=0.0)
    return xs[int(0.9 * (len(xs) - 1))]
