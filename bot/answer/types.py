"""The answer contract shared by the CLI, the Slack app, the evaluation and the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Citation:
    """A paragraph an answer rests on; `label` is the paragraph label (OP12, PP3, HEADER)."""

    doc_id: str
    symbol: str | None
    label: str
    source: str
    text: str
    footnotes: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.doc_id}#{self.label}"

    @property
    def display(self) -> str:
        """What a delegate pastes into a note: `E/RES/2021/25, OP12`."""
        return f"{self.symbol or self.doc_id.removeprefix('file:')}, {self.label}"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "symbol": self.symbol,
            "paragraph": self.label,
            "text": self.text,
        }


@dataclass
class Retrieved:
    """A retrieved paragraph with its fused score and why it matched."""

    doc_id: str
    symbol: str | None
    label: str
    source: str
    text: str
    score: float
    why: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return f"{self.doc_id}#{self.label}"

    @property
    def footnotes(self) -> list[str]:
        return list(self.metadata.get("footnotes_list") or [])

    @property
    def text_with_notes(self) -> str:
        return " ".join([self.text, *self.footnotes])

    def citation(self) -> Citation:
        return Citation(
            self.doc_id, self.symbol, self.label, self.source, self.text, self.footnotes
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "symbol": self.symbol,
            "paragraph": self.label,
            "score": round(self.score, 4),
            "why": self.why,
        }


@dataclass
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str = ""
    citations: list[Citation] = field(default_factory=list)
    scope: dict[str, Any] = field(default_factory=dict)


@dataclass
class Answer:
    question: str
    text: str
    answerable: bool
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Retrieved] = field(default_factory=list)
    # How the answer was made: "extractive", "llm", "mandates", "declined", "lookup".
    mode: str = "extractive"
    scope: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "answerable": self.answerable,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [r.to_json() for r in self.retrieved],
        }


class Answerer(Protocol):
    """Anything that answers a question given the conversation so far."""

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer: ...
