"""Bounds on mandate extraction, so that no input can make a sync (and so an answer) wait long.

Extraction is linear in its input, but a hostile or broken document can still be large: a 5 MB
single-line text, 50,000 numbered lines. Two limits apply while a document is read: a paragraph
longer than ``paragraph_chars`` is read up to that many characters (cut at a clause boundary),
and a document that takes longer than ``document_seconds`` is abandoned, keeping its previous
rows. The defaults are far above anything in the corpus (its longest operative paragraph is
under 20,000 characters; a resolution extracts in well under a second).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import ResbotError

Clock = Callable[[], float]


class MandateBudgetExceeded(ResbotError):
    """A document took longer to extract than its budget allows."""


@dataclass(frozen=True)
class ExtractionBudget:
    paragraph_chars: int = 60_000
    document_seconds: float | None = 20.0
    clock: Clock = field(default=time.monotonic, compare=False, repr=False)

    def clip(self, text: str) -> str:
        """``text`` cut to ``paragraph_chars``, at the last clause boundary before the cut."""
        if len(text) <= self.paragraph_chars:
            return text
        head = text[: self.paragraph_chars]
        cut = max(head.rfind(";"), head.rfind(". "))
        return head[: cut + 1] if cut > self.paragraph_chars // 2 else head

    def deadline(self) -> Callable[[], bool]:
        """A check that says whether this document's time is up (started now)."""
        if self.document_seconds is None:
            return lambda: False
        end = self.clock() + self.document_seconds
        return lambda: self.clock() > end
