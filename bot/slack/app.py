"""The Slack app: a Bolt App whose dependencies (answerer, Web API client, clock, feedback store)
are passed in, so tests run the real app against a fake Slack Web API.

Flow of a question: Bolt verifies the signature; a global middleware drops events already seen
(Slack retries, duplicate deliveries); the listener acknowledges at once and a lazy listener does
the work in a thread: checks (bots, edits, allowlist, size, rate), 👀 reaction, history of the
thread, the answer, the reply in the thread with feedback buttons, the reaction removed.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.answer.types import Answerer, Turn
from bot.settings import Settings
from bot.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP, Rendered, render_answer, render_notice
from bot.slack.escape import to_plain
from bot.slack.feedback import FeedbackStore
from bot.slack.guards import Clock, RateLimiter, SeenKeys, acquire
from bot.slack.memory import ThreadKey, ThreadMemory, answer_metadata, turns_from_replies

log = logging.getLogger(__name__)

WORKING_REACTION = "eyes"
# Message subtypes that are still a person asking something.
_QUESTION_SUBTYPES = {None, "file_share", "thread_broadcast"}
_FEEDBACK_ID = re.compile(r"^[0-9a-f]{32}$")
# Errors after which a text-only post may still get through.
_BLOCK_ERRORS = {
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_too_long",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "metadata_too_large",
}

HELP_TEXT = (
    "Ask me about UN resolutions, e.g. _What does E/RES/2021/25 ask UNODC to do?_ "
    "I answer in the thread with paragraph citations; reply in the thread to follow up."
)
ERROR_TEXT = (
    "Sorry, something went wrong while answering. Please try again in a minute. (reference {ref})"
)


def parse_channel_list(value: str | None) -> frozenset[str]:
    """`C123, C456` (commas or spaces) -> {"C123", "C456"}; empty means every channel."""
    return frozenset(p for p in re.split(r"[,\s]+", value or "") if p)


def make_client(settings: Settings) -> WebClient:
    """A WebClient for the bot token at settings.slack_api_url that waits out 429 Retry-After."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    base_url = settings.slack_api_url
    if not base_url.endswith("/"):
        base_url += "/"
    return WebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def ensure_rate_limit_retries(client: WebClient) -> None:
    if not any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))


def _ack(ack: Ack) -> None:
    """Acknowledges within Slack's 3 seconds; the work happens in the lazy listener."""
    ack()


class SlackBot:
    """The listeners and their state; `register` attaches them to a Bolt App."""

    def __init__(
        self,
        settings: Settings,
        answerer: Answerer,
        client: WebClient,
        *,
        clock: Clock = time.monotonic,
        feedback_store: FeedbackStore | None = None,
        memory: ThreadMemory | None = None,
    ):
        self.settings = settings
        self.answerer = answerer
        self.client = client
        self.feedback = feedback_store
        self.memory = memory or ThreadMemory()
        self.seen = SeenKeys(clock=clock)
        self.user_limit = RateLimiter(settings.slack_rate_per_minute, 60.0, clock)
        self.channel_limit = RateLimiter(settings.slack_channel_rate_per_minute, 60.0, clock)
        self.allowed_channels = parse_channel_list(settings.slack_allowed_channels)
        # The answerer (store, embedder, model) is not known to be thread-safe.
        self._answer_lock = threading.Lock()

    def register(self, app: App) -> None:
        app.use(self.dedup_middleware)
        app.event("app_mention")(ack=_ack, lazy=[self.on_mention])
        app.event("message")(ack=_ack, lazy=[self.on_message])
        app.action(FEEDBACK_UP)(ack=_ack, lazy=[self.on_feedback])
        app.action(FEEDBACK_DOWN)(ack=_ack, lazy=[self.on_feedback])

    # -- middleware ----------------------------------------------------------
    def dedup_middleware(
        self, body: dict[str, Any], ack: Ack, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """Each event once: by event_id (retries carry the same id) and by message (channel, ts),
        since one message can arrive as both `app_mention` and `message.im`."""
        if body.get("type") != "event_callback":
            return next()
        event = body.get("event") or {}
        keys = [f"event:{body.get('event_id') or ''}"] if body.get("event_id") else []
        # Only events we would answer: a channel message (message.channels, if ever subscribed)
        # must not mark the message seen before its app_mention arrives.
        answerable = event.get("type") == "app_mention" or (
            event.get("type") == "message" and event.get("channel_type") == "im"
        )
        if answerable and event.get("subtype") in _QUESTION_SUBTYPES and event.get("channel"):
            keys.append(f"msg:{event['channel']}:{event.get('ts')}")
        if keys and self.seen.check_and_add(*keys):
            log.info("ignored duplicate event %s", body.get("event_id"))
            return ack()
        return next()

    # -- events --------------------------------------------------------------
    def on_mention(self, event: dict[str, Any], context: BoltContext) -> None:
        if self._ignorable(event, context.bot_user_id):
            return
        # A mention inside a DM is a direct message (DM channel ids start with D).
        direct = str(event.get("channel", "")).startswith("D")
        self.handle_question(event, context.bot_user_id, direct=direct)

    def on_message(self, event: dict[str, Any], context: BoltContext) -> None:
        # Only direct messages; in channels the bot answers mentions (app_mention) only.
        if event.get("channel_type") != "im" or self._ignorable(event, context.bot_user_id):
            return
        self.handle_question(event, context.bot_user_id, direct=True)

    @staticmethod
    def _ignorable(event: dict[str, Any], bot_user_id: str | None) -> bool:
        """Bots (ourselves included), edits, deletions and other non-question subtypes."""
        return bool(
            event.get("subtype") not in _QUESTION_SUBTYPES
            or event.get("bot_id")
            or event.get("bot_profile")
            or event.get("edited")
            or not event.get("user")
            or (bot_user_id and event.get("user") == bot_user_id)
        )

    def handle_question(self, event: dict[str, Any], bot_user_id: str | None, direct: bool) -> None:
        channel: str = event["channel"]
        user: str = event["user"]
        ts: str = event["ts"]
        thread_ts: str = event.get("thread_ts") or ts
        if direct and not self.settings.slack_allow_dm:
            self._ephemeral(channel, user, thread_ts, "Direct messages to me are turned off here.")
            return
        if not direct and self.allowed_channels and channel not in self.allowed_channels:
            log.info("mention in channel %s outside the allowlist", channel)
            self._ephemeral(channel, user, thread_ts, "I'm not enabled in this channel.")
            return
        question = to_plain(event.get("text") or "", bot_user_id)
        if not question:
            self._ephemeral(channel, user, thread_ts, HELP_TEXT)
            return
        cap = self.settings.slack_max_question_chars
        if len(question) > cap:
            self._ephemeral(
                channel,
                user,
                thread_ts,
                f"Your question is {len(question):,} characters long; I take up to {cap:,}. "
                "Please shorten it and ask again.",
            )
            return
        refusal = self._rate_check(user, channel)
        if refusal:
            self._ephemeral(channel, user, thread_ts, refusal)
            return
        self._answer(channel, user, ts, thread_ts, question)

    def _rate_check(self, user: str, channel: str) -> str | None:
        wait = acquire([(self.user_limit, user), (self.channel_limit, channel)])
        if wait <= 0:
            return None
        secs = max(1, math.ceil(wait))
        if self.user_limit.retry_after(user) > 0:
            return (
                f"You're asking faster than I can answer ({self.user_limit.limit} questions a "
                f"minute). Please try again in about {secs} s."
            )
        return (
            f"This channel has reached its limit of {self.channel_limit.limit} questions a "
            f"minute. Please try again in about {secs} s."
        )

    def _answer(self, channel: str, user: str, ts: str, thread_ts: str, question: str) -> None:
        key: ThreadKey = (channel, thread_ts)
        self._react("reactions_add", channel, ts)
        try:
            history = self._history(key, ts)
            with self._answer_lock:
                answer = self.answerer.answer(question, history)
            feedback_id = self._record(question, answer, channel, thread_ts, user)
            rendered = render_answer(answer, feedback_id)
            self._post(channel, thread_ts, rendered, answer_metadata(question, answer, feedback_id))
            self.memory.append(key, Turn(question, answer.text, list(answer.citations)))
            log.info(
                "answered in %s (%d chars, %d citations, %d earlier turns)",
                channel,
                len(answer.text),
                len(answer.citations),
                len(history),
            )
        except Exception:
            ref = uuid.uuid4().hex[:8]
            # The trace goes to our log only; the user sees a short apology and a reference.
            log.exception("answering failed (reference %s)", ref)
            try:
                self._post(channel, thread_ts, render_notice(ERROR_TEXT.format(ref=ref)))
            except Exception:
                log.exception("could not post the error reply (reference %s)", ref)
        finally:
            self._react("reactions_remove", channel, ts)

    def _history(self, key: ThreadKey, ts: str) -> list[Turn]:
        turns = self.memory.get(key)
        channel, thread_ts = key
        if not turns and thread_ts != ts:
            # A reply in a thread we have no memory of (e.g. after a restart): ask Slack.
            turns = turns_from_replies(self.client, channel, thread_ts)
            if turns:
                self.memory.set(key, turns)
        return turns

    def _record(
        self, question: str, answer: Any, channel: str, thread_ts: str, user: str
    ) -> str | None:
        if self.feedback is None:
            return None
        try:
            return self.feedback.record_answer(
                question, answer, channel=channel, thread_ts=thread_ts, user=user
            )
        except Exception:
            # Feedback is a nicety; an unwritable database must not cost the user the answer.
            log.exception("could not record the answer for feedback")
            return None

    # -- feedback buttons ----------------------------------------------------
    def on_feedback(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        user = (body.get("user") or {}).get("id")
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") or message.get("ts")
        answer_id = str(action.get("value") or "")
        vote = "up" if action.get("action_id") == FEEDBACK_UP else "down"
        if not user or self.feedback is None or not _FEEDBACK_ID.match(answer_id):
            return
        try:
            stored = self.feedback.record_vote(answer_id, user, vote)
        except Exception:
            log.exception("could not store feedback")
            stored = False
        if channel:
            text = "Thanks for the feedback!" if stored else "Sorry, I couldn't record that vote."
            self._ephemeral(channel, user, thread_ts, text)

    # -- Slack calls ---------------------------------------------------------
    def _post(
        self,
        channel: str,
        thread_ts: str,
        rendered: Rendered,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {
            "channel": channel,
            "thread_ts": thread_ts,
            "text": rendered.text,
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if rendered.blocks:
            kwargs["blocks"] = rendered.blocks
        if metadata:
            kwargs["metadata"] = metadata
        try:
            self.client.chat_postMessage(**kwargs)
        except SlackApiError as exc:
            if exc.response.get("error") not in _BLOCK_ERRORS or "blocks" not in kwargs:
                raise
            log.warning("blocks refused (%s); posting text only", exc.response.get("error"))
            kwargs.pop("blocks")
            kwargs.pop("metadata", None)
            self.client.chat_postMessage(**kwargs)

    def _ephemeral(self, channel: str, user: str, thread_ts: str | None, text: str) -> None:
        try:
            self.client.chat_postEphemeral(
                channel=channel, user=user, text=text, thread_ts=thread_ts
            )
        except SlackApiError as exc:
            log.warning("chat.postEphemeral failed: %s", exc.response.get("error"))

    def _react(self, method: str, channel: str, ts: str) -> None:
        try:
            getattr(self.client, method)(channel=channel, timestamp=ts, name=WORKING_REACTION)
        except SlackApiError as exc:
            # Missing scope, already reacted, message gone: the answer matters more.
            log.debug("%s failed: %s", method, exc.response.get("error"))


def build_app(
    settings: Settings,
    answerer: Answerer,
    client: WebClient | None = None,
    clock: Clock = time.monotonic,
    feedback_store: FeedbackStore | None = None,
    *,
    memory: ThreadMemory | None = None,
    executor: Executor | None = None,
    token_verification: bool = True,
) -> App:
    """The resbot Bolt App. `client` defaults to `make_client(settings)`; `feedback_store` to
    `DATA_DIR/feedback.sqlite3`. With `token_verification` the bot token is checked (auth.test)
    at once, so a wrong token fails at start-up rather than on the first question."""
    if client is None:
        client = make_client(settings)
    else:
        ensure_rate_limit_retries(client)
    if feedback_store is None:
        feedback_store = FeedbackStore.in_dir(settings.data_dir)
    secret = settings.slack_signing_secret
    app = App(
        name="resbot",
        client=client,
        # Empty when unset: every HTTP request then fails verification (Socket Mode needs none).
        signing_secret=secret.get_secret_value() if secret else "",
        token_verification_enabled=token_verification,
        listener_executor=executor
        or ThreadPoolExecutor(max_workers=8, thread_name_prefix="resbot-slack"),
    )
    bot = SlackBot(
        settings, answerer, client, clock=clock, feedback_store=feedback_store, memory=memory
    )
    bot.register(app)
    return app
