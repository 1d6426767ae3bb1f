"""Routes cross-corpus mandate questions to the mandate table inside the answering engine.

``ResolutionAnswerer`` calls ``maybe_answer(question, history)`` first; None means "not a
mandate question (or nothing in the table matches)", and normal retrieval goes on.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.mandates.questions import answer_mandate_question
from bot.mandates.table import MandateTable, mandate_db_path

if TYPE_CHECKING:
    from bot.answer.types import Answer
    from bot.settings import Settings

log = logging.getLogger(__name__)


class MandateRouter:
    def __init__(
        self, table: MandateTable | None = None, path: Path | None = None, compact: bool = False
    ) -> None:
        self._table = table
        self.path = path
        self.compact = compact

    @classmethod
    def from_settings(cls, settings: Settings) -> MandateRouter:
        return cls(path=mandate_db_path(settings))

    @property
    def table(self) -> MandateTable | None:
        """Opened on first use; None while no mandate table has been written."""
        if self._table is None and self.path is not None and self.path.exists():
            self._table = MandateTable.open(self.path)
        return self._table

    def maybe_answer(self, question: str, history: list[Any] | None = None) -> Answer | None:
        table = self.table
        if table is None:
            return None
        answer = answer_mandate_question(question, table, compact=self.compact)
        if answer is not None:
            log.info("answered from the mandate table: %s", answer.scope.get("mandate_query"))
        return answer
