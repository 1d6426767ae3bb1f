"""Small hostile inputs, built on the fly: one per class of issue 15.

Shared by the tests and by ``bench/hostile_batch.py``; nothing here is stored in the repository,
so every fixture can be read (and changed) as code. Each builder returns the file's bytes.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

# ---------------------------------------------------------------- PDF


def pdf(
    objects: dict[int, bytes],
    *,
    root: int = 1,
    trailer_extra: bytes = b"",
    prev_loop: bool = False,
) -> bytes:
    """A PDF with the given objects (number -> body) and a correct cross-reference table.

    ``prev_loop`` makes the trailer's ``/Prev`` point at its own table, a chain that never ends.
    """
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n")
    size = max(objects) + 1
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for num in range(1, size):
        if num in offsets:
            out.write(b"%010d 00000 n \n" % offsets[num])
        else:
            out.write(b"0000000000 65535 f \n")
    prev = b" /Prev %d" % xref if prev_loop else b""
    out.write(b"trailer\n<< /Size %d /Root %d 0 R%s%s >>\n" % (size, root, prev, trailer_extra))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
_TEXT = b"BT /F1 12 Tf 72 700 Td (1. Decides to remain seized of the matter.) Tj ET"


def _page(contents: bytes = b"4 0 R", mediabox: bytes = b"[0 0 612 792]") -> bytes:
    return (
        b"<< /Type /Page /Parent 2 0 R /MediaBox "
        + mediabox
        + b" /Resources << /Font << /F1 5 0 R >> >> /Contents "
        + contents
        + b" >>"
    )


def _basic(**changes: bytes) -> dict[int, bytes]:
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _page(),
        4: _stream(_TEXT),
        5: _FONT,
    }
    objs.update({int(k.lstrip("o")): v for k, v in changes.items()})
    return objs


def pdf_mediabox_loop() -> bytes:
    """A page whose /MediaBox is a reference to an object that refers back to the first."""
    return pdf(_basic(o3=_page(mediabox=b"6 0 R"), o6=b"7 0 R", o7=b"6 0 R"))


def pdf_contents_loop() -> bytes:
    """A page whose /Contents is a reference loop."""
    return pdf(_basic(o3=_page(contents=b"6 0 R"), o6=b"7 0 R", o7=b"6 0 R"))


def pdf_page_tree_loop() -> bytes:
    """A page tree node whose /Kids holds itself."""
    return pdf(_basic(o2=b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"))


def pdf_xobject_loop() -> bytes:
    """A form XObject that draws itself."""
    form = _stream(
        b"/X1 Do",
        b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X1 6 0 R >> >>",
    )
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> /Contents 4 0 R >>"
    )
    return pdf(_basic(o3=page, o4=_stream(_TEXT + b" /X1 Do"), o6=form))


def pdf_xref_prev_loop() -> bytes:
    """A cross-reference table whose /Prev is itself."""
    return pdf(_basic(), prev_loop=True)


def pdf_inflating(megabytes: int = 500, disguised: bool = False) -> bytes:
    """A content stream of a few hundred KB that inflates to ``megabytes`` MiB of blanks.

    ``disguised`` labels it an image, which the inflated-bytes check leaves alone (images are
    never decoded) but pdfminer still decodes as the page's contents: only the memory limit
    of the parsing process stops that one.
    """
    # One MiB deflated after a full flush compresses to the same bytes every time, so the
    # stream is built by repeating them (seconds faster than deflating it all).
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1 << 20)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.compress(b" " + _TEXT) + comp.flush()
    adler = 1
    for _ in range(megabytes):
        adler = zlib.adler32(chunk, adler)
    adler = zlib.adler32(b" " + _TEXT, adler)
    data = b"\x78\xda" + first + again * (megabytes - 1) + tail + adler.to_bytes(4, "big")
    kind = b" /Subtype /Image" if disguised else b""
    stream = (
        b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(data), kind)
        + data
        + b"\nendstream"
    )
    return pdf(_basic(o4=stream))


def pdf_glyph_heavy(pages: int = 100, glyphs_per_page: int = 20_000) -> bytes:
    """Every page shares one small compressed stream that draws a glyph thousands of times."""
    body = b"BT /F1 4 Tf 10 10 Td " + b"(a) Tj " * glyphs_per_page + b"ET"
    kids = b" ".join(b"%d 0 R" % (10 + i) for i in range(pages))
    objs = _basic(o2=b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages)
    objs[4] = _stream(body, compress=True)
    del objs[3]
    for i in range(pages):
        objs[10 + i] = _page()
    return pdf(objs)


def pdf_good(symbol: str, topic: str) -> bytes:
    """A one-page resolution with a symbol, a formula and two operative paragraphs."""
    lines = [
        "United Nations",
        symbol,
        "Resolution adopted by the General Assembly on 1 December 2099",
        f"99/1. {topic.capitalize()}",
        "The General Assembly,",
        f"1. Decides to keep {topic} under review;",
        f"2. Requests the Secretary-General to report on {topic} at its next session.",
    ]
    ops = b"BT /F1 11 Tf " + b" ".join(
        b"1 0 0 1 72 %d Tm (" % (740 - 36 * i) + line.encode("latin-1") + b") Tj"
        for i, line in enumerate(lines)
    )
    return pdf(_basic(o4=_stream(ops + b" ET")))


# ---------------------------------------------------------------- Word

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _run(text: str, italic: bool = False) -> str:
    props = "<w:rPr><w:i/></w:rPr>" if italic else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _note_ref(note_id: int) -> str:
    return f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="{note_id}"/></w:r>'


def docx(paragraphs: list[str], notes: dict[int, str] | None = None) -> bytes:
    """A minimal .docx: body paragraphs given as ``<w:p>`` XML, footnotes by id."""
    doc = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W_NS}">'
        "<w:body>" + "".join(paragraphs) + "</w:body></w:document>"
    )
    fns = "".join(
        f'<w:footnote w:id="{k}"><w:p>{_run(v)}</w:p></w:footnote>'
        for k, v in (notes or {}).items()
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", doc)
        zf.writestr("word/footnotes.xml", f'<w:footnotes xmlns:w="{_W_NS}">{fns}</w:footnotes>')
    return buf.getvalue()


def _front(symbol: str) -> list[str]:
    return [
        f"<w:p>{_run(line)}</w:p>"
        for line in (
            "United Nations",
            symbol,
            "Resolution adopted by the General Assembly on 1 December 2099",
            "99/2. Hostile input",
            "The General Assembly,",
        )
    ]


def docx_unnumbered(n: int, symbol: str = "A/RES/99/102") -> bytes:
    """One operative paragraph followed by ``n`` unnumbered paragraphs that continue it."""
    paras = _front(symbol) + [f"<w:p>{_run('1. ')}{_run('Decides', True)}{_run(' that:')}</w:p>"]
    paras += [
        f"<w:p>{_run(f'continued text number {i} of the first paragraph')}</w:p>" for i in range(n)
    ]
    return docx(paras)


def docx_footnotes(n: int, symbol: str = "A/RES/99/103") -> bytes:
    """``n`` numbered paragraphs, each citing its own footnote."""
    paras = _front(symbol) + [
        f"<w:p>{_run(f'{i}. ')}{_run('Requests', True)}{_run(f' item {i}')}{_note_ref(i)}</w:p>"
        for i in range(1, n + 1)
    ]
    return docx(paras, {i: f"Footnote {i}, see A/{i}." for i in range(1, n + 1)})


def docx_numbered(first: int, n: int, symbol: str = "A/RES/99/104") -> bytes:
    """``n`` operative paragraphs numbered from ``first`` (five digits if asked)."""
    paras = _front(symbol) + [
        f"<w:p>{_run(f'{i}. ')}{_run('Decides', True)}{_run(f' matter {i};')}</w:p>"
        for i in range(first, first + n)
    ]
    return docx(paras)


def docx_amplified(
    note_chars: int = 90_000, citing: int = 400, symbol: str = "A/RES/99/105"
) -> bytes:
    """One huge footnote cited (as repeated superscript numbers) from hundreds of paragraphs."""
    sup = '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>1</w:t></w:r>'
    paras = _front(symbol) + [
        f"<w:p>{_run('1. ')}{_run('Recalls', True)}{_run(' the report')}{_note_ref(1)}</w:p>"
    ]
    paras += [
        f"<w:p>{_run(f'{i}. ')}{_run('Requests', True)}{_run(f' action {i}')}{sup}</w:p>"
        for i in range(2, citing + 1)
    ]
    words = " ".join(f"word{i}" for i in range(note_chars // 8))
    return docx(paras, {1: words[:note_chars]})


# ---------------------------------------------------------------- text


def text_good(symbol: str, topic: str) -> str:
    return (
        f"United Nations\n{symbol}\n\nResolution adopted by the General Assembly on 1 December 2099\n\n"
        f"99/3. {topic.capitalize()}\n\nThe General Assembly,\n\n"
        f"Recalling its earlier work on {topic},\n\n"
        f"1. Decides to keep {topic} under review;\n\n"
        f"2. Requests the Secretary-General to report on {topic} at its next session.\n"
    )


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path
