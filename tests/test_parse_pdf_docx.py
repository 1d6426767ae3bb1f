"""PDF and Word parsers: UN layout, agreement between the two formats, gold quotes, bad input.

Three kinds of evidence:

* a synthetic resolution typeset here into a PDF (standard fonts, UN page
  furniture, footnotes at page bottoms, a paragraph broken across pages, a draft
  recommended to the General Assembly) and written as a .docx: both parse to
  the expected labels, texts and footnotes;
* the ECOSOC 2018 corpus (a sample, to keep the runtime down): each PDF agrees
  with its official .docx, and the gold quotes sit in the labelled paragraphs;
* hostile or broken files fail fast with a one-line ParseError.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from core.errors import ParseError
from ingest.model import Resolution, is_valid_label
from ingest.parsers import parse_file
from ingest.parsers.docx import parse_docx_file
from ingest.parsers.pdf import parse_pdf_file

# ------------------------------------------------------------------ synthetic resolution
#
# Runs are (style, text) with style "r" roman, "i" italic, "b" bold, or
# ("fn", "1") for a footnote marker. Paragraph numbers are given apart.

NOTES = {
    "1": "Official Records of the Economic and Social Council, 2098, Supplement No. 9 (E/2098/29).",
    "2": "See Report of the First Conference on Testing, Geneva, 2-4 May 2097 (United Nations publication).",
    "3": "General Assembly resolution 98/76, annex.",
}

LONG = (
    "to report to the Council at its next session on the implementation of the present resolution, "
    "including on the measures taken by Member States, the entities of the United Nations system and "
    "other relevant stakeholders to strengthen the testing of parsers, on the progress made in "
    "building national capacities for the reading of resolutions in all their formats, and on the "
    "challenges encountered in ensuring that every paragraph is cited correctly, and to include in "
    "that report recommendations on how best to sustain those efforts over the coming years"
)

# (label, number, runs, notes used); label None: formula or heading-like lines.
BODY: list[tuple[str | None, str | None, list[tuple[str, str]]]] = [
    (None, None, [("i", "The Economic and Social Council"), ("r", ",")]),
    (
        "PP1",
        None,
        [
            ("i", "Recalling"),
            (
                "r",
                " its resolution 2098/1 of 1 May 2098 on the testing of parsers for the documents of the Organization,",
            ),
            ("fn", "1"),
            ("r", " and the outcome of the First Conference on Testing,"),
            ("fn", "2"),
        ],
    ),
    (
        "PP2",
        None,
        [
            ("i", "Noting with concern"),
            (
                "r",
                " that documents are still published in layouts that separate a paragraph from its footnotes and split paragraphs across pages, which makes the exact citation of paragraphs harder for readers and for machines,",
            ),
        ],
    ),
    (
        "OP1",
        "1.",
        [("i", "Decides"), ("r", " to keep the testing of parsers under review at its sessions;")],
    ),
    (
        "OP2",
        "2.",
        [
            ("i", "Requests"),
            ("r", " the Secretary-General, in close cooperation with the Commission on Testing,"),
            ("fn", "1"),
            ("r", " " + LONG + ";"),
        ],
    ),
    (
        "OP3",
        "3.",
        [
            ("i", "Recommends"),
            ("r", " to the General Assembly the adoption of the following draft resolution:"),
        ],
    ),
    (None, None, [("i", "The General Assembly"), ("r", ",")]),
    (
        "DRAFT-PP1",
        None,
        [
            ("i", "Recalling"),
            (
                "r",
                " Economic and Social Council resolution 2099/7 of 21 July 2099 on the testing of parsers,",
            ),
            ("fn", "3"),
        ],
    ),
    (
        "DRAFT-PP2",
        None,
        [
            ("i", "Mindful"),
            ("r", " of the need for reliable citations of the paragraphs of its resolutions,"),
        ],
    ),
    ("DRAFT-OP1", "1.", [("i", "Requests"), ("r", " the Secretary-General:")]),
    (
        "DRAFT-OP1",
        "(a)",
        [("r", "To publish the resolutions of the Assembly in machine-readable formats;")],
    ),
    ("DRAFT-OP1", "(b)", [("r", "To report on the matter to the Assembly at its next session;")]),
    ("DRAFT-OP2", "2.", [("i", "Decides"), ("r", " to remain seized of the matter.")]),
]
EXPECTED_LABELS = [
    "HEADER",
    "PP1",
    "PP2",
    "OP1",
    "OP2",
    "OP3",
    "DRAFT-PP1",
    "DRAFT-PP2",
    "DRAFT-OP1",
    "DRAFT-OP2",
]
SYMBOL = "E/RES/2099/7"
TITLE = "Testing of parsers for resolutions"
FRONT = [
    ("b", "2099 session"),
    ("r", "Agenda item 5 (a)"),
    ("B", "Resolution adopted by the Economic and Social Council on 21 July 2099"),
    ("r", "[on the recommendation of the Commission on Testing (E/2099/30)]"),
    ("T", f"2099/7. {TITLE}"),
]


def _plain(runs: list[tuple[str, str]]) -> str:
    return "".join(t for s, t in runs if s != "fn")


# ------------------------------------------------------------------ a tiny PDF typesetter

FAMILIES = {
    "Times": {"r": "Times-Roman", "i": "Times-Italic", "b": "Times-Bold", "h": "Helvetica-Bold"},
    "Helvetica": {
        "r": "Helvetica",
        "i": "Helvetica-Oblique",
        "b": "Helvetica-Bold",
        "h": "Courier-Bold",
    },
}


@dataclass(frozen=True)
class Layout:
    """Page geometry and type: the parser must not depend on any one of them."""

    family: str = "Times"
    size: float = 10.0  # body type; leading, spacing and footnotes scale with it
    page_w: float = 612.0  # US Letter, as the corpus PDFs
    page_h: float = 792.0
    left: float = 110.0
    right: float = 490.0


LAYOUTS = {
    "letter-times-10": Layout(),
    "a4-helvetica-11": Layout("Helvetica", 11.0, 595.0, 842.0, 72.0, 523.0),
}


class _Typesetter:
    """Lays out lines of styled runs on pages: just enough of a UN-like layout."""

    def __init__(self, layout: Layout = Layout()) -> None:
        self.lay = layout
        self.fonts = FAMILIES[layout.family]
        self.k = layout.size / 10
        self.pages: list[list[str]] = [[]]
        self.y = 300.0
        self.notes_on_page: list[str] = []
        self.notes_seen: set[str] = set()
        self.bottom = self._bottom()  # lowest body baseline before footnotes
        self.split_paragraphs: list[str] = []

    def _bottom(self) -> float:
        return self.lay.page_h - 152

    def width(self, text: str, font: str, size: float) -> float:
        from pdfminer.fontmetrics import FONT_METRICS

        widths = FONT_METRICS[self.fonts[font]][1]
        return sum(widths.get(ch, 500) for ch in text) * size / 1000

    def text(
        self, x: float, baseline: float, runs: list[tuple[str, str, float, float]], tw: float = 0.0
    ) -> None:
        ops = [f"BT {tw:.3f} Tw 1 0 0 1 {x:.2f} {self.lay.page_h - baseline:.2f} Tm"]
        for font, text, size, rise in runs:
            esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"/{font.upper()} {size} Tf {rise} Ts ({esc}) Tj")
        ops.append("ET")
        self.pages[-1].append(" ".join(ops))

    def new_page(self) -> None:
        self._flush_notes()
        self.pages.append([])
        n, h = len(self.pages), self.lay.page_h
        self.text(60, 46, [("b", f"{SYMBOL}    {TITLE}", 8, 0)])
        self.text(60, h - 40, [("b", f"{n}/2", 8, 0)])
        self.text(self.lay.page_w - 110, h - 40, [("r", "99-12345", 7, 0)])
        self.y = 80.0
        self.bottom = self._bottom()

    def _flush_notes(self) -> None:
        step = 10 * self.k
        y = self.lay.page_h - 72 - step * len(self.notes_on_page)
        for key in self.notes_on_page:
            self.text(
                self.lay.left - 14,
                y,
                [("r", key, 5 * self.k, 3 * self.k), ("r", "  " + NOTES[key], 8 * self.k, 0)],
            )
            y += step
        self.notes_on_page = []

    def paragraph(
        self, label: str | None, number: str | None, runs: list[tuple[str, str]], indent: float = 24
    ) -> None:
        k, size, left, right = self.k, self.lay.size, self.lay.left, self.lay.right
        # Words carry their style; a footnote marker sticks to the word before it.
        words: list[list[tuple[str, str]]] = [[]]
        for style, text in runs:
            if style == "fn":
                words[-1].append(("fn", text))
                continue
            for part in re.split(r"(\s+)", text):
                if part.isspace():
                    if words[-1]:
                        words.append([])
                elif part:
                    words[-1].append((style, part))
        words = [w for w in words if w]
        first_x = left + indent + (24 if number else 0)
        lines: list[list[list[tuple[str, str]]]] = [[]]
        x = first_x
        for word in words:
            w = sum(self.width(t, s, size) for s, t in word if s != "fn") + 2.5 * k
            if lines[-1] and x + w > right:
                lines.append([])
                x = left
            lines[-1].append(word)
            x += w
        self.y += 6 * k
        started_page = len(self.pages)
        for n, line in enumerate(lines):
            keys = [t for word in line for s, t in word if s == "fn" and t not in self.notes_seen]
            if self.y + 12 * k > self.bottom - 10 * k * len(keys):
                self.new_page()
            for key in keys:
                self.notes_seen.add(key)
                self.notes_on_page.append(key)
                self.bottom -= 10 * k
            self.y += 12 * k
            x0 = first_x if n == 0 else left
            out: list[tuple[str, str, float, float]] = []
            if n == 0 and number:
                self.text(left + indent, self.y, [("r", number, size, 0)])
            for j, word in enumerate(line):
                for s, t in word:
                    out.append(("r", t, 6 * k, 3.5 * k) if s == "fn" else (s, t, size, 0))
                if j < len(line) - 1:
                    out.append(("r", " ", size, 0))
            tw = 0.0
            if n < len(lines) - 1:  # justify all but the last line
                natural = sum(self.width(t, s, sz) for s, t, sz, _ in out)
                spaces = sum(t.count(" ") for _, t, _, _ in out)
                tw = (right - x0 - natural) / max(spaces, 1)
            self.text(x0, self.y, out, tw)
        if len(self.pages) != started_page and label:
            self.split_paragraphs.append(label)

    def pdf(self) -> bytes:
        self._flush_notes()
        objects: list[bytes] = []
        font_ids = {}
        for key, name in self.fonts.items():
            objects.append(
                f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>".encode()
            )
            font_ids[key] = len(objects) + 2
        fonts = " ".join(f"/{k.upper()} {i} 0 R" for k, i in font_ids.items())
        page_ids = []
        for ops in self.pages:
            stream = "\n".join(ops).encode("latin-1")
            objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
            content_id = len(objects) + 2
            objects.append(
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {self.lay.page_w:.0f} {self.lay.page_h:.0f}] "
                f"/Resources << /Font << {fonts} >> >> /Contents {content_id} 0 R >>".encode()
            )
            page_ids.append(len(objects) + 2)
        kids = " ".join(f"{i} 0 R" for i in page_ids)
        head = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode(),
        ]
        out = io.BytesIO()
        out.write(b"%PDF-1.4\n")
        offsets = []
        for i, obj in enumerate(head + objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        for off in offsets:
            out.write(b"%010d 00000 n \n" % off)
        out.write(
            b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(offsets) + 1, xref)
        )
        return out.getvalue()


@cache
def _synthetic_pdf(layout: Layout = Layout()) -> tuple[bytes, tuple[str, ...]]:
    ts = _Typesetter(layout)
    k, w, h, left = ts.k, layout.page_w, layout.page_h, layout.left
    # Masthead, first-page footer with job number and barcode.
    ts.text(left - 38, 52, [("r", "United Nations", 14, 0)])
    ts.text(w - 142, 52, [("r", SYMBOL, 10, 0)])
    ts.text(left - 38, 86, [("b", "Economic and Social Council", 18, 0)])
    ts.text(w - 212, 86, [("r", "Distr.: General", 10, 0)])
    ts.text(w - 212, 98, [("r", "3 August 2099", 10, 0)])
    ts.text(60, h - 47, [("r", "99-12345 (E)    010899", 10, 0)])
    ts.text(60, h - 32, [("h", "*9912345*", 12, 0)])
    y = 170.0
    for style, text in FRONT:
        size = {"B": 14, "T": 12}.get(style, layout.size)
        font = "b" if style in "bBT" else "r"
        ts.text(left if style in "BT" else left - 50, y, [(font, text, size, 0)])
        y += 22 * k
    ts.y = y
    ts.bottom = y + 160 * k  # a short first page, so that OP2 runs over the page break
    for label, number, runs in BODY:
        ts.paragraph(label, number, runs)
    ts.y += 24 * k
    ts.text(layout.right - 90, ts.y, [("i", "12th plenary meeting", layout.size, 0)])
    ts.text(layout.right - 70, ts.y + 12 * k, [("i", "21 July 2099", layout.size, 0)])
    return ts.pdf(), tuple(ts.split_paragraphs)


# ------------------------------------------------------------------ a tiny .docx writer

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _run(text: str, style: str = "r") -> str:
    props = {"i": "<w:i/>", "b": "<w:b/>", "sup": '<w:vertAlign w:val="superscript"/>'}.get(
        style, ""
    )
    parts = re.split(r"(\t)", text)
    body = "".join(
        "<w:tab/>" if p == "\t" else f'<w:t xml:space="preserve">{escape(p)}</w:t>'
        for p in parts
        if p
    )
    return f"<w:r><w:rPr>{props}</w:rPr>{body}</w:r>"


def _docx_bytes(
    paragraphs: list[str],
    notes: dict[str, str],
    header: list[str],
    extra: dict[str, str] | None = None,
) -> bytes:
    doc = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W_NS}" xmlns:r="{_R_NS}"><w:body>'
        + "".join(paragraphs)
        + '<w:sectPr><w:headerReference w:type="first" r:id="rIdH1"/><w:titlePg/></w:sectPr></w:body></w:document>'
    )
    fns = "".join(
        f'<w:footnote w:id="{k}"><w:p><w:r><w:footnoteRef/></w:r>{_run(chr(9) + v)}</w:p></w:footnote>'
        for k, v in notes.items()
    )
    footnotes = (
        f'<w:footnotes xmlns:w="{_W_NS}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        + fns
        + "</w:footnotes>"
    )
    hdr = (
        f'<w:hdr xmlns:w="{_W_NS}">' + "".join(f"<w:p>{_run(t)}</w:p>" for t in header) + "</w:hdr>"
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rIdH1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>'
        "</Relationships>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", doc)
        zf.writestr("word/footnotes.xml", footnotes)
        zf.writestr("word/header1.xml", hdr)
        zf.writestr("word/_rels/document.xml.rels", rels)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def _synthetic_docx() -> bytes:
    paras = [f"<w:p>{_run(text, 'b' if style in 'bBT' else 'r')}</w:p>" for style, text in FRONT]
    seen: set[str] = set()
    for _, number, runs in BODY:
        xml = _run("\t" + (number + "\t" if number else ""))
        for style, text in runs:
            if style == "fn":
                if text in seen:  # a repeated reference: a superscript number
                    xml += _run(text, "sup")
                else:
                    seen.add(text)
                    xml += f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="{text}"/></w:r>'
            else:
                xml += _run(text, style)
        paras.append(f"<w:p>{xml}</w:p>")
    paras.append(
        f"<w:p>{_run('12th plenary meeting', 'i')}<w:r><w:br/></w:r>{_run('21 July 2099', 'i')}</w:p>"
    )
    header = [
        "United Nations",
        SYMBOL,
        "Economic and Social Council",
        "Distr.: General",
        "3 August 2099",
    ]
    return _docx_bytes(paras, NOTES, header)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _expected_text(label: str) -> str:
    parts = []
    for lab, number, runs in BODY:
        if lab == label:
            parts.append(
                ((number + " ") if number and number.startswith("(") else "") + _plain(runs)
            )
    return _norm(" ".join(parts))


def _check_synthetic(res: Resolution) -> None:
    assert [p.label for p in res.paragraphs] == EXPECTED_LABELS
    assert (res.symbol, res.title, res.date) == (SYMBOL, TITLE, "2099-07-21")
    assert res.body == "Economic and Social Council"
    assert res.session == "2099 session"
    assert res.agenda_item == "5 (a)"
    assert res.recommended_by == "on the recommendation of the Commission on Testing (E/2099/30)"
    header = res.paragraphs[0]
    assert "Resolution adopted by the Economic and Social Council on 21 July 2099" in header.text
    assert SYMBOL in header.text and TITLE in header.text
    for p in res.paragraphs[1:]:
        assert _norm(p.text) == _expected_text(p.label), p.label
    notes = {p.label: p.footnotes for p in res.paragraphs}
    assert notes["PP1"] == [NOTES["1"], NOTES["2"]]
    assert notes["OP2"] == [NOTES["1"]]  # repeated reference to note 1
    assert notes["DRAFT-PP1"] == [NOTES["3"]]
    assert notes["OP1"] == [] and notes["DRAFT-OP2"] == []
    verbs = {p.label: p.verb for p in res.paragraphs}
    assert verbs["PP2"] == "Noting with concern" and verbs["DRAFT-OP1"] == "Requests"
    kinds = {p.label: p.kind for p in res.paragraphs}
    assert kinds["DRAFT-PP1"] == "preambular" and kinds["DRAFT-OP2"] == "operative"
    # No page furniture leaks into the text.
    everything = " ".join(p.text for p in res.paragraphs[1:])
    for junk in ("99-12345", "9912345", "2/2", "Distr.", "plenary meeting"):
        assert junk not in everything


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_synthetic_pdf_layout(tmp_path: Path, layout: str) -> None:
    data, split = _synthetic_pdf(LAYOUTS[layout])
    assert "OP2" in split, "the synthetic layout should break OP2 across pages"
    path = tmp_path / "synthetic.pdf"
    path.write_bytes(data)
    res = parse_pdf_file(path)[0]
    assert res.format == "pdf" and res.source == "synthetic.pdf"
    _check_synthetic(res)


def test_synthetic_docx(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.docx"
    path.write_bytes(_synthetic_docx())
    res = parse_docx_file(path)[0]
    assert res.format == "docx"
    _check_synthetic(res)


def test_parse_file_dispatches_both(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(_synthetic_pdf()[0])
    (tmp_path / "a.docx").write_bytes(_synthetic_docx())
    a = parse_file(tmp_path / "a.pdf")[0]
    b = parse_file(tmp_path / "a.docx")[0]
    assert [(p.label, _norm(p.text), p.footnotes) for p in a.paragraphs] == [
        (p.label, _norm(p.text), p.footnotes) for p in b.paragraphs
    ]


def test_docx_word_details(tmp_path: Path) -> None:
    """Non-breaking hyphens, deleted revisions, field codes, hidden text, tables, styles."""
    styles = (
        f'<w:styles xmlns:w="{_W_NS}"><w:style w:type="paragraph" w:styleId="H23"><w:rPr><w:b/></w:rPr></w:style>'
        '<w:style w:type="character" w:styleId="FootnoteReference"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style></w:styles>'
    )
    paras = [
        f"<w:p>{_run('Resolution adopted by the Economic and Social Council on 2 May 2099', 'b')}</w:p>",
        f"<w:p>{_run('2099/9. Details', 'b')}</w:p>",
        f"<w:p>{_run('The Economic and Social Council', 'i')}{_run(',')}</w:p>",
        "<w:p>"
        + _run("\t")
        + _run("Recalling", "i")
        + _run(" its nation")
        + "<w:r><w:noBreakHyphen/></w:r>"
        + _run("level reviews,")
        + '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>'
        + "<w:del><w:r><w:delText> deleted words</w:delText></w:r></w:del>"
        + "<w:r><w:rPr><w:vanish/></w:rPr><w:t>hidden words</w:t></w:r></w:p>",
        f'<w:p><w:pPr><w:pStyle w:val="H23"/></w:pPr>{_run("A. A section heading")}</w:p>',
        "<w:p>"
        + _run("\t1.\t")
        + _run("Decides", "i")
        + _run(" that")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> NOTEREF _Ref1 \\h </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:t>1</w:t></w:r>'
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + _run(" the area of 5 km")
        + _run("2", "sup")
        + _run(" counts;")
        + "</w:p>",
        "<w:tbl><w:tr><w:tc><w:p>"
        + _run("Body")
        + "</w:p></w:tc><w:tc><w:p>"
        + _run("Venue")
        + "</w:p></w:tc></w:tr></w:tbl>",
    ]
    path = tmp_path / "details.docx"
    path.write_bytes(
        _docx_bytes(paras, {"1": "A note."}, ["E/RES/2099/9"], {"word/styles.xml": styles})
    )
    res = parse_docx_file(path)[0]
    labels = {p.label: p for p in res.paragraphs}
    assert list(labels) == ["HEADER", "PP1", "OP1"]
    assert labels["PP1"].text == "Recalling its nation-level reviews,"
    assert labels["PP1"].footnotes == ["A note."]
    # NOTEREF field result is a repeated reference; the unrelated superscript 2 stays text.
    assert labels["OP1"].footnotes == ["A note."]
    assert labels["OP1"].text.startswith("Decides that the area of 5 km2 counts;")
    assert "Body Venue" in labels["OP1"].text  # table text after numbered OP stays with it
    assert "section heading" not in " ".join(p.text for p in res.paragraphs)


def test_lettered_parts_and_material_after_signature(tmp_path: Path) -> None:
    """Parts "A" and "B" with their own formula and signature become two resolutions;
    text after a signature is annexed material, never part of the last paragraph."""

    def para(text: str, style: str = "r") -> str:
        return f"<w:p>{_run(text, style)}</w:p>"

    def part(verb: str) -> list[str]:
        return [
            f"<w:p>{_run('The Economic and Social Council', 'i')}{_run(',')}</w:p>",
            f"<w:p>{_run(chr(9))}{_run('Recalling', 'i')}{_run(' its earlier work,')}</w:p>",
            f"<w:p>{_run(chr(9) + '1.' + chr(9))}{_run(verb, 'i')}{_run(' to act;')}</w:p>",
            para("9th plenary meeting", "i"),
        ]

    paras = [
        para("Resolution adopted by the Economic and Social Council on 2 May 2099", "b"),
        para("2099/9. Parts", "b"),
        para("A", "b"),
        *part("Decides"),
        para("B. Second part", "b"),
        *part("Requests"),
        para("List of participating bodies, as agreed."),
    ]
    path = tmp_path / "parts.docx"
    path.write_bytes(_docx_bytes(paras, {}, ["E/RES/2099/9"]))
    parts = parse_docx_file(path)
    assert [r.symbol for r in parts] == ["E/RES/2099/9 A", "E/RES/2099/9 B"]
    assert [[p.label for p in r.paragraphs] for r in parts] == [
        ["HEADER", "PP1", "OP1"],
        ["HEADER", "PP1", "OP1", "ANNEX-PP1"],
    ]
    assert parts[1].paragraph("OP1").verb == "Requests"  # type: ignore[union-attr]
    assert parts[1].paragraph("OP1").text == "Requests to act;"  # type: ignore[union-attr]


# ------------------------------------------------------------------ the ECOSOC 2018 corpus

# Every gold source, plus layouts the gold set does not reach: a statute annex with
# numbering restarting per article, a table annex, an annexed commission resolution.
SAMPLE = [
    "N1745085",
    "N1812941",
    "N1812947",
    "N1812959",
    "N1822456",
    "N1824412",
    "N1824484",
    "N1824509",
    "N1824527",
    "N1824662",
]


@cache
def _pair(corpus: Path, stem: str) -> tuple[Resolution, Resolution]:
    pdf = parse_pdf_file(corpus / "ecosoc-2018-pdf" / f"{stem}.pdf")
    docx = parse_docx_file(corpus / "ecosoc-2018-docx" / f"{stem}.docx")
    assert len(pdf) == len(docx) == 1
    return pdf[0], docx[0]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("stem", SAMPLE)
def test_pdf_agrees_with_docx(corpus: Path, stem: str) -> None:
    pdf, docx = _pair(corpus, stem)
    assert pdf.symbol and pdf.symbol.startswith("E/RES/2018/")
    assert (pdf.symbol, pdf.title, pdf.date) == (docx.symbol, docx.title, docx.date)
    assert (pdf.body, pdf.session, pdf.agenda_item, pdf.recommended_by) == (
        docx.body,
        docx.session,
        docx.agenda_item,
        docx.recommended_by,
    )
    assert [p.label for p in pdf.paragraphs] == [p.label for p in docx.paragraphs]
    for a, b in zip(pdf.paragraphs, docx.paragraphs, strict=True):
        assert _squash(a.text) == _squash(b.text), a.label
        assert [_squash(n) for n in a.footnotes] == [_squash(n) for n in b.footnotes], a.label
        assert a.verb == b.verb and a.kind == b.kind, a.label
    labels = [p.label for p in pdf.paragraphs]
    assert len(labels) == len(set(labels)) and all(is_valid_label(x) for x in labels)
    assert labels[0] == "HEADER" and "PP1" in labels and "OP1" in labels


def test_corpus_layout_details(corpus: Path) -> None:
    pdf, _ = _pair(corpus, "N1812941")  # E/RES/2018/3
    assert pdf.date == "2018-04-17" and pdf.agenda_item == "19 (b)"
    assert (
        pdf.recommended_by
        == "on the recommendation of the Commission for Social Development (E/2018/26)"
    )
    assert [p.label for p in pdf.paragraphs].count("OP12") == 1 and pdf.paragraph("OP13") is None
    # PP5 runs from page 1 to page 2 and stays one paragraph, without page furniture.
    pp5 = pdf.paragraph("PP5")
    assert (
        pp5 is not None
        and "in the integrated and coordinated follow-up to the outcomes" in pp5.text
    )
    assert "18-06884" not in pp5.text and "2/4" not in pp5.text
    assert "Madrid, 8–12 April 2002" in " ".join(pdf.paragraph("PP9").footnotes)  # type: ignore[union-attr]
    # Operative verbs come from the italic fonts.
    assert pdf.paragraph("OP10").verb == "Also decides"  # type: ignore[union-attr]

    statute, _ = _pair(corpus, "N1824509")  # annex numbered article by article
    annex_ops = [p.label for p in statute.paragraphs if p.label.startswith("ANNEX-OP")]
    assert (
        annex_ops == [f"ANNEX-OP{i}" for i in range(1, len(annex_ops) + 1)] and len(annex_ops) > 20
    )

    escap, _ = _pair(corpus, "N1824527")  # an annexed resolution keeps PP/OP inside the annex
    labels = [p.label for p in escap.paragraphs]
    assert (
        labels[:3] == ["HEADER", "PP1", "OP1"] and "ANNEX-PP1" in labels and "ANNEX-OP7" in labels
    )


def _gold_items(gold_dir: Path) -> list[dict[str, str]]:
    items = []
    for line in (gold_dir / "dev-corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        for exp in json.loads(line).get("expected", []):
            if exp.get("source", "").endswith(".pdf"):
                items.append(exp)
    return items


def test_gold_quotes_in_pdf_and_docx(corpus: Path, gold_dir: Path) -> None:
    items = _gold_items(gold_dir)
    assert len(items) >= 10
    for exp in items:
        stem = Path(exp["source"]).stem
        assert stem in SAMPLE
        for res in _pair(corpus, stem):
            assert res.symbol == exp["symbol"]
            para = res.paragraph(exp["paragraph"])
            assert para is not None, (res.source, exp["paragraph"])
            assert _norm(exp["quote"]).lower() in _norm(para.text).lower(), (
                res.source,
                exp["paragraph"],
            )
    for res in _pair(corpus, "N1812941"):
        header = res.paragraph("HEADER")
        assert header is not None and "17 April 2018" in header.text
        assert "Commission for Social Development" in header.text
        pp9 = res.paragraph("PP9")
        assert pp9 is not None and any("Madrid" in n and "April 2002" in n for n in pp9.footnotes)
        assert not any(
            "Madrid" in n for p in res.paragraphs if p.label != "PP9" for n in p.footnotes
        )


# ------------------------------------------------------------------ bad input


def _expect_error(parser: Callable[[Path], list[Resolution]], path: Path, pattern: str) -> None:
    with pytest.raises(ParseError) as info:
        parser(path)
    message = str(info.value)
    assert re.search(pattern, message), message
    assert "\n" not in message and len(message) < 200


def test_bad_pdfs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    _expect_error(parse_pdf_file, empty, r"^empty file$")
    noise = tmp_path / "noise.pdf"
    noise.write_bytes(bytes(range(256)) * 40)
    _expect_error(parse_pdf_file, noise, r"^not a PDF file$")
    data = _synthetic_pdf()[0]
    half = tmp_path / "half.pdf"
    half.write_bytes(data[: len(data) // 2])
    _expect_error(parse_pdf_file, half, r"^truncated or corrupt PDF: ")
    patched = tmp_path / "patched.pdf"  # cut short, an end marker pasted on
    patched.write_bytes(data[: len(data) // 2] + b"\n%%EOF\n")
    _expect_error(parse_pdf_file, patched, r"^truncated or corrupt PDF: |^no text layer")


def test_scanned_pdf_has_no_text_layer(tmp_path: Path) -> None:
    ts = _Typesetter()
    # A page that only paints an image, as a scanner produces.
    ts.pages[-1].append("q 612 0 0 792 0 0 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(ts.pdf())
    _expect_error(parse_pdf_file, scan, r"^no text layer \(scanned PDF\?\)$")


def test_real_pdf_truncated(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "ecosoc-2018-pdf" / "N1812941.pdf").read_bytes()
    half = tmp_path / "N1812941.pdf"
    half.write_bytes(data[: len(data) // 2])
    _expect_error(parse_pdf_file, half, r"^truncated or corrupt PDF: ")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_bad_docx(tmp_path: Path) -> None:
    cases = {
        "empty.docx": (b"", r"^empty file$"),
        "noise.docx": (bytes(range(256)) * 40, r"^not a Word file \(bad zip"),
        "cut.docx": (_synthetic_docx()[:300], r"^not a Word file \(bad zip"),
        "nodoc.docx": (
            _zip({"word/styles.xml": b"<x/>"}),
            r"^not a Word file \(no word/document.xml\)$",
        ),
        "oldword.docx": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            r"^not a Word file \(old binary",
        ),
        "badxml.docx": (
            _zip({"word/document.xml": b"<w:document><w:body><w:p>"}),
            r"^malformed XML in word/document.xml",
        ),
        "dtd.docx": (
            _zip(
                {
                    "word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'
                }
            ),
            r"DTD not allowed",
        ),
    }
    for name, (data, pattern) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        _expect_error(parse_docx_file, path, pattern)


def test_docx_zip_bomb(tmp_path: Path) -> None:
    # 48 MB of zeros deflate to ~50 KB: refused from the zip directory, never inflated.
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("word/document.xml", "w") as fh,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(48):
            fh.write(chunk)
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(buf.getvalue())
    _expect_error(parse_docx_file, bomb, r"^zip bomb suspected")
