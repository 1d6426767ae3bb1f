"""Routes vote, sponsor, draft and subject questions to the UN's adoption records.

A `bot.answer.route.Router`. None means "not a record question" (or one the text may answer
better, such as the sponsors of a resolution whose record is absent but whose text is
stored); a vote question about a resolution without a record is declined plainly, since no
paragraph of a resolution says how it was voted.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.answer.types import Answer, Turn
from bot.records.answers import Composed, list_answer, one_answer, to_answer
from bot.records.index import RecordIndex, build_index
from bot.records.questions import RecordQuery, parse
from ingest.records import Record
from ingest.store import ParagraphStore

log = logging.getLogger(__name__)


def previous_query(history: list[Turn]) -> RecordQuery | None:
    """The record question the conversation was last about (only if it was the last turn)."""
    if not history:
        return None
    raw = history[-1].scope.get("records")
    return RecordQuery.from_json(raw) if isinstance(raw, dict) else None


class RecordRouter:
    name = "records"
    # "and Canada?" after a vote question belongs here, not to paragraph retrieval.
    answers_followups = True

    def __init__(
        self, store: ParagraphStore | None = None, index: RecordIndex | None = None
    ) -> None:
        self.store = store
        self._index = index
        self._generation: str | None = None

    @property
    def index(self) -> RecordIndex:
        if self.store is not None:
            generation = self.store.generation()
            if self._index is None or generation != self._generation:
                self._index = build_index(self.store)
                self._generation = generation
        if self._index is None:
            self._index = RecordIndex([])
        return self._index

    def maybe_answer(self, question: str, history: list[Any] | None = None) -> Answer | None:
        history = history or []
        index = self.index
        previous = previous_query(history)
        q = parse(question, index.countries, index.subject_terms(), previous)
        if q is None:
            return None
        answer = self._answer(question, q, index)
        if answer is not None:
            log.info("answered from the adoption records: %s", q.kind)
        return answer

    def _answer(self, question: str, q: RecordQuery, index: RecordIndex) -> Answer | None:
        if q.kind in ("country_votes", "country_sponsored", "session_votes", "subjects"):
            if not len(index):
                return (
                    None
                    if q.kind == "subjects"
                    else self._decline(question, q, "no_records", index)
                )
            return to_answer(question, list_answer(index, q), q)
        records, missing = index.resolve(q.refs) if q.refs else ([], [])
        earlier: list[Record] = []
        if not q.refs and not q.symbols and q.topic:
            match = index.match_title(q.topic, q.session)
            if match is None:
                if q.kind == "vote" and len(index):
                    return self._decline(question, q, "no_title", index)
                return None
            if match.record is None:
                missing = [match.doc_id]
            else:
                records = [match.record]
                q.symbols = [match.record.symbol]
                earlier = match.earlier
        elif not q.refs and q.symbols:  # a follow-up on the same resolutions
            records = [index.records[s] for s in q.symbols if s in index.records]
        if not records:
            if q.kind != "vote" and any(m in index.doc_titles for m in missing):
                return None  # the stored text may name its sponsors or its draft
            q.missing = missing
            return self._decline(question, q, "no_record", index)
        q.symbols = [r.symbol for r in records]
        return to_answer(question, one_answer(index, q, records, earlier), q)

    def _decline(self, question: str, q: RecordQuery, why: str, index: RecordIndex) -> Answer:
        if why == "no_records":
            text = "I hold no UN adoption records (votes, sponsors, subjects) to answer that from."
        elif why == "no_title":
            text = (
                f"None of the {len(index)} UN adoption records I hold is for a resolution "
                f"titled on “{q.topic}”."
            )
        else:
            names = ", ".join(q.missing) or "that resolution"
            text = (
                f"I have no UN adoption record for {names}, so I cannot say how it was adopted"
                + (" or voted" if q.kind == "vote" else "")
                + f"; the records I hold cover {self._coverage(index)}."
            )
        return to_answer(question, Composed(text, [], False), q)

    @staticmethod
    def _coverage(index: RecordIndex) -> str:
        sessions = index.sessions()
        ga = [s for s in sessions if s < 1946]
        ecosoc = [s for s in sessions if s >= 1946]
        parts = []
        if ga:
            parts.append(
                f"General Assembly sessions {ga[0]}-{ga[-1]}"
                if len(ga) > 1
                else f"General Assembly session {ga[0]}"
            )
        if ecosoc:
            parts.append(
                f"ECOSOC {ecosoc[0]}-{ecosoc[-1]}" if len(ecosoc) > 1 else f"ECOSOC {ecosoc[0]}"
            )
        return " and ".join(parts) or "nothing yet"
