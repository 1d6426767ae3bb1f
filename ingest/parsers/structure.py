"""From logical paragraphs of plain text to a labelled :class:`Resolution`.

Input: the blocks ``layout.blocks_from_lines`` makes (one per printed
paragraph, furniture and footnotes already handled). Output: the labels of the
data model (``HEADER``, ``PPn``, ``OPn``, ``ANNEX-``, ``DRAFT-``) and the
metadata read from the front matter, in the conventions of the AKN parser
(agenda item "27: Advancement of women", recommended_by "on the report of the
Third Committee (A/79/451, para. 65)").

Plain text carries no styles, so structure is read from the drafting
conventions of UN resolutions alone:

* the front matter ends at the enacting formula ("The General Assembly,");
  without one (old Security Council texts) at the first block that reads as a
  paragraph;
* numbered paragraphs are operative and keep their printed number; a
  numbered list inside a paragraph (after "the following provisional agenda:")
  stays in that paragraph, and an unnumbered lead-in ("Resolves that:") opens
  paragraph 1;
* unnumbered paragraphs are preambular until the first one that opens with an
  operative verb ("Decides", "Also requests"); after that each
  verb-opened paragraph is a new operative paragraph and anything else
  continues the one above (the old Security Council style);
* "(a)", "(i)" items stay inside their paragraph; headings ("I", "Annex",
  section titles) are not paragraphs; a heading followed by preambular
  paragraphs inside the operative part starts a section with its own preamble;
* the signature ("53rd plenary meeting", "Adopted unanimously at the 1382nd
  meeting.") closes the resolution; "Annex" opens ``ANNEX-`` / ``ANNEX2-``;
  a second formula after a paragraph recommending "the following draft
  resolution" opens ``DRAFT-``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ingest import completeness
from ingest.model import Format, Kind, Paragraph, Resolution
from ingest.parsers import layout
from ingest.parsers.common import (
    FrontMatter,
    clean_ws,
    normalise_symbol,
    opening_verb,
    parse_date,
    split_names,
    symbol_from_filename,
)

log = logging.getLogger(__name__)

# --- front matter -------------------------------------------------------------------

_DATE_LINE = re.compile(r"^\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\.?$")
_SYMBOL = re.compile(
    r"\b((?:[AES]|UNEP|TD|DP|ICCD|CTOC|UNODC)/(?:[A-Z0-9.\-]+/)*[A-Z0-9.\-]*\d[A-Z0-9.\-]*(?:\s*\(\d{4}\))?)"
)
_ADOPTED = re.compile(
    r"^(?:Resolution|Decision)s?\s+adopted\s+by\s+the\s+(.+?)(?:\s+on\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4}))?\.?$"
)
_SESSION = re.compile(
    r"^(?:[A-Z][\w\-]*\s+){1,4}(?:special\s+|emergency\s+special\s+|resumed\s+)?session\b", re.I
)
_AGENDA = re.compile(r"^Agenda\s+items?\s+(.+)$", re.I)
_BRACKET = re.compile(r"^\[(.+)\]$")
_TITLE_NUM = re.compile(
    r"^(?:\d{2,4}/\d{1,4}|[A-Z]{1,3}-\d{1,2}/\d{1,4}|\d{1,4}\s*\([A-Z]+\))\.\s+"
)
_SPONSORS = re.compile(
    r"^(.{2,600}?):\s+(?:revised\s+|amended\s+)?draft\s+(?:resolution|decision)\b", re.I
)
_SC_HEAD = re.compile(
    r"^(?:(?:Resolution|RESOLUTION)\s+(\d{1,4})\s*\((\d{4})\)|(\d{1,4})\s*\((\d{4})\)\.?\s*(?:Resolution\b.*)?)"
    r"(?:\s+of\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4})?\.?$"
)
_SC_OF_DATE = re.compile(r"^(?:Resolution\s+)?of\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4})\.?$")
_SKIP_FRONT = re.compile(r"^(?:United Nations|Distr\.?:.*|Original:.*|[AES])$")
_BODIES = (
    "General Assembly",
    "Security Council",
    "Economic and Social Council",
    "Human Rights Council",
    "Trusteeship Council",
)
_JOINERS = (
    " and",
    " of",
    " the",
    " for",
    " on",
    " to",
    " in",
    " by",
    " against",
    " between",
    ",",
    " with",
)

# --- body -----------------------------------------------------------------------------

# Four and five digits only before a full stop, and only continuing the sequence (below).
_NUM = re.compile(r"^(\d{1,3}|[1-9]\d{3,4}(?=\.))\s?[.,]\s*(?=\S)")
_SUB = re.compile(r"^(?:\(\s?(?:[a-z]{1,2}|[ivxl]{1,5}|\d{1,2})\s?\)|[a-z]\)|[•·▪◦‒–—\-])(?:\s|$)")
_ANNEX_LINE = re.compile(
    r"^(?:Annex(?:es)?|ANNEX(?:ES)?|Appendix|APPENDIX)(?:\s+(?:[IVXLC]{1,6}|\d{1,3}|[A-Z]))?\.?$"
)
# "II", "IV. Support account ...", "B." -- not "A State which ...", not "I am"
_ROMAN = re.compile(r"^(?:[IVXL]{1,6}\.?(?=\s+[A-Z]|$)|[A-H]\.(?:\s|$)|[A-H]$)")
_CONNECTOR = re.compile(r"^(?:Therefore|Accordingly|Consequently|Hence|Thus)[,:]?$")
_DRAFT_INTRO = re.compile(
    r"\bfollowing\s+draft\s+(?:resolution|decision)|draft\s+(?:resolution|decision)\s*:?\s*$", re.I
)
_NOTE_LIKE = re.compile(
    r"^(?:\d{1,3}\.?|\*{1,3})\s+(?:Ibid|See|S/|A/|E/|Official Records|Resolution)"
)
_RESOLVED = re.compile(r"^(?:Now,?\s+therefore|It\s+is\s+(?:hereby\s+)?resolved)\b", re.I)
_NOT_VERBS = layout.wordset(
    "whereas this thus its his as has was is us "
    "members states nations parties governments countries persons means bodies"
)
_ADVERBS = layout.ADVERBS


@dataclass
class Item:
    """One body block as the labeller sees it."""

    text: str
    footnotes: list[str] = field(default_factory=list)
    lead: str | None = None  # italic opening words (Markdown)
    heading: bool = False
    # Text folded in from later blocks, joined once at the end: joining as we go
    # would cost quadratic time on a hostile file of a million one-line items.
    tail: list[str] = field(default_factory=list)

    def full_text(self) -> str:
        return clean_ws(" ".join([self.text, *self.tail])) if self.tail else self.text


# --- helpers ------------------------------------------------------------------------


def find_symbol(text: str) -> str | None:
    m = _SYMBOL.search(text)
    return normalise_symbol(m.group(1)) if m else None


def looks_operative(text: str) -> bool:
    """Opens with a third-person verb: "Decides", "Also requests", "Strongly condemns"."""
    text = _SUB.sub("", text, count=1).lstrip() if _SUB.match(text) else text
    if _RESOLVED.match(text):
        return True
    words = text.lstrip(" \"“‘'(*_").split(None, 5)
    i = 0
    while i < len(words) - 1 and words[i].lower().strip(",") in _ADVERBS:
        i += 1
    if not words or not words[0][:1].isupper():
        return False
    word = words[i].rstrip(",;:")
    low = word.lower()
    if not word.isalpha() or low in _NOT_VERBS:
        return False
    if words[i].endswith(":") and low not in layout.OP_VERBS:
        return False  # "Abbreviations:", "Source:" label a table, they do not decide
    if low in layout.OP_VERBS and not low.endswith(("ing", "ed")) and low not in ("will",):
        return low.endswith("s") or low in ("has",)
    return len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "ous", "is"))


def _verb(text: str, lead: str | None) -> str | None:
    if lead:
        lead = clean_ws(lead).strip(" ,;:")
        if 0 < len(lead.split()) <= 6:
            return lead
    return opening_verb(text)


def _is_heading(text: str, n_lines: int) -> bool:
    """Short, unpunctuated, not opening like a paragraph: "Annex", "II", a section title."""
    if len(text) > 160 or n_lines > 3:
        return False
    if _ROMAN.match(text) and (len(text) < 4 or not text.endswith((",", ";", "."))):
        return True
    if re.match(r"^(?:Annex|ANNEX|Appendix|APPENDIX)\b", text) and not text.endswith((",", ";")):
        return True
    if text.endswith((",", ";", ":", ".")):
        return False
    if layout.looks_like_para_start(text) or text[:1].islower() or not text[:1].isalnum():
        return False
    return not looks_operative(text)


def _is_title_after_heading(text: str, n_lines: int) -> bool:
    """A section number's title, even when it opens like a paragraph ("Peacekeeping operations")."""
    return (
        len(text) <= 160
        and n_lines <= 3
        and not text.endswith((",", ";", ":", "."))
        and not _NUM.match(text)
        and not _SUB.match(text)
        and text[:1].isupper()
    )


# --- front matter -------------------------------------------------------------------


def front_lines(block: layout.Block) -> list[str]:
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
        glue = (
            bool(_TITLE_NUM.match(cur))
            or cur.endswith(_JOINERS)
            or (cur.startswith("[") and "]" not in cur)  # "[on the report of the ... / (A/79/431)]"
        )
    return merged


def _is_field(line: str) -> bool:
    return bool(
        _DATE_LINE.match(line)
        or _BRACKET.match(line)
        or _ADOPTED.match(line)
        or _SKIP_FRONT.match(line)
        or _SESSION.match(line)
        or _AGENDA.match(line)
        or _SC_HEAD.match(line)
        or _SC_OF_DATE.match(line)
        or _SPONSORS.match(line)
        or find_symbol(line) == line
        or line in _BODIES
    )


def read_front(
    lines: list[str], footnotes: list[str], formula_body: str | None, source: str
) -> FrontMatter:
    front = FrontMatter(lines=lines, footnotes=footnotes)
    parts: list[str] = []
    adopted_date: str | None = None
    sc_number: tuple[str, str] | None = None
    agenda_at: int | None = None
    agenda_title_at = -1
    title_line: str | None = None
    for i, line in enumerate(lines):
        m = _ADOPTED.match(line)
        if m:
            front.body = front.body or clean_ws(m.group(1))
            adopted_date = adopted_date or (parse_date(m.group(2)) if m.group(2) else None)
            parts.append(line)
            continue
        m = _BRACKET.match(line)
        if m:
            inner = clean_ws(m.group(1))
            if re.match(r"^(?:on|without)\b", inner) and front.recommended_by is None:
                front.recommended_by = inner
            parts.append(line)
            continue
        m = _AGENDA.match(line)
        if m and front.agenda_item is None:
            front.agenda_item = m.group(1)
            agenda_at = i
            agenda_title_at = i + 1
            parts.append(line)
            continue
        if (
            agenda_at is not None
            and i == agenda_at + 1
            and front.agenda_item
            and not _is_field(line)
            and not _TITLE_NUM.match(line)
        ):
            # the agenda item's title, over as many lines as it takes
            sep = ": " if i == agenda_title_at else " "
            front.agenda_item = f"{front.agenda_item}{sep}{line}"
            agenda_at = i
            parts.append(line)
            continue
        if _SESSION.match(line) and front.session is None and len(line) < 80:
            front.session = line
            parts.append(line)
            continue
        m = _SC_HEAD.match(line)
        if m:
            sc_number = sc_number or (m.group(1) or m.group(3), m.group(2) or m.group(4))
            parts.append(line)
            continue
        m = _SPONSORS.match(line)
        if m:
            front.sponsors = front.sponsors or split_names(m.group(1))
            parts.append(line)
            continue
        if _TITLE_NUM.match(line):
            title_line = line
            continue
        sym = find_symbol(line)
        if sym and sym.replace(" ", "") == line.replace(" ", "").rstrip("."):
            if "/RES/" in sym or front.symbol is None:
                front.symbol = sym
            continue
        if line in _BODIES:
            front.body = front.body or line
            parts.append(line)
            continue
        if _SKIP_FRONT.match(line):
            continue
        parts.append(line)
    # the date: adoption ("on 17 December 2024"), "of 22 November 1967", else the first
    dates = [parse_date(line) for line in lines if _SC_OF_DATE.match(line) or _SC_HEAD.match(line)]
    front.date = adopted_date or next((d for d in dates if d), None)
    if front.date is None:
        front.date = next((d for d in (parse_date(line) for line in lines) if d), None)
    if adopted_date:
        # the date under "Distr.: General" is the publication date; keep it out of the header
        parts = [p for p in parts if not _DATE_LINE.match(p)]
    if formula_body:
        front.body = formula_body
    from_name = symbol_from_filename(source)
    if front.body is None and from_name and from_name.startswith("S/RES/"):
        front.body = "Security Council"
    if (
        sc_number
        and (front.body or "").startswith("Security Council")
        and "/RES/" not in (front.symbol or "")
    ):
        front.symbol = f"S/RES/{int(sc_number[0])} ({sc_number[1]})"
    if front.symbol is None:
        front.symbol = from_name
    if title_line:
        front.title = _TITLE_NUM.sub("", title_line).strip()
    else:
        front.title = _free_title(lines)
    # The symbol joins the header text when there is front matter to join: a bare
    # symbol taken from the file name is no paragraph.
    tail = [t for t in (front.symbol if front.symbol not in parts else None, title_line) if t]
    front.header = clean_ws(" ".join(parts + tail)) if parts or title_line else ""
    return front


def _free_title(lines: list[str]) -> str | None:
    """Without a numbered title, the title is the last free line before the formula."""
    for line in reversed(lines):
        if _is_field(line) or line.endswith((",", ";", ".")) or len(line) > 300:
            return None
        if (
            re.match(r"^(?:Resolution|RESOLUTION|Adopted)\b|^\d{1,4}\s*\(\d{4}\)", line)
            or parse_date(line)
            or not line[:1].isupper()
        ):
            return None  # "Resolution 638 (1989) of 3f July 1989", "(S/597]": garbled fields
        return line
    return None


# --- body -----------------------------------------------------------------------------


class _Scope:
    """Counters for one labelled part: the resolution, an annex or a nested draft."""

    def __init__(self, prefix: str, kind_pp: Kind, kind_op: Kind) -> None:
        self.prefix = prefix
        self.kind_pp: Kind = kind_pp
        self.kind_op: Kind = kind_op
        self.pp = 0
        self.ops = 0  # operative paragraphs so far
        self.last_num = 0  # last printed number
        self.numbered = False
        self.operative = False  # the operative part has begun
        self.used: set[str] = set()

    def pp_label(self) -> str:
        self.pp += 1
        return f"{self.prefix}PP{self.pp}"

    def op_label(self, num: int | None) -> str:
        self.ops += 1
        self.operative = True
        if num is not None:
            self.numbered = True
            value = num if num > self.last_num else self.ops
            self.last_num = max(self.last_num, num)
        else:
            value = self.ops
        # Labels stay unique whatever the printed numbering does.
        while f"{self.prefix}OP{value}" in self.used:
            value += 1
        label = f"{self.prefix}OP{value}"
        self.used.add(label)
        return label


def items_from_blocks(
    blocks: list[layout.Block], leads: dict[str, str], md_headings: set[str]
) -> list[Item]:
    """Body blocks as items: headings marked, "Annex" split from its title, connectors folded."""
    out: list[Item] = []
    for b in blocks:
        text = b.text
        first = clean_ws(b.lines[0]) if b.lines else ""
        if _ANNEX_LINE.match(first) and len(b.lines) > 1:
            # "Annex" and the annex title printed as one block
            out.append(Item(first, heading=True))
            rest = clean_ws(layout.join_lines(b.lines[1:]))
            out.append(Item(rest, list(b.footnotes), heading=_is_heading(rest, 3)))
            continue
        if _CONNECTOR.match(text) and out and not out[-1].heading:
            out[-1].tail.append(text)  # "Therefore" between preamble and paragraph 1
            continue
        lead = next((leads[line.strip()] for line in b.lines[:2] if line.strip() in leads), None)
        heading = text in md_headings or _is_heading(text, len(b.lines))
        if not heading and out and out[-1].heading and _is_title_after_heading(text, len(b.lines)):
            heading = True  # "III" / "Enhancing integrated global management ..."
        out.append(Item(text, list(b.footnotes), lead, heading))
    return out


def _nested_lists(items: list[Item]) -> list[Item]:
    """Fold numbered lists that sit inside a paragraph into it.

    "11. Approves the following provisional agenda: 1. Opening ... 7. Adoption
    of the report." -- the inner 1..7 are items of paragraph 11: a run
    restarting at 1 after a paragraph that ends with a colon stays in that
    paragraph until the outer numbering resumes. An unnumbered lead-in
    ("Resolves that:") directly before paragraph 1 opens paragraph 1.
    """
    out: list[Item] = []
    last = 0  # last number of the paragraph numbering
    unnumbered_ops = 0
    inner: int | None = None
    host: Item | None = None
    reset_at = 0
    for it in items:
        if (
            layout.is_formula(it.text)
            or layout.is_closing(it.text)
            or (it.heading and _ANNEX_LINE.match(it.text))
        ):
            last, inner, host, unnumbered_ops = 0, None, None, 0
            out.append(it)
            reset_at = len(out)  # nothing folds across a formula, signature or annex
            continue
        m = _NUM.match(it.text)
        if inner is not None and host is not None:
            if m and int(m.group(1)) == last + 1 and int(m.group(1)) != inner + 1:
                inner, host = None, None  # the outer numbering resumes
            elif m and int(m.group(1)) <= inner and int(m.group(1)) != 1:
                inner, host = None, None
            else:
                if m:
                    inner = int(m.group(1))
                _absorb(host, it)
                continue
        if not m:
            if not it.heading and looks_operative(it.text):
                unnumbered_ops += 1
            out.append(it)
            continue
        n = int(m.group(1))
        prev_para = next((p for p in reversed(out[reset_at:]) if not p.heading), None)
        if (
            n == 1
            and prev_para is not None
            and prev_para.text.endswith(":")
            and (last >= 1 or unnumbered_ops > 1)
        ):
            inner, host = 1, prev_para
            # headings between the host and its list belong to the list
            between: list[Item] = []
            while out and out[-1] is not prev_para and out[-1].heading:
                between.insert(0, out.pop())
            for h in between:
                _absorb(prev_para, h)
            _absorb(prev_para, it)
            continue
        if (
            n == 1
            and last == 0
            and prev_para is not None
            and prev_para.text.endswith(":")
            and not _NUM.match(prev_para.text)
            and looks_operative(prev_para.text)
        ):
            # An unnumbered lead-in ("Resolves that:", "Adopts the following Pact:")
            # opens paragraph 1, with any heading printed in between.
            lead_in: list[Item] = []
            while out and out[-1] is not prev_para:
                lead_in.insert(0, out.pop())
            out.pop()
            parts = [
                prev_para.full_text(),
                *(h.full_text() for h in lead_in),
                it.full_text()[m.end() :],
            ]
            notes = [f for p in (prev_para, *lead_in, it) for f in p.footnotes]
            it = Item(
                clean_ws(f"{m.group(0)}{' '.join(parts)}"),
                list(dict.fromkeys(notes)),
                prev_para.lead or it.lead,
            )
        last = n
        out.append(it)
    return out


def _absorb(host: Item, it: Item) -> None:
    host.tail.append(it.full_text())
    host.footnotes.extend(f for f in it.footnotes if f not in host.footnotes)


def label_items(items: list[Item]) -> list[Paragraph]:
    """Assign PP/OP/ANNEX/DRAFT labels to the body items (the formula already removed)."""
    paras: list[Paragraph] = []
    main = _Scope("", "preambular", "operative")
    scope = main
    annexes = 0
    drafts = 0
    closed = False
    heading_since = False

    # Section headings ("Budget estimates for 2025", "XIX. International Trade Centre")
    # are no paragraphs; like the AKN parser, they open the text of the next one.
    pending: list[str] = []
    annex_title_next = False

    parts: list[list[str]] = []  # the texts of each paragraph, joined at the end

    def add(label: str, kind: Kind, text: str, it: Item) -> None:
        verb = _verb(text, it.lead)
        paras.append(Paragraph(label, kind, text, list(it.footnotes), verb))
        parts.append([*pending, text, *it.tail])
        pending.clear()

    def merge(it: Item) -> None:
        prev = paras[-1]
        parts[-1].extend([*pending, it.text, *it.tail])
        pending.clear()
        seen = set(prev.footnotes)
        for f in it.footnotes:
            if f not in seen:
                prev.footnotes.append(f)
                seen.add(f)

    section_preamble = False
    for it in _nested_lists(items):
        text = it.text
        if not it.heading:
            was_section_preamble, section_preamble = section_preamble, False
        else:
            was_section_preamble = False
        if layout.is_closing(text):
            closed = True
            pending.clear()
            continue
        if closed and _DATE_LINE.match(text):
            continue  # the date under the signature
        if closed and scope is main and _NOTE_LIKE.match(text):
            # "47. S/20758.": a note printed after the signature, its marker lost
            log.debug("dropped a note-like line after the signature: %.60s", text)
            continue
        if it.heading:
            if _ANNEX_LINE.match(text) and (closed or scope is not main or len(text) < 20):
                annexes += 1
                scope = _Scope("ANNEX-" if annexes == 1 else f"ANNEX{annexes}-", "annex", "annex")
                pending.clear()
                annex_title_next = True
            elif annex_title_next:
                annex_title_next = False  # the annex's title
            else:
                pending.append(text)
            heading_since = True
            continue
        annex_title_next = False
        if layout.is_formula(text):
            pending.clear()
            closed = False
            last = paras[-1] if paras else None
            if (
                last is not None
                and last.kind == "operative"
                and (_DRAFT_INTRO.search(parts[-1][-1]) or parts[-1][-1].rstrip().endswith(":"))
            ):
                drafts += 1
                scope = _Scope(
                    "DRAFT-" if drafts == 1 else f"DRAFT{drafts}-", "preambular", "operative"
                )
            else:
                scope.operative = False  # a further part with a preamble of its own
            heading_since = False
            continue
        owned = bool(paras) and paras[-1].label.startswith(scope.prefix or ("PP", "OP"))
        # "(b) Requests ..." after "(a) Resolves ..." directly under the formula are
        # lettered paragraphs of their own; other lettered items stay in their paragraph.
        lettered_paragraph = (
            bool(_SUB.match(paras[-1].text)) and looks_operative(text) and not scope.numbered
            if paras
            else False
        )
        if _SUB.match(text) and owned and not heading_since and not lettered_paragraph:
            merge(it)
            continue
        m = _NUM.match(text)
        if m and len(m.group(1)) > 3 and int(m.group(1)) != scope.last_num + 1:
            m = None
        if (
            m
            and scope.prefix.startswith("DRAFT")
            and main.last_num + 1 == int(m.group(1)) <= scope.last_num
        ):
            scope = main  # the draft is over: the recommending body's own paragraph 2
        if m:
            body = text[m.end() :]
            add(scope.op_label(int(m.group(1))), scope.kind_op, body, it)
            heading_since = False
            continue
        operative = looks_operative(text)
        if scope.operative and owned:
            if (
                (heading_since or was_section_preamble)
                and not operative
                and layout.is_para_opener(text)
                and text.endswith(",")
            ):
                # a section heading, then a preamble of its own (budget resolutions)
                add(scope.pp_label(), scope.kind_pp, text, it)
                heading_since = False
                section_preamble = True
                continue
            if scope.numbered and operative and heading_since and scope.kind_pp != "annex":
                # a section of one unnumbered paragraph ("XIX. International Trade
                # Centre" / "Approves resources ..."): a paragraph, counted on
                add(scope.op_label(None), scope.kind_op, text, it)
                heading_since = False
                continue
            if (scope.numbered or not operative) and not (
                scope.kind_pp == "annex" and heading_since
            ):
                # text between numbered paragraphs (a quotation, a table) and the
                # unnumbered continuation of an old-style paragraph
                merge(it)
                heading_since = False
                continue
        if scope.kind_pp != "annex" and (scope.operative or operative):
            add(scope.op_label(None), scope.kind_op, text, it)
        else:
            add(scope.pp_label(), scope.kind_pp, text, it)
        heading_since = False
    for para, texts in zip(paras, parts, strict=True):
        para.text = clean_ws(" ".join(texts))
    return paras


# --- entry -----------------------------------------------------------------------------


def front_end(blocks: list[layout.Block]) -> tuple[int, bool]:
    """(index where the body begins, whether that block is the formula)."""
    for i, b in enumerate(blocks[:120]):
        if layout.is_formula(b.text):
            return i, True
    for i, b in enumerate(blocks):
        if layout.is_closing(b.text):
            continue  # "Adopted by the Security Council at its 3102nd meeting on ..." heads the text
        if len(b.text) > 200 or layout.looks_like_para_start(b.text) or b.text.endswith((",", ";")):
            return i, False
    return 0, False


def build_resolution(
    blocks: list[layout.Block],
    *,
    source: str,
    fmt: Format,
    leads: dict[str, str] | None = None,
    md_headings: set[str] | None = None,
) -> Resolution:
    """Label the blocks of one resolution and read its metadata.

    Raises:
        ValueError: the text does not read as a resolution (no formula, and no
            paragraphs opening with the verbs resolutions use).
    """
    start, has_formula = front_end(blocks)
    lines: list[str] = []
    notes: list[str] = []
    for b in blocks[:start]:
        lines.extend(front_lines(b))
        notes.extend(n for n in b.footnotes if n not in notes)
    formula_body = None
    body_blocks = blocks[start:]
    if has_formula:
        formula_body = re.sub(r"^(?:The|La|Le)\s+", "", blocks[start].text).rstrip(" ,:.")
        body_blocks = blocks[start + 1 :]
    front = read_front(lines, notes, formula_body, source)
    res = front.resolution(source, fmt)
    items = items_from_blocks(body_blocks, leads or {}, md_headings or set())
    res.paragraphs.extend(label_items(items))
    res.completeness = completeness.check(
        # The closing line and "Annex" lines are read as structure, not text.
        (
            b.text
            for b in body_blocks
            if not layout.is_closing(b.text) and not _ANNEX_LINE.match(b.text)
        ),
        res.paragraphs,
    )
    if not looks_like_resolution(res, has_formula):
        raise ValueError("no resolution text found")
    return res


def looks_like_resolution(res: Resolution, has_formula: bool) -> bool:
    """An enacting formula, or paragraphs that open the way resolution paragraphs do.

    Keeps a README or a licence file that sits among the resolutions from being
    indexed as one.
    """
    if has_formula or "/RES/" in (res.symbol or ""):
        return True
    body = [p for p in res.paragraphs if p.kind != "header"]
    if not body:
        return False
    verbs = sum(1 for p in body if p.verb)
    operative = sum(1 for p in body if p.kind == "operative" and p.verb)
    return operative >= 1 and verbs >= 0.5 * len(body)
