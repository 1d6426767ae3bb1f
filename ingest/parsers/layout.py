"""Page-layout cleanup for text laid out in pages: lines in, logical paragraphs with footnotes out.

Text extracted from a PDF (or converted from one) carries the page furniture of
the printed document: running headers with the symbol, the short title, the job
number and a page counter ("2/14"); footnote blocks at the foot of each page,
usually under a rule of underscores; paragraphs cut in two by a page break and
by the footnotes that sit in between. ``blocks_from_lines`` removes the
furniture, lifts the footnotes out of the text flow, rejoins the paragraphs a
page break split, removes the footnote markers from the text and attaches each
footnote to the block that carries its marker.

It works on plain lines so that any extractor can feed it: a PDF parser passes
its lines with ``PAGE_BREAK`` ("\\f") between pages; a text file passes its lines
as they are (form feeds, when present, are page breaks too).

Every pattern here is anchored and free of nested quantifiers: the input may be
hostile (a multi-megabyte single line) and must not make a regex backtrack.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ingest.parsers.common import clean_ws

log = logging.getLogger(__name__)

PAGE_BREAK = "\f"
# Where a footnote zone was lifted out: the text may be cut there like at a page
# break, but no new page begins.
_ZONE_BREAK = "\v"
_BREAKS = (PAGE_BREAK, _ZONE_BREAK)

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
_SUP_RUN = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")

# --- page furniture -------------------------------------------------------------

# "2/14", "Page 3 of 12", "- 4 -"
_COUNTER = re.compile(
    r"^(?:(\d{1,4})\s*/\s*(\d{1,4})|Page\s+\d{1,4}(?:\s+of\s+\d{1,4})?|[-–]\s*\d{1,4}\s*[-–])$",
    re.I,
)
# "24-24145 (E)    291223", "V.18-02789 (E)", "GE.18-12345(E)"
_JOB_NUMBER = re.compile(r"^(?:[A-Z]{1,2}\.)?\d{2}-\d{5}\s?(?:\([A-Z]\))?(?:\s+\d{6}){0,2}$")
_BARCODE = re.compile(r"^\*\d{6,9}\*$")
# A document symbol alone on a line: A/RES/79/154, E/CN.15/2018/L.4/Rev.1, S/RES/242 (1967)
_SYMBOL_LINE = re.compile(
    r"^[A-Z][A-Za-z0-9.\-]{0,12}(?:/[A-Za-z0-9.\-]{1,15}){1,6}(?:\s?\(\d{4}\))?$"
)
_SEPARATOR = re.compile(r"^(?:_{5,}|-{3,}|\*{3,}|={3,}|—{2,}|–{3,})$")
_FOOTNOTE_RULE = re.compile(r"^_{5,}$")

# --- footnotes ----------------------------------------------------------------------

# A footnote entry starts with its marker: "12  Resolution 70/1.", "¹ United Nations",
# "* Paragraph 3 ...", "3/ Official Records ..." (old style). Not "12. Decides" (a
# numbered paragraph).
_NOTE_START = re.compile(
    rf"^(?:(\d{{1,3}})(?![\d.,])/?|([{SUPERSCRIPT_DIGITS}]{{1,3}})|(\*{{1,3}}|†|‡))\s*(?=\S)"
)
_NOTE_START_STRICT = re.compile(r"^(\d{1,3}|\*{1,3})/?\s+(?=[A-Za-z“\"‘'(\[])")

# --- paragraph starts -------------------------------------------------------------

_NUMBERED = re.compile(r"^(\d{1,3}|[1-9]\d{3,4}(?=\.))\s?[.,]\s*(?:$|(?=[A-Z“\"‘'(\[*_]))")
_LETTERED = re.compile(r"^\(\s?(?:[a-z]{1,2}|[ivxl]{1,5}|\d{1,2})\s?\)(?:\s|$)")
_ROMAN_HEADING = re.compile(r"^(?:[IVXL]{1,6}|[A-H])\.?$")
_FORMULA = re.compile(
    r"^(?:The|La|Le)\s+(?:[A-Z][\w’'\-]*|of|on|and|for|the|to|against|in|de|des|du)"
    r"(?:\s+(?:[A-Z][\w’'\-]*|of|on|and|for|the|to|against|in|de|des|du))*\s*[,:.]?$"
)
_FORMULA_BODY = re.compile(
    r"\b(?:Assembly|Council|Commission|Conference|Committee|Board|Meeting|Parties|Forum|Session|Organization)\b"
)
_CLOSING = re.compile(
    r"^(?:\d{1,4}(?:st|nd|rd|th|d)\s+(?:\(resumed\)\s+)?(?:plenary\s+)?meeting\.?$"
    r"|Ad[ao]pted\s+(?:unanimously\s+|without\s+(?:a\s+)?vote\s+)?(?:at|by|without|in)\b"
    r"|Adopted\s+unanimously\b)"
)


def wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# First words that open a preambular paragraph. Words ending in -ing/-ed qualify too,
# apart from these proper nouns that can open a wrapped line.
_PP_WORDS = wordset(
    """aware mindful conscious cognizant concerned alarmed convinced determined desirous
    guided whereas confident grateful anxious resolved pleased encouraged appreciative
    deeply gravely seriously profoundly firmly fully bearing having taking noting
    recalling recognizing reaffirming welcoming considering"""
)
_NOT_OPENERS = wordset(
    """united beijing kunming king spring ring wing sterling nanjing red ahmed mohammed
    muhammad reading bering wyoming"""
)
ADVERBS = wordset(
    """also further again once still most strongly urgently firmly deeply gravely
    seriously fully particularly especially equally emphatically expressly solemnly
    formally warmly greatly profoundly resolutely sincerely earnestly categorically
    highly unanimously respectfully cordially hereby"""
)
# Operative verbs that open a paragraph (third person singular, as the body speaks).
OP_VERBS = wordset(
    """accepts acknowledges adopts affirms agrees appeals appoints appreciates approves
    assures authorizes becomes believes calls commends concludes concurs condemns confirms
    congratulates considers continues decides declares defers demands deplores deprecates
    designates determines directs emphasizes encourages endorses establishes expresses
    extends finds highlights insists instructs invites is has notes pays proclaims
    reaffirms recalls recognizes recommends regrets reiterates rejects reminds renews
    reminds requests resolves stresses supports suggests takes thanks transmits underlines
    underscores urges welcomes elects authorises recognises emphasises demand deems
    acknowledge adopt affirm agree call commit commend decide declare emphasize encourage
    endorse express highlight invite note reaffirm recall recognize recommend reiterate
    request resolve stress support take underline underscore urge welcome will"""
)


def is_para_opener(text: str) -> bool:
    """True when ``text`` opens like a resolution paragraph ("Recalling", "Also requests")."""
    words = text.lstrip(" \"“‘'(*_").split(None, 6)
    i = 0
    while i < len(words) - 1 and words[i].lower().strip(",") in ADVERBS:
        i += 1
    if i >= len(words):
        return False
    word = words[i].rstrip(",;:")
    if not words[0][:1].isupper() or not word.isalpha():
        return False
    low = word.lower()
    if low in _NOT_OPENERS:
        return False
    return (
        low in _PP_WORDS
        or low in OP_VERBS
        or (len(low) > 5 and (low.endswith("ing") or low.endswith("ed")))
    )


def looks_like_para_start(text: str) -> bool:
    """A numbered or lettered paragraph, a formula, a closing line or a verb-opened paragraph."""
    return bool(
        _NUMBERED.match(text)
        or _LETTERED.match(text)
        or is_formula(text)
        or _CLOSING.match(text)
        or is_para_opener(text)
    )


def is_formula(text: str) -> bool:
    """The enacting formula: "The General Assembly,", "The Security Council,"."""
    if len(text) > 140 or not _FORMULA.match(text) or not _FORMULA_BODY.search(text):
        return False
    # "The General Assembly" may lack its comma; a longer run of capitalised words
    # without one is a wrapped line ("The President of the General Assembly and the").
    return text.rstrip().endswith((",", ":")) or len(text.split()) <= 5


def is_closing(text: str) -> bool:
    """The line that closes the operative part: "53rd plenary meeting", "Adopted unanimously at ..."."""
    return bool(_CLOSING.match(text))


# --- data ---------------------------------------------------------------------------


@dataclass
class Block:
    """One logical paragraph: its source lines (furniture removed) and clean text."""

    lines: list[str]
    text: str
    footnotes: list[str] = field(default_factory=list)
    page: int = 1
    # True when the paragraph was cut by a page break or footnote zone and rejoined.
    rejoined: bool = False


@dataclass
class _Note:
    marker: str  # "12", "*"; superscripts are normalised to digits
    lines: list[str]
    segment_limit: int  # the note's marker sits in a segment before this index
    superscript: bool = False

    @property
    def text(self) -> str:
        return clean_ws(join_lines(self.lines))


@dataclass
class _Segment:
    lines: list[str]
    page: int
    break_before: bool = False  # a page break or a footnote zone precedes it
    start: int = 0  # index of the first line in the body line list
    text: str = ""
    notes: list[str] = field(default_factory=list)


# --- line utilities ---------------------------------------------------------------


def join_lines(lines: Iterable[str]) -> str:
    """Join wrapped lines: a space between them, none after a hyphen that ends a word."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out:
            prev = out[-1]
            if prev.endswith("\u00ad"):
                out[-1] = prev[:-1]
            elif prev.endswith(("-", "‑", "–")) and len(prev) > 1 and prev[-2].isalnum():
                # "trauma-" + "informed": a printed hyphen or a dash in a range; keep it, no space.
                pass
            else:
                out.append(" ")
        out.append(line)
    return "".join(out)


def _norm(line: str) -> str:
    return clean_ws(line).lower()


def _prepare(lines: Iterable[str]) -> list[str]:
    """Split on form feeds (page breaks), strip trailing space, unify odd spaces."""
    out: list[str] = []
    for raw in lines:
        parts = raw.split(PAGE_BREAK)
        for j, part in enumerate(parts):
            if j:
                out.append(PAGE_BREAK)
            line = part.replace("\t", " ").replace("\u00a0", " ").replace("\u2009", " ")
            line = line.replace(_ZONE_BREAK, " ")
            out.append(line.replace("\r", "").strip())
    return out


# --- step 1: page furniture --------------------------------------------------------


def _is_counter(line: str) -> bool:
    m = _COUNTER.match(line)
    if not m:
        return False
    if m.group(1):
        n, total = int(m.group(1)), int(m.group(2))
        return 1 <= n <= total and total > 1
    return True


def _strip_furniture(lines: list[str]) -> list[str]:
    """Replace each running header/footer cluster with one PAGE_BREAK; drop job numbers."""
    counters = [i for i, line in enumerate(lines) if _is_counter(line)]
    drop = [False] * len(lines)
    breaks: set[int] = set()
    for i, line in enumerate(lines):
        if _JOB_NUMBER.match(line) or _BARCODE.match(line):
            drop[i] = True

    if counters:
        norms: dict[int, str] = {}

        def norm(i: int) -> str:
            if i not in norms:
                norms[i] = _norm(lines[i]) if len(lines[i]) <= 160 else ""
            return norms[i]

        # Lines near page counters that recur from page to page are the running title.
        # A line counts once per page break, and for the nearest one only where the
        # windows of two close counters overlap.
        owner: dict[int, int] = {}
        for c in counters:
            for i in _neighbours(lines, c, 6):
                if i not in owner or abs(i - c) < abs(i - owner[i]):
                    owner[i] = c
        per_window: dict[int, set[str]] = {}
        for i, c in owner.items():
            per_window.setdefault(c, set()).add(norm(i))
        seen: Counter[str] = Counter()
        for norms_of_window in per_window.values():
            seen.update(norms_of_window)
        need = max(2, (len(counters) + 1) // 2)
        recurring = {k for k, v in seen.items() if v >= need and k}
        verdicts: dict[int, bool] = {}

        def furniture(i: int) -> bool:
            if i not in verdicts:
                line = lines[i]
                verdicts[i] = bool(
                    _is_counter(line)
                    or _JOB_NUMBER.match(line)
                    or _BARCODE.match(line)
                    or (_SYMBOL_LINE.match(line) and any(ch.isdigit() for ch in line))
                    or norm(i) in recurring
                )
            return verdicts[i]

        for c in counters:
            members = {c}
            for step in (-1, 1):
                gap: list[int] = []
                i = c
                non_blank = 0
                while non_blank < 9:
                    i += step
                    if i < 0 or i >= len(lines) or lines[i] == PAGE_BREAK:
                        break
                    if not lines[i]:
                        continue
                    non_blank += 1
                    if furniture(i):
                        members.update(gap)
                        gap = []
                        members.add(i)
                    elif (
                        len(gap) < 5
                        and len(lines[i]) <= 120
                        and not _SEPARATOR.match(lines[i])
                        and not _NUMBERED.match(lines[i])
                        and not _NOTE_START_STRICT.match(lines[i])
                    ):
                        # Title lines sit between the symbol and the job number; keep
                        # them only if more furniture follows further out. A rule, a
                        # numbered paragraph or a note is body: the cluster ends there.
                        gap.append(i)
                    else:
                        break
            first, last = min(members), max(members)
            for i in members:
                drop[i] = True
            breaks.add(first)
            # blank lines inside the cluster go too
            for i in range(first, last + 1):
                if not lines[i]:
                    drop[i] = True

    out: list[str] = []
    for i, line in enumerate(lines):
        if i in breaks:
            out.append(PAGE_BREAK)
        if not drop[i]:
            out.append(line)
    return out


def _neighbours(lines: list[str], c: int, n: int) -> list[int]:
    res: list[int] = []
    for step in (-1, 1):
        i, k = c, 0
        while k < n:
            i += step
            if i < 0 or i >= len(lines) or lines[i] == PAGE_BREAK:
                break
            if lines[i]:
                res.append(i)
                k += 1
    return res


# --- step 2: footnote zones --------------------------------------------------------


def _note_start(line: str, expected: int | None, after_gap: bool) -> tuple[str, str, bool] | None:
    """(marker, rest, superscript) when ``line`` opens a footnote entry."""
    m = _NOTE_START.match(line)
    if not m:
        return None
    digits, sup, sym = m.groups()
    rest = line[m.end() :]
    if sup:
        return sup.translate(_SUP_TO_DIGIT), rest, True
    if sym:
        return sym, rest, False
    assert digits is not None
    if expected is not None and int(digits) != expected:
        if not after_gap:
            # "1994 (United Nations publication ...": a wrapped line of the previous note.
            return None
        if rest[:1].isdigit():
            return None
    first = rest[:1]
    if not (first.isalpha() or first in "“\"‘'([" or (first.isdigit() and int(digits) == expected)):
        return None
    return digits, rest, False


def _extract_notes(lines: list[str]) -> tuple[list[str], list[tuple[int, str, list[str], bool]]]:
    """Lift footnote zones out of the flow. Returns body lines and (position, marker, lines, sup).

    A zone starts at a rule of underscores or at a line opened by a superscript
    number (Markdown conversions keep the superscripts), and runs to the next page
    break, or to the first line after a blank that opens no entry. The position is
    the index in the returned body where the zone stood (its marker lies before).
    """
    body: list[str] = []
    notes: list[tuple[int, str, list[str], bool]] = []
    in_zone = False
    zone_fresh = False  # nothing read yet in a zone opened by a rule
    zone_notes = 0  # notes read in the current zone
    after_gap = True
    last_num: int | None = None
    for i, line in enumerate(lines):
        if line == PAGE_BREAK:
            in_zone = False
            if body and body[-1] == _ZONE_BREAK:
                body[-1] = line
            else:
                body.append(line)
            continue
        if _FOOTNOTE_RULE.match(line) or (
            _SEPARATOR.match(line) and _next_opens_note(lines, i + 1)
        ):
            in_zone, zone_fresh, zone_notes, after_gap = True, True, 0, True
            if not body or body[-1] not in _BREAKS:
                body.append(_ZONE_BREAK)
            continue
        if (
            not in_zone
            and line[:1] in SUPERSCRIPT_DIGITS
            and line
            and _note_start(line, None, True)
        ):
            in_zone, zone_fresh, zone_notes, after_gap = True, False, 0, True
            if not body or body[-1] not in _BREAKS:
                body.append(_ZONE_BREAK)
        if not in_zone:
            body.append(line)
            continue
        if not line:
            after_gap = True
            continue
        expected = last_num + 1 if last_num is not None else None
        start = _note_start(line, expected, after_gap)
        if start:
            marker, rest, sup = start
            notes.append((len(body), marker, [rest], sup))
            zone_notes += 1
            if marker.isdigit():
                last_num = int(marker)
        elif notes and (zone_fresh or (not after_gap and zone_notes)):
            # a wrapped line of the last note, or a note continued from the previous page
            notes[-1][2].append(line)
        else:
            in_zone = False
            body.append(line)
        zone_fresh = False
        after_gap = False
    return body, notes


def _next_opens_note(lines: list[str], i: int) -> bool:
    while i < len(lines) and not lines[i]:
        i += 1
    return i < len(lines) and lines[i] != PAGE_BREAK and bool(_NOTE_START_STRICT.match(lines[i]))


# --- step 3: segments ----------------------------------------------------------------


def _ends_clause(line: str, conjunction: bool = True) -> bool:
    """The line ends a clause: , ; : . (possibly followed by a footnote marker or a quote).

    With ``conjunction``, "; and" / "; or" before a lettered item count too.
    """
    s = line.rstrip(' ”’")]*' + SUPERSCRIPT_DIGITS)
    s = re.sub(r"(?<=[,;:.])\s?\d{1,3}$", "", s)
    s = s.rstrip(' ”’")]')
    return s.endswith((",", ";", ":", ".")) or (conjunction and s.endswith((" and", " or")))


def _starts_new_segment(prev: str, line: str, dense: bool) -> bool:
    if is_formula(line) or _CLOSING.match(line):
        return True
    if is_formula(prev):
        return True
    if _CLOSING.match(prev):
        # "Adopted unanimously at the" / "1382nd meeting." is one closing line
        return prev.rstrip().endswith(".") or prev.rstrip().endswith("meeting")
    if _NUMBERED.fullmatch(prev.strip()) or _LETTERED.fullmatch(prev.strip()):
        return False  # "1." or "(a)" alone on its line: the text follows
    if not _ends_clause(prev):
        return False
    if _NUMBERED.match(line):
        return True
    if _LETTERED.match(line):
        return True
    if dense:
        return is_para_opener(line)
    # A capitalised participle or verb followed by a lower-case word ("Noting with",
    # not "Federated States", "Securing Our Common Future") cannot open a line inside
    # a sentence, so after a line ending a clause it opens a paragraph, blank line or not.
    return (
        _ends_clause(prev, conjunction=False)
        and not prev.rstrip().endswith(":")
        and is_para_opener(line)
        and _next_word_lower(line)
    )


def _next_word_lower(line: str) -> bool:
    words = line.split(None, 4)
    i = 1
    while i < len(words) - 1 and words[i - 1].lower() in ADVERBS:
        i += 1
    if i >= len(words):
        return words[-1].endswith(":")  # "Decides:" alone on its line
    return words[i][:1].islower() and words[i] not in ("and", "or")


_BARE_NUMBER = re.compile(r"^(\d{1,3})$")


def _restore_paragraph_numbers(lines: list[str]) -> list[str]:
    """ "26" alone on a line before "Condemns ...": paragraph 26 that lost its full stop.

    Only the number that comes next in the sequence counts, so a stray page number
    is not taken for a paragraph number.
    """
    out = list(lines)
    last = 0
    for i, line in enumerate(out):
        m = _NUMBERED.match(line)
        if m:
            last = int(m.group(1))
            continue
        m = _BARE_NUMBER.match(line)
        if m and int(m.group(1)) == last + 1 and i + 1 < len(out) and is_para_opener(out[i + 1]):
            out[i] = f"{line}."
            last += 1
    return out


def _segments(lines: list[str]) -> list[_Segment]:
    non_blank = sum(1 for line in lines if line and line not in _BREAKS)
    blank = sum(1 for line in lines if not line)
    # Extractors that put no blank line between paragraphs need line-level cues.
    dense = blank < 0.1 * non_blank
    segs: list[_Segment] = []
    cur: list[str] = []
    cur_start = 0
    page = 1
    pending_break = False

    def close() -> None:
        nonlocal cur, pending_break
        if cur:
            segs.append(_Segment(lines=cur, page=page, break_before=pending_break, start=cur_start))
            pending_break = False
        cur = []

    for i, line in enumerate(lines):
        if line in _BREAKS:
            close()
            page += line == PAGE_BREAK
            pending_break = True
            continue
        if not line:
            close()
            continue
        if cur and _starts_new_segment(cur[-1], line, dense):
            close()
        if not cur:
            cur_start = i
        cur.append(line)
    close()
    return segs


# --- step 4: footnote markers -------------------------------------------------------

_MARKER_BLOCKERS = re.compile(
    r"(?:\b(?:paragraphs?|paras?\.|resolutions?|decisions?|articles?|art\.|annex(?:es)?|No\.|Nos\.|"
    r"vols?\.|chapters?|chap\.|sect\.|sections?|rules?|Goals?|targets?|Principles?|pages?|"
    r"p\.|pp\.|items?|sub-items?|phase|level|"
    r"Article|Chapter|Part|Rule|Section|Annex|Goal|Target|Principle|Recommendation|Rev\.|"
    r"Corr\.|Add\.|Amendments?|of|under|over|to|from|and|or|some|about|least|than|by|in|"
    r"the|all|with|for|only|first|last|top|every|COVID|Group of|Alliance|SDG|Actions?|Steps?|"
    r"Stages?|Options?|Objectives?|Priority|Priorities|Pillars?|Outcomes?|Indicators?|Tiers?|"
    r"Tables?|Figures?|Box|Phases?|Levels?|Rounds?|Cycles?|Volumes?|Modules?)\s?)$"
)
_MONTHS = re.compile(
    r"^\s?(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|per\b|percent|%|million|billion|trillion|thousand|hundred|years?|months?|"
    r"weeks?|days?|hours?|minutes?|times|dollars|euros|countries|States|Member|members|"
    r"parties|persons|people|women|men|children|cases|units|kilo|km|tons?|tonnes?|metres?)"
)


_NOTE_LOOKBACK = 80  # segments searched for a note's marker


def _marker_candidates(text: str, marker: str) -> Iterable[tuple[int, int, int]]:
    """Positions where ``marker`` may be a footnote reference: (start, end, score)."""
    if not marker.isdigit():
        for m in re.finditer(re.escape(marker) + r"(?![\w*])", text):
            s = m.start()
            if s and text[s - 1] not in "*" and (s < 2 or text[s - 2] != "*"):
                yield s, m.end(), 2
        return
    # A marker glued to a year: "Substances of 19883 and", "13 January 20103 and".
    for m in re.finditer(r"(?<![\d])(?:19|20)\d\d(" + marker + r")(?![\d/])", text):
        nxt = text[m.end() : m.end() + 1]
        if not nxt or nxt in " ,;:.)":
            yield m.start(1), m.end(1), 1
    for m in re.finditer(r"(?<![\d])" + marker + r"(?![\d])", text):
        s, e = m.start(), m.end()
        prev = text[s - 1] if s else ""
        nxt = text[e] if e < len(text) else ""
        nxt2 = text[e + 1] if e + 1 < len(text) else ""
        if not prev:
            continue
        if nxt == "/" and (not nxt2 or nxt2 == " ") and (prev == " " or prev in ",;:.)”’"):
            yield s, e + 1, 2  # the old style "Montenegro), 2/ and"
            continue
        if prev == "[" and nxt == "]":
            yield s - 1, e + 1, 3  # "[3]", as some converters write a note reference
            continue
        if nxt and (nxt in "/-–‑%°" or nxt.isalpha() or (nxt in ".,:" and nxt2.isdigit())):
            continue
        if nxt == ")" and "(" in text[max(0, s - 3) : s]:
            continue
        if prev in "/-–‑" and s >= 2 and text[s - 2].isalnum():
            continue
        if prev in ".·" and s >= 2 and text[s - 2].isdigit():
            continue  # a decimal or a section number: 5.2, 16.2
        if prev in "(§#№$€£":
            continue
        if prev.isalpha() or prev in ',;:.)”’"]':
            before = text[max(0, s - 12) : s]
            if prev in ",." and s >= 2 and text[s - 2].isdigit() and len(marker) == 3:
                continue  # "2,237": a thousands separator
            if prev.isalpha():
                word = re.search(r"[A-Za-z]+$", before)
                w = word.group(0) if word else ""
                if w.isupper() and len(w) <= 5:
                    continue  # G20, COVID19, CO2
            yield s, e, 3
        elif prev == " " and s >= 2:
            p2 = text[s - 2]
            after_number = p2.isdigit()  # "of 16 October 2020 36 and": weakest evidence
            if not (p2.isalpha() or p2 in ',;:.)”’"' or after_number):
                continue
            after = text[e : e + 16]
            if _MONTHS.match(after) or nxt == ".":
                continue  # "on 1 July", "Action 11. We will": a number in the text
            if _MARKER_BLOCKERS.search(text[max(0, s - 30) : s]):
                continue
            tail = after.lstrip()
            if tail and not (
                tail[0].islower() or tail[0] in ',;:.)”’"' or tail.startswith(("and ", "or "))
            ):
                # "Persons, 10 Member States": a capital after the number reads as text.
                if p2 not in ",;:." or after_number:
                    continue
                yield s, e, 1
                continue
            yield s, e, 1 if after_number else 2


def _remove_span(text: str, s: int, e: int) -> str:
    left, right = text[:s], text[e:]
    if left.endswith(" ") and (right.startswith(" ") or not right or right[0] in ",;:.)"):
        left = left.rstrip(" ")
    return left + right


def _attach_notes(segs: list[_Segment], notes: list[_Note]) -> list[_Note]:
    """Find each note's marker, remove it from the text, and record the note on its segment.

    Plain-digit markers are ambiguous ("resolution 70/1", "173 parties"), so the
    notes are placed in order: note k's marker lies after note k-1's, before the
    note's own footnote zone, and preferably glued to the word it annotates.
    Returns the notes whose marker was not found.
    """
    unplaced: list[_Note] = []
    # superscripts are unambiguous: every occurrence is a marker
    by_sup: dict[str, list[_Note]] = {}
    for note in notes:
        if note.superscript:
            by_sup.setdefault(note.marker, []).append(note)
    if by_sup or any(_SUP_RUN.search(seg.text) for seg in segs):
        for seg in segs:
            for m in _SUP_RUN.finditer(seg.text):
                key = m.group(0).translate(_SUP_TO_DIGIT)
                for note in by_sup.get(key, [])[:1]:
                    if note.text not in seg.notes:
                        seg.notes.append(note.text)
            seg.text = _SUP_RUN.sub("", seg.text)
        for group in by_sup.values():
            for note in group:
                if not any(note.text in seg.notes for seg in segs):
                    unplaced.append(note)

    plain = [note for note in notes if not note.superscript]
    chosen = _place_markers(segs, plain)
    removals: dict[int, list[tuple[int, int]]] = {}
    for note, spot in zip(plain, chosen, strict=True):
        if spot is None:
            unplaced.append(note)
            continue
        si, start, end = spot
        removals.setdefault(si, []).append((start, end))
        segs[si].notes.append(note.text)
    for si, spans in removals.items():
        # right to left, so the earlier offsets stay valid
        for start, end in sorted(spans, reverse=True):
            segs[si].text = _remove_span(segs[si].text, start, end)
    return unplaced


_MAX_CANDIDATES = 40  # per note


def _place_markers(segs: list[_Segment], notes: list[_Note]) -> list[tuple[int, int, int] | None]:
    """Choose one marker position per note, or none.

    The positions must follow the notes' order (note k's marker after note k-1's)
    and lie before each note's own zone; among the orders that do, the one with
    the best total evidence wins (a marker glued to its word beats one after a
    space, which beats one after another number). Choosing note by note instead
    would let one misread marker push all the following ones out of place.
    A Fenwick tree over the candidate positions keeps this O(n log n).
    """
    per_note: list[list[tuple[int, int, int, int]]] = []  # (seg, start, end, score)
    for note in notes:
        limit = min(note.segment_limit, len(segs))
        found: list[tuple[int, int, int, int]] = []
        # The marker is on the note's page: a bounded look back keeps a document
        # whose markers are never found from costing quadratic time.
        for si in range(max(0, limit - _NOTE_LOOKBACK), limit):
            for start, end, score in _marker_candidates(segs[si].text, note.marker):
                found.append((si, start, end, score))
        found.sort()
        per_note.append(found[-_MAX_CANDIDATES:])

    positions = sorted({(c[0], c[1]) for cands in per_note for c in cands})
    rank = {pos: i + 1 for i, pos in enumerate(positions)}
    size = len(positions)
    tree_val = [0] * (size + 1)
    tree_state = [-1] * (size + 1)
    # states: (note index, candidate index, previous state)
    states: list[tuple[int, int, int]] = []

    def query(r: int) -> tuple[int, int]:
        """Best (total, state) among placed markers at ranks < r."""
        best, state = 0, -1
        r -= 1
        while r > 0:
            if tree_val[r] > best:
                best, state = tree_val[r], tree_state[r]
            r -= r & -r
        return best, state

    def update(r: int, value: int, state: int) -> None:
        while r <= size:
            if value > tree_val[r]:
                tree_val[r], tree_state[r] = value, state
            r += r & -r

    overall, overall_state = 0, -1
    for k, cands in enumerate(per_note):
        fresh: list[tuple[int, int, int]] = []
        for ci, (si, start, _end, score) in enumerate(cands):
            r = rank[(si, start)]
            before, prev_state = query(r)
            states.append((k, ci, prev_state))
            fresh.append((r, before + score, len(states) - 1))
        # insert after querying: two markers of one note cannot both be used
        for r, value, state in fresh:
            update(r, value, state)
            if value > overall:
                overall, overall_state = value, state

    chosen: list[tuple[int, int, int] | None] = [None] * len(notes)
    state = overall_state
    while state >= 0:
        k, ci, prev = states[state]
        si, start, end, _score = per_note[k][ci]
        chosen[k] = (si, start, end)
        state = prev
    return chosen


# --- step 5: trailing notes without a rule (Security Council texts, plain exports) ---


_DATE_START = re.compile(
    r"^\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\b"
)


def _trailing_notes(segs: list[_Segment]) -> list[_Note]:
    """Notes printed after the last paragraph of a page without a rule above them."""
    found: list[_Note] = []
    ends = [i for i in range(len(segs)) if i + 1 == len(segs) or segs[i + 1].break_before]
    drop: set[int] = set()
    for end in ends:
        run: list[int] = []
        i = end
        while (
            i >= 0
            and _NOTE_START_STRICT.match(segs[i].lines[0])
            and not _NUMBERED.match(segs[i].lines[0])
            and not _DATE_START.match(segs[i].lines[0])
        ):
            run.append(i)
            if segs[i].break_before:
                break
            i -= 1
        if not run or len(run) == end + 1:
            continue
        run.reverse()
        nums = []
        for j in run:
            m = _NOTE_START_STRICT.match(segs[j].lines[0])
            assert m
            nums.append(m.group(1))
        digits = [int(x) for x in nums if x.isdigit()]
        if digits != sorted(digits):
            continue
        first = run[0]
        last_num = -1
        for j in run:
            for line in segs[j].lines:
                m = _NOTE_START_STRICT.match(line)
                # a line opens a note when its marker is "*" or the next higher number;
                # other lines continue the note above ("6 Ibid." / "* Paragraph 3 ...")
                if m and (not m.group(1).isdigit() or int(m.group(1)) > last_num):
                    if m.group(1).isdigit():
                        last_num = int(m.group(1))
                    found.append(
                        _Note(marker=m.group(1), lines=[line[m.end() :]], segment_limit=first)
                    )
                else:
                    found[-1].lines.append(line)
            drop.add(j)
    if found:
        # verify each marker occurs in the text before its note; keep only those
        kept: list[_Note] = []
        windows: dict[int, str] = {}
        for note in found:
            lim = note.segment_limit
            if lim not in windows:
                windows[lim] = " ".join(s.text for s in segs[max(0, lim - _NOTE_LOOKBACK) : lim])
            if any(True for _ in _marker_candidates(windows[lim], note.marker)):
                kept.append(note)
        if len(kept) == len(found):
            for note in found:
                # indices shift by the note segments dropped before this note's run
                note.segment_limit -= sum(1 for k in drop if k < note.segment_limit)
            segs[:] = [s for k, s in enumerate(segs) if k not in drop]
            return found
        return []
    return []


# --- step 6: rejoin paragraphs cut by page breaks -----------------------------------


_DANGLING = re.compile(
    r"\b(?:and|or|of|the|to|in|for|on|by|with|a|an|its|their|that|which|as|at|from|against|"
    r"between|into|under|upon|including|such)$"
)


def _looks_like_heading(seg: _Segment) -> bool:
    text = seg.text
    return (
        len(seg.lines) <= 2
        and len(text) <= 160
        and text[:1].isupper()
        and not _ends_clause(text, conjunction=False)
    )


def _should_join(prev: _Segment, nxt: _Segment, in_body: bool) -> bool:
    a, b = prev.text, nxt.text
    if not a or not b:
        return False
    first = b.lstrip("“\"‘'(")[:1]
    if is_formula(a) or _CLOSING.match(a) or is_formula(b) or _CLOSING.match(b):
        return False
    if _NUMBERED.match(b) or _LETTERED.match(b):
        return False
    if first.islower():
        return True
    if a.endswith(("-", "‑")) and len(a) > 1 and a[-2].isalpha():
        return True  # "Secretary-" / "General of the United Nations,"
    if not nxt.break_before:
        # A stray blank line inside a paragraph: "... the Food and Agriculture" /
        # "Organization of the United Nations,". Front matter lines stay apart.
        return (
            in_body
            and len(a) >= 100
            and not _ends_clause(a, conjunction=False)
            and _ends_clause(b, conjunction=False)
            and not looks_like_para_start(b)
        )
    if _NUMBERED.fullmatch(a.strip()):
        return True
    if not _ends_clause(a, conjunction=False):
        if len(a) < 60:
            return False  # a heading before the page break
        # "... the Development, Production and" / "Stockpiling of ...": a paragraph
        # does not end without punctuation; only a (short) heading does.
        return len(a) >= 100 or bool(_DANGLING.search(a[-12:])) or not is_para_opener(b)
    if is_para_opener(b) or _looks_like_heading(nxt):
        return False
    # "... the General Assembly," / next page "Member States reiterated ...": a comma
    # or semicolon at a page end continues the paragraph unless the next opens one.
    return a.rstrip(' ”’")').endswith((",", ";", " and", " or")) and not _ROMAN_HEADING.match(b)


def blocks_from_lines(lines: Sequence[str]) -> list[Block]:
    """Clean page-laid-out lines into logical paragraphs with their footnotes attached."""
    prepared = _prepare(lines)
    prepared = _strip_furniture(prepared)
    body, raw_notes = _extract_notes(prepared)
    body = _restore_paragraph_numbers(body)
    segs = _segments(body)

    # map each note's position in ``body`` to the number of segments before it
    notes: list[_Note] = []
    if raw_notes:
        seg_starts = [seg.start for seg in segs]
        for pos, marker, note_lines, sup in raw_notes:
            limit = bisect.bisect_left(seg_starts, pos)
            notes.append(
                _Note(marker=marker, lines=note_lines, segment_limit=limit, superscript=sup)
            )
    for seg in segs:
        seg.text = clean_ws(join_lines(seg.lines))
    notes.extend(_trailing_notes(segs))
    notes.sort(key=lambda n: n.segment_limit)
    unplaced = _attach_notes(segs, notes)
    if unplaced:
        # A note whose marker cannot be found is left out: attached to a guessed
        # paragraph it would back a citation of the wrong paragraph.
        log.debug(
            "%d footnote(s) without a marker in the text: %s",
            len(unplaced),
            ", ".join(n.marker for n in unplaced[:20]),
        )

    blocks: list[Block] = []
    parts: list[list[str]] = []  # the segment texts of each block, joined once at the end
    prev: _Segment | None = None
    in_body = False  # past the enacting formula
    for seg in segs:
        if prev is not None and blocks and _should_join(prev, seg, in_body):
            blk = blocks[-1]
            blk.lines.extend(seg.lines)
            parts[-1].append(seg.text)
            blk.footnotes.extend(n for n in seg.notes if n not in blk.footnotes)
            blk.rejoined = True
            # the joined paragraph's end is this segment's end
            prev = _Segment(lines=seg.lines, page=seg.page, text=seg.text)
            continue
        blocks.append(
            Block(lines=list(seg.lines), text=seg.text, footnotes=list(seg.notes), page=seg.page)
        )
        parts.append([seg.text])
        in_body = in_body or is_formula(seg.text)
        prev = seg
    for blk, texts in zip(blocks, parts, strict=True):
        if len(texts) > 1:
            blk.text = clean_ws(join_lines(texts))
    return [b for b in blocks if b.text]
