"""Akoma Ntoso for the UN (AKN4UN) XML: the UN's machine-readable resolutions.

The XML already carries the paragraph structure (``preamble/container``,
``mainBody/paragraph/num``, ``authorialNote`` footnotes, ``embeddedStructure``
drafts, ``attachments`` annexes), so this parser maps elements to labels
rather than guessing from layout. Element names are matched by local name so
that AKN 3.0 files in other namespaces (or none) read the same way.

Security: files come from users. Entity declarations are refused outright
(billion laughs, external entities), no DTD is loaded, nothing is fetched
from the network and libxml2's size limits stay on (``huge_tree=False``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeAlias

from lxml import etree

from core.errors import ParseError
from ingest import completeness
from ingest.model import Kind, Paragraph, Resolution
from ingest.parsers.common import (
    clean_ws,
    normalise_symbol,
    opening_verb,
    parse_date,
    read_bytes,
    split_names,
    symbol_from_filename,
)

logger = logging.getLogger(__name__)

Element: TypeAlias = etree._Element

_ENTITY_ERROR = "XML entity declarations are not allowed (possible entity-expansion attack)"
# "<!ENTITY" in the encodings an XML file may use; a resolution never declares entities.
_ENTITY_MARKERS = (
    b"<!ENTITY",
    "<!ENTITY".encode("utf-16-le"),
    "<!ENTITY".encode("utf-16-be"),
)

# Elements whose content starts a new visual line: a space keeps words apart.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "content",
        "num",
        "heading",
        "subheading",
        "crossHeading",
        "paragraph",
        "container",
        "point",
        "item",
        "intro",
        "wrapUp",
        "list",
        "blockList",
        "sublist",
        "listIntroduction",
        "listWrapUp",
        "table",
        "tr",
        "td",
        "th",
        "eol",
        "eop",
        "br",
        "formula",
        "docTitle",
        "docNumber",
        "docProponent",
        "session",
        "docAuthority",
        "block",
        "tblock",
        "ul",
        "ol",
        "li",
    }
)
# Elements treated as one citable unit when met while walking a body.
_LEAF_TAGS = frozenset(
    {
        "paragraph",
        "container",
        "point",
        "item",
        "crossHeading",
        "subheading",
        "heading",
        "intro",
        "wrapUp",
        "p",
        "table",
        "blockList",
        "listIntroduction",
        "listWrapUp",
        "formula",
    }
)
_SKIP_TAGS = frozenset({"meta", "num", "conclusions", "attachments", "components", "img"})

_OP_NUM_RE = re.compile(r"^(\d{1,6})\s*\.?$")
_SUB_NUM_RE = re.compile(r"^\(?(?:[a-z]{1,2}|[ivxl]{1,7})\)$")
_SECTION_NUM_RE = re.compile(r"^(?:[A-Z]|[IVXLC]{1,7})\.?$")
_SUB_TEXT_RE = re.compile(r"^\(\s*(?:[a-z]{1,2}|[ivxl]{1,7})\s*\)\s")
_LEADING_NUM_RE = re.compile(r"^(\d{1,6})\.?\s+(?=[A-Z\u201c\"])")
_ANNEX_HEADING_RE = re.compile(r"^Annex(?:es)?(?:\s+(?:[IVXLC]{1,6}|\d{1,3}|[A-Z]))?\.?$")
_HEADING_CLASS_RE = re.compile(r"^(?:H\d+|HCh|HM|TitleHCH|Title)$")

BlockKind = Literal["num", "sub", "text", "cont", "heading", "pre"]


@dataclass
class _Block:
    """One unit met while walking a body, before labels are assigned."""

    kind: BlockKind
    text: str
    notes: list[str] = field(default_factory=list)
    num: int | None = None
    verb: str | None = None
    drafts: list[Element] = field(default_factory=list)


@dataclass
class _Item:
    """A paragraph being assembled from one or more blocks.

    Its text is kept as a list of pieces and joined once: a paragraph that
    gathers thousands of unnumbered continuations must not be re-copied at
    each one.
    """

    kind: Literal["pp", "op"]
    parts: list[str]
    notes: list[str]
    num: int | None
    verb: str | None
    prefix: str = ""
    drafts: list[Element] = field(default_factory=list)
    section: str | None = None  # heading(s) of the part the paragraph sits in
    key: str | None = None  # the part's number ("III"), when the part has one
    scope: str = ""  # label prefix of the part, when numbering restarts per part ("III-")

    @property
    def text(self) -> str:
        return clean_ws(" ".join(self.parts))

    def full_text(self) -> str:
        return clean_ws(f"{self.prefix} {self.text}") if self.prefix else self.text


# ---------------------------------------------------------------- entry points


def parse_akn_file(path: Path) -> list[Resolution]:
    """Parse one AKN4UN XML file; raises ParseError with a one-line reason."""
    return parse_akn_bytes(read_bytes(path), path.name)


def parse_akn_bytes(data: bytes, source: str) -> list[Resolution]:
    """Parse AKN4UN XML held in memory. ``source`` names the file (only its name is kept)."""
    name = Path(source).name
    root = _safe_parse(data)
    if _ln(root) != "akomaNtoso":
        raise ParseError("not an Akoma Ntoso document")
    docs = [c for c in _children(root) if _ln(c) != "components"]
    if not docs:
        raise ParseError("Akoma Ntoso document without content")
    doc = docs[0]
    if _ln(doc) == "documentCollection":
        return _parse_collection(root, doc, name)
    return [_parse_statement(doc, name, cover_doc=doc)]


# ---------------------------------------------------------------- safe parsing


def _safe_parse(data: bytes) -> Element:
    if not data.strip():
        raise ParseError("empty file")
    # Refused before parsing: with entities declared, even a non-expanding parser
    # does work proportional to the declarations, and no resolution needs them.
    # "<!ENTITY" can only occur in a DTD (in text it would be escaped as "&lt;").
    if any(marker in data for marker in _ENTITY_MARKERS):
        raise ParseError(_ENTITY_ERROR)
    return parse_without_entities(data)


def parse_without_entities(data: bytes) -> Element:
    """The second line of defence, behind the byte scan: libxml2 set never to expand, load or
    fetch anything, and any entity a DTD still declares refused after parsing."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "syntax error"
        reason = re.sub(r"\s*\(<string>, line \d+\)$", "", reason)
        raise ParseError(f"malformed XML: {reason[:160]}") from exc
    except (ValueError, etree.LxmlError) as exc:
        raise ParseError(f"malformed XML: {str(exc)[:160]}") from exc
    if root is None:
        raise ParseError("malformed XML: no root element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ParseError(_ENTITY_ERROR)
    return root


# ---------------------------------------------------------------- tree helpers


def _ln(el: Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(el: Element) -> list[Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    for c in el:
        if _ln(c) == name:
            return c
    return None


def _descendants(el: Element | None, name: str) -> Iterator[Element]:
    if el is None:
        return
    for d in el.iter():
        if _ln(d) == name:
            yield d


def _plain(el: Element | None) -> str:
    """All text of an element, footnotes excluded, whitespace collapsed."""
    if el is None:
        return ""
    text, _notes, _drafts = _extract(el)
    return text


def _extract(el: Element, skip: tuple[Element, ...] = ()) -> tuple[str, list[str], list[Element]]:
    """Text of ``el`` without footnotes or nested drafts; also returns both."""
    out: list[str] = []
    notes: list[str] = []
    drafts: list[Element] = []
    _collect(el, out, notes, drafts, skip)
    return _tidy(clean_ws("".join(out))), notes, drafts


def _collect(
    el: Element, out: list[str], notes: list[str], drafts: list[Element], skip: tuple[Element, ...]
) -> None:
    tag = _ln(el)
    if tag == "authorialNote" or tag == "note":
        note = _plain_note(el)
        if note:
            notes.append(note)
        return
    if tag == "embeddedStructure":
        drafts.append(el)
        return
    if tag in ("img", "meta") or el in skip:
        return
    block = tag in _BLOCK_TAGS
    if block:
        out.append(" ")
    if el.text:
        out.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _collect(child, out, notes, drafts, skip)
        if child.tail:
            out.append(child.tail)
    if block:
        out.append(" ")


def _plain_note(el: Element) -> str:
    out: list[str] = []
    nested: list[str] = []
    drafts: list[Element] = []
    if el.text:
        out.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _collect(child, out, nested, drafts, ())
        if child.tail:
            out.append(child.tail)
    return _tidy(clean_ws("".join(out)))


def _tidy(text: str) -> str:
    # UN typesetting uses non-breaking hyphens ("Counter\u2011Terrorism"); readers
    # and searches type "-".
    text = text.replace("\u2011", "-")
    # Removing a footnote marker can leave "Rights ," or "( A/79/459 )".
    text = re.sub(r"\s+([,;:.)\]])", r"\1", text)
    return re.sub(r"([(\[])\s+", r"\1", text)


def _num_text(el: Element) -> str:
    num = _child(el, "num")
    return clean_ws("".join(num.itertext())) if num is not None else ""


def _italic_verb(el: Element, text: str) -> str | None:
    """The italic span that opens a paragraph: AKN4UN marks the operative verb this way."""
    for span in el.iter():
        if _ln(span) not in ("span", "i") or _in_excluded(span, el):
            continue
        cls = span.get("class") or ""
        if _ln(span) == "span" and "italic" not in cls:
            continue
        phrase = clean_ws("".join(span.itertext())).rstrip(",;: ")
        if not phrase:
            continue
        if text.startswith(phrase) and 1 <= len(phrase.split()) <= 6:
            return phrase
        return None
    return None


def _in_excluded(node: Element, stop: Element) -> bool:
    for anc in node.iterancestors():
        if anc is stop:
            return False
        if _ln(anc) in ("authorialNote", "embeddedStructure", "num"):
            return True
    return False


def _verb_for(el: Element, text: str) -> str | None:
    return _italic_verb(el, text) or opening_verb(text)


def _all_bold(el: Element, text: str) -> bool:
    bold = " ".join(
        clean_ws("".join(s.itertext()))
        for s in el.iter()
        if _ln(s) in ("span", "b") and ("bold" in (s.get("class") or "") or _ln(s) == "b")
    )
    return bool(text) and clean_ws(bold) == text


# ---------------------------------------------------------------- body walking


def _blocks(body: Element, *, crossheadings_preambular: bool) -> list[_Block]:
    blocks: list[_Block] = []
    _walk(body, blocks, crossheadings_preambular)
    return blocks


def _walk(el: Element, blocks: list[_Block], pre: bool) -> None:
    for child in _children(el):
        tag = _ln(child)
        if tag in _SKIP_TAGS:
            continue
        if tag in _LEAF_TAGS:
            block = _leaf_block(child, pre)
            if block is not None:
                blocks.append(block)
            continue
        # A structural wrapper (part, section, title, chapter, hcontainer, list ...):
        # its number reads as a heading, its content is walked in order.
        num = _num_text(child)
        if num:
            blocks.append(_Block("heading", num))
        if _children(child):
            _walk(child, blocks, pre)
        else:
            text, notes, drafts = _extract(child)
            if text:
                blocks.append(_Block("text", text, notes, drafts=drafts))


def _leaf_block(el: Element, pre: bool) -> _Block | None:
    tag = _ln(el)
    num_el = _child(el, "num")
    skip = (num_el,) if num_el is not None else ()
    text, notes, drafts = _extract(el, skip)
    num = _num_text(el)
    if not text and not num:
        if notes:
            return _Block("cont", "", notes)
        return None
    cls = el.get("class") or ""
    if tag == "formula" or (tag == "container" and (el.get("name") or "") == "formula"):
        return None
    if tag in ("subheading", "heading"):
        return _Block("heading", _join(num, text), notes)
    if tag == "crossHeading":
        return _Block(
            "pre" if pre else "text", text, notes, verb=_verb_for(el, text), drafts=drafts
        )
    if tag in ("point", "item"):
        return _Block("sub", _join(num, text), notes, drafts=drafts)
    if num:
        m = _OP_NUM_RE.match(num)
        if m and not _HEADING_CLASS_RE.match(cls):
            return _Block(
                "num", text, notes, num=int(m.group(1)), verb=_verb_for(el, text), drafts=drafts
            )
        if _SUB_NUM_RE.match(num) or num.endswith(")"):
            return _Block("sub", _join(num, text), notes, drafts=drafts)
        if _HEADING_CLASS_RE.match(cls) or (_SECTION_NUM_RE.match(num) and len(text.split()) <= 30):
            return _Block("heading", _join(num, text), notes)
        return _Block("text", _join(num, text), notes, verb=None, drafts=drafts)
    if "Footnote" in cls:
        return _Block("cont", text, notes)
    if _HEADING_CLASS_RE.match(cls) or (not drafts and _looks_like_heading(el, text)):
        return _Block("heading", text, notes)
    if _SUB_TEXT_RE.match(text) or text[:1].islower() or text[:1] in "\u201c\"\u2018'":
        return _Block("cont", text, notes, drafts=drafts)
    return _Block("text", text, notes, verb=_verb_for(el, text), drafts=drafts)


def _looks_like_heading(el: Element, text: str) -> bool:
    if _all_bold(el, text) and len(text.split()) <= 40:
        return True
    if len(text.split()) > 25 or text[-1:] in ".;:,":
        return False
    if text[:1].islower() or _SUB_TEXT_RE.match(text):
        return False
    if text[:1] in "\u201c\"\u2018'" or text[-1:] in '?\u201d"':
        # A quotation (the question put to the Court) continues the paragraph above.
        return False
    # A paragraph that opens with the italic verb is prose, however short.
    return _italic_verb(el, text) is None and opening_verb(text) is None


def _join_heading(parts: list[str]) -> str:
    """Heading lines as one phrase: "A" + "Work of the Committee" -> "A. Work of the Committee"."""
    out: list[str] = []
    for part in parts:
        if out and re.fullmatch(r"(?:[A-Z]|[IVXLC]{1,7}|\d{1,3})", out[-1]):
            out[-1] += "."
        out.append(part)
    return clean_ws(" ".join(out))


def _join(num: str, text: str) -> str:
    return clean_ws(f"{num} {text}") if num else text


# ---------------------------------------------------------------- labelling


_SECTION_KEY_RE = re.compile(
    r"^(?:(?:Part|PART|Section|SECTION)\s+)?([IVXLC]{1,7}|[A-Z])(?:\.\s+\S|\.?$)"
)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(key: str) -> int:
    total = 0
    for ch, nxt in zip(key, key[1:] + " ", strict=True):
        v = _ROMAN.get(ch, 0)
        total += -v if _ROMAN.get(nxt, 0) > v else v
    return total


class _Sections:
    """Which part of the text a paragraph sits in, read from the headings met on the way.

    A part opens with a heading numbered I, II, III ... (or A, B, C ... when the
    first part is A), each the successor of the one before; any other heading
    (a lettered sub-section under a Roman part, an unnumbered title) is a
    sub-heading of the current part. ``section`` is the part's heading, then
    the sub-heading's: "III. Illegal fishing / A. Port State measures".
    """

    def __init__(self) -> None:
        self.key: str | None = None
        self.title: str | None = None
        self.sub: str | None = None
        self.lettered: bool | None = None

    def _opens_part(self, key: str) -> bool:
        if self.key is None:
            return key in ("I", "A")
        if self.lettered:
            return len(key) == 1 and ord(key) == ord(self.key) + 1
        return all(c in _ROMAN for c in key) and _roman(key) == _roman(self.key) + 1

    def heading(self, lines: list[str]) -> None:
        """Headings met together ("II", "Illegal fishing", "A", "Port State measures"):
        each numbered line starts a heading of its own."""
        groups: list[list[str]] = []
        for line in lines:
            if not groups or _SECTION_KEY_RE.match(line):
                groups.append([line])
            else:
                groups[-1].append(line)
        for group in groups:
            self._one(group)

    def _one(self, lines: list[str]) -> None:
        text = _join_heading(lines)
        m = _SECTION_KEY_RE.match(lines[0])
        if m and self._opens_part(m.group(1)):
            if self.key is None:
                self.lettered = m.group(1) == "A"
            self.key, self.title, self.sub = m.group(1), text, None
        else:
            self.sub = text

    @property
    def section(self) -> str | None:
        return " / ".join(x for x in (self.title, self.sub) if x) or None


def _assemble_main(blocks: list[_Block]) -> list[_Item]:
    """Operative-part blocks -> items in document order (preambular or operative).

    Numbered paragraphs keep their printed number. When a body has numbered
    paragraphs, unnumbered prose is a continuation of the paragraph before it
    (a quoted question, "and its request ...") or, before the first number,
    the lead-in of the first ("Resolves that:"). Bodies in numbered parts
    (I, II, III ...) whose numbering restarts in each part are labelled per
    part (``II-PP1``, ``II-OP3``); other bodies that repeat printed numbers
    cannot keep them unique, so their paragraphs are counted in order instead.
    """
    nums = [b.num for b in blocks if b.kind == "num"]
    num_set = set(nums)
    sequential = len(nums) != len(num_set)
    numbered = bool(nums) and not sequential
    sections = _Sections()
    pres: list[_Item] = []
    ops: list[_Item] = []
    order: list[_Item] = []
    heading: list[str] = []
    hnotes: list[str] = []  # footnotes on headings travel with the heading text
    lead: list[_Block] = []
    last_num = 0
    for b in blocks:
        if b.kind == "heading":
            if lead and not heading:
                # "Adopts the following Pact:" / "The Pact for the Future" / 1. ...
                lead.append(_Block("cont", b.text, b.notes))
                continue
            heading.append(b.text)
            hnotes.extend(b.notes)
            continue
        if b.kind == "text" and numbered:
            m = _LEADING_NUM_RE.match(b.text)
            if m and int(m.group(1)) == last_num + 1 and int(m.group(1)) not in num_set:
                # A paragraph whose number was typed into the text instead of <num>.
                text = b.text[m.end() :]
                b = _Block(
                    "num", text, b.notes, num=last_num + 1, verb=opening_verb(text), drafts=b.drafts
                )
        sections.heading(heading)
        if b.kind in ("num", "pre") or (b.kind == "text" and not numbered):
            item = _Item(
                "pp" if b.kind == "pre" else "op",
                [b.text],
                hnotes + b.notes,
                b.num,
                b.verb,
                prefix=_join_heading(heading),
                drafts=list(b.drafts),
                section=sections.section,
                key=sections.key,
            )
            heading, hnotes = [], []
            if item.kind == "op" and lead:
                item.parts = [x.text for x in lead] + item.parts
                item.notes = [n for x in lead for n in x.notes] + item.notes
                item.drafts = [d for x in lead for d in x.drafts] + item.drafts
                item.verb = lead[0].verb or opening_verb(lead[0].text)
                lead = []
            if b.num is not None:
                last_num = b.num
            (pres if item.kind == "pp" else ops).append(item)
            order.append(item)
            continue
        text = _join_heading(heading + [b.text])
        notes = hnotes + b.notes
        heading, hnotes = [], []
        if not order or (b.kind == "text" and not ops):
            # Before the first operative paragraph: a lead-in to it.
            lead.append(_Block(b.kind, text, notes, verb=b.verb, drafts=b.drafts))
            continue
        _append(order[-1], _Block("cont", text, notes, drafts=b.drafts))
    if lead:
        # A lead-in never followed by an operative paragraph is one itself.
        item = _Item(
            "op",
            [x.text for x in lead],
            [n for x in lead for n in x.notes],
            None,
            lead[0].verb or opening_verb(lead[0].text),
            drafts=[d for x in lead for d in x.drafts],
            section=sections.section,
            key=sections.key,
        )
        ops.append(item)
        order.append(item)
    if heading:
        if order:
            _append(order[-1], _Block("cont", _join_heading(heading), hnotes))
        else:
            item = _Item("op", [_join_heading(heading)], hnotes, None, None)
            ops.append(item)
            order.append(item)
    if sequential and _label_by_part(order):
        return order
    if sequential or not numbered:
        for i, item in enumerate(ops, start=1):
            item.num = i
    for i, item in enumerate(pres, start=1):
        item.num = i
    return order


def _label_by_part(order: list[_Item]) -> bool:
    """Numbering that restarts in each numbered part: label per part, when every
    operative paragraph sits in one. Returns False (nothing changed) otherwise."""
    if any(i.kind == "op" and i.key is None for i in order):
        return False
    keys = [i.key for i in order if i.key is not None]
    if len(set(keys)) < 2:
        return False
    by_key: dict[str, list[_Item]] = {}
    for item in order:
        by_key.setdefault(item.key or "", []).append(item)
    for key, items in by_key.items():
        ops = [i for i in items if i.kind == "op"]
        nums = [i.num for i in ops]
        if None in nums or len(nums) != len(set(nums)):
            for n, item in enumerate(ops, start=1):
                item.num = n
        for n, item in enumerate((i for i in items if i.kind == "pp"), start=1):
            item.num = n
        for item in items:
            item.scope = f"{key}-" if key else ""
    return True


def _assemble_annex(blocks: list[_Block]) -> list[list[_Item]]:
    """Annex blocks -> one list of items per annex ("Annex I", "Annex II" split them)."""
    annexes: list[list[_Item]] = [[]]
    heading: list[str] = []
    hnotes: list[str] = []
    sections = _Sections()
    for b in blocks:
        if b.kind == "heading":
            if _ANNEX_HEADING_RE.match(b.text) and annexes[-1]:
                if heading:
                    _append(annexes[-1][-1], _Block("cont", _join_heading(heading), hnotes))
                    heading, hnotes = [], []
                annexes.append([])
                sections = _Sections()
            heading.append(b.text)
            hnotes.extend(b.notes)
            continue
        items = annexes[-1]
        if b.kind in ("sub", "cont") and items and not heading:
            _append(items[-1], b)
            continue
        # The annex's own title line ("Annex II") is not a part of it.
        sections.heading(
            heading[1:] if heading and _ANNEX_HEADING_RE.match(heading[0]) else heading
        )
        kind: Literal["pp", "op"] = "op" if b.kind == "num" else "pp"
        items.append(
            _Item(
                kind,
                [b.text],
                hnotes + b.notes,
                b.num,
                b.verb,
                prefix=_join_heading(heading),
                drafts=list(b.drafts),
                section=sections.section,
            )
        )
        heading, hnotes = [], []
    if heading:
        if annexes[-1]:
            _append(annexes[-1][-1], _Block("cont", _join_heading(heading), hnotes))
        else:
            annexes[-1].append(_Item("pp", [_join_heading(heading)], hnotes, None, None))
    annexes = [a for a in annexes if a]
    for items in annexes:
        ops = [i for i in items if i.kind == "op"]
        nums = [i.num for i in ops]
        if len(nums) != len(set(nums)):
            # Numbering restarts (articles of a convention, chapters): printed
            # numbers cannot be labels, so the whole operative part after its
            # first numbered paragraph is counted in order.
            first = items.index(ops[0])
            for item in items[first:]:
                item.kind = "op"
            ops = items[first:]
            for n, item in enumerate(ops, start=1):
                item.num = n
        for n, item in enumerate((i for i in items if i.kind == "pp"), start=1):
            item.num = n
    return annexes


def _append(item: _Item, b: _Block) -> None:
    if b.text:
        item.parts.append(b.text)
    item.notes.extend(b.notes)
    item.drafts.extend(b.drafts)


# ---------------------------------------------------------------- documents


class _Builder:
    """Collects paragraphs of one resolution, numbering nested drafts as met."""

    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.draft_count = 0
        self.annex_count = 0

    def add(
        self,
        label: str,
        kind: Kind,
        text: str,
        notes: list[str],
        verb: str | None,
        section: str | None = None,
    ) -> None:
        if not text and not notes:
            return
        self.paragraphs.append(
            Paragraph(
                label=label, kind=kind, text=text, footnotes=notes, verb=verb, section=section
            )
        )

    def add_preamble(self, preamble: Element | None, prefix: str, start: int = 0) -> int:
        count = start
        if preamble is None:
            return count
        for el in _children(preamble):
            tag = _ln(el)
            if tag == "formula" or (el.get("name") or "") == "formula":
                continue
            if tag in ("meta", "num", "authorialNote"):
                continue
            text, notes, drafts = _extract(el)
            if not text:
                continue
            count += 1
            self.add(f"{prefix}PP{count}", "preambular", text, notes, _verb_for(el, text))
            for d in drafts:
                self.add_draft(d)
        return count

    def add_body(self, body: Element | None, prefix: str, pp_start: int) -> int:
        """Adds a body's paragraphs; returns the preambular count after it."""
        if body is None:
            return pp_start
        return self._add_items(
            _assemble_main(_blocks(body, crossheadings_preambular=True)), prefix, pp_start
        )

    def add_preamble_body(self, body: Element, prefix: str, pp_start: int) -> int:
        """A body between two preambles: the mark-up split the preamble, so all of it is
        preambular (one paragraph per block, lettered sub-paragraphs kept inside)."""
        groups: list[list[_Block]] = []
        for blk in _blocks(body, crossheadings_preambular=True):
            if blk.kind in ("sub", "cont") and groups:
                groups[-1].append(blk)
            else:
                groups.append([blk])
        count = pp_start
        for group in groups:
            count += 1
            text = clean_ws(" ".join(x.text for x in group))
            notes = [n for x in group for n in x.notes]
            self.add(f"{prefix}PP{count}", "preambular", text, notes, group[0].verb)
            for d in (d for x in group for d in x.drafts):
                self.add_draft(d)
        return count

    def _add_items(self, items: list[_Item], prefix: str, pp_start: int) -> int:
        pp_end = pp_start
        for item in items:
            verb = item.verb or opening_verb(item.text)
            if item.kind == "pp":
                # Preambular paragraphs of a numbered part restart at 1 (II-PP1); those of
                # the body itself continue the preamble's count.
                num = (item.num or 0) + (0 if item.scope else pp_start)
                if not item.scope:
                    pp_end = max(pp_end, num)
                label = f"{prefix}{item.scope}PP{num}"
                self.add(label, "preambular", item.full_text(), item.notes, verb, item.section)
                continue
            self.add(
                f"{prefix}{item.scope}OP{item.num}",
                "operative",
                item.full_text(),
                item.notes,
                verb,
                item.section,
            )
            for d in item.drafts:
                self.add_draft(d)
        return pp_end

    def add_draft(self, draft: Element) -> None:
        """A draft recommended to another body: embeddedStructure or a component statement."""
        self.draft_count += 1
        prefix = "DRAFT-" if self.draft_count == 1 else f"DRAFT{self.draft_count}-"
        preamble = _child(draft, "preamble")
        body = _child(draft, "mainBody")
        if preamble is None and body is None:
            # embeddedStructure: containers and paragraphs side by side.
            pp = 0
            rest: list[Element] = []
            for el in _children(draft):
                if _ln(el) == "container" and not _num_text(el):
                    if (el.get("name") or "") == "formula":
                        continue
                    text, notes, drafts = _extract(el)
                    if _is_enacting_formula(text):
                        continue
                    pp += 1
                    self.add(f"{prefix}PP{pp}", "preambular", text, notes, _verb_for(el, text))
                else:
                    rest.append(el)
            blocks: list[_Block] = []
            for el in rest:
                if _ln(el) in _LEAF_TAGS:
                    blk = _leaf_block(el, True)
                    if blk is not None:
                        blocks.append(blk)
                else:
                    _walk(el, blocks, True)
            self._add_items(_assemble_main(blocks), prefix, pp)
        else:
            pp = self.add_preamble(preamble, prefix)
            self.add_body(body, prefix, pp)
        for att in _descendants(_child(draft, "attachments"), "attachment"):
            self.add_annex(att)

    def add_annex(self, attachment: Element) -> None:
        doc = next(iter(_children(attachment)), None)
        if doc is None:
            return
        blocks: list[_Block] = []
        for part in _children(doc):
            if _ln(part) in ("meta", "conclusions"):
                continue
            if _ln(part) in _LEAF_TAGS:
                blk = _leaf_block(part, False)
                if blk is not None:
                    blocks.append(blk)
            else:
                _walk(part, blocks, False)
        for items in _assemble_annex(blocks):
            self.annex_count += 1
            prefix = "ANNEX-" if self.annex_count == 1 else f"ANNEX{self.annex_count}-"
            for item in items:
                label = f"{prefix}{'OP' if item.kind == 'op' else 'PP'}{item.num}"
                self.add(
                    label,
                    "annex",
                    item.full_text(),
                    item.notes,
                    item.verb or opening_verb(item.text),
                    item.section,
                )


def _is_enacting_formula(text: str) -> bool:
    return bool(
        re.match(
            r"^The (?:General Assembly|Economic and Social Council|Security Council"
            r"|Human Rights Council|Commission\b[^,]*|Conference\b[^,]*)\s*,?$",
            text,
        )
    )


def _add_statement_body(b: _Builder, doc: Element) -> None:
    """Preambles and bodies in document order: a statement may hold several pairs."""
    parts = [c for c in _children(doc) if _ln(c) in ("preamble", "mainBody")]
    pp = 0
    for i, part in enumerate(parts):
        if _ln(part) == "preamble":
            pp = b.add_preamble(part, "", pp)
        elif i + 1 < len(parts) and _ln(parts[i + 1]) == "preamble":
            pp = b.add_preamble_body(part, "", pp)
        else:
            pp = b.add_body(part, "", pp)


def _parse_statement(
    doc: Element, source: str, cover_doc: Element, component_of: str | None = None
) -> Resolution:
    meta = _child(doc, "meta")
    cover = _child(cover_doc, "coverPage")
    preface = _child(doc, "preface")
    symbol = _symbol(cover, meta, source, component_of, preface)
    title = _title(preface) or (
        _title(_child(cover_doc, "preface")) if cover_doc is not doc else None
    )
    body = _issuing_body(cover, meta, symbol)
    date = _adoption_date(cover, meta, doc)
    sponsors, sponsor_lines = _sponsors(meta if meta is not None else _child(cover_doc, "meta"))
    res = Resolution(
        symbol=symbol,
        title=title,
        body=body,
        source=source,
        format="akn",
        date=date,
        session=_session(cover),
        agenda_item=_agenda_item(cover),
        recommended_by=_recommended_by(cover),
        sponsors=sponsors,
    )
    b = _Builder()
    header, header_notes = _header_text(cover, symbol, cover_doc, doc, sponsor_lines)
    b.add("HEADER", "header", header, header_notes, None)
    _add_statement_body(b, doc)
    for comp in _descendants(_child(doc, "components"), "component"):
        for inner in _children(comp):
            if _ln(inner) in ("statement", "doc", "resolution", "act", "bill"):
                b.add_draft(inner)
    for att in _descendants(_child(doc, "attachments"), "attachment"):
        b.add_annex(att)
    res.paragraphs = _dedupe_labels(b.paragraphs, source)
    res.completeness = completeness.check(_text_blocks(doc), res.paragraphs)
    return res


_BODY_PARTS = frozenset({"preamble", "mainBody", "attachments", "components"})
_BLOCK_LEAVES = frozenset({"p", "heading", "subheading", "crossHeading"})
# Footnotes are checked with their paragraphs; the closing "13th plenary meeting"
# line of a statement is not part of its text.
_NOT_BODY = frozenset({"authorialNote", "note", "meta", "formula", "conclusions", "coverPage"})


def _text_blocks(doc: Element) -> Iterator[str]:
    """The statement's body text as the XML cuts it into blocks, enacting formulas left out."""
    for part in _children(doc):
        if _ln(part) in _BODY_PARTS:
            yield from _blocks_under(part)


def _blocks_under(el: Element) -> Iterator[str]:
    for child in _children(el):
        tag = _ln(child)
        if tag in _NOT_BODY or child.get("name") == "formula":
            continue
        if tag in _BLOCK_LEAVES:
            text = _plain(child)
            if text and not _is_enacting_formula(text):
                yield text
        # Drafts nested in a block are walked for their own blocks.
        yield from _blocks_under(child) if tag not in _BLOCK_LEAVES else _drafts_in(child)


def _drafts_in(el: Element) -> Iterator[str]:
    for d in el.iter():
        if _ln(d) == "embeddedStructure":
            yield from _blocks_under(d)


def _parse_collection(root: Element, coll: Element, source: str) -> list[Resolution]:
    """A/RES/79/93 A-B: one cover page, several resolutions as components."""
    out: list[Resolution] = []
    base = _symbol(_child(coll, "coverPage"), _child(coll, "meta"), source, None, None)
    for comps in (c for c in _children(root) if _ln(c) == "components"):
        for comp in _children(comps):
            for inner in _children(comp):
                if _ln(inner) in ("statement", "doc"):
                    out.append(_parse_statement(inner, source, cover_doc=coll, component_of=base))
    if not out:
        raise ParseError("document collection without resolutions")
    return out


def _dedupe_labels(paragraphs: list[Paragraph], source: str) -> list[Paragraph]:
    """Labels must be unique: a repeated printed number is merged into the first (logged).

    Texts are gathered per label and joined once, so thousands of repeats stay linear.
    """
    seen: dict[str, list[str]] = {}
    out: list[Paragraph] = []
    first: dict[str, Paragraph] = {}
    for p in paragraphs:
        if p.label in seen:
            seen[p.label].append(p.text)
            first[p.label].footnotes.extend(p.footnotes)
            continue
        seen[p.label] = [p.text]
        first[p.label] = p
        out.append(p)
    for label, texts in seen.items():
        if len(texts) > 1:
            logger.warning(
                "%s: repeated label %s merged into the first (%d times)",
                source,
                label,
                len(texts) - 1,
            )
            first[label].text = clean_ws(" ".join(texts))
    return out


# ---------------------------------------------------------------- metadata


def _cover_lines(cover: Element | None) -> list[Element]:
    """The cover page's printed lines, minus publisher, symbol, distribution and issue date."""
    lines: list[Element] = []
    if cover is None:
        return lines
    for p in _children(cover):
        inner = {_ln(d): d for d in p.iter() if isinstance(d.tag, str)}
        auth = inner.get("docAuthority")
        if auth is not None and (auth.get("refersTo") or "") == "#publisher":
            continue
        if "docNumber" in inner or "docStatus" in inner:
            continue
        date = inner.get("docDate")
        if date is not None and "Issuance" in (date.get("refersTo") or "dateOfIssuance"):
            continue
        lines.append(p)
    return lines


def _header_text(
    cover: Element | None,
    symbol: str | None,
    cover_doc: Element,
    doc: Element,
    sponsor_lines: tuple[str | None, str | None],
) -> tuple[str, list[str]]:
    parts: list[str] = []
    notes: list[str] = []
    for p in _cover_lines(cover):
        text, n, _d = _extract(p)
        if text:
            parts.append(text)
        notes.extend(n)
    main_sponsors, more_sponsors = sponsor_lines
    if main_sponsors:
        parts.append(main_sponsors)
    if symbol:
        parts.append(symbol)
    prefaces = [_child(cover_doc, "preface")]
    if doc is not cover_doc:
        prefaces.append(_child(doc, "preface"))
    for preface in prefaces:
        if preface is None:
            continue
        text, n, _d = _extract(preface)
        if text:
            parts.append(text)
        notes.extend(n)
    if more_sponsors:
        parts.append(more_sponsors)
    return clean_ws(" ".join(parts)), notes


def _symbol(
    cover: Element | None,
    meta: Element | None,
    source: str,
    component_of: str | None,
    preface: Element | None,
) -> str | None:
    if component_of is not None:
        number = next(_descendants(preface, "docNumber"), None)
        letter = clean_ws("".join(number.itertext())).rstrip(".") if number is not None else ""
        base = re.sub(r"\s+[A-Z](?:\s*[-\u2013]\s*[A-Z])+$", "", component_of)
        if re.fullmatch(r"[A-Z]", letter):
            return f"{base} {letter}"
        uri = _frbr_value(meta, "FRBRuri")
        m = re.search(r"/(\d+)-(\d+)([A-Z])/", uri or "")
        if m:
            return f"{base} {m.group(3)}"
        return base
    for num in _descendants(cover, "docNumber"):
        text = clean_ws("".join(num.itertext()))
        if re.match(r"^[A-Z]+/", text):
            return normalise_symbol(text)
    uri = _frbr_value(meta, "FRBRuri") or ""
    m = re.search(r"/unga/[^/]+/((?:S-|ES-)?\d+)-(\d+)([A-Z]?)/", uri)
    if m:
        return f"A/RES/{m.group(1)}/{m.group(2)}" + (f" {m.group(3)}" if m.group(3) else "")
    m = re.search(r"/unecosoc/[^/]+/(\d{4})-(\d+)([A-Z]?)/", uri)
    if m:
        return f"E/RES/{m.group(1)}/{m.group(2)}" + (f" {m.group(3)}" if m.group(3) else "")
    return symbol_from_filename(source)


def _frbr_value(meta: Element | None, name: str) -> str | None:
    work = next(_descendants(meta, "FRBRWork"), None)
    el = _child(work, name)
    return el.get("value") if el is not None else None


def _title(preface: Element | None) -> str | None:
    for t in _descendants(preface, "docTitle"):
        text = _plain(t)
        if text:
            return text
    return None


def _issuing_body(cover: Element | None, meta: Element | None, symbol: str | None) -> str | None:
    for auth in _descendants(cover, "docAuthority"):
        if (auth.get("refersTo") or "") != "#publisher":
            text = _plain(auth)
            if text and text != "United Nations":
                return text
    if symbol and symbol.startswith("A/"):
        return "General Assembly"
    if symbol and symbol.startswith("E/RES"):
        return "Economic and Social Council"
    if symbol and symbol.startswith("S/"):
        return "Security Council"
    return None


def _adoption_date(cover: Element | None, meta: Element | None, doc: Element) -> str | None:
    # The printed "Resolution adopted by ... on 2 June 2021" first: the workflow
    # metadata of some files carries placeholder or stale dates.
    for t in _descendants(cover, "docTitle"):
        iso = parse_date(_plain(t))
        if iso:
            return iso
    for d in _descendants(_child(doc, "conclusions"), "docDate"):
        if re.match(r"^\d{4}-\d{2}-\d{2}$", d.get("date") or ""):
            return d.get("date")
    work = next(_descendants(meta, "FRBRWork"), None)
    for d in _descendants(work, "FRBRdate"):
        if d.get("name") == "adoption" and re.match(r"^\d{4}-\d{2}-\d{2}$", d.get("date") or ""):
            return d.get("date")
    return None


def _session(cover: Element | None) -> str | None:
    el = next(_descendants(cover, "session"), None)
    text = _plain(el) if el is not None else ""
    return text or None


def _inline_named(cover: Element | None, name: str) -> str | None:
    for el in _descendants(cover, "inline"):
        if (el.get("name") or "").lower() == name:
            text = _plain(el)
            if text:
                return text
    return None


def _agenda_item(cover: Element | None) -> str | None:
    number = _inline_named(cover, "agenda item")
    name = _inline_named(cover, "agenda item name")
    if number:
        number = re.sub(r"^Agenda items?\s*", "", number)
    if number and name:
        return f"{number}: {name}"
    return number or name


def _recommended_by(cover: Element | None) -> str | None:
    el = next(_descendants(cover, "docProponent"), None)
    if el is None:
        return None
    text = _plain(el).strip("[] ")
    return text or None


def _sponsors(meta: Element | None) -> tuple[list[str], tuple[str | None, str | None]]:
    """Sponsors from the workflow: (names, (main sponsors line, additional sponsors line))."""
    main: str | None = None
    draft_symbol = ""
    more: str | None = None
    for step in _descendants(meta, "step"):
        outcome = step.get("outcome") or ""
        by = clean_ws(step.get("by") or "")
        if outcome == "draftResolution" and by and main is None:
            main = re.sub(r"^submitted by\s+", "", by, flags=re.I)
            draft_symbol = clean_ws(step.get("as") or "")
        elif outcome == "draftResolutionAdditionalSponsors" and by:
            more = by
    if not main:
        return [], (None, None)
    names = split_names(main)
    lead = (
        f"Draft resolution {draft_symbol} submitted by"
        if draft_symbol
        else "Draft resolution submitted by"
    )
    line_main = f"{lead} {main}."
    line_more = f"Additional sponsors: {more}." if more else None
    return names, (line_main, line_more)
