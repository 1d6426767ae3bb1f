"""Conversation memory per Slack thread (channel + thread_ts).

Kept in memory for speed; after a restart the thread is rebuilt from Slack itself
(`conversations.replies`): each answer we post carries message metadata with its question,
answer and citations, so the history survives without a database.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answer.types import Answer, Citation, Turn
from bot.safe_text import clean

log = logging.getLogger(__name__)

METADATA_EVENT = "resbot_answer"
_METADATA_ANSWER_CHARS = 2000
_METADATA_MAX_CITATIONS = 20

ThreadKey = tuple[str, str]


class ThreadMemory:
    """The last `max_turns` turns of the `max_threads` most recently active threads."""

    def __init__(self, max_threads: int = 2000, max_turns: int = 10):
        self._max_threads = max_threads
        self._max_turns = max_turns
        self._threads: OrderedDict[ThreadKey, list[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: ThreadKey) -> list[Turn]:
        with self._lock:
            turns = self._threads.get(key)
            if turns is None:
                return []
            self._threads.move_to_end(key)
            return list(turns)

    def set(self, key: ThreadKey, turns: list[Turn]) -> None:
        with self._lock:
            self._threads[key] = list(turns[-self._max_turns :])
            self._threads.move_to_end(key)
            self._evict()

    def append(self, key: ThreadKey, turn: Turn) -> None:
        with self._lock:
            turns = self._threads.setdefault(key, [])
            turns.append(turn)
            del turns[: -self._max_turns]
            self._threads.move_to_end(key)
            self._evict()

    def _evict(self) -> None:
        while len(self._threads) > self._max_threads:
            self._threads.popitem(last=False)


def answer_metadata(question: str, answer: Answer, feedback_id: str | None) -> dict[str, Any]:
    """Message metadata for chat.postMessage: enough to rebuild the turn from the thread."""
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {
            # Posted to Slack like the message itself: no control characters.
            "question": clean(question[:_METADATA_ANSWER_CHARS]),
            "answer": clean(answer.text[:_METADATA_ANSWER_CHARS]),
            "answerable": answer.answerable,
            "feedback_id": feedback_id or "",
            "citations": [
                {
                    "doc_id": clean(c.doc_id),
                    "symbol": clean(c.symbol or ""),
                    "label": c.label,
                    "source": clean(c.source),
                }
                for c in answer.citations[:_METADATA_MAX_CITATIONS]
            ],
        },
    }


def turn_from_metadata(metadata: dict[str, Any]) -> Turn | None:
    if metadata.get("event_type") != METADATA_EVENT:
        return None
    payload = metadata.get("event_payload") or {}
    question = payload.get("question")
    if not isinstance(question, str) or not question:
        return None
    citations = [
        Citation(
            doc_id=str(c.get("doc_id", "")),
            symbol=str(c.get("symbol") or "") or None,
            label=str(c.get("label", "")),
            source=str(c.get("source", "")),
            text="",
        )
        for c in payload.get("citations") or []
        if isinstance(c, dict)
    ]
    return Turn(question=question, answer=str(payload.get("answer", "")), citations=citations)


def turns_from_replies(
    client: WebClient, channel: str, thread_ts: str, limit: int = 200
) -> list[Turn]:
    """The thread's earlier turns, from our own answers' metadata; [] when Slack cannot say."""
    try:
        resp = client.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=limit
        )
    except SlackApiError as exc:
        log.warning("conversations.replies failed for a thread: %s", exc.response.get("error"))
        return []
    turns: list[Turn] = []
    for message in resp.get("messages") or []:
        metadata = message.get("metadata")
        if isinstance(metadata, dict):
            turn = turn_from_metadata(metadata)
            if turn is not None:
                turns.append(turn)
    return turns
