"""Test doubles for the Slack app: a fake Slack Web API (stdlib http.server in a thread that
records every call and answers like Slack), signed Events API requests, a fake Answerer, and a
harness running the real Bolt app behind its real HTTP server on a free loopback port.

Run as a script to capture a transcript (question, reply blocks) into docs/slack-transcript.md:
    .venv/bin/python tests/slack_fake.py [--real]
(--real uses bot.wiring.make_answerer with the environment's Settings instead of the fake).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bot.answer.types import Answer, Citation, Turn

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"
TOKEN = "xoxb-0000-test-token-should-never-be-logged"
SECRET = "signing-secret-never-logged-0123456789"
APP_TOKEN = "xapp-1-test-app-token-never-logged"


# -- the fake Web API ------------------------------------------------------------------------
@dataclass
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    """Answers Slack Web API methods at http://127.0.0.1:PORT/api/<method> and records them."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.rate_limit_next: dict[str, int] = {}  # method -> how many 429s to answer first
        self.fail_next: dict[str, str] = {}  # method -> Slack error to answer once
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                self._handle(path, dict(urllib.parse.parse_qsl(query)))

            def do_POST(self) -> None:
                path, _, query = self.path.partition("?")
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                body: dict[str, Any] = dict(urllib.parse.parse_qsl(query))
                if "json" in (self.headers.get("Content-Type") or ""):
                    body.update(json.loads(raw or "{}"))
                else:
                    body.update(urllib.parse.parse_qsl(raw))
                self._handle(path, body)

            def _handle(self, path: str, body: dict[str, Any]) -> None:
                method = path.rsplit("/", 1)[-1]
                status, payload, headers = fake.respond(method, body)
                call = Call(method, body, {k.lower(): v for k, v in self.headers.items()}, status)
                with fake._lock:
                    fake.calls.append(call)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_ts(self) -> str:
        return f"1700000{next(self._ts):03d}.000100"

    def respond(
        self, method: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            if self.rate_limit_next.get(method, 0) > 0:
                self.rate_limit_next[method] -= 1
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
            error = self.fail_next.pop(method, None)
        if error:
            return 200, {"ok": False, "error": error}, {}
        if method == "auth.test":
            return (
                200,
                {
                    "ok": True,
                    "url": "https://fake.slack.com/",
                    "team": "Fake",
                    "user": "resbot",
                    "team_id": TEAM,
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                    "is_enterprise_install": False,
                },
                {},
            )
        if method == "chat.postMessage":
            ts = self.next_ts()
            message = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "text": body.get("text", ""),
                "ts": ts,
                "thread_ts": body.get("thread_ts"),
            }
            for key in ("blocks", "metadata"):
                if key in body:
                    value = body[key]
                    message[key] = json.loads(value) if isinstance(value, str) else value
            self.add_message(body["channel"], message)
            return 200, {"ok": True, "channel": body["channel"], "ts": ts, "message": message}, {}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": self.next_ts()}, {}
        if method in ("chat.update", "reactions.add", "reactions.remove"):
            return 200, {"ok": True}, {}
        if method == "conversations.replies":
            messages = [dict(m) for m in self.threads.get((body["channel"], body["ts"]), [])]
            if str(body.get("include_all_metadata", "")).lower() not in ("1", "true"):
                for m in messages:
                    m.pop("metadata", None)
            return 200, {"ok": True, "messages": messages, "has_more": False}, {}
        if method == "apps.connections.open":
            return 200, {"ok": True, "url": "wss://fake.invalid/link"}, {}
        return 200, {"ok": False, "error": "unknown_method"}, {}

    def add_message(self, channel: str, message: dict[str, Any]) -> None:
        with self._lock:
            thread = message.get("thread_ts") or message["ts"]
            self.threads.setdefault((channel, thread), []).append(message)

    def calls_to(self, method: str, status: int | None = 200) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (status is None or c.status == status)
            ]


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Polls until `predicate()` is truthy (returned) or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


# -- signed requests -------------------------------------------------------------------------
def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return "v0=" + digest.hexdigest()


def post_signed(
    url: str,
    body: str,
    *,
    secret: str = SECRET,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    timestamp: int | None = None,
) -> tuple[int, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    all_headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(secret, ts, body),
        **(headers or {}),
    }
    request = urllib.request.Request(url, data=body.encode(), headers=all_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


_event_ids = itertools.count(1)


def envelope(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "event": event,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def mention(
    text: str, *, ts: str, user: str = "U1", channel: str = "C1", thread_ts: str | None = None
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(
    text: str, *, ts: str, user: str = "U1", channel: str = "D1", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


# -- a fake Answerer ---------------------------------------------------------------------------
CITATION = Citation(
    doc_id="E/RES/2021/25",
    symbol="E/RES/2021/25",
    label="OP12",
    source="E_RES_2021_25-2120125E.xml",
    text="Requests the United Nations Office on Drugs and Crime to continue to provide technical "
    "assistance to Member States, upon request, in strengthening their capacity to prevent "
    "and counter crime.",
)
CITATION_SC = Citation(
    doc_id="S/RES/242 (1967)",
    symbol="S/RES/242 (1967)",
    label="OP1",
    source="S_RES_242_1967.pdf",
    text="Affirms that the fulfilment of Charter principles requires the establishment of a just "
    "and lasting peace in the Middle East.",
)

HOSTILE_TEXT = (
    "The resolution says: <!channel> urgent, contact <@U123> or see "
    "<https://evil.example/phish|undocs.org/en/E/RES/2021/25> & tell @here and @everyone."
)


class FakeAnswerer:
    """Deterministic; records each question and the history it was given."""

    def __init__(
        self,
        text: str = "UNODC is asked to keep providing technical assistance (E/RES/2021/25, OP12).",
        citations: list[Citation] | None = None,
        error: Exception | None = None,
    ):
        self.text = text
        self.citations = [CITATION] if citations is None else citations
        self.error = error
        self.calls: list[tuple[str, list[Turn]]] = []
        self._lock = threading.Lock()

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        with self._lock:
            self.calls.append((question, list(history or [])))
        if self.error is not None:
            raise self.error
        return Answer(
            question=question,
            text=self.text,
            answerable=bool(self.citations),
            citations=list(self.citations),
            mode="extractive",
        )


def hostile_answerer() -> FakeAnswerer:
    """An answer built from a hostile document: mentions and a disguised link in text and quote."""
    bad = Citation(
        doc_id="A/RES/99/1",
        symbol="A/RES/99/1",
        label="OP3",
        source="hostile.xml",
        text="Decides <!here> that <@U123> should click <https://evil.example|undocs.org>.",
    )
    return FakeAnswerer(text=HOSTILE_TEXT, citations=[bad])


# -- the app under test -----------------------------------------------------------------------
class TrackingExecutor(ThreadPoolExecutor):
    """A listener executor whose pending work can be awaited (no sleeps in tests)."""

    def __init__(self) -> None:
        super().__init__(max_workers=4, thread_name_prefix="test-slack")
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future

    def wait_idle(self, timeout: float = 10.0) -> None:
        # A listener may submit more work (none does today), so loop until nothing is pending.
        deadline = time.monotonic() + timeout
        while True:
            pending = [f for f in self.futures if not f.done()]
            if not pending:
                return
            _, not_done = wait_futures(pending, timeout=max(deadline - time.monotonic(), 0.01))
            if not_done and time.monotonic() > deadline:
                raise AssertionError("listeners still running")


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Harness:
    fake: FakeSlack
    answerer: FakeAnswerer
    app: Any
    server: Any
    executor: TrackingExecutor
    settings: Any
    feedback: Any

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/slack/events"

    def send(
        self, event: dict[str, Any], *, event_id: str | None = None, **kw: Any
    ) -> tuple[int, str]:
        return self.send_body(envelope(event, event_id), **kw)

    def send_body(self, body: dict[str, Any], **kw: Any) -> tuple[int, str]:
        return post_signed(self.url, json.dumps(body), **kw)

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U1",
        channel: str = "C1",
        message_ts: str = "",
        thread_ts: str = "",
    ) -> tuple[int, str]:
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user},
            "api_app_id": "A0001",
            "channel": {"id": channel},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "message": {"ts": message_ts, "thread_ts": thread_ts},
            "trigger_id": "1.2.3",
            "response_url": "https://hooks.invalid/actions/1",
            "actions": [
                {
                    "type": "button",
                    "block_id": "resbot_feedback",
                    "action_id": action_id,
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return post_signed(self.url, body, content_type="application/x-www-form-urlencoded")

    def posts(self) -> list[Call]:
        return self.fake.calls_to("chat.postMessage")

    def ephemerals(self) -> list[Call]:
        return self.fake.calls_to("chat.postEphemeral")

    def settle(self) -> None:
        self.executor.wait_idle()


def start_harness(
    fake: FakeSlack,
    data_dir: Path,
    answerer: FakeAnswerer | None = None,
    clock: Callable[[], float] = time.monotonic,
    read_timeout_s: float = 10.0,
    **settings_overrides: Any,
) -> Harness:
    from pydantic import SecretStr

    from bot.settings import Settings
    from bot.slack.app import build_app
    from bot.slack.feedback import FeedbackStore
    from bot.slack.http import make_http_server

    settings = Settings(
        slack_bot_token=SecretStr(TOKEN),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=fake.base_url,
        data_dir=data_dir,
        **settings_overrides,
    )
    answerer = answerer or FakeAnswerer()
    executor = TrackingExecutor()
    feedback = FeedbackStore.in_dir(data_dir)
    app = build_app(settings, answerer, clock=clock, feedback_store=feedback, executor=executor)
    server = make_http_server(app, "127.0.0.1", 0, read_timeout_s=read_timeout_s)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return Harness(fake, answerer, app, server, executor, settings, feedback)


def stop_harness(h: Harness) -> None:
    h.server.shutdown()
    h.server.server_close()
    h.executor.wait_idle()
    h.executor.shutdown(wait=True)


# -- transcript capture ------------------------------------------------------------------------
# E/RES/2024/12, OP8 as the parser reads it from the corpus (ecosoc-akn/2024).
_OP8 = Citation(
    doc_id="E/RES/2024/12",
    symbol="E/RES/2024/12",
    label="OP8",
    source="E_RES_2024_12-2414120E.xml",
    text="Requests the United Nations Office on Drugs and Crime, within its mandate, in close "
    "consultation with relevant United Nations offices responsible for the protection of "
    "children, within their respective mandates, to convene an intergovernmental expert group "
    "meeting, with interpretation into all official languages of the United Nations, subject to "
    "the availability of extrabudgetary resources, to share good practices and case studies and "
    "identify gaps and challenges relating to children associated with terrorist groups, with a "
    "view to developing principles and guidelines, including in child-friendly and accessible "
    "formats, that can serve as tools for Member States in the treatment of these children, and "
    "to report on the results of that meeting to the Commission on Crime Prevention and "
    "Criminal Justice at its session following the conclusion of the intergovernmental expert "
    "group meeting;",
)


class _ScriptedAnswerer(FakeAnswerer):
    """Answers from a script, in order (the transcript's stand-in for the real engine)."""

    def __init__(self, script: list[tuple[str, list[Citation]]]):
        super().__init__()
        self.script = script

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        self.text, self.citations = self.script[min(len(self.calls), len(self.script) - 1)]
        return super().answer(question, history)


def _transcript(real: bool) -> str:
    import tempfile

    fake = FakeSlack().start()
    answerer: Any = None
    q1 = "What does E/RES/2024/12 ask UNODC to report on, and to whom?"
    q2 = "And when is that report due?"
    if real:
        from bot.settings import Settings
        from bot.wiring import make_answerer

        answerer = make_answerer(Settings())
    else:
        answerer = _ScriptedAnswerer(
            [
                (
                    "UNODC is asked to convene an intergovernmental expert group meeting on "
                    "children associated with terrorist groups and to report on the results of "
                    "that meeting to the Commission on Crime Prevention and Criminal Justice "
                    "(E/RES/2024/12, OP8).",
                    [_OP8],
                ),
                (
                    "At the Commission's session following the conclusion of the "
                    "intergovernmental expert group meeting (E/RES/2024/12, OP8).",
                    [_OP8],
                ),
            ]
        )
    with tempfile.TemporaryDirectory() as tmp:
        h = start_harness(fake, Path(tmp), answerer=answerer)
        try:
            h.send(mention(q1, ts="1699999999.000100"))
            wait_for(lambda: len(h.posts()) >= 1, timeout=120)
            h.send(mention(q2, ts="1699999999.000200", thread_ts="1699999999.000100"))
            wait_for(lambda: len(h.posts()) >= 2, timeout=120)
            h.settle()
            first = h.posts()[0].body
            value = next(b for b in first["blocks"] if b["type"] == "actions")["elements"][0]
            h.click(value["action_id"], value["value"], thread_ts="1699999999.000100")
            wait_for(lambda: h.ephemerals(), timeout=10)
            h.settle()
            exported = list(h.feedback.export())
        finally:
            stop_harness(h)
            fake.stop()
    lines = [
        "# Slack transcript (captured from the fake Web API)",
        "",
        "Captured by `tests/slack_fake.py`: the real Bolt app behind its HTTP endpoint, signed",
        "Events API requests in, every Web API call recorded by the fake Slack server.",
        "Answerer: "
        + (
            "the real one (bot.wiring.make_answerer)."
            if real
            else "a scripted stand-in (answer text written for the capture; the quoted paragraph "
            "is E/RES/2024/12 OP8 as parsed from the corpus). Rerun with `--real` once the "
            "answering engine is in place."
        ),
        "",
        "## Web API calls, in order",
        "",
    ]
    for c in fake.calls:
        brief = {
            k: c.body[k] for k in ("channel", "thread_ts", "timestamp", "name", "ts") if k in c.body
        }
        lines.append(f"- `{c.method}` {c.status} {json.dumps(brief)}")
    for n, (question, post) in enumerate(zip([q1, q2], h.posts(), strict=False), 1):
        body = post.body
        lines += [
            "",
            f"## Exchange {n}",
            "",
            f"**Question** (`app_mention` in `C1`): `@resbot {question}`",
            "",
            f"**Reply** in thread `{body.get('thread_ts')}`, `text` fallback:",
            "",
            "```",
            body.get("text", ""),
            "```",
            "",
            "`blocks`:",
            "",
            "```json",
            json.dumps(body.get("blocks"), indent=2, ensure_ascii=False),
            "```",
            "",
            "`metadata` (lets a restarted app rebuild the thread from `conversations.replies`):",
            "",
            "```json",
            json.dumps(body.get("metadata"), indent=2, ensure_ascii=False),
            "```",
        ]
    lines += [
        "",
        "## Feedback",
        "",
        "A 👍 click on the first answer, then `resbot feedback export` prints:",
        "",
        "```json",
        *(json.dumps(row, ensure_ascii=False) for row in exported),
        "```",
    ]
    if not real:
        turns = h.answerer.calls[1][1]
        lines += [
            "",
            "History the answerer received with the follow-up: "
            + json.dumps(
                [
                    {"question": t.question, "citations": [c.display for c in t.citations]}
                    for t in turns
                ]
            ),
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    out = Path(__file__).resolve().parents[1] / "docs" / "slack-transcript.md"
    out.write_text(_transcript("--real" in sys.argv), encoding="utf-8")
    print(f"wrote {out}")
