"""Routers: answerers for one kind of question that retrieval over paragraphs cannot answer.

The mandate table ("what does UNODC have to report?"), resolution series and diffs ("what is
new in 79/154?") and the UN's adoption records ("how did Brazil vote on 79/179?") each answer
from a table derived from the store. The answering chain asks each router in turn before it
searches paragraphs; the first that answers wins, and None means "not mine".
"""

from __future__ import annotations

from typing import Protocol

from bot.answer.types import Answer, Turn


class Router(Protocol):
    """Answers the questions of one kind, or returns None to let the next stage try."""

    name: str

    def maybe_answer(self, question: str, history: list[Turn]) -> Answer | None: ...
