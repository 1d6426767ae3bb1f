"""Answers to record questions, every fact cited to the record: `[A/RES/79/6, vote (A/79/PV.29)]`.

Counts are the record's own (``MS_against_count``), never recounted from the lists. A
country on none of the three lists of a recorded vote "did not vote, or its vote is not
recorded": the record does not say which, and neither do we.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer.types import Answer, Retrieved
from bot.answer.verify import verify
from bot.mandates.sessions import ordinal_words
from bot.records.cite import cite, retrieved
from bot.records.index import RecordIndex, sort_key
from bot.records.questions import RecordQuery
from ingest.records import Record

MAX_LISTED = 12
_POSITION_VERB = {
    "in favour": "voted in favour of",
    "against": "voted against",
    "abstaining": "abstained on",
}
_POSITION_FLAG = {"in favour": "--in-favour", "against": "--against", "abstaining": "--abstained"}


@dataclass
class Composed:
    text: str
    items: list[Retrieved]
    answerable: bool = True


def session_name(record_or_session: Record | int | None) -> str:
    n = (
        record_or_session.session_number
        if isinstance(record_or_session, Record)
        else record_or_session
    )
    if n is None:
        return "all sessions"
    if n >= 1946:
        return f"the {n} session of ECOSOC"
    return f"the {ordinal_words(n)} session"


def named(record: Record) -> str:
    return f"{record.symbol} ({record.title})" if record.title else record.symbol


def count(record: Record, position: str) -> int:
    """The record's count for a position; the length of its list when it gives none."""
    value = {
        "in favour": record.in_favour_count,
        "against": record.against_count,
        "abstaining": record.abstaining_count,
    }[position]
    return value if value is not None else len(names_of(record, position))


def names_of(record: Record, position: str) -> list[str]:
    return {
        "in favour": record.in_favour,
        "against": record.against,
        "abstaining": record.abstaining,
    }[position]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def tally(record: Record) -> str:
    return (
        f"{count(record, 'in favour')} in favour to {count(record, 'against')} against, "
        f"with {_plural(count(record, 'abstaining'), 'abstention', 'abstentions')}"
    )


def adoption(record: Record) -> str:
    where = " on ".join(x for x in (record.adoption_meeting, record.adoption_date) if x)
    where = f" at the {where}" if record.adoption_meeting else (f" on {where}" if where else "")
    if record.vote == "recorded":
        return f"was adopted by a recorded vote of {tally(record)}{where}"
    if record.vote == "without vote":
        return f"was adopted without a vote{where}"
    return f"was adopted{where}; the record does not say whether by a vote"


def _mismatch(record: Record, position: str) -> str:
    listed = len(names_of(record, position))
    n = count(record, position)
    return f" (the record lists {listed} names)" if listed and listed != n else ""


def vote_answer(index: RecordIndex, q: RecordQuery, record: Record, others: list[Record]) -> str:
    c = cite(record, "vote")
    display = index.countries.display
    if q.detail == "country" and q.country:
        who = index.countries.in_text(q.country)
        if record.vote == "without vote":
            return (
                f"{named(record)} {adoption(record)}, so no country's vote, "
                f"{who}'s included, was recorded {c}."
            )
        position = index.vote_of(record, q.country)
        if position is None:
            return (
                f"{_cap(who)} is on none of the three lists (in favour, against, abstaining) of "
                f"the recorded vote on {named(record)}: it did not vote, or its vote was not "
                f"recorded {c}."
            )
        return f"{_cap(who)} {_POSITION_VERB[position]} {named(record)} {c}."
    if q.detail in ("count", "list") and q.position:
        pos = q.position
        if record.vote != "recorded":
            return f"{named(record)} {adoption(record)}, so no country's vote was recorded {c}."
        n = count(record, pos)
        verb = {
            "in favour": "voted in favour of",
            "against": "voted against",
            "abstaining": "abstained on",
        }[pos]
        text = f"{_plural(n, 'Member State', 'Member States')} {verb} {named(record)}{_mismatch(record, pos)}"
        names = [display(x) for x in names_of(record, pos)]
        if q.detail == "list" or n <= 40:
            text += ": " + ", ".join(names) if names else ""
        return f"{text} {c}."
    if q.detail == "adopted_how":
        yes = "" if record.vote is None else "Yes" if record.vote == q.adoption else "No"
        lead = f"{yes}: " if yes else ""
        return f"{lead}{named(record)} {adoption(record)} {c}."
    text = f"{named(record)} {adoption(record)} {c}."
    if record.vote == "recorded":
        for pos, label in (("against", "Against"), ("abstaining", "Abstaining")):
            names = [display(x) for x in names_of(record, pos)]
            if names:
                text += f"\n{label}: {', '.join(names)} {c}."
    return text


def sponsors_answer(index: RecordIndex, record: Record) -> str:
    c = cite(record, "sponsors")
    display = index.countries.display
    if not record.sponsors and not record.additional_sponsors:
        return f"The UN's record of {named(record)} names no sponsors {c}."
    main = [display(s) for s in record.sponsors]
    if len(main) == 1 and main[0].lower().startswith(("submitted by", "was submitted by")):
        text = f"The draft of {named(record)} was {main[0].removeprefix('was ')} {c}."
    else:
        text = f"{named(record)} was sponsored by {', '.join(main)} {c}." if main else ""
    if record.additional_sponsors:
        extra = [display(s) for s in record.additional_sponsors]
        text += (
            f"\n{_plural(len(extra), 'further sponsor', 'further sponsors')} joined: "
            f"{', '.join(extra)} {c}."
        )
    return text.strip()


def draft_answer(record: Record) -> str:
    c = cite(record, "draft")
    doc = record.originating_document
    if not doc:
        return f"The UN's record of {named(record)} does not name its originating document {c}."
    if "/L." in doc:
        return f"{named(record)} was adopted from draft resolution {doc} {c}."
    body = record.committee
    if body and "committee" in body.lower() and "without" not in body.lower():
        return f"{named(record)} was adopted on the recommendation of the {body}, in its report {doc} {c}."
    return f"{named(record)} was adopted on the basis of {doc} {c}."


def _list_lines(records: list[Record], facet: str, suffix: Callable[[Record], str]) -> list[str]:
    return [
        f"- {r.symbol} {r.title or ''}{suffix(r)} {cite(r, facet)}".replace("  ", " ")
        for r in records[:MAX_LISTED]
    ]


def _more(records: list[Record], command: list[str]) -> str:
    hidden = len(records) - MAX_LISTED
    if hidden <= 0:
        return ""
    return f"\n…and {hidden} more: {shlex.join(['resbot', 'votes', *command])}"


def _session_args(q: RecordQuery) -> list[str]:
    return ["--session", str(q.session)] if q.session else []


def list_answer(index: RecordIndex, q: RecordQuery) -> Composed:
    """Answers about many resolutions: a country's votes, a session's adoptions, a subject."""
    pool = sorted(index.in_session(q.session), key=sort_key)
    where = session_name(q.session)
    if not pool:
        return Composed(f"I hold no UN adoption records for {where}.", [], False)
    if q.kind == "country_votes" and q.country:
        country = q.country
        who = _cap(index.countries.in_text(country))
        hits = [r for r in pool if r.vote == "recorded" and index.vote_of(r, country)]
        if q.position:
            hits = [r for r in hits if index.vote_of(r, country) == q.position]
            head = (
                f"{who} {_POSITION_VERB[q.position]} "
                f"{_plural(len(hits), 'resolution', 'resolutions')} of {where}"
            )
            suffix: Callable[[Record], str] = lambda r: f" ({tally(r)})"  # noqa: E731
        else:
            head = f"{who} is recorded voting on {_plural(len(hits), 'resolution', 'resolutions')} of {where}"
            suffix = lambda r: f": {index.vote_of(r, country)}"  # noqa: E731
        command = ["--country", country, *_session_args(q)]
        if q.position:
            command.append(_POSITION_FLAG[q.position])
        lines = _list_lines(hits, "vote", suffix)
        recorded = sum(1 for r in pool if r.vote == "recorded")
        head += f" (of {recorded} adopted by a recorded vote)"
        facet = "vote"
    elif q.kind == "country_sponsored" and q.country:
        country = q.country
        hits = [
            r
            for r in pool
            if any(
                index.countries.canonical(s) == country for s in r.sponsors + r.additional_sponsors
            )
        ]
        head = f"{_cap(index.countries.in_text(country))} is listed as a sponsor of {_plural(len(hits), 'resolution', 'resolutions')} of {where}"
        lines = _list_lines(hits, "sponsors", lambda r: "")
        command = ["--sponsor", country, *_session_args(q)]
        facet = "sponsors"
    elif q.kind == "session_votes":
        hits = [r for r in pool if r.vote == q.adoption]
        how = "without a vote" if q.adoption == "without vote" else "by a recorded vote"
        head = (
            f"Of the {len(pool)} resolutions of {where} in the UN's records, {len(hits)} were "
            f"adopted {how}"
        )
        unknown = sum(1 for r in pool if r.vote is None)
        if unknown:
            head += f" ({_plural(unknown, 'record does', 'records do')} not say how)"
        lines = _list_lines(hits, "vote", lambda r: "")
        flag = "--without-vote" if q.adoption == "without vote" else "--recorded"
        command = [*_session_args(q), flag]
        facet = "vote"
    else:  # subjects
        subject = q.subject or ""
        if subject.startswith("SDG "):
            goal = subject.split()[1]
            hits = [r for r in pool if any(s.split(".")[0] == goal for s in r.sdgs)]
            head = f"{_plural(len(hits), 'resolution', 'resolutions')} of {where} are linked to {subject} in the UN's records"
            command = [*_session_args(q), "--sdg", goal]
        else:
            hits = [r for r in pool if subject.casefold() in {s.casefold() for s in r.subjects}]
            head = f"{_plural(len(hits), 'resolution', 'resolutions')} of {where} carry the subject {subject} in the UN's records"
            command = [*_session_args(q), "--subject", subject]
        lines = _list_lines(hits, "subjects", lambda r: "")
        facet = "subjects"
    if not hits:
        return Composed(head + ".", [], True)
    text = head + ":\n" + "\n".join(lines) + _more(hits, command)
    return Composed(text, [retrieved(r, facet) for r in hits[:MAX_LISTED]])


def one_answer(
    index: RecordIndex, q: RecordQuery, records: list[Record], earlier: list[Record]
) -> Composed:
    """Answers about named resolutions (at most a few; each cited)."""
    parts: list[str] = []
    items: list[Retrieved] = []
    facet = {"vote": "vote", "sponsors": "sponsors", "draft": "draft"}[q.kind]
    for record in records[:MAX_LISTED]:
        if q.kind == "vote":
            parts.append(vote_answer(index, q, record, earlier))
        elif q.kind == "sponsors":
            parts.append(sponsors_answer(index, record))
        else:
            parts.append(draft_answer(record))
        items.append(retrieved(record, facet))
    if earlier and q.kind == "vote":
        older = ", ".join(r.symbol for r in earlier[:5])
        parts.append(
            f"(The same title was adopted earlier as {older}; ask about one by its symbol.)"
        )
    return Composed("\n".join(parts), items)


def to_answer(question: str, composed: Composed, q: RecordQuery | None) -> Answer:
    checked = verify(composed.text, composed.items)
    scope: dict[str, object] = {"doc_ids": sorted({i.doc_id for i in composed.items})}
    if q is not None:
        scope["records"] = q.to_json()
    if composed.answerable and not checked.citations and composed.items:
        composed = Composed(composed.text, [], False)
    return Answer(
        question,
        checked.text if checked.citations else composed.text,
        composed.answerable,
        checked.citations,
        composed.items,
        mode="records" if composed.answerable else "declined",
        scope=scope,
    )
