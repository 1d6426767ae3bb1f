"""From text blocks in reading order to a labelled :class:`Resolution`.

Shared by the PDF and Word parsers so that both formats of one resolution get
the same metadata, the same labels and the same paragraph boundaries: each
parser only has to turn its layout into :class:`Block` objects (one per printed
paragraph, heading or front-matter line, footnote markers already resolved),
and this module applies the drafting conventions of UN resolutions:

* front matter (masthead, session, agenda item, "Resolution adopted by ...",
  "[on the recommendation of ...]", title) up to the formula
  "The Economic and Social Council," becomes ``HEADER`` and the metadata;
* unnumbered paragraphs before the first operative one are ``PPn``;
  numbered paragraphs are ``OPn`` as printed; unnumbered operative paragraphs
  ("Endorses ...") are counted; "(a)", "(i)" and bullet items stay inside the
  paragraph they belong to;
* the "Nth plenary meeting / date" signature closes the resolution; an
  "Annex" heading opens ``ANNEX-``, ``ANNEX2-`` ...;
* an operative paragraph recommending "the following draft resolution"
  followed by the formula "The General Assembly," opens ``DRAFT-`` (then
  ``DRAFT2-`` ...) for the nested draft's own preambular and numbered
  paragraphs; the recommending paragraph keeps its own ``OPn``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ingest import completeness
from ingest.model import Format, Kind, Paragraph, Resolution
from ingest.parsers.common import (
    FrontMatter,
    clean_ws,
    normalise_symbol,
    opening_verb,
    parse_date,
)

log = logging.getLogger(__name__)


@dataclass
class Block:
    """One printed paragraph, heading or front-matter line, as a parser found it."""

    text: str
    footnotes: list[str] = field(default_factory=list)
    # The italic words the block opens with (after any paragraph number): UN
    # resolutions set the opening verb of each paragraph in italics.
    italic_lead: str | None = None
    # Set in bold or display size: a title, an "Annex" line, a section heading.
    heading: bool = False


_SYMBOL_RE = re.compile(
    r"\b((?:[AES]|UNEP|TD|DP|ICCD)/(?:[A-Z0-9.\-]+/)*[A-Z0-9.\-]*\d[A-Z0-9.\-]*(?:\s*\(\d{4}\))?)"
)
_DATE_RE = re.compile(r"\b(\d{1,2})\s+([A-Z][a-z]+)\s+(\d{4})\b")
_DATE_ONLY_RE = re.compile(r"^\d{1,2}\s+[A-Z][a-z]+\s+\d{4}$")
# "Resolution adopted by the General Assembly on 17 December 2024";
# "Adopted by the Security Council at its 9512th meeting, on 21 December 2023".
_ADOPTED_RE = re.compile(
    r"^(?:(?:Resolution|Decision)s?\s+)?[Aa]dopted\s+by\s+the\s+(.+?)"
    r"(?:\s+at\s+its\s+[\w\s-]*?meeting)?(?:,?\s+on\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4}))?\s*$"
)
_SESSION_RE = re.compile(
    r"^(?:[A-Z0-9][\w\-]*\s+)*(?:special\s+|resumed\s+|emergency\s+)*session\b.*$", re.I
)
_AGENDA_RE = re.compile(r"^Agenda\s+items?\s+(.+)$", re.I)
_BRACKET_RE = re.compile(r"^\[(.+)\]$")
_TITLE_NUM_RE = re.compile(r"^(\d{2,4}/\d+|\d+\s+\([A-Z]+\))\.?\s+(.+)$")
_BODIES = ("Economic and Social Council", "General Assembly", "Security Council")
# "The Economic and Social Council," / "The General Assembly," / "The Commission on ...,".
_FORMULA_RE = re.compile(r"^The\s+[A-Z][\w’'\-]*(?:\s+[\w’'\-]+){0,14}\s*,$")
_SIGNATURE_RE = re.compile(r"^\d+(?:st|nd|rd|th)\s+(?:plenary\s+)?meeting\b", re.I)
_ANNEX_RE = re.compile(r"^(?:Annex|ANNEX)(?:\s+([IVXLC]+|\d+))?\b(?!\s+(?:to|of)\b)")
# Paragraph numbers past 999 exist (long annexes); four and five digits count only when they
# continue the sequence (see `_number`), so a year opening a line is not taken for one.
_NUMBER_RE = re.compile(r"^(\d{1,3}|[1-9]\d{3,4})\.\s+(?=\S)")
_SUBPARA_RE = re.compile(r"^(?:\((?:[a-z]{1,2}|[ivxl]{1,5}|\d{1,2})\)|[•·▪◦‒–—\-]|[a-z]\))\s")
_DRAFT_FOLLOWING_RE = re.compile(r"\bfollowing\s+draft\s+(?:resolution|decision)", re.I)
_DRAFT_END_RE = re.compile(r"draft\s+(?:resolution|decision)\s*:?\s*$", re.I)
_LEAD_ADVERBS = {
    "also",
    "further",
    "again",
    "once",
    "strongly",
    "urgently",
    "firmly",
    "deeply",
    "greatly",
    "fully",
    "most",
    "still",
    "equally",
}
_MAX_VERB_WORDS = 6


def find_symbol(text: str) -> str | None:
    m = _SYMBOL_RE.search(text)
    return normalise_symbol(m.group(1)) if m else None


def is_formula(text: str) -> bool:
    if not _FORMULA_RE.match(text):
        return False
    words = text.rstrip(",").split()
    # "The Commission on the Status of Women," yes; "The human, socioeconomic ...," no:
    # the formula names a body, so every word after "The" but small ones is capitalised.
    small = {"and", "of", "the", "on", "for", "in", "to", "de"}
    return all(w[:1].isupper() or w in small for w in words[1:])


def _verb(block: Block) -> str | None:
    lead = block.italic_lead
    if lead:
        lead = clean_ws(lead).strip(" ,;:")
        words = lead.split()
        single = len(words) == 1 and lead.isalpha() and lead[:1].isupper()
        if 0 < len(words) <= _MAX_VERB_WORDS and (single or opening_verb(lead)):
            return lead
    return opening_verb(block.text)


def _looks_operative(text: str, verb: str | None) -> bool:
    """An operative paragraph opens with a third-person verb ("Decides", "Also requests")
    and does not end with the comma that closes preambular paragraphs."""
    if text.rstrip().endswith(","):
        return False
    words = (verb or text).split()
    for w in words:
        if w.lower() in _LEAD_ADVERBS or w.lower().endswith("ly"):
            continue
        return w[:1].isupper() and w.endswith("s") and not w.endswith(("ss", "ous")) and len(w) > 3
    return False


class _Scope:
    """Counters for one labelled part: the resolution, an annex or a nested draft."""

    def __init__(self, prefix: str, kind_pp: Kind, kind_op: Kind) -> None:
        self.prefix = prefix
        self.kind_pp = kind_pp
        self.kind_op = kind_op
        self.pp = 0
        self.op_count = 0
        self.last_num = 0
        self.numbered = False
        self.sequential = False  # set when printed numbers repeat (per-article numbering)
        self.in_operative = False

    def pp_label(self) -> str:
        self.pp += 1
        return f"{self.prefix}PP{self.pp}"

    def op_label(self, num: int | None) -> str:
        self.op_count += 1
        if num is not None:
            self.numbered = True
            if num <= self.last_num:
                # Numbering restarts (article by article in a statute): a printed
                # number would repeat a label, so count instead.
                self.sequential = True
            self.last_num = max(self.last_num, num)
        value = self.op_count if (num is None or self.sequential) else num
        return f"{self.prefix}OP{value}"


def _masthead_rest(text: str) -> str:
    """What is left of a line once the masthead items (organ, symbol, distribution,
    dates, "United Nations") are taken out: empty for a pure masthead line."""
    rest = _SYMBOL_RE.sub(" ", text)
    rest = re.sub(r"\bDistr\.?:\s*\w+|\bOriginal:\s*\w+|\bUnited Nations\b", " ", rest)
    for body in _BODIES:
        rest = rest.replace(body, " ")
    rest = _DATE_RE.sub(" ", rest)
    rest = re.sub(r"[*]+", " ", rest)
    rest = clean_ws(rest)
    return "" if re.fullmatch(r"[A-Z]{0,3}", rest) else rest


def _read_front(blocks: list[Block], masthead: list[str]) -> FrontMatter:
    front = FrontMatter()
    for line in masthead:
        line = clean_ws(line)
        if front.symbol is None:
            front.symbol = find_symbol(line)
        if front.body is None:
            front.body = next((b for b in _BODIES if b in line), None)
    adopted_seen = False
    candidates: list[str] = []  # symbols seen in masthead-like lines of the body
    seen_notes = set(front.footnotes)
    for b in blocks:
        text = clean_ws(b.text)
        for note in b.footnotes:
            if note not in seen_notes:
                seen_notes.add(note)
                front.footnotes.append(note)
        if not text:
            continue
        m = _ADOPTED_RE.match(text)
        if m:
            adopted_seen = True
            front.body = m.group(1)
            if m.group(2):
                front.date = parse_date(m.group(2))
            front.lines.append(text)
            continue
        m = _BRACKET_RE.match(text)
        if m:
            # As the AKN parser does: the bracketed line without its brackets,
            # "on the recommendation of the Commission ... (E/2018/26)".
            if front.recommended_by is None:
                front.recommended_by = clean_ws(m.group(1))
            front.lines.append(text)
            continue
        m = _AGENDA_RE.match(text)
        if m and front.agenda_item is None and not adopted_seen:
            front.agenda_item = m.group(1)
            front.lines.append(text)
            continue
        if (
            _SESSION_RE.match(text)
            and front.session is None
            and len(text) < 60
            and not adopted_seen
        ):
            front.session = text
            front.lines.append(text)
            continue
        m = _TITLE_NUM_RE.match(text)
        if m and adopted_seen and front.title is None:
            front.title = m.group(2)
            front.title_line = text
            continue
        if b.heading and adopted_seen and front.title is None:
            front.title = text
            front.title_line = text
            continue
        if not adopted_seen and not _masthead_rest(text):
            # Masthead: "United Nations", the symbol, the organ, "Distr.: General", a date.
            symbol = find_symbol(text)
            if symbol:
                candidates.append(symbol)
            if front.body is None:
                front.body = next((body for body in _BODIES if body in text), None)
            continue
        front.lines.append(text)
    if front.symbol is None and candidates:
        front.symbol = candidates[0]
    if front.symbol is None and front.title_line:
        m = re.match(r"^(\d{4})/(\d+)\.", front.title_line)
        if m and (front.body or "").startswith("Economic and Social"):
            front.symbol = f"E/RES/{m.group(1)}/{m.group(2)}"
    return front


def _header_text(front: FrontMatter) -> str:
    parts: list[str] = []
    if front.body:
        parts.append(front.body)
    parts.extend(front.lines)
    if front.symbol:
        parts.append(front.symbol)
    if front.title_line:
        parts.append(front.title_line)
    return clean_ws(" ".join(parts))


def _split_front(blocks: list[Block]) -> tuple[int, int]:
    """(end of the front matter, start of the body): the formula between them is dropped."""
    for i, b in enumerate(blocks[:80]):
        if is_formula(clean_ws(b.text)):
            return i, i + 1
    # No formula (a fragment, a draft without one): the front matter ends at the
    # first block that reads like a paragraph.
    for i, b in enumerate(blocks):
        text = clean_ws(b.text)
        if b.heading:
            continue
        if _NUMBER_RE.match(text) or b.italic_lead or (opening_verb(text) and len(text) > 60):
            return i, i
    return 0, 0


_PART_RE = re.compile(r"^([A-H])(?:\.|\s|$)")


def assemble(
    blocks: list[Block],
    *,
    source: str,
    fmt: Format,
    masthead: list[str] | None = None,
) -> list[Resolution]:
    """Label the blocks of a resolution and read its metadata.

    Usually one resolution; a document printing lettered parts ("A", "B", each
    with its own formula and signature) gives one per part, with the part letter
    added to the symbol, so that their paragraph labels never collide.
    """
    end, start = _split_front(blocks)
    front = _read_front(blocks[:end], masthead or [])
    front.header = _header_text(front)
    res = front.resolution(source, fmt)
    parts = [res]
    before = clean_ws(blocks[end - 1].text) if 0 < end <= len(blocks) else ""
    first = _PART_RE.match(before) if end and blocks[end - 1].heading else None
    letters: list[str | None] = [first.group(1) if first else None]

    joiner = _Joiner()
    main = _Scope("", "preambular", "operative")
    scope = main
    annexes = 0
    drafts = 0
    heading_since_last = False
    last_heading = ""
    closed = False  # the signature closes the resolution's own text
    for b in blocks[start:]:
        text = clean_ws(b.text)
        if not text:
            continue
        if _SIGNATURE_RE.match(text):
            closed = True
            continue
        if b.heading:
            if _ANNEX_RE.match(text) and (closed or scope is not main or len(text) < 40):
                annexes += 1
                prefix = "ANNEX-" if annexes == 1 else f"ANNEX{annexes}-"
                scope = _Scope(prefix, "annex", "annex")
            heading_since_last = True
            last_heading = text
            continue
        if is_formula(text):
            last = res.paragraphs[-1] if res.paragraphs else None
            if closed and scope is main:
                # The next lettered part of the resolution: its own labels.
                res = front.resolution(source, fmt)
                parts.append(res)
                m = _PART_RE.match(last_heading)
                letters.append(m.group(1) if m else None)
                main = scope = _Scope("", "preambular", "operative")
                annexes = drafts = 0
                closed = heading_since_last = False
            elif (
                last is not None
                and last.kind == "operative"
                and not last.label.startswith("DRAFT")
                and joiner.introduces_draft(last)
            ):
                drafts += 1
                prefix = "DRAFT-" if drafts == 1 else f"DRAFT{drafts}-"
                scope = _Scope(prefix, "preambular", "operative")
            continue
        if closed and scope is main:
            # Text after the signature without an "Annex" heading is still
            # annexed material, never part of the last operative paragraph.
            annexes += 1
            scope = _Scope("ANNEX-" if annexes == 1 else f"ANNEX{annexes}-", "annex", "annex")
            heading_since_last = True
        prev = (
            res.paragraphs[-1] if res.paragraphs and res.paragraphs[-1].kind != "header" else None
        )
        if prev is not None and _SUBPARA_RE.match(text) and not heading_since_last:
            joiner.add(prev, text, b.footnotes)
            continue
        verb = _verb(b)
        num_m = _NUMBER_RE.match(text)
        if num_m and len(num_m.group(1)) > 3 and int(num_m.group(1)) != scope.last_num + 1:
            num_m = None
        if num_m:
            body_text = text[num_m.end() :]
            label = scope.op_label(int(num_m.group(1)))
            scope.in_operative = True
            res.paragraphs.append(
                Paragraph(
                    label, scope.kind_op, body_text, list(b.footnotes), _verb_of(b, body_text)
                )
            )
            heading_since_last = False
            continue
        is_annex = scope.kind_pp == "annex"
        owned = prev is not None and prev.label.startswith(scope.prefix)
        if scope.in_operative and owned and prev is not None:
            if scope.numbered:
                # Text between numbered paragraphs (a quotation, a closing line)
                # belongs to the paragraph above; in an annex a heading starts
                # unnumbered text of its own (a glossary, a list) and each of its
                # paragraphs stands alone.
                follows_op = prev.label.startswith(scope.prefix + "OP")
                if not is_annex or (follows_op and not heading_since_last):
                    joiner.add(prev, text, b.footnotes)
                    continue
            elif not _looks_operative(text, verb):
                joiner.add(prev, text, b.footnotes)
                continue
        if not is_annex and (scope.in_operative or _looks_operative(text, verb)):
            scope.in_operative = True
            res.paragraphs.append(
                Paragraph(scope.op_label(None), scope.kind_op, text, list(b.footnotes), verb)
            )
        else:
            res.paragraphs.append(
                Paragraph(scope.pp_label(), scope.kind_pp, text, list(b.footnotes), verb)
            )
        heading_since_last = False
    joiner.finish()
    if len(parts) > 1 and front.symbol:
        for i, part in enumerate(parts):
            part.symbol = f"{front.symbol} {letters[i] or chr(ord('A') + i)}"
    # Headings, formulas and the signature line are read as structure, not text.
    body = (
        b.text
        for b in blocks[start:]
        if not b.heading and not is_formula(b.text) and not _SIGNATURE_RE.match(clean_ws(b.text))
    )
    parts[0].completeness = completeness.check(body, [p for r in parts for p in r.paragraphs])
    return parts


def _verb_of(block: Block, body_text: str) -> str | None:
    return _verb(Block(body_text, italic_lead=block.italic_lead))


# Longest text the draft-intro patterns can match across the joint of two appended pieces.
_JOINT = 64


@dataclass
class _Joined:
    parts: list[str]
    notes: set[str]
    following: bool  # "following draft resolution" somewhere in the text so far
    tail: str  # the last characters of the text so far


class _Joiner:
    """Unnumbered blocks appended to the paragraph above, joined once at the end.

    Appending to the paragraph's string each time would copy it each time: quadratic in a
    paragraph continued over thousands of blocks (or a footnote list over thousands of notes).
    What the labelling asks of a growing paragraph (does it introduce a draft?) is kept up to
    date from its tail.
    """

    def __init__(self) -> None:
        self._open: dict[int, tuple[Paragraph, _Joined]] = {}

    def _entry(self, para: Paragraph) -> _Joined | None:
        found = self._open.get(id(para))
        return found[1] if found is not None and found[0] is para else None

    def add(self, prev: Paragraph, text: str, footnotes: list[str]) -> None:
        entry = self._entry(prev)
        if entry is None:
            entry = _Joined(
                [prev.text],
                set(prev.footnotes),
                bool(_DRAFT_FOLLOWING_RE.search(prev.text)),
                prev.text[-_JOINT:],
            )
            self._open[id(prev)] = (prev, entry)
        text = clean_ws(text)
        if text:
            entry.parts.append(text)
            window = f"{entry.tail} {text}" if entry.tail else text
            if not entry.following:
                m = _DRAFT_FOLLOWING_RE.search(window)
                # A match at the window's first character may be a word cut in two.
                entry.following = m is not None and (m.start() > 0 or len(entry.tail) < _JOINT)
            entry.tail = window[-_JOINT:]
        for note in footnotes:
            if note not in entry.notes:
                entry.notes.add(note)
                prev.footnotes.append(note)

    def introduces_draft(self, para: Paragraph) -> bool:
        entry = self._entry(para)
        if entry is None:
            following, tail = bool(_DRAFT_FOLLOWING_RE.search(para.text)), para.text
        else:
            following, tail = entry.following, entry.tail
        return following or bool(_DRAFT_END_RE.search(tail)) or tail.endswith(":")

    def finish(self) -> None:
        for para, entry in self._open.values():
            para.text = clean_ws(" ".join(entry.parts))
        self._open.clear()
