"""The UN's adoption record of a resolution: votes, sponsors, draft, meeting, subjects.

The UN's machine-readable release of GA and ECOSOC resolutions comes with one JSON record
per resolution (``data_extract/``). The text of a resolution does not hold these facts; the
record does. A `Record` is kept beside the paragraphs and joined to its document by symbol
at read time, so a record whose resolution is not (yet) stored is kept and attached as soon
as the text arrives, whichever file was ingested first.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Vote = Literal["recorded", "without vote"]

# A/RES/79/6, A/RES/79/259 A-C, A/RES/78/183 B, E/RES/2025/1, A/RES/ES-11/1
SYMBOL_RE = re.compile(r"^([AE])/RES/((?:ES-|S-)?\d{1,4})/(\d{1,4})(?: ([A-Z])(?:-([A-Z]))?)?$")
# A meeting record: A/79/PV.53, E/2025/SR.12, A/ES-11/PV.3
MEETING_RE = re.compile(r"^([AE]/(?:ES-|S-)?\d{1,4}/(?:PV|SR)\.\d{1,4})\b(?:\s*\((.{1,60})\))?$")

BODIES = {"A": "General Assembly", "E": "Economic and Social Council"}


@dataclass
class Record:
    """One resolution's adoption record, cleaned; lists and counts exactly as the UN gave them."""

    symbol: str
    title: str | None = None
    session: str | None = None
    resolution_number: str | None = None
    adoption_date: str | None = None
    adoption_meeting: str | None = None
    meeting_record: str | None = None  # the verbatim/summary record symbol: A/79/PV.53
    meeting_note: str | None = None  # "Resumption 1", or the raw value when it is no symbol
    originating_document: str | None = None
    report_paragraph: str | None = None
    committee: str | None = None
    agenda_item: str | None = None
    agenda_item_name: str | None = None
    sponsors: list[str] = field(default_factory=list)
    additional_sponsors: list[str] = field(default_factory=list)
    vote: Vote | None = None
    in_favour: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    abstaining: list[str] = field(default_factory=list)
    in_favour_count: int | None = None
    against_count: int | None = None
    abstaining_count: int | None = None
    sdgs: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    source: str = ""
    line: int = 0

    @property
    def body(self) -> str:
        return BODIES.get(self.symbol[:1], "")

    @property
    def base(self) -> str:
        """The symbol without its part letters: A/RES/79/259 A-C -> A/RES/79/259."""
        m = SYMBOL_RE.match(self.symbol)
        return f"{m.group(1)}/RES/{m.group(2)}/{m.group(3)}" if m else self.symbol

    @property
    def session_number(self) -> int | None:
        """The GA session (79) or the ECOSOC year (2025), from the symbol."""
        m = SYMBOL_RE.match(self.symbol)
        return int(m.group(2)) if m and m.group(2).isdigit() else None

    def doc_ids(self) -> list[str]:
        """The document ids this record belongs to: the symbol, and each part of "A-C"."""
        m = SYMBOL_RE.match(self.symbol)
        if not m or not m.group(4):
            return [self.symbol]
        first, last = m.group(4), m.group(5) or m.group(4)
        parts = [chr(c) for c in range(ord(first), ord(last) + 1)]
        return [f"{self.base} {p}" for p in parts] + [self.base]

    def content_hash(self) -> str:
        """What decides whether a stored record must be rewritten (where it was read from does not)."""
        data = {k: v for k, v in asdict(self).items() if k not in ("source", "line")}
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
