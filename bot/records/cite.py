"""How an adoption record is cited: `A/RES/79/6, vote (A/79/PV.29)`.

A record is cited like a paragraph: the resolution's symbol, then a label. The label names
the fact (``vote``, ``sponsors``, ``draft``, ``subjects``) and, in brackets, the meeting
record where the UN wrote it down, so a reader can check it there. The record's facts are
handed to the verifier as `Retrieved` items with these labels; the answer cites them inline
exactly as it cites `[A/RES/79/154, OP52]`.
"""

from __future__ import annotations

import re

from bot.answer.types import Retrieved
from ingest.records import Record

FACETS = ("vote", "sponsors", "draft", "subjects")
NO_MEETING = "UN record"
# "vote (A/79/PV.29)", "sponsors (E/2025/SR.12)", "draft (UN record)"
LABEL_RX = re.compile(
    r"\b(vote|sponsors|draft|subjects)\s*\(\s*([AE]/[\w./\-]{1,40}|UN record)\s*\)", re.I
)


def record_label(record: Record, facet: str) -> str:
    return f"{facet} ({record.meeting_record or NO_MEETING})"


def meeting_of_label(label: str) -> str | None:
    """The meeting record a record label points to (`A/79/PV.29`); None for other labels."""
    m = LABEL_RX.fullmatch(label.strip())
    if not m or m.group(2) == NO_MEETING:
        return None
    return m.group(2)


def is_record_label(label: str) -> bool:
    return bool(LABEL_RX.fullmatch(label.strip()))


def cite(record: Record, facet: str, doc_id: str | None = None) -> str:
    """The inline marker: `[A/RES/79/6, vote (A/79/PV.29)]`."""
    return f"[{record.symbol}, {record_label(record, facet)}]"


def facet_text(record: Record, facet: str) -> str:
    """What the record says on one facet, in words (the quoted "paragraph" of a citation)."""
    meeting = ", ".join(x for x in (record.adoption_meeting, record.adoption_date) if x)
    if facet == "vote":
        if record.vote == "recorded":
            text = (
                f"Adopted by a recorded vote: {record.in_favour_count} in favour, "
                f"{record.against_count} against, {record.abstaining_count} abstaining"
            )
            for name, names in (
                ("In favour", record.in_favour),
                ("Against", record.against),
                ("Abstaining", record.abstaining),
            ):
                if names:
                    text += f". {name}: " + ", ".join(names)
        elif record.vote == "without vote":
            text = "Adopted without a vote"
        else:
            text = "Adoption (voting type not recorded)"
        return f"{text} ({meeting})." if meeting else text + "."
    if facet == "sponsors":
        parts = []
        if record.sponsors:
            parts.append("Sponsors: " + "; ".join(record.sponsors))
        if record.additional_sponsors:
            parts.append("Additional sponsors: " + "; ".join(record.additional_sponsors))
        return ". ".join(parts) or "No sponsors recorded."
    if facet == "draft":
        bits = [f"Originating document: {record.originating_document or 'not recorded'}"]
        if record.committee:
            bits.append(f"Committee: {record.committee}")
        if record.agenda_item:
            bits.append(f"{record.agenda_item}: {record.agenda_item_name or ''}".rstrip(": "))
        return ". ".join(bits) + "."
    sdgs = f"SDGs: {', '.join(record.sdgs)}. " if record.sdgs else ""
    return sdgs + "Subjects: " + ("; ".join(record.subjects) or "none recorded") + "."


def retrieved(record: Record, facet: str, doc_id: str | None = None) -> Retrieved:
    """A record's facet as an item the verifier accepts as cited."""
    return Retrieved(
        doc_id=doc_id or record.symbol,
        symbol=record.symbol,
        label=record_label(record, facet),
        source=record.source,
        text=facet_text(record, facet),
        score=1.0,
        why=["UN adoption record"],
        metadata={"meeting_record": record.meeting_record, "record_facet": facet},
    )
