"""Follow-ups without a language model: carry the previous turn's scope (document, topic)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.answer.types import Turn
from bot.symbols import find_symbol_refs

_FOLLOWUP_START = re.compile(
    r"^\s*(?:and|but|so|also|what about|how about|and what about|then|ok|okay|same|does it|did it|is it|"
    r"who manages|who is|when is|where is)\b",
    re.I,
)
_ANAPHORA = re.compile(
    r"\b(?:it|its|it's|that|this|these|those|they|them|their|he|she|his|her|there|the same|"
    r"said|such|above|former|latter)\b",
    re.I,
)


@dataclass
class Scope:
    doc_ids: list[str] = field(default_factory=list)
    context: str = ""  # earlier questions, for retrieval


def is_followup(question: str) -> bool:
    if find_symbol_refs(question):
        return False
    words = question.split()
    return bool(_FOLLOWUP_START.search(question) or _ANAPHORA.search(question) or len(words) <= 5)


def scope_from_history(history: list[Turn]) -> Scope:
    """The documents and topic the conversation is about, from its most recent turns."""
    for turn in reversed(history):
        docs = list(turn.scope.get("doc_ids") or [])
        if not docs and turn.citations:
            counts = Counter(c.doc_id for c in turn.citations)
            doc, n = counts.most_common(1)[0]
            if n * 2 >= len(turn.citations):
                docs = [doc]
        if docs:
            context = " ".join(t.question for t in history[-2:])
            return Scope(docs, context)
    return Scope([], " ".join(t.question for t in history[-2:]))
