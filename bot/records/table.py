"""Rows of records for `resbot votes`: one resolution per row, each with its citation."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from bot.records.answers import adoption, count
from bot.records.cite import record_label
from bot.records.index import RecordIndex, sort_key
from bot.slack.blocks import document_url
from ingest.records import Record


@dataclass
class Filters:
    country: str | None = None  # canonical name
    sponsor: str | None = None  # canonical name
    session: int | None = None
    position: str | None = None  # in favour | against | abstaining
    adoption: str | None = None  # without vote | recorded
    sdg: str | None = None
    subject: str | None = None


def select(index: RecordIndex, f: Filters) -> list[Record]:
    out = []
    for rec in sorted(index.in_session(f.session), key=sort_key):
        if f.adoption and rec.vote != f.adoption:
            continue
        if f.country:
            if rec.vote != "recorded":
                continue
            if f.position and index.vote_of(rec, f.country) != f.position:
                continue
        if f.sponsor and not any(
            index.countries.canonical(s) == f.sponsor
            for s in rec.sponsors + rec.additional_sponsors
        ):
            continue
        if f.sdg and not any(s.split(".")[0] == f.sdg for s in rec.sdgs):
            continue
        if f.subject and f.subject.casefold() not in {s.casefold() for s in rec.subjects}:
            continue
        out.append(rec)
    return out


def row(index: RecordIndex, rec: Record, country: str | None = None) -> dict[str, Any]:
    facet = "vote"
    data: dict[str, Any] = {
        "symbol": rec.symbol,
        "title": rec.title,
        "session": rec.session_number,
        "adopted": rec.vote,
        "in_favour": count(rec, "in favour") if rec.vote == "recorded" else None,
        "against": count(rec, "against") if rec.vote == "recorded" else None,
        "abstaining": count(rec, "abstaining") if rec.vote == "recorded" else None,
        "meeting_record": rec.meeting_record,
        "meeting_url": document_url(rec.meeting_record),
        "citation": f"{rec.symbol}, {record_label(rec, facet)}",
    }
    if country:
        data["country"] = country
        data["position"] = index.vote_of(rec, country) or "not recorded"
    return data


def to_csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def lines_for(index: RecordIndex, recs: list[Record], country: str | None) -> list[str]:
    """One line per resolution, cited: `A/RES/79/7  against  Title [A/RES/79/7, vote (...)]`."""
    out = []
    for rec in recs:
        cite = f"[{rec.symbol}, {record_label(rec, 'vote')}]"
        if country:
            what = index.vote_of(rec, country) or "not recorded"
        elif rec.vote == "recorded":
            what = f"{count(rec, 'in favour')}-{count(rec, 'against')}-{count(rec, 'abstaining')}"
        else:
            what = rec.vote or "?"
        out.append(f"{rec.symbol:<20} {what:<13} {rec.title or ''} {cite}")
    return out


def full_record(index: RecordIndex, rec: Record) -> list[str]:
    """The tally and the three lists, the draft, sponsors and subjects of one record."""
    display = index.countries.display
    lines = [
        f"{rec.symbol}  {rec.title or ''}".rstrip(),
        f"Adopted {adoption(rec).removeprefix('was adopted ')} "
        f"[{rec.symbol}, {record_label(rec, 'vote')}]",
    ]
    if rec.meeting_record:
        lines.append(f"Meeting record: {rec.meeting_record}  {document_url(rec.meeting_record)}")
    if rec.vote == "recorded":
        for pos, label in (
            ("in favour", "In favour"),
            ("against", "Against"),
            ("abstaining", "Abstaining"),
        ):
            names = [display(n) for n in getattr(rec, pos.replace(" ", "_"))]
            lines.append(f"{label} ({count(rec, pos)}): {', '.join(names) or '-'}")
    if rec.originating_document:
        lines.append(
            f"Draft: {rec.originating_document}" + (f" ({rec.committee})" if rec.committee else "")
        )
    if rec.sponsors:
        lines.append("Sponsors: " + ", ".join(display(s) for s in rec.sponsors))
    if rec.additional_sponsors:
        lines.append(
            "Additional sponsors: " + ", ".join(display(s) for s in rec.additional_sponsors)
        )
    if rec.sdgs:
        lines.append("SDGs: " + ", ".join(rec.sdgs))
    if rec.subjects:
        lines.append("Subjects: " + "; ".join(rec.subjects))
    lines.append(f"Source: {rec.source}, line {rec.line}")
    return lines


def record_lines_for(store: Any, symbol: str) -> list[str]:
    """`resbot show SYMBOL`: the adoption record of that resolution, when there is one."""
    from bot.records.index import build_index
    from bot.symbols import SymbolRef, find_symbol_refs

    index = build_index(store)
    refs = find_symbol_refs(symbol) or [SymbolRef(symbol, exact=symbol.upper())]
    recs, _ = index.resolve(refs)
    lines: list[str] = []
    for rec in recs:
        lines += ["", "UN adoption record:", *full_record(index, rec)]
    return lines
