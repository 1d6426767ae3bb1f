"""`resbot slack` and `resbot feedback` wiring, and Socket Mode as far as it goes without Slack."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from slack_fake import (
    APP_TOKEN,
    SECRET,
    TOKEN,
    FakeAnswerer,
    FakeSlack,
    TrackingExecutor,
    envelope,
    mention,
    post_signed,
    wait_for,
)
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.answer.types import Answer
from bot.cli import cli
from bot.settings import Settings
from bot.slack.app import build_app, make_client
from bot.slack.feedback import FeedbackStore
from core.errors import ResbotError


def _settings(fake: FakeSlack, tmp_path: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.base_url,
        "data_dir": tmp_path,
        **kw,
    }
    return Settings(**values)


def test_socket_mode_handler_wiring(fake: FakeSlack, tmp_path: Path) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.socket_mode import make_socket_handler

    settings = _settings(fake, tmp_path, slack_app_token=APP_TOKEN, slack_signing_secret=None)
    app = build_app(settings, FakeAnswerer())
    handler = make_socket_handler(app, settings)
    assert isinstance(handler, SocketModeHandler)
    assert handler.app is app
    assert handler.client.app_token == APP_TOKEN
    # Its Web API calls (apps.connections.open) go through the app's client: same base URL,
    # same 429 handling.
    assert handler.client.web_client is app.client
    assert app.client.base_url == fake.base_url
    assert not handler.client.is_connected()
    assert APP_TOKEN not in repr(settings)
    with pytest.raises(ResbotError, match="SLACK_APP_TOKEN"):
        make_socket_handler(app, _settings(fake, tmp_path))


def test_socket_mode_envelopes_are_answered_and_acknowledged(
    fake: FakeSlack, tmp_path: Path
) -> None:
    """The handler's own `handle` with Socket Mode envelopes; only the WebSocket is left out."""
    from slack_sdk.socket_mode.request import SocketModeRequest

    from bot.slack.socket_mode import make_socket_handler

    settings = _settings(fake, tmp_path, slack_app_token=APP_TOKEN, slack_signing_secret=None)
    executor = TrackingExecutor()
    answerer = FakeAnswerer()
    app = build_app(settings, answerer, executor=executor)
    handler = make_socket_handler(app, settings)
    acks: list[Any] = []
    handler.client.send_socket_mode_response = acks.append  # type: ignore[method-assign]
    payload = envelope(mention("What does E/RES/2021/25 ask?", ts="1700.000100"))
    handler.handle(handler.client, SocketModeRequest("events_api", "env-1", payload))
    handler.handle(
        handler.client,
        SocketModeRequest("events_api", "env-2", payload, retry_attempt=1, retry_reason="timeout"),
    )
    executor.wait_idle()
    executor.shutdown()
    assert [a.envelope_id for a in acks] == ["env-1", "env-2"]
    (post,) = fake.calls_to("chat.postMessage")
    assert post.body["thread_ts"] == "1700.000100" and "E/RES/2021/25, OP12" in post.body["text"]
    assert len(answerer.calls) == 1


def test_client_honours_retry_after_and_base_url(fake: FakeSlack, tmp_path: Path) -> None:
    client = make_client(_settings(fake, tmp_path))
    assert client.base_url == fake.base_url
    assert any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers)
    assert TOKEN not in repr(client.retry_handlers)


def test_slack_command_needs_its_variables(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["slack"])
    assert result.exit_code == 1
    assert "SLACK_BOT_TOKEN" in result.output and "SLACK_APP_TOKEN" in result.output
    result = CliRunner().invoke(cli, ["slack", "--http"], env={"SLACK_BOT_TOKEN": TOKEN})
    assert result.exit_code == 1
    assert "SLACK_SIGNING_SECRET" in result.output and TOKEN not in result.output


def _env(fake: FakeSlack, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        **extra,
    }


def _serve(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    """`resbot slack --http` in its own process: the process, the URL it serves, its stderr
    (read on a thread, so the pipe never fills)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "slack", "--http", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    assert proc.stderr is not None
    threading.Thread(target=lambda: lines.extend(proc.stderr or []), daemon=True).start()

    def served() -> str | None:
        for line in list(lines):
            found = re.search(r"serving Slack events at (\S+)", line)
            if found:
                return found.group(1)
        if proc.poll() is not None:
            raise AssertionError("resbot slack --http exited:\n" + "".join(lines))
        return None

    return proc, wait_for(served, timeout=180), lines  # the model loads first


@pytest.mark.model
def test_slack_http_command_answers_signed_events_end_to_end(
    fake: FakeSlack, tmp_path: Path
) -> None:
    """The real command, the real answerer over an empty store, the real HTTP server: a signed
    mention is answered in its thread through the (fake) Web API; an unsigned one is refused."""
    env = {
        **os.environ,
        **_env(fake),
        "RESBOT_STORE": str(tmp_path / "store"),
        "RESBOT_DATA_DIR": str(tmp_path / "data"),
    }
    proc, url, stderr = _serve(env, "--host", "127.0.0.1", "--port", "0")
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/slack/events")
        challenge = json.dumps({"type": "url_verification", "challenge": "c-123"})
        status, text = post_signed(url, challenge)
        assert status == 200 and json.loads(text) == {"challenge": "c-123"}
        status, _ = post_signed(url, challenge, secret="not-the-secret")
        assert status == 401
        body = json.dumps(envelope(mention("What does UNODC have to report?", ts="1700.000200")))
        status, _ = post_signed(url, body)
        assert status == 200
        (post,) = wait_for(lambda: fake.calls_to("chat.postMessage"), timeout=60)
        assert post.body["thread_ts"] == "1700.000200"
        assert "I found nothing" in post.body["text"]  # the store is empty: an honest decline
        assert [c.method for c in fake.calls][0] == "auth.test"  # token checked at start-up
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert "resbot: serving Slack events" in "".join(stderr)
    assert TOKEN not in "".join(stderr) and SECRET not in "".join(stderr)


@pytest.mark.model
def test_slack_socket_command_starts_the_handler(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    # Only the WebSocket connection itself (slack_sdk's, to wss://) is left out.
    started: list[SocketModeHandler] = []
    monkeypatch.setattr(SocketModeHandler, "start", lambda self: started.append(self))
    result = CliRunner().invoke(
        cli,
        ["--store", str(tmp_path / "store"), "slack"],
        env=_env(fake, SLACK_APP_TOKEN=APP_TOKEN),
    )
    assert result.exit_code == 0, result.output
    assert started[0].client.app_token == APP_TOKEN
    assert APP_TOKEN not in result.output and TOKEN not in result.output


@pytest.mark.model
def test_slack_command_reports_a_rejected_token(fake: FakeSlack, tmp_path: Path) -> None:
    fake.fail_next["auth.test"] = "invalid_auth"
    result = CliRunner().invoke(
        cli, ["--store", str(tmp_path / "store"), "slack", "--http"], env=_env(fake)
    )
    assert result.exit_code == 1
    assert "Slack rejected the bot token" in result.output and TOKEN not in result.output


def test_feedback_export_formats(tmp_path: Path) -> None:
    env = {"RESBOT_DATA_DIR": str(tmp_path)}
    empty = CliRunner().invoke(cli, ["feedback", "export"], env=env)
    assert empty.exit_code == 0 and "no feedback yet" in empty.output

    clock = iter(range(1_700_000_000, 1_700_000_100))
    store = FeedbackStore.in_dir(tmp_path)
    store._now = lambda: float(next(clock))
    answer_id = store.record_answer("Q?", Answer("Q?", "A.", True, []), channel="C1", user="U1")
    assert store.record_vote(answer_id, "U1", "down")
    assert store.record_vote(answer_id, "U1", "up")  # a second click changes the vote
    assert not store.record_vote("f" * 32, "U1", "up")
    assert store.counts() == {"answers": 1, "up": 1, "down": 0}

    result = CliRunner().invoke(cli, ["feedback", "export", "--format", "json"], env=env)
    rows = json.loads(result.output)
    assert rows == [
        {
            "id": f"slack-{answer_id}",
            "question": "Q?",
            "answer": "A.",
            "answerable": True,
            "mode": "extractive",
            "citations": [],
            "vote": "up",
            "ts": "2023-11-14T22:13:22Z",
            "answered_at": "2023-11-14T22:13:20Z",
            "origin": "slack",
        }
    ]


def test_manifest_has_the_scopes_and_events_the_app_uses() -> None:
    import yaml

    manifest = yaml.safe_load((Path(__file__).parents[1] / "slack" / "manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # chat.postMessage/postEphemeral, reactions.add/remove, app_mention, message.im, replies.
    assert {"app_mentions:read", "chat:write", "reactions:write", "im:history"} <= scopes
    assert {"channels:history", "groups:history"} <= scopes
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
