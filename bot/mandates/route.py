"""Routes cross-corpus mandate questions to the mandate table inside the answering engine.

A `bot.answer.route.Router`: None means "not a mandate question (or nothing in the table
matches)", and normal retrieval goes on.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.mandates.questions import answer_mandate_question
from bot.mandates.sync import sync_mandates
from bot.mandates.table import MandateTable, mandate_db_path
from ingest.store import ParagraphStore

if TYPE_CHECKING:
    from bot.answer.types import Answer
    from bot.settings import Settings

log = logging.getLogger(__name__)


class MandateRouter:
    name = "mandates"

    def __init__(
        self,
        table: MandateTable | None = None,
        path: Path | None = None,
        compact: bool = False,
        store: ParagraphStore | None = None,
    ) -> None:
        self._table = table
        self.path = path
        self.compact = compact
        self.store = store
        self._generation: str | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, store: ParagraphStore | None = None
    ) -> MandateRouter:
        return cls(path=mandate_db_path(settings), store=store)

    @property
    def table(self) -> MandateTable | None:
        """The table, brought up to date with the store when it changed (derived, like the BM25 index)."""
        if self.store is not None and self.path is not None:
            generation = self.store.generation()
            if self._table is None or generation != self._generation:
                if self._table is not None:
                    self._table.close()
                self._table = sync_mandates(self.store, self.path)
                self._generation = generation
        elif self._table is None and self.path is not None and self.path.exists():
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
