"""Routes cross-corpus mandate questions to the mandate table inside the answering engine.

A `bot.answer.route.Router`: None means "not a mandate question (or nothing in the table
matches)", and normal retrieval goes on.

Bringing the table up to date never holds an answer back for long: each question spends at most
``sync_seconds`` on it (documents not reached are read by the next questions), and a sync that
fails leaves the previous table in use. Either way the answer says so in one line.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.mandates.budget import Clock
from bot.mandates.questions import answer_mandate_question
from bot.mandates.sync import MandateSource, SyncBudget, sync_table
from bot.mandates.table import MandateTable, mandate_db_path

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
        store: MandateSource | None = None,
        sync_seconds: float | None = 5.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._table = table
        self.path = path
        self.compact = compact
        self.store = store
        self.budget = SyncBudget(seconds=sync_seconds)
        self.clock = clock
        self._generation: str | None = None
        self.note: str | None = None  # why the table may not match the store, for the answer

    @classmethod
    def from_settings(cls, settings: Settings, store: MandateSource | None = None) -> MandateRouter:
        return cls(
            path=mandate_db_path(settings), store=store, sync_seconds=settings.mandate_sync_seconds
        )

    @property
    def table(self) -> MandateTable | None:
        """The table, brought up to date with the store when it changed (derived, like the BM25
        index), within the sync budget; the previous table when the sync fails."""
        if self.store is not None and self.path is not None:
            generation = self.store.generation()
            if self._table is None or generation != self._generation:
                self._sync(generation)
        elif self._table is None and self.path is not None and self.path.exists():
            self._table = MandateTable.open(self.path)
        return self._table

    def _sync(self, generation: str) -> None:
        assert self.store is not None and self.path is not None
        try:
            if self._table is None:
                self._table = MandateTable.open(self.path)
            _, report = sync_table(
                self.store, self.path, self.budget, clock=self.clock, table=self._table
            )
        except Exception as exc:  # the answer must not depend on the sync succeeding
            log.warning("mandate table not updated, answering from the previous one: %s", exc)
            self.note = (
                "The mandate table could not be brought up to date "
                f"({type(exc).__name__}); this answer uses the previous table."
            )
            return
        self.note = report.note()
        if report.complete:
            self._generation = generation

    def maybe_answer(self, question: str, history: list[Any] | None = None) -> Answer | None:
        table = self.table
        if table is None:
            return None
        answer = answer_mandate_question(question, table, compact=self.compact)
        if answer is not None:
            log.info("answered from the mandate table: %s", answer.scope.get("mandate_query"))
            if self.note:
                answer.text += f"\n\nNote: {self.note}"
                answer.notes.append(self.note)
        return answer
