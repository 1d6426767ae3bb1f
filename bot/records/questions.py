"""Which record question is asked: read from the question's structure, not its topic.

A question is a record question when its wording asks about adoption (a vote, abstentions,
"without a vote"), sponsorship, the originating draft, or which resolutions carry a subject
or an SDG, *and* it names what it is about: a resolution (by symbol or by a subject its title
holds), a session, a country. "What does 79/154 say about the right to vote?" names a
resolution but asks about its text, so it is not one; nor is "which resolutions take note
of the Khartoum Declaration?" (a subject no record carries as a subject term).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot.mandates.sessions import ORDINAL, ordinal_value
from bot.records.countries import Countries
from bot.symbols import SymbolRef, find_symbol_refs

Position = str  # "in favour" | "against" | "abstaining"

_NOT_A_VOTE = re.compile(
    r"\bright\s+to\s+vote\b|\bvoting\s+rights?\b|\bvot\w*\s+in\s+(?:elections?|referend\w+)\b", re.I
)
_VOTE = re.compile(
    r"\bvot(?:e|ed|es|ing)\b|\babstain\w*|\babstentions?\b|\bby\s+consensus\b"
    r"|\b(?:were|was|are|is)\s+against\b|\btally\b",
    re.I,
)
_IN_FAVOUR_Q = re.compile(r"\b(?:how\s+many|which|who|what)\b[^?]*\bin\s+favou?r\b", re.I)
_SPONSOR = re.compile(
    r"\b(?:co-?)?sponsor(?:s|ed|ing|ship)?\b|\bsubmitted\s+by\b|\bintroduced\s+by\b"
    r"|\btabled\s+by\b|\bput\s+forward\b",
    re.I,
)
_DRAFT = re.compile(
    r"\b(?:which|what)\s+(?:draft|document|L\.?\s*document)\b[^?]*?\b(?:come|came|originat\w*|"
    r"based|stem\w*|adopted)\b"
    r"|\boriginating\s+(?:document|draft)\b|\bdraft\s+(?:symbol|number)\b"
    r"|\bfrom\s+(?:which|what)\s+draft\b|\bwhat\s+was\s+the\s+draft\b",
    re.I,
)
_SUBJECT_VERB = (
    r"(?:concern|concerns|concerned\s+with|deal\s+with|deals\s+with|address|addresses|"
    r"relate\s+to|relates\s+to|related\s+to|are\s+about|is\s+about|about|cover|covers|"
    r"are\s+on|is\s+on|are\s+tagged(?:\s+with)?|tagged(?:\s+with)?|contribute\s+to|"
    r"linked\s+to|on\s+the\s+subject\s+of)"
)
_SUBJECT = re.compile(
    rf"\b(?:which|what|how\s+many|list)\b[^?]*?\bresolutions\b[^?]*?\b{_SUBJECT_VERB}\s+"
    r"(?:the\s+)?(?P<s>[^?]+)",
    re.I,
)
_SDG = re.compile(
    r"\b(?:SDG|sustainable\s+development\s+goal|goal)\s*(?:no\.?\s*)?(?P<n>\d{1,2})\b", re.I
)
_SESSION = re.compile(rf"\b(?P<o>{ORDINAL})[\s\-]+session\b|\bsession\s+(?P<n>\d{{1,2}})\b", re.I)
_ECOSOC_YEAR = re.compile(
    r"\b(?:ECOSOC|Economic\s+and\s+Social\s+Council)\b[^?]*?\b(?P<y>20\d\d)\b"
    r"|\b(?P<y2>20\d\d)\s+(?:ECOSOC|Economic\s+and\s+Social\s+Council)\b",
    re.I,
)
_TOPIC = (
    re.compile(r"[\"“](?P<t>[^\"”]{3,150})[\"”]"),
    re.compile(
        r"\bresolutions?\s+(?:on|about|concerning|regarding|entitled|titled|called|named)\s+"
        r"(?P<t>[^?]+)",
        re.I,
    ),
    re.compile(
        r"\b(?:vot\w*|abstain\w*|adopted)\s+(?:on|for|against|in\s+favou?r\s+of)\s+(?P<t>[^?]+)",
        re.I,
    ),
    re.compile(r"\bsponsor(?:s|ed)?\s+(?:of\s+)?(?P<t>[^?]+)", re.I),
    re.compile(r"\bthe\s+(?P<t>[\w'’\- ]{3,80}?)\s+resolution\b", re.I),
)
_TOPIC_TAIL = re.compile(
    r"\s*(?:\b(?:was|were|is|got|get)?\s*(?:adopted|passed|approved|voted)\b.*"
    r"|\b(?:in|at|of|during|from)\s+(?:the\s+)?(?:\w+[\s\-])?session\b.*"
    r"|\b(?:in|of)\s+(?:19|20)\d\d\b.*|\bresolution\b\s*$|\band\s+(?:how|who|which|what)\b.*)$",
    re.I,
)
_FOLLOW_UP = re.compile(
    r"^\s*(?:and|also|what\s+about|how\s+about|and\s+what\s+about|same\s+for|what\s+of)\b", re.I
)
_PLURAL = re.compile(r"\bresolutions\b|\bhow\s+many\s+(?:\w+\s+){0,3}resolutions\b", re.I)
_COUNT = re.compile(r"\bhow\s+many\b|\bnumber\s+of\b|\bcount\b", re.I)
_LIST = re.compile(r"\b(?:which|who|what|list|name)\b", re.I)
_ADOPTED_HOW = re.compile(
    r"\b(?:by|with|through|after|put\s+to|without)\s+(?:a\s+)?(?:recorded\s+)?vote\b"
    r"|\bby\s+consensus\b|\bwas\s+there\s+a\s+vote\b|\bvote\s+(?:taken|held)\b|\bvoted\s+on\b",
    re.I,
)
_WITHOUT = re.compile(r"\bwithout\s+(?:a\s+)?vote\b|\bby\s+consensus\b|\bunanimous\w*\b", re.I)
_RECORDED = re.compile(
    r"\b(?:by|with|after)\s+a\s+(?:recorded\s+)?vote\b|\brecorded\s+vote\b", re.I
)


@dataclass
class RecordQuery:
    """What a record question asks; `kind` says which answer it gets."""

    kind: str  # vote | sponsors | draft | subjects | country_votes | session_votes | country_sponsored
    detail: str = ""  # for "vote": tally | adopted_how | count | list | country
    position: Position | None = None
    symbols: list[str] = field(default_factory=list)  # records named
    missing: list[str] = field(default_factory=list)  # named, with no record
    topic: str | None = None
    country: str | None = None
    session: int | None = None
    subject: str | None = None  # a UNBIS term, or "SDG 16"
    adoption: str | None = None  # "without vote" | "recorded"
    refs: list[SymbolRef] = field(default_factory=list, repr=False)  # symbols as written

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("refs")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecordQuery:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def is_vote_question(q: str) -> bool:
    if _NOT_A_VOTE.search(q):
        return False
    return bool(_VOTE.search(q) or _IN_FAVOUR_Q.search(q))


def position_of(q: str) -> Position | None:
    if re.search(r"\babstain\w*|\babstentions?\b", q, re.I):
        return "abstaining"
    if re.search(r"\bagainst\b|\bvoted?\s+no\b|\bopposed\b", q, re.I):
        return "against"
    if re.search(r"\bin\s+favou?r\b|\bvoted?\s+(?:for|yes)\b|\bsupported\b", q, re.I):
        return "in favour"
    return None


def session_of(q: str) -> int | None:
    m = _SESSION.search(q)
    if m:
        return int(m.group("n")) if m.group("n") else ordinal_value(m.group("o"))
    m = _ECOSOC_YEAR.search(q)
    if m:
        return int(m.group("y") or m.group("y2"))
    return None


def topic_of(q: str) -> str | None:
    """The words that name a resolution by its subject ("the moratorium on the death penalty")."""
    for rx in _TOPIC:
        m = rx.search(q)
        if not m:
            continue
        topic = m.group("t").strip(" ?.!,;:")
        while True:  # "the ICC resolution in the 79th session": both tails go
            shorter = _TOPIC_TAIL.sub("", topic).strip(" ?.!,;:")
            if shorter == topic:
                break
            topic = shorter
        topic = re.sub(r"^(?:the|a|an|this|that)\s+", "", topic, flags=re.I)
        if len(topic) >= 3 and not find_symbol_refs(topic):
            return topic
    return None


def subject_of(q: str, subjects: set[str]) -> str | None:
    """ "SDG 16", or the UNBIS subject term the question's subject equals (case folded)."""
    m = _SUBJECT.search(q)
    if not m:
        return None
    phrase = m.group("s").strip()
    sdg = _SDG.search(phrase)
    if sdg and 1 <= int(sdg.group("n")) <= 17:
        return f"SDG {int(sdg.group('n'))}"
    phrase = _TOPIC_TAIL.sub("", phrase).strip(" ?.!,;:")
    phrase = re.sub(r"\s+(?:in|at|of|during)\s+(?:the\s+)?\S+\s+session.*$", "", phrase, flags=re.I)
    key = " ".join(phrase.split()).casefold()
    for cand in (key, key.rstrip("s"), key + "s"):
        if cand in subjects:
            return cand.upper()
    return None


def parse(
    question: str,
    countries: Countries,
    subjects: set[str],
    previous: RecordQuery | None = None,
) -> RecordQuery | None:
    """The record query a question asks, or None when it is not a record question.

    `previous` is the last record question of the conversation: a follow-up ("and Canada?",
    "and the 78th session?") keeps its kind and changes what the follow-up names.
    """
    q = " ".join(question.replace("’", "'").split())
    refs = find_symbol_refs(q)
    session = session_of(q)
    topic = None if refs else topic_of(q)
    rest = q.replace(topic, " ") if topic else q
    named = countries.find(rest)
    country = named[0].name if named else None
    position = position_of(q)

    if (
        previous is not None
        and (_FOLLOW_UP.search(q) or len(q.split()) <= 4)
        and not (
            _DRAFT.search(q) or _SPONSOR.search(q) or is_vote_question(q) or _SUBJECT.search(q)
        )
    ):
        # A follow-up: the earlier question, with whatever this one names instead.
        changes: dict[str, Any] = {}
        if refs or topic:
            if previous.kind not in ("vote", "sponsors", "draft"):
                return None
            changes.update(symbols=[], missing=[], topic=topic)
        if country:
            changes["country"] = country
            if previous.kind == "vote":
                changes["detail"] = "country"
        if session:
            changes["session"] = session
        if position:
            changes["position"] = position
            if previous.kind == "vote" and previous.detail in ("tally", "adopted_how"):
                changes["detail"] = "list"
        if not changes:
            return None
        return replace(previous, refs=refs, **changes)

    query: RecordQuery | None = None
    if _DRAFT.search(q) and (refs or topic):
        query = RecordQuery("draft", topic=topic)
    elif _SPONSOR.search(q):
        if refs or (topic and not _PLURAL.search(q)):
            query = RecordQuery("sponsors", topic=topic)
        elif country and _PLURAL.search(q):
            query = RecordQuery("country_sponsored", country=country, session=session)
    elif is_vote_question(q):
        if refs or topic:
            if country:
                detail = "country"
            elif position and _COUNT.search(q):
                detail = "count"
            elif position and _LIST.search(q):
                detail = "list"
            elif _ADOPTED_HOW.search(q):
                detail = "adopted_how"
            else:
                detail = "tally"
            query = RecordQuery("vote", detail, position, topic=topic, country=country)
            # What "was it adopted by consensus / by a vote?" asks, for the yes or no.
            query.adoption = "without vote" if _WITHOUT.search(q) else "recorded"
        elif country and (_PLURAL.search(q) or session):
            query = RecordQuery("country_votes", position=position, country=country)
        elif _PLURAL.search(q) and (session or _WITHOUT.search(q) or _RECORDED.search(q)):
            adoption = "without vote" if _WITHOUT.search(q) else "recorded"
            query = RecordQuery("session_votes", adoption=adoption)
    elif _PLURAL.search(q):
        subject = subject_of(q, subjects)
        if subject:
            query = RecordQuery("subjects", subject=subject)
    if query is None:
        return None
    query.session = session
    query.refs = refs
    return query
