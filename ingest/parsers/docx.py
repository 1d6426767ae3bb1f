"""Parse a UN resolution from its official Word (.docx) file.

The .docx is a zip of XML parts; python-docx does not expose footnotes, so the
parts are read directly: ``word/document.xml`` (the text), ``word/footnotes.xml``
(footnote texts, attached where ``w:footnoteReference`` sits), ``word/styles.xml``
(bold, italic and superscript usually come from styles, not from the runs) and
the first-page header (the masthead with the document symbol).

Safety: the zip is checked before anything is inflated (member count, declared
sizes, compression ratio) and every part is read through a hard byte cap, so a
zip bomb costs neither time nor memory; XML is parsed by lxml with entity
resolution, DTD loading and network access off, and a part carrying a DTD is
refused (Word never writes one).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from core.errors import ParseError
from ingest.limits import DEFAULT_LIMITS, IngestLimits, over
from ingest.model import Resolution
from ingest.parsers.blocks import Block, assemble
from ingest.parsers.common import clean_ws, read_bytes

log = logging.getLogger(__name__)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

MAX_PART_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 5000
MAX_RATIO = 200  # deflate rarely beats 20:1 on WordprocessingML; bombs reach 1000:1

_OFFICE_DOC_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
_SKIP_TAGS = {
    W + "del",
    W + "moveFrom",
    W + "delText",
    W + "instrText",
    W + "delInstrText",
    W + "drawing",
    W + "pict",
    W + "object",
    W + "commentReference",
    W + "footnoteRef",
    W + "endnoteRef",
    W + "rPr",
    W + "pPr",
    W + "sectPr",
    W + "tblPr",
    W + "trPr",
    W + "tcPr",
    MC + "Fallback",
}
_TRUE = {"1", "true", "on", ""}


# ---------------------------------------------------------------- zip and XML


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ParseError("not a Word file (old binary .doc, or an encrypted .docx)")
    if data[:2] != b"PK":
        raise ParseError("not a Word file (bad zip)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ParseError(f"not a Word file (bad zip: {clean_ws(str(exc))[:80]})") from exc
    if len(infos) > MAX_MEMBERS:
        raise ParseError(f"not a Word file (zip with {len(infos)} members)")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise ParseError(f"zip bomb suspected: expands to {total / 1e6:.0f} MB")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ParseError(
                f"zip bomb suspected: {info.filename} compressed {info.file_size // max(info.compress_size, 1)}:1"
            )
    return zf


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        raise ParseError(f"zip bomb suspected: {name} is {info.file_size / 1e6:.0f} MB")
    try:
        with zf.open(info) as fh:
            # Declared sizes can lie: never inflate more than the cap.
            data = fh.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise ParseError(
            f"not a Word file (corrupt zip member {name}: {clean_ws(str(exc))[:60]})"
        ) from exc
    except Exception as exc:  # zlib.error and friends from a damaged stream
        raise ParseError(f"not a Word file (corrupt zip member {name})") from exc
    if len(data) > MAX_PART_BYTES:
        raise ParseError(f"zip bomb suspected: {name} expands past {MAX_PART_BYTES // 2**20} MB")
    return data


def _parse_xml(data: bytes, name: str) -> Any:
    from lxml import etree

    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
        raise ParseError(f"malformed XML in {name}: DTD not allowed")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed XML in {name}: {clean_ws(str(exc))[:100]}") from exc


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target path inside the zip) for one part."""
    p = PurePosixPath(part)
    rel_name = str(p.parent / "_rels" / (p.name + ".rels")) if part else "_rels/.rels"
    data = _read_part(zf, rel_name)
    if data is None:
        return {}
    root = _parse_xml(data, rel_name)
    out: dict[str, tuple[str, str]] = {}
    for rel in root.iter(PKG_REL_NS + "Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = str(PurePosixPath(p.parent if part else "") / target)
        out[rel.get("Id", "")] = (rel.get("Type", ""), _normpath(path))
    return out


def _normpath(path: str) -> str:
    parts: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
            continue
        parts.append(seg)
    return "/".join(parts)


# ---------------------------------------------------------------- styles


def _on(el: Any) -> bool:
    return el is not None and el.get(W + "val", "").lower() in _TRUE


@dataclass
class _RunProps:
    bold: bool | None = None
    italic: bool | None = None
    superscript: bool | None = None
    hidden: bool | None = None
    size: float | None = None

    def over(self, other: _RunProps) -> _RunProps:
        """These properties with ``other``'s set ones on top."""
        return _RunProps(
            other.bold if other.bold is not None else self.bold,
            other.italic if other.italic is not None else self.italic,
            other.superscript if other.superscript is not None else self.superscript,
            other.hidden if other.hidden is not None else self.hidden,
            other.size if other.size is not None else self.size,
        )


def _props(rpr: Any) -> _RunProps:
    props = _RunProps()
    if rpr is None:
        return props
    b = rpr.find(W + "b")
    if b is not None:
        props.bold = _on(b)
    i = rpr.find(W + "i")
    if i is not None:
        props.italic = _on(i)
    va = rpr.find(W + "vertAlign")
    if va is not None:
        props.superscript = va.get(W + "val") == "superscript"
    v = rpr.find(W + "vanish")
    if v is not None:
        props.hidden = _on(v)
    sz = rpr.find(W + "sz")
    if sz is not None:
        with contextlib.suppress(ValueError):
            props.size = int(sz.get(W + "val", "")) / 2
    return props


class _Styles:
    def __init__(self, root: Any | None) -> None:
        self.styles: dict[str, tuple[str | None, _RunProps]] = {}
        self.default = _RunProps(False, False, False, False, 10.0)
        self.default_para: str | None = None
        self._cache: dict[str | None, _RunProps] = {}
        if root is None:
            return
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.default = self.default.over(_props(defaults))
        for st in root.iter(W + "style"):
            sid = st.get(W + "styleId")
            if not sid:
                continue
            based = st.find(W + "basedOn")
            self.styles[sid] = (
                based.get(W + "val") if based is not None else None,
                _props(st.find(W + "rPr")),
            )
            if st.get(W + "type") == "paragraph" and st.get(W + "default") in ("1", "true", "on"):
                self.default_para = sid

    def resolve(self, sid: str | None) -> _RunProps:
        """A style's run properties with its basedOn chain applied (cycle-safe)."""
        if sid in self._cache:
            return self._cache[sid]
        chain: list[_RunProps] = []
        seen: set[str] = set()
        cur = sid
        while cur and cur not in seen and cur in self.styles:
            seen.add(cur)
            based, props = self.styles[cur]
            chain.append(props)
            cur = based
        out = _RunProps()
        for props in reversed(chain):
            out = out.over(props)
        self._cache[sid] = out
        return out


# ---------------------------------------------------------------- runs


@dataclass
class _Piece:
    text: str
    italic: bool = False
    bold: bool = False
    size: float = 10.0
    marker: str | None = None  # footnote text this marker points to


class _Notes:
    """Footnote texts by id, and by the number a reader sees (for repeated references)."""

    def __init__(self, root: Any | None, styles: _Styles) -> None:
        self.by_id: dict[str, str] = {}
        self.by_number: dict[str, str] = {}
        self.count = 0
        if root is None:
            return
        for fn in root.iter(W + "footnote"):
            if fn.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            fid = fn.get(W + "id", "")
            texts = []
            for p in fn.iter(W + "p"):
                pieces = _paragraph_pieces(p, styles, None)
                texts.append("".join(x.text for x in pieces if x.marker is None))
            # A custom mark repeated at the start ("* Reissued ...") is not the text.
            self.by_id[fid] = re.sub(r"^[*†‡]+\s+", "", clean_ws(" ".join(texts)))

    def reference(self, el: Any) -> str | None:
        fid = el.get(W + "id", "")
        note = self.by_id.get(fid)
        if note is None:
            return None
        if not _on_attr(el.get(W + "customMarkFollows")):
            self.count += 1
            self.by_number[str(self.count)] = note
        return note


def _on_attr(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "on")


def _paragraph_pieces(p: Any, styles: _Styles, notes: _Notes | None) -> list[_Piece]:
    pstyle_el = p.find(f"{W}pPr/{W}pStyle")
    pstyle = pstyle_el.get(W + "val") if pstyle_el is not None else styles.default_para
    base = styles.default.over(styles.resolve(pstyle))
    # The paragraph mark's own run properties do not style the text: ignore pPr/rPr.
    pieces: list[_Piece] = []
    skip_custom_mark = [False]

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_TAGS:
                continue
            if tag == W + "r":
                run(child)
            elif tag in (W + "p",):
                continue  # nested paragraphs (text boxes) are not body text
            elif tag == W + "txbxContent":
                continue
            else:
                walk(child)  # hyperlink, ins, smartTag, sdt, fldSimple, AlternateContent ...

    def run(r: Any) -> None:
        rpr = r.find(W + "rPr")
        rstyle_el = rpr.find(W + "rStyle") if rpr is not None else None
        props = base
        if rstyle_el is not None:
            props = props.over(styles.resolve(rstyle_el.get(W + "val")))
        props = props.over(_props(rpr))
        if props.hidden:
            return
        for child in r:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_TAGS:
                continue
            text = ""
            if tag == W + "t":
                text = child.text or ""
                if skip_custom_mark[0]:
                    skip_custom_mark[0] = False
                    continue
            elif tag in (W + "tab", W + "ptab"):
                text = "\t"
            elif tag in (W + "br", W + "cr"):
                text = "\n"
            elif tag == W + "noBreakHyphen":
                text = "-"
            elif tag == W + "softHyphen":
                text = ""
            elif tag == W + "sym":
                text = _sym(child)
            elif tag in (W + "footnoteReference", W + "endnoteReference"):
                if notes is not None and tag == W + "footnoteReference":
                    note = notes.reference(child)
                    if note is not None:
                        pieces.append(_Piece("", marker=note))
                        skip_custom_mark[0] = _on_attr(child.get(W + "customMarkFollows"))
                continue
            elif tag == MC + "AlternateContent":
                continue
            else:
                continue
            if props.superscript and notes is not None and re.fullmatch(r"\s*\d{1,3}\s*", text):
                # A repeated reference to an earlier note, typed or a NOTEREF
                # field: a superscript number that is not a footnoteReference.
                note = notes.by_number.get(text.strip())
                if note is not None:
                    pieces.append(_Piece("", marker=note))
                    continue
            pieces.append(_Piece(text, bool(props.italic), bool(props.bold), props.size or 10.0))

    walk(p)
    return pieces


def _sym(el: Any) -> str:
    code = el.get(W + "char", "")
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    if 0xF000 <= value <= 0xF0FF:  # Symbol-font private use area
        value -= 0xF000
    return chr(value) if 32 <= value < 0x110000 else ""


# ---------------------------------------------------------------- blocks


def _block(pieces: list[_Piece], body_size: float) -> Block | None:
    text = clean_ws("".join(p.text for p in pieces))
    notes = list(dict.fromkeys(p.marker for p in pieces if p.marker is not None))
    if not text:
        return Block("", notes) if notes else None
    visible = [p for p in pieces if p.marker is None and p.text.strip()]
    heading = (
        bool(visible)
        and all(p.bold for p in visible)
        or (bool(visible) and _weighted_size(visible) >= 1.15 * body_size)
    )
    return Block(text, notes, _italic_lead(pieces), heading)


def _weighted_size(pieces: list[_Piece]) -> float:
    total = sum(len(p.text.strip()) for p in pieces) or 1
    return sum(p.size * len(p.text.strip()) for p in pieces) / total


def _italic_lead(pieces: list[_Piece]) -> str | None:
    joined = "".join(p.text for p in pieces if p.marker is None)
    m = re.match(r"^\s*(?:\d{1,5}\.|\([a-z]{1,2}\))?\s*", joined)
    skip = m.end() if m else 0
    out = ""
    pos = 0
    for p in pieces:
        if p.marker is not None:
            continue
        end = pos + len(p.text)
        part = p.text[max(0, skip - pos) :] if pos < skip else p.text
        pos = end
        if not part:
            continue
        if p.italic:
            out += part
        elif part.strip():
            out += part[: len(part) - len(part.lstrip())]
            break
        else:
            out += part
    out = clean_ws(out)
    return out or None


def _body_items(body: Any) -> list[Any]:
    """Paragraphs and table rows of the body in reading order (content controls opened)."""
    items: list[Any] = []
    for child in body:
        tag = child.tag
        if tag == W + "p":
            items.append(("p", child))
        elif tag == W + "tbl":
            for tr in child.iter(W + "tr"):
                # Only rows of this table, not of tables nested in its cells.
                if _ancestor_table(tr) is child:
                    items.append(("tr", tr))
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                items.extend(_body_items(content))
        elif tag in (W + "customXml", W + "ins", W + "smartTag"):
            items.extend(_body_items(child))
    return items


def _ancestor_table(el: Any) -> Any:
    cur = el.getparent()
    while cur is not None and cur.tag != W + "tbl":
        cur = cur.getparent()
    return cur


def _row_pieces(tr: Any, styles: _Styles, notes: _Notes) -> list[_Piece]:
    pieces: list[_Piece] = []
    for p in tr.iter(W + "p"):
        if pieces:
            pieces.append(_Piece(" "))
        pieces.extend(_paragraph_pieces(p, styles, notes))
    return pieces


def _masthead(zf: zipfile.ZipFile, doc_part: str, root: Any, styles: _Styles) -> list[str]:
    """Lines of the first-page header, where UN Word files carry symbol and body."""
    rels = _rels(zf, doc_part)
    refs: list[tuple[str, str]] = []
    for sect in root.iter(W + "sectPr"):
        for ref in sect.findall(W + "headerReference"):
            refs.append((ref.get(W + "type", "default"), ref.get(R_NS + "id", "")))
    ordered = [r for r in refs if r[0] == "first"] + [r for r in refs if r[0] == "default"][:1]
    lines: list[str] = []
    for _, rid in ordered[:2]:
        if rid not in rels:
            continue
        data = _read_part(zf, rels[rid][1])
        if data is None:
            continue
        hroot = _parse_xml(data, rels[rid][1])
        for p in hroot.iter(W + "p"):
            text = clean_ws("".join(x.text for x in _paragraph_pieces(p, styles, None)))
            if text:
                lines.append(text)
        if lines:
            break
    return lines


def _main_part(zf: zipfile.ZipFile) -> str:
    for rel_type, target in _rels(zf, "").values():
        if rel_type == _OFFICE_DOC_REL:
            return target
    return "word/document.xml"


def parse_docx_file(path: Path, limits: IngestLimits = DEFAULT_LIMITS) -> list[Resolution]:
    data = read_bytes(path)
    zf = _open_zip(data)
    with zf:
        doc_part = _main_part(zf)
        doc_data = _read_part(zf, doc_part)
        if doc_data is None:
            raise ParseError(f"not a Word file (no {doc_part})")
        root = _parse_xml(doc_data, doc_part)
        body = root.find(W + "body")
        if body is None:
            raise ParseError(f"not a Word file (no body in {doc_part})")
        folder = str(PurePosixPath(doc_part).parent)
        styles_data = _read_part(zf, f"{folder}/styles.xml")
        styles = _Styles(_parse_xml(styles_data, "styles.xml") if styles_data else None)
        notes_data = _read_part(zf, f"{folder}/footnotes.xml")
        notes = _Notes(_parse_xml(notes_data, "footnotes.xml") if notes_data else None, styles)
        if len(notes.by_id) > limits.footnote_refs:
            raise over("too many footnotes", f"{len(notes.by_id):,}", limits, "footnote_refs")
        masthead = _masthead(zf, doc_part, root, styles)

        piece_lists: list[list[_Piece]] = []
        for kind, el in _body_items(body):
            if kind == "p":
                piece_lists.append(_paragraph_pieces(el, styles, notes))
            else:
                piece_lists.append(_row_pieces(el, styles, notes))
    sizes: Counter[float] = Counter()
    for pieces in piece_lists:
        for p in pieces:
            if p.marker is None:
                sizes[p.size] += len(p.text.strip())
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    blocks: list[Block] = []
    grown: dict[int, Block] = {}
    for pieces in piece_lists:
        block = _block(pieces, body_size)
        if block is None:
            continue
        if not block.text:
            # A paragraph holding only a footnote reference: the note belongs above
            # (duplicates are removed once at the end, not at each append).
            if blocks:
                blocks[-1].footnotes.extend(block.footnotes)
                grown[id(blocks[-1])] = blocks[-1]
            continue
        blocks.append(block)
    for block in grown.values():
        block.footnotes = list(dict.fromkeys(block.footnotes))
    if not blocks:
        raise ParseError("no text in Word file")
    parts = assemble(blocks, source=path.name, fmt="docx", masthead=masthead)
    log.debug("%s: %d blocks, %d parts", path.name, len(blocks), len(parts))
    return parts
