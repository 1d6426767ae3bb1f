"""Questions about obligations across the corpus, answered from the mandate table.

``is_mandate_question(question)`` returns a ``MandateQuery`` for questions such as
"what does UNODC have to report?", "which reports are due at the eighty-first session?" or
"what has the Secretary-General been asked to do on trafficking since 2021?", and None for
questions about one resolution ("... under 79/154?", "the 2025 GA resolution on ...") or that
are not about mandates; those go through normal retrieval.

``format_mandates(mandates)`` renders the answer: grouped by actor (or due year), sorted by due
date, every line cited "[A/RES/79/154, OP52]". ``answer_mandate_question`` wraps both into the
shared ``Answer`` type (mode "mandates").
"""

from __future__ import annotations

import re
import shlex
from dataclasses import asdict, dataclass
from typing import Any

from bot.glossary import Glossary, default_glossary, normalise
from bot.mandates.extract import Mandate
from bot.mandates.sessions import ORDINAL, ordinal_value, ordinal_words, session_year
from bot.mandates.table import MandateTable, group_mandates
from bot.symbols import find_symbol_refs


@dataclass
class MandateQuery:
    """Filters for ``MandateTable.query``; None means "any"."""

    actor: str | None = None
    reporting: bool | None = None
    due_year: int | None = None
    due_session: int | None = None
    body: str | None = None
    adopted_by: str | None = None
    text: str | None = None
    since_year: int | None = None
    until_year: int | None = None
    docs: list[str] | None = None  # a question naming several resolutions is kept to them

    def to_kwargs(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        parts = []
        if self.actor:
            parts.append(f"addressed to {self.actor}")
        if self.reporting:
            parts.append("reporting")
        if self.due_session:
            parts.append(f"due at the {ordinal_words(self.due_session)} session")
        if self.due_year:
            parts.append(f"due in {self.due_year}")
        if self.body:
            parts.append(f"to {self.body}")
        if self.adopted_by:
            parts.append(f"in {self.adopted_by} resolutions")
        if self.text:
            parts.append(f"on “{self.text}”")
        if self.docs:
            parts.append("in " + ", ".join(self.docs))
        if self.since_year and self.until_year and self.since_year == self.until_year:
            parts.append(f"adopted in {self.since_year}")
        else:
            if self.since_year:
                parts.append(f"adopted since {self.since_year}")
            if self.until_year:
                parts.append(f"adopted up to {self.until_year}")
        return ", ".join(parts) or "all mandates"

    def run(self, table: MandateTable) -> list[Mandate]:
        return table.query(**self.to_kwargs())


# A single resolution: "the 2025 GA resolution on ...", "this resolution", "the resolution".
_ONE_RESOLUTION = re.compile(
    r"\b(?:the|this|that|its)\s+(?:[\w\-\"“”']+\s+){0,5}?resolution\b(?!s)", re.I
)
_REPORT_CUE = re.compile(r"\b(?:report|reports|reporting|reported|brief|briefing|inform)\b", re.I)
# The structure of an obligation question: something is asked of someone ("has to", "is asked
# to", "are due", "ask the SG for a report", "obligations of"), not a word such as "report" alone.
_OBLIGATION_FRAME = re.compile(
    r"\b(?:has|have|had)\s+to\b"
    r"|\b(?:is|are|was|were|been|being)\s+(?:\w+ly\s+)?(?:asked|requested|required|mandated|"
    r"tasked|called\s+(?:up)?on|urged|invited|encouraged|expected|supposed|obliged|due)\b"
    r"|\bmust\b|\b(?:obligations?|mandates?|deadlines?|duties)\b"
    r"|\bdue\s+(?:at|in|by|for|before|to)\b"
    r"|\b(?:ask|asks|asked|request|requests|requested|require|requires|required|mandate|"
    r"mandates|urge|urges|invite|invites|call|calls)\b(?:\s+(?:up)?on)?(?:\s+[\w\-]+){0,6}?"
    r"\s+(?:to\s+[a-z]+|for\s+(?:a|an|the)?\s*(?:\w+\s+)?(?:reports?|briefings?|updates?|information))\b",
    re.I,
)
_SINCE = re.compile(r"\b(?:since|after|from|as\s+of)\s+((?:19|20)\d\d)\b", re.I)
_UNTIL = re.compile(r"\b(?:until|before|up\s+to|through)\s+((?:19|20)\d\d)\b", re.I)
_DUE_YEAR = re.compile(
    r"\b(?:due|deadline|report(?:s|ing)?)\b[^?.]{0,30}?\b(?:in|by|for|during)?\s*((?:19|20)\d\d)\b",
    re.I,
)
_IN_YEAR = re.compile(r"\b(?:adopted\s+)?in\s+((?:19|20)\d\d)\b", re.I)
_SESSION = re.compile(rf"\b({ORDINAL})[\s\-]+session\b", re.I)
_TOPIC = re.compile(
    r"(?:[\"“]([^\"”]{3,120})[\"”])"
    r"|\bunder\s+the\s+(.{3,80}?)\s+agenda\s+item\b"
    r"|\b(?:on|about|regarding|concerning|relating\s+to|related\s+to|in\s+relation\s+to|in\s+the\s+area\s+of)"
    r"\s+(.{3,100}?)(?=\s*(?:[?:;,]|$|\bsince\b|\bafter\b|\bbefore\b|\bin\s+(?:19|20)\d\d|\bat\s+(?:its|the)\b|"
    r"\bdue\b|\bby\s+(?:19|20)\d\d|\band\s+(?:when|to\s+whom|how|what|which)\b|\bwhen\b))",
    re.I,
)
_TOPIC_STOP = re.compile(
    r"^(?:the|a|an|its|their|his|her|which|what|whom|it|them|this|that|behalf)\b", re.I
)


def is_mandate_question(question: str, glossary: Glossary | None = None) -> MandateQuery | None:
    """A query for the mandate table when ``question`` asks about obligations across
    resolutions; None for single-resolution or non-mandate questions."""
    glossary = glossary or default_glossary()
    q = " ".join(normalise(question).split())
    if not q:
        return None
    refs = find_symbol_refs(q)
    if len(refs) == 1:
        return None  # one resolution: retrieval reads it
    if _ONE_RESOLUTION.search(q) and not re.search(r"\bresolutions\b", q, re.I):
        return None
    if not _OBLIGATION_FRAME.search(q):
        return None
    reporting = bool(_REPORT_CUE.search(q))
    query = MandateQuery(reporting=True if reporting else None)
    if refs:
        query.docs = [r.exact or r.short or r.text for r in refs]

    # Who is addressed, to whom reports go, and whose resolutions.
    for mention in glossary.mentions(q, kinds=("entity", "body", "official", "group")):
        before = q[: mention.start].rstrip().lower()
        after = q[mention.end :].lstrip().lower()
        name = mention.entry.canonical
        if (
            re.match(r"(?:[\"“][^\"”]*[\"”]\s+|[\w\-]+\s+){0,3}?resolutions?\b", after)
            and re.search(
                r"(?:\bthe|\bof|\bin|\bacross|\ball|\bwhich|^)\s*(?:\d+\w*[\s\-]+session)?\s*$",
                before,
            )
            and mention.entry.kind == "body"
        ):
            query.adopted_by = query.adopted_by or name
        elif (
            re.search(r"\b(?:to|for|before|through|by|of)(?:\s+the)?$", before)
            and mention.entry.kind == "body"
        ):
            query.body = query.body or name
        elif query.actor is None:
            query.actor = name
        elif mention.entry.kind == "body" and query.body is None:
            query.body = name

    # When: sessions, due years, adoption years.
    for sm in _SESSION.finditer(q):
        n = ordinal_value(sm.group(1).replace(" ", "-"))
        after = q[sm.end() :].lstrip().lower()
        if n is None:
            continue
        if re.match(r"(?:[\w\-]+\s+){0,2}?resolutions?\b", after):
            # "the 79th-session GA resolutions": when they were adopted
            year = session_year(query.adopted_by or "General Assembly", n)
            if year:
                query.since_year, query.until_year = year, year + 1
        else:
            query.due_session = n
    m: re.Match[str] | None = _SINCE.search(q)
    if m:
        query.since_year = int(m.group(1))
    m = _UNTIL.search(q)
    if m:
        query.until_year = int(m.group(1))
    m = _DUE_YEAR.search(q)
    if m and not _SINCE.search(q[m.start() : m.end()]):
        query.due_year = int(m.group(1))
    elif not query.since_year:
        m = _IN_YEAR.search(q)
        if m:
            query.since_year = query.until_year = int(m.group(1))

    # What about.
    m = _TOPIC.search(q)
    if m:
        topic = next(g for g in m.groups() if g)
        topic = re.sub(
            r"\s+(?:resolutions?|have|has|been|is|are|was|were)\b.*$", "", topic, flags=re.I
        ).strip()
        if topic and not _TOPIC_STOP.match(topic) and not glossary.canonical_actor(topic):
            query.text = topic
        elif topic and _TOPIC_STOP.match(topic):
            rest = _TOPIC_STOP.sub("", topic).strip()
            if rest and len(rest.split()) >= 1 and not glossary.canonical_actor(rest):
                query.text = rest
    if (
        not any(
            (
                query.actor,
                query.due_year,
                query.due_session,
                query.body,
                query.text,
                query.adopted_by,
                query.since_year,
            )
        )
        and not query.reporting
    ):
        return None  # "what is the mandate?" alone is too vague for the table
    return query


def _when(m: Mandate) -> str:
    if not m.due_session:
        return ""
    session = str(m.due_session) if m.due_session > 1900 else ordinal_words(m.due_session)
    if m.due_body and m.due_body != m.recipient:
        return f"{m.due_body} {session} session"
    return f"at its {session} session"


def _line(m: Mandate, *, compact: bool) -> str:
    bits: list[str] = []
    to = ""
    if m.reporting and m.recipients:
        to = "to " + " and ".join(m.recipients) + (f" through {m.via}" if m.via else "")
    when = _when(m)
    if to and when.startswith("at its"):
        bits.append(f"{to} {when}")
    else:
        bits.extend(b for b in (to, when) if b)
    if m.due_year:
        bits.append(f"due {m.due_year}")
    if m.frequency:
        bits.append(m.frequency)
    task = re.sub(r"^to\s+", "", m.task).strip()
    limit = 140 if compact else 400
    if len(task) > limit:
        task = task[: limit - 1].rsplit(" ", 1)[0] + "…"
    head = f"[{', '.join(bits)}] " if bits else ""
    return f"- {head}{m.verb}: {task} [{m.citation}]"


def format_mandates(
    mandates: list[Mandate],
    *,
    group_by: str = "actor",
    actor: str | None = None,
    compact: bool = False,
    limit: int | None = None,
) -> str:
    """The mandates as text, grouped (by actor or due year), sorted by due date, each cited.
    ``actor``: show mandates under the queried actor only (not under their co-addressees).
    ``compact``: shorter lines and at most ``limit`` (default 15) lines, for Slack."""
    if not mandates:
        return "No mandates found."
    limit = limit if limit is not None else (15 if compact else None)
    ordered = sorted(mandates, key=Mandate.sort_key)
    groups = (
        {actor: ordered} if actor and group_by == "actor" else group_mandates(ordered, by=group_by)
    )
    if group_by == "due":
        groups = dict(sorted(groups.items(), key=lambda kv: (kv[0] == "no date", kv[0])))
    else:
        groups = dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))
    lines: list[str] = []
    shown = 0
    seen: set[str] = set()
    for name, items in groups.items():
        lines.append(f"*{name}*" if compact else f"{name}:")
        for m in items:
            if limit is not None and shown >= limit:
                break
            if m.key in seen and group_by == "due":
                continue
            seen.add(m.key)
            lines.append(_line(m, compact=compact))
            shown += 1
        if limit is not None and shown >= limit:
            break
    total = len({m.key for m in mandates})
    if limit is not None and total > shown:
        lines.append(f"… and {total - shown} more (resbot mandates lists them all)")
    return "\n".join(lines)


MAX_CITATIONS = 12  # an answer a person can check; the rest is one command away


def command_for(query: MandateQuery) -> str:
    """The ``resbot mandates`` command that lists everything ``query`` matches."""
    flags: list[str] = []

    def add(flag: str, value: object) -> None:
        text = str(value)
        plain = re.fullmatch(r"[\w/.-]+", text)
        flags.append(f"{flag} {text}" if plain else f"{flag} {shlex.quote(text)}")

    if query.actor:
        add("--actor", query.actor)
    if query.reporting:
        flags.append("--reporting")
    if query.due_year:
        add("--due", query.due_year)
    if query.due_session:
        add("--session", query.due_session)
    if query.body:
        add("--body", query.body)
    if query.adopted_by:
        add("--adopted-by", query.adopted_by)
    if query.text:
        add("--text", query.text)
    if query.since_year:
        add("--since", query.since_year)
    for d in query.docs or []:
        add("--doc", d)
    return " ".join(["resbot mandates", *flags])


def _grouping(query: MandateQuery) -> str:
    """Due questions are grouped by due date; reporting questions about an actor by recipient."""
    if query.due_session or query.due_year:
        return "due"
    if query.reporting and query.actor:
        return "recipient"
    return "actor"


def answer_mandate_question(
    question: str, table: MandateTable, *, compact: bool = False
) -> Any | None:
    """An ``Answer`` (mode "mandates") built from the table, or None when the question is not
    a cross-corpus obligation question or nothing matches (then use normal retrieval). At most
    ``MAX_CITATIONS`` paragraphs are cited; past that the answer says how many more and gives
    the command that lists them."""
    from bot.answer.types import Answer, Citation

    query = is_mandate_question(question, table.glossary)
    if query is None:
        return None
    mandates = query.run(table)
    if not mandates:
        return None
    ordered = sorted(mandates, key=Mandate.sort_key)
    shown: list[Mandate] = []
    anchors: list[str] = []
    for m in ordered:
        if m.anchor not in anchors:
            if len(anchors) == MAX_CITATIONS:
                continue
            anchors.append(m.anchor)
        shown.append(m)
    rest = len({m.anchor for m in mandates}) - len(anchors)
    group_by = _grouping(query)
    header = f"Mandates {query.describe()} ({len(mandates)} found, sorted by due date):"
    more = (
        f"\n… and {rest} more paragraphs; list them all with: {command_for(query)}"
        if rest > 0
        else ""
    )
    actor = query.actor if group_by == "actor" else None
    text = header + "\n" + format_mandates(shown, group_by=group_by, actor=actor) + more
    citations: list[Citation] = []
    by_anchor = {m.anchor: m for m in shown}
    for anchor in anchors:
        m = by_anchor[anchor]
        citations.append(Citation(m.doc_id, m.symbol, m.label, m.source, m.paragraph_text))
    return Answer(
        question=question,
        text=text,
        answerable=True,
        citations=citations,
        mode="mandates",
        # Slack shows the compact form: shorter lines, at most 15 of them.
        scope={
            "mandate_query": query.to_kwargs(),
            "mandate_command": command_for(query),
            "compact_text": header
            + "\n"
            + format_mandates(shown, group_by=group_by, actor=actor, compact=True)
            + more,
        },
    )
