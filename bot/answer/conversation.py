"""Conversation state and reference resolution, without a language model.

The state is explicit: the documents, the paragraph, the actor and the topic of the last
answer. A follow-up is read against it: "that paragraph" and "which paragraph says so" point
at the paragraph cited last, "the next one" at the one after it, "and for UNODC?" asks the
last question again about another actor, "the Office" or "the new group" is the body of that
name in the last cited text, "does it also ..." stays in the same resolution. A follow-up
that points back with nothing to point at is asked back, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.answer.types import Turn
from bot.retrieval.text import key_terms
from bot.symbols import find_symbol_refs

_FOLLOWUP_START = re.compile(
    r"^\s*(?:and|but|so|also|what about|how about|and what about|then|ok|okay|same|does it|"
    r"did it|is it|is that|was it|are they|do they|who manages|who is|when is|where is|why)\b",
    re.I,
)
_ANAPHORA = re.compile(
    r"\b(?:it|its|it's|that|this|these|those|they|them|their|he|she|his|her|there|the same|"
    r"said|such|above|former|latter)\b",
    re.I,
)
_THAT_PARAGRAPH = re.compile(
    r"\b(?:(?:that|this|the same|which|what) (?:paragraph|para|provision|clause|part)"
    r"|where does it say|which one says|what paragraph|quote it|cite it)\b",
    re.I,
)
_NEXT = re.compile(
    r"\b(?:the )?(?:next|following) (?:one|paragraph|para)\b|\bthe (?:paragraph|one) after\b", re.I
)
_PREVIOUS = re.compile(
    r"\b(?:the )?(?:previous|preceding) (?:one|paragraph|para)\b|\bthe (?:paragraph|one) before\b",
    re.I,
)
# "and for UNODC?", "what about the Secretary-General?", "how about Member States?"
_SWAP = re.compile(
    r"^\s*(?:and|but)?\s*(?:what|how)?\s*(?:about|for|regarding)?\s*(?:for|about)?\s+"
    r"(?P<actor>(?:the\s+)?[A-Z][\w\-]*(?:\s+[\w\-]+){0,6}?)\s*\??\s*$"
)
# A definite description of a body named earlier: "the Office", "the new group".
_DEFINITE = re.compile(
    r"\bthe (?:new |same |said )?(?P<head>Office|Commission|Council|Committee|Board|Fund|Group|"
    r"group|Programme|Institute|Conference|Congress|Forum|Panel|Mechanism|Centre|Network|"
    r"Secretariat|Assembly|Entity|Facility|Team|Task Force|Partnership|Platform|Initiative|"
    r"Special Rapporteur|Working Group|Expert Group)\b"
)
_NAME_WITH = r"(?:[A-Z][\w\-]*\s+(?:(?:of|for|on|against|and|to|in)\s+(?:the\s+)?)?){{0,6}}{head}(?:\s+(?:(?:of|for|on|against|to|in|and)\s+(?:the\s+)?)?[A-Z][\w\-]*){{0,6}}"


@dataclass
class ConversationState:
    """What the last answer was about."""

    doc_ids: list[str] = field(default_factory=list)
    paragraph: tuple[str, str] | None = None  # (doc_id, label) cited first
    cited_text: str = ""
    actor: str | None = None
    topic: str = ""  # the last question, as it was searched
    turns: int = 0

    @classmethod
    def from_history(cls, history: list[Turn]) -> ConversationState:
        if not history:
            return cls()
        turn = history[-1]
        docs = list(turn.scope.get("doc_ids") or [])
        if not docs and turn.citations:
            counts = Counter(c.doc_id for c in turn.citations)
            doc, n = counts.most_common(1)[0]
            if n * 2 >= len(turn.citations):
                docs = [doc]
        if not docs:
            # The turn before may have named the document ("and when?" after "and who?").
            for earlier in reversed(history[:-1]):
                docs = list(earlier.scope.get("doc_ids") or [])
                if docs:
                    break
        first = turn.citations[0] if turn.citations else None
        return cls(
            doc_ids=docs,
            paragraph=(first.doc_id, first.label) if first else None,
            cited_text=" ".join(c.text for c in turn.citations[:3]),
            actor=turn.scope.get("actor"),
            topic=str(turn.scope.get("question") or turn.question),
            turns=len(history),
        )


@dataclass
class Resolved:
    """A follow-up read against the state."""

    question: str  # what to search for
    doc_ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    context: str = ""  # earlier topic, added to the lexical terms
    actor: str | None = None
    ask_back: str | None = None
    own_question: str = ""  # the user's own words, for "what is asked of whom"


def is_followup(question: str) -> bool:
    if find_symbol_refs(question):
        return False
    words = question.split()
    return bool(_FOLLOWUP_START.search(question) or _ANAPHORA.search(question) or len(words) <= 5)


def points_back(question: str) -> bool:
    """Whether the question cannot be read without an earlier turn."""
    return bool(
        _THAT_PARAGRAPH.search(question)
        or _NEXT.search(question)
        or _PREVIOUS.search(question)
        or re.match(r"^\s*(?:and|what about|how about)\b", question, re.I)
        or re.search(r"\b(?:does|did|is|was|do) (?:it|that|this|they)\b", question, re.I)
    )


def _shift(label: str, by: int) -> str | None:
    m = re.fullmatch(r"(?P<prefix>.*?)(?P<n>\d+)", label)
    if not m:
        return None
    n = int(m.group("n")) + by
    return f"{m.group('prefix')}{n}" if n >= 1 else None


def full_name(head: str, text: str) -> str | None:
    """The longest capitalised name ending in or built around `head` in `text`."""
    rx = re.compile(_NAME_WITH.format(head=re.escape(head)))
    names = [m.group(0).strip() for m in rx.finditer(text)]
    names = [n for n in names if n.lower() != head.lower() and len(n.split()) > 1]
    return max(names, key=len) if names else None


def resolve(question: str, state: ConversationState) -> Resolved:
    """Reads a follow-up against the conversation state."""
    if not state.turns:
        if points_back(question) and not find_symbol_refs(question):
            return Resolved(
                question,
                ask_back="Which resolution do you mean? Name it by its symbol "
                "(for example A/RES/79/154) or its subject.",
            )
        return Resolved(question, own_question=question)
    out = Resolved(question, list(state.doc_ids), own_question=question, actor=state.actor)
    if state.paragraph and (_NEXT.search(question) or _PREVIOUS.search(question)):
        doc, label = state.paragraph
        shifted = _shift(label, 1 if _NEXT.search(question) else -1)
        if shifted:
            out.doc_ids, out.labels = [doc], [shifted]
            return out
    if state.paragraph and (_THAT_PARAGRAPH.search(question) or not key_terms(question)):
        # "which paragraph says so?", and a follow-up with no subject of its own ("and by
        # when?", "who?"): about the paragraph just cited.
        doc, label = state.paragraph
        out.doc_ids, out.labels = [doc], [label]
        return out
    swap = _SWAP.match(question)
    if swap and len(question.split()) <= 8:
        actor = swap.group("actor").strip()
        if state.actor and state.actor.lower() in state.topic.lower():
            topic = re.sub(re.escape(state.actor), actor, state.topic, flags=re.I)
        else:
            topic = f"{state.topic} {actor}"
        out.question, out.actor, out.own_question = topic, actor, topic
        return out
    text = question
    for m in _DEFINITE.finditer(question):
        name = full_name(m.group("head"), state.cited_text)
        if name:
            text = text.replace(m.group(0), name)
    out.question = text
    out.context = state.topic
    if not out.doc_ids and points_back(question):
        out.ask_back = (
            "I'm not sure which resolution you mean: name it by its symbol or its subject."
        )
    return out
