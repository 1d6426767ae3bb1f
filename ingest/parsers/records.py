"""The UN's metadata records (JSON Lines), read as untrusted input.

Each line is one resolution's record as the UN wrote it: country names in capitals, counts as
strings, non-breaking spaces in dates, "N.A." for "not applicable". A line that is not JSON,
is too long, has a field of the wrong type or a symbol that is not a resolution symbol is one
`LineError` naming its line; every other line is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from core.errors import ParseError
from ingest.records import MEETING_RE, SYMBOL_RE, Record

# Real lines are under 7 KB (a recorded vote lists some 190 names); a megabyte is no record.
MAX_LINE_BYTES = 1_000_000
MAX_LIST_ITEMS = 1000
MAX_STRING_CHARS = 20_000
MAX_RECORDS = 200_000
SUFFIXES = (".json", ".jsonl", ".ndjson")
SNIFF_BYTES = 65_536
_RECORD_KEYS = (b'"adoption_type"', b'"voting_type"', b'"MS_in_favour"', b'"pv"', b'"sr"')

_NOT_GIVEN = {"", "n.a.", "n/a", "na", "none", "null", "-"}
_SDG = re.compile(r"^\d{1,2}(?:\.[0-9a-z]{1,2})?$")


@dataclass
class LineError:
    line: int
    reason: str


@dataclass
class RecordsFile:
    records: list[Record] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


class BadLine(ValueError):
    """A record line that cannot be used; the message says why."""


def is_records_file(path: Path) -> bool:
    """A JSON Lines file whose first object looks like a UN resolution metadata record."""
    if path.suffix.lower() not in SUFFIXES:
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b'"symbol"' in head and any(k in head for k in _RECORD_KEYS)


def _clean(text: str) -> str:
    # Non-breaking and other odd spaces as the UN's files have them ("7\xa0October 2024").
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _string(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadLine(f"field {key!r} must be a string, not {type(value).__name__}")
    value = _clean(value[:MAX_STRING_CHARS])
    return None if value.casefold() in _NOT_GIVEN else value


def _names(raw: dict[str, Any], key: str) -> list[str]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadLine(f"field {key!r} must be a list of strings")
    if len(value) > MAX_LIST_ITEMS:
        raise BadLine(f"field {key!r} has {len(value)} entries (limit {MAX_LIST_ITEMS})")
    out: list[str] = []
    for v in value:
        v = _clean(v[:MAX_STRING_CHARS])
        # Some records repeat their list; a name counts once.
        if v and v.casefold() not in _NOT_GIVEN and v not in out:
            out.append(v)
    return out


def _count(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if isinstance(value, bool):
        raise BadLine(f"field {key!r} must be a count, not {value!r}")
    if value is None:
        return None
    if isinstance(value, int):
        n = value
    elif isinstance(value, str):
        text = _clean(value)
        if text.casefold() in _NOT_GIVEN:
            return None
        if not text.isdigit() or len(text) > 4:
            raise BadLine(f"field {key!r} must be a count, not {value[:20]!r}")
        n = int(text)
    else:
        raise BadLine(f"field {key!r} must be a count, not {type(value).__name__}")
    if not 0 <= n <= 1000:
        raise BadLine(f"field {key!r} is out of range: {n}")
    return n


def _subjects(raw: dict[str, Any]) -> list[str]:
    value = raw.get("subjects")
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
        raise BadLine("field 'subjects' must be a list of [term, vocabulary] pairs")
    out: list[str] = []
    for item in value:
        if isinstance(item, str):
            term, vocab = item, ""
        elif isinstance(item, list) and item and all(isinstance(x, str) for x in item):
            term, vocab = item[0], item[1] if len(item) > 1 else ""
        else:
            raise BadLine("field 'subjects' must be a list of [term, vocabulary] pairs")
        # ["123a", "A/79/251"] is the agenda item in the session's agenda, not a subject.
        if "/" in vocab:
            continue
        term = _clean(term[:MAX_STRING_CHARS])
        if term and term not in out:
            out.append(term)
    return out


def record_from_json(raw: Any, source: str = "", line: int = 0) -> Record:
    """A `Record` from one decoded line; raises `BadLine` saying what is wrong."""
    if not isinstance(raw, dict):
        raise BadLine(f"not a JSON object but {type(raw).__name__}")
    symbol_raw = raw.get("symbol")
    if not isinstance(symbol_raw, str):
        raise BadLine("no 'symbol' string")
    symbol = _clean(symbol_raw[:200]).upper()
    if not SYMBOL_RE.match(symbol):
        raise BadLine(f"{symbol_raw[:60]!r} is not a GA or ECOSOC resolution symbol")
    meeting_raw = _string(raw, "pv") or _string(raw, "sr")
    meeting = note = None
    if meeting_raw:
        m = MEETING_RE.match(meeting_raw)
        meeting, note = (m.group(1), m.group(2)) if m else (None, meeting_raw)
    adoption = (_string(raw, "adoption_type") or "").casefold()
    voting = (_string(raw, "voting_type") or "").casefold()
    vote: Any = None
    if "recorded" in adoption or "recorded" in voting:
        vote = "recorded"
    elif "without" in adoption or "withoutvote" in voting:
        vote = "without vote"
    sdgs = [s for s in _names(raw, "SDGs") if _SDG.match(s)]
    return Record(
        symbol=symbol,
        title=_string(raw, "title"),
        session=_string(raw, "session"),
        resolution_number=_string(raw, "resolution_number"),
        adoption_date=_string(raw, "adoption_date"),
        adoption_meeting=_string(raw, "adoption_meeting"),
        meeting_record=meeting,
        meeting_note=note,
        originating_document=_string(raw, "originating_document"),
        report_paragraph=_string(raw, "report_paragraph"),
        committee=_string(raw, "committee"),
        agenda_item=_string(raw, "agenda_item"),
        agenda_item_name=_string(raw, "agenda_item_name"),
        sponsors=_names(raw, "sponsors"),
        additional_sponsors=_names(raw, "additional_sponsors"),
        vote=vote,
        in_favour=_names(raw, "MS_in_favour"),
        against=_names(raw, "MS_against"),
        abstaining=_names(raw, "MS_abstaining"),
        in_favour_count=_count(raw, "MS_in_favour_count"),
        against_count=_count(raw, "MS_against_count"),
        abstaining_count=_count(raw, "MS_abstaining_count"),
        sdgs=sdgs,
        subjects=_subjects(raw),
        source=source,
        line=line,
    )


def _lines(fh: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; None for a line over the limit, which is skipped unread."""
    n = 0
    while True:
        chunk = fh.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        n += 1
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = fh.readline(MAX_LINE_BYTES)
            yield n, None
            continue
        yield n, chunk


def parse_records_file(path: Path) -> RecordsFile:
    """Every record of a metadata file, and one error per line that could not be read.

    Raises:
        ParseError: the file cannot be opened at all.
    """
    out = RecordsFile()
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}") from exc
    with fh:
        for n, chunk in _lines(fh):
            if chunk is None:
                out.errors.append(LineError(n, f"line longer than {MAX_LINE_BYTES:,} bytes"))
                continue
            if n == 1:
                chunk = chunk.removeprefix(b"\xef\xbb\xbf")
            if not chunk.strip():
                continue
            if len(out.records) >= MAX_RECORDS:
                out.errors.append(LineError(n, f"more than {MAX_RECORDS:,} records; rest skipped"))
                break
            try:
                raw = json.loads(chunk.decode("utf-8"))
                out.records.append(record_from_json(raw, path.name, n))
            except UnicodeDecodeError:
                out.errors.append(LineError(n, "not UTF-8 text"))
            except ValueError as exc:  # JSONDecodeError and BadLine
                reason = str(exc) if isinstance(exc, BadLine) else f"invalid JSON: {exc}"
                out.errors.append(LineError(n, reason[:200]))
            except RecursionError:
                out.errors.append(LineError(n, "JSON nested too deeply"))
    return out
