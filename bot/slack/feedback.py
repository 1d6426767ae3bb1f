"""👍/👎 feedback on Slack answers, kept in SQLite (`DATA_DIR/feedback.sqlite3`).

Each answer is recorded when it is posted (question, answer, citations); a button click stores a
vote against it, one per user (a second click changes the vote). `export` yields rows in the
shape the eval reads: question, answer, citations (source, symbol, paragraph, text), vote, ts.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.answer.types import Answer

FILENAME = "feedback.sqlite3"
VOTES = ("up", "down")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    channel TEXT,
    thread_ts TEXT,
    user TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    answerable INTEGER NOT NULL,
    mode TEXT,
    citations TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers(id),
    user TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    ts REAL NOT NULL,
    PRIMARY KEY (answer_id, user)
);
"""


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class FeedbackStore:
    """Thread-safe: one short-lived connection per operation, writes serialised by a lock."""

    def __init__(self, path: Path, now: Callable[[], float] = time.time):
        self.path = Path(path)
        self._now = now
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @classmethod
    def in_dir(cls, data_dir: Path) -> FeedbackStore:
        return cls(Path(data_dir) / FILENAME)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            with conn:  # commits, or rolls back on error
                yield conn
        finally:
            conn.close()

    def record_answer(
        self,
        question: str,
        answer: Answer,
        *,
        channel: str | None = None,
        thread_ts: str | None = None,
        user: str | None = None,
    ) -> str:
        """Stores an answer as posted; returns the id the feedback buttons carry."""
        answer_id = uuid.uuid4().hex
        citations = [{**c.to_json(), "doc_id": c.doc_id} for c in answer.citations]
        with self._lock, self._connect() as conn:
            conn.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id,
                    self._now(),
                    channel,
                    thread_ts,
                    user,
                    question,
                    answer.text,
                    int(answer.answerable),
                    answer.mode,
                    json.dumps(citations, ensure_ascii=False),
                ),
            )
        return answer_id

    def record_vote(self, answer_id: str, user: str, vote: str) -> bool:
        """Stores (or changes) a user's vote; False when the answer id is unknown."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}")
        with self._lock, self._connect() as conn:
            known = conn.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone()
            if not known:
                return False
            conn.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?) ON CONFLICT(answer_id, user) "
                "DO UPDATE SET vote = excluded.vote, ts = excluded.ts",
                (answer_id, user, vote, self._now()),
            )
        return True

    def export(self, vote: str | None = None) -> Iterator[dict[str, Any]]:
        """One row per vote, oldest first; user ids are left out."""
        query = (
            "SELECT a.id, a.question, a.answer, a.answerable, a.mode, a.citations, a.ts, "
            "v.vote, v.ts FROM votes v JOIN answers a ON a.id = v.answer_id"
        )
        params: tuple[str, ...] = ()
        if vote:
            query += " WHERE v.vote = ?"
            params = (vote,)
        query += " ORDER BY v.ts, a.id"
        with self._connect() as conn:
            rows = conn.execute(query, params).fetchall()
        for answer_id, question, answer, answerable, mode, citations, answered, v, vts in rows:
            yield {
                "id": f"slack-{answer_id}",
                "question": question,
                "answer": answer,
                "answerable": bool(answerable),
                "mode": mode,
                "citations": json.loads(citations),
                "vote": v,
                "ts": _iso(vts),
                "answered_at": _iso(answered),
                "origin": "slack",
            }

    def counts(self) -> dict[str, int]:
        with self._connect() as conn:
            answers = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
            votes = dict(conn.execute("SELECT vote, COUNT(*) FROM votes GROUP BY vote").fetchall())
        return {
            "answers": int(answers),
            "up": int(votes.get("up", 0)),
            "down": int(votes.get("down", 0)),
        }
