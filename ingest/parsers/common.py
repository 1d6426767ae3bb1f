"""Helpers shared by the format parsers: safe reading, symbols, verbs, whitespace."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from core.errors import ParseError
from ingest.model import Format, Paragraph, Resolution

# A resolution is at most a few hundred kilobytes; anything far larger is not one,
# and refusing it before reading keeps memory and time bounded.
MAX_FILE_BYTES = 20 * 1024 * 1024


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from exc
    if size == 0:
        raise ParseError("empty file")
    if size > limit:
        shown, cap = describe_sizes(size, limit)
        raise ParseError(f"file too large ({shown}; limit {cap}): not a resolution")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from exc


def describe_sizes(size: int, limit: int) -> tuple[str, str]:
    """Two sizes in MB, with as many decimals as it takes to show that they differ."""
    for digits in (1, 2, 3):
        a, b = f"{size / 1e6:.{digits}f} MB", f"{limit / 1e6:.{digits}f} MB"
        if a != b:
            return a, b
    return f"{size:,} bytes", f"{limit:,} bytes"


# A few stray NUL bytes (a bad conversion) do not make a text binary; more than this share do.
_NUL_SHARE = 1 / 1000


def binary_reason(data: bytes) -> str | None:
    """Why ``data`` is not text in any encoding a resolution would use, or None if it may be."""
    sample = data[:8192]
    nuls = sample.count(0)
    if nuls > max(1, len(sample) * _NUL_SHARE):
        return f"binary data, not text ({nuls} NUL bytes in the first {len(sample):,})"
    control = sum(1 for b in sample if b < 32 and b not in (0, 9, 10, 12, 13))
    if control > max(8, len(sample) // 50):
        return f"binary data, not text ({control} control bytes in the first {len(sample):,})"
    return None


def looks_binary(data: bytes) -> bool:
    """True for data that is not text in any encoding a resolution would use."""
    return binary_reason(data) is not None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 told by its zero bytes: Latin text puts one in every other byte."""
    sample = data[:8192]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        encoding = "utf-16-le"
    elif even > 0.3 * half and odd < 0.05 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data[: len(data) // 2 * 2].decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes) -> str:
    """Decode text: UTF-8 (with BOM), UTF-16 by BOM or by its zero bytes, cp1252, latin-1.

    Raises:
        ParseError: saying why the data is not text (NUL or control bytes, undecodable).
    """
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    reason = binary_reason(data)
    if reason:
        raise ParseError(reason)
    # A stray NUL byte carries nothing; it goes before decoding.
    data = data.replace(b"\x00", b"")
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc != "utf-8-sig":
            # cp1252/latin-1 accept almost anything; make sure it still reads as text.
            letters = sum(ch.isalpha() or ch.isspace() for ch in text[:4000])
            if letters < 0.6 * min(len(text), 4000):
                raise ParseError(
                    "binary data, not text (not UTF-8, and under 60% letters as cp1252)"
                )
        return text
    raise ParseError("undecodable text")


def clean_ws(text: str) -> str:
    """Collapse runs of whitespace (including non-breaking and zero-width) to single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00ad", "").replace("\u200b", "").replace("\ufeff", "")
    # Non-breaking hyphens (U+2011) and hyphen (U+2010) read as the ASCII hyphen people type.
    text = text.replace("\u2011", "-").replace("\u2010", "-")
    return re.sub(r"\s+", " ", text).strip()


# Opening phrases of preambular and operative paragraphs. The adverbs that UN
# drafting chains onto a verb ("also", "further", "strongly") are matched
# generically after the head word.
_ADVERBS = (
    r"(?:also|further|again|once again|strongly|urgently|firmly|deeply|greatly|"
    r"fully|particularly|especially|equally|most|further strongly|also strongly|"
    r"in this regard|in that regard|moreover|furthermore|with appreciation|"
    r"with concern|with grave concern|with deep concern|with satisfaction|"
    r"with interest|with approval|with regret|with great concern|with serious concern|"
    r"with gratitude|with deep appreciation)"
)
_VERB_SPLIT = re.compile(
    r"^((?:(?:[A-Z][a-z]+ly|Also|Further|Again|Once again|Most|Equally|Still)\s+(?:[a-z]+ly\s+|also\s+|further\s+)*)?"
    r"(?:[A-Za-z][a-z]+(?:ing|s|ed)|[Aa]ware|[Mm]indful|[Cc]onscious|[Cc]ognizant|[Aa]larmed|[Dd]etermined)\b"
    r"(?:\s+(?:" + _ADVERBS + r"|upon|in mind|note of|note|account of|into account|"
    r"the view))*)"
)


# Words that look like verbs to the suffix rule but open ordinary sentences.
_NOT_VERBS = frozenset(
    [
        "this",
        "thus",
        "states",
        "nations",
        "parties",
        "members",
        "governments",
        "its",
        "has",
        "was",
        "is",
        "as",
        "us",
        "rules",
        "articles",
        "conditions",
        "means",
        "bodies",
        "regulations",
        "measures",
        "provisions",
        "countries",
        "persons",
        "victims",
        "children",
        "organizations",
        "progress",
        "access",
        "process",
        "status",
        "series",
        "less",
        "unless",
        "various",
        "nothing",
        "during",
        "following",
        "according",
        "including",
        "regarding",
        "concerning",
        "bearing",
    ]
) - {"bearing", "noting"}


def opening_verb(text: str) -> str | None:
    """The opening verb phrase of a paragraph: "Requests", "Also encourages", "Recalling further".

    Returns None when the paragraph does not open with a verb-like word (a
    header line, a list continuation).
    """
    text = text.lstrip(' \t*_"“')
    m = _VERB_SPLIT.match(text)
    if not m:
        return None
    if m.group(1).split()[0].lower() in _NOT_VERBS:
        return None
    phrase = m.group(1).strip()
    # "Taking note of" / "Calls upon" are verbs; "note"/"upon" alone must not dangle oddly.
    words = phrase.split()
    if len(words) > 5:
        phrase = " ".join(words[:5])
    return phrase


def normalise_symbol(symbol: str) -> str:
    """Canonical spelling of a UN document symbol: upper case, single spaces."""
    symbol = clean_ws(symbol).replace(" /", "/").replace("/ ", "/")
    symbol = symbol.rstrip(".,;:")
    m = re.match(r"^S/RES/(\d+)\s*\((\d{4})\)$", symbol, re.I)
    if m:
        return f"S/RES/{int(m.group(1))} ({m.group(2)})"
    return symbol.upper() if symbol[:2].upper() in ("A/", "E/", "S/") else symbol


def symbol_from_filename(name: str) -> str | None:
    """Derive a symbol from UN-style file names: A_RES_79_154-2424145E.xml, S_RES_0242_1967_EN.txt."""
    stem = Path(name).name
    m = re.match(r"^S_RES_0*(\d+)_(\d{4})", stem)
    if m:
        return f"S/RES/{int(m.group(1))} ({m.group(2)})"
    m = re.match(r"^([AE])_RES_([A-Z0-9\-]+)_(\d+)(?:[-_]|\.|$)", stem)
    if m:
        return f"{m.group(1)}/RES/{m.group(2)}/{m.group(3)}"
    m = re.match(r"^(\d{2,3})_(\d+)_E\b", stem)
    if m:
        return f"A/RES/{m.group(1)}/{m.group(2)}"
    return None


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTH_NUMBER = {m: i for i, m in enumerate(MONTHS, start=1)}
_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b")


def parse_date(text: str) -> str | None:
    """ISO date of the first "17 December 2024" in a text, or None (also for "31 February")."""
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(3)), _MONTH_NUMBER[m.group(2)], int(m.group(1))).isoformat()
    except ValueError:  # a garbled text
        return None


@dataclass
class FrontMatter:
    """What the lines above the first paragraph say: symbol, title, organ, dates, sponsors.

    Filled by the text labeller (``structure.read_front``) and the PDF/Word labeller
    (``blocks._read_front``); ``resolution`` starts the resolution both build from it.
    """

    lines: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    symbol: str | None = None
    title: str | None = None
    title_line: str | None = None
    body: str | None = None
    date: str | None = None
    session: str | None = None
    agenda_item: str | None = None
    recommended_by: str | None = None
    sponsors: list[str] = field(default_factory=list)
    header: str = ""

    def resolution(self, source: str, fmt: Format) -> Resolution:
        """A resolution with these particulars and, when there is one, its HEADER paragraph."""
        res = Resolution(
            symbol=self.symbol,
            title=self.title,
            body=self.body,
            source=source,
            format=fmt,
            date=self.date,
            session=self.session,
            agenda_item=self.agenda_item,
            recommended_by=self.recommended_by,
            sponsors=list(self.sponsors),
        )
        if self.header:
            res.paragraphs.append(Paragraph("HEADER", "header", self.header, list(self.footnotes)))
        return res


# Country names containing " and ", so that "X, Y and Bosnia and Herzegovina" splits right.
AND_NAMES = (
    "Antigua and Barbuda",
    "Bosnia and Herzegovina",
    "Saint Kitts and Nevis",
    "Saint Vincent and the Grenadines",
    "Sao Tome and Principe",
    "Trinidad and Tobago",
    "United Kingdom of Great Britain and Northern Ireland",
    "Heard Island and McDonald Islands",
    "Turks and Caicos Islands",
    "Wallis and Futuna",
    "Group of 77 and China",
)


def split_names(text: str) -> list[str]:
    """'A, B (on behalf of X, Y) and Bosnia and Herzegovina' -> names, respecting brackets."""
    protected = text
    for i, name in enumerate(AND_NAMES):
        protected = re.sub(re.escape(name), f"\x00{i}\x00", protected, flags=re.I)
    parts: list[str] = []
    depth = 0
    buf = ""
    for ch in protected:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    if parts:
        last = parts.pop()
        # The final " and " joins the last two names; only outside brackets.
        m = None
        depth = 0
        for i in range(len(last)):
            depth += last[i] == "("
            depth -= last[i] == ")"
            if depth == 0 and last.startswith(" and ", i):
                m = i
        if m is not None:
            parts.extend([last[:m], last[m + 5 :]])
        else:
            parts.append(last)

    def restore(s: str) -> str:
        return re.sub(r"\x00(\d+)\x00", lambda mm: AND_NAMES[int(mm.group(1))], s)

    # "the Dominican Republic" in running text is "Dominican Republic" as a name.
    names = [re.sub(r"^the\s+", "", restore(clean_ws(p))) for p in parts]
    return [n for n in names if n]
