"""The HTTP endpoint under hostile requests: real sockets against the real server and app.

Unsigned junk is refused before it is parsed (401), signed junk gets a 400; each costs one log
line and no traceback; a client that sends headers and then nothing is dropped.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_fake import (
    SECRET,
    Citation,
    FakeAnswerer,
    FakeSlack,
    Harness,
    mention,
    post_signed,
    sign,
    start_harness,
    stop_harness,
    wait_for,
)


def _harness(fake: FakeSlack, tmp_path: Path, **kw: object) -> Iterator[Harness]:
    h = start_harness(fake, tmp_path / "data", **kw)  # type: ignore[arg-type]
    yield h
    stop_harness(h)


@pytest.fixture
def h(fake: FakeSlack, tmp_path: Path) -> Iterator[Harness]:
    yield from _harness(fake, tmp_path, read_timeout_s=1.0)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("bot.", "slack_bolt"))]


UNSIGNED = [
    (b'{"type": "event_callback", "event": {"type": "app_men', "application/json"),
    (b"[1,2]", "application/json"),
    (b"payload=%7B%22type%22%3A", "application/x-www-form-urlencoded"),
    (b"payload=%ZZ&&&==", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00garbage", "application/json"),
]


@pytest.mark.parametrize(("body", "content_type"), UNSIGNED)
@pytest.mark.parametrize("timestamp", [None, "not-a-number", "1e9", "-5", "99999999999999999999"])
def test_unsigned_malformed_bodies_get_401_and_one_line(
    h: Harness,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    timestamp: str | None,
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = {"Content-Type": content_type, "X-Slack-Signature": "v0=" + "0" * 64}
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
    assert _post(h.url, body, headers) == 401
    lines = [r for r in _records(caplog) if r.levelno >= logging.INFO]
    assert len(lines) == 1 and "401" in lines[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)
    assert h.answerer.calls == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"type": "event_callback", "event": "app_mention"}', "application/json"),
        ("[1,2]", "application/json"),
        ('{"type": "event_callback", "event": {"type": "app_men', "application/json"),
        ("payload=%7B%22type%22%3A", "application/x-www-form-urlencoded"),
        ("payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    ],
)
def test_signed_malformed_bodies_get_400_and_one_line(
    h: Harness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.DEBUG)
    status, _ = post_signed(h.url, body, content_type=content_type)
    assert status == 400
    lines = [r for r in _records(caplog) if r.levelno >= logging.INFO]
    assert len(lines) == 1 and "400" in lines[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)
    # The server is still up and answers a real event.
    assert h.send(mention("What does E/RES/2021/25 ask?", ts="1700.000100"))[0] == 200
    wait_for(lambda: h.posts())


def test_stalled_connections_are_dropped(h: Harness) -> None:
    host, port = h.server.server_address[:2]
    ts = str(int(time.time()))
    body = json.dumps({"type": "url_verification", "challenge": "c"})
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"X-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: {sign(SECRET, ts, body)}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    stalled = []
    for _ in range(10):
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(head)  # headers, and then no body
        stalled.append(s)
    half = socket.create_connection((host, port), timeout=10)
    half.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")  # not even all the headers
    stalled.append(half)
    # The server closes each of them after its read timeout (1 s here): recv sees the end.
    for s in stalled:
        assert s.recv(1024) == b""
        s.close()
    assert h.send_body({"type": "url_verification", "challenge": "abc"})[0] == 200


def test_control_characters_never_reach_slack(fake: FakeSlack, tmp_path: Path) -> None:
    nasty = (
        "Decides\x1b]0;pwned\x07 to act\x08\x08\x08 now \u202eevil\u202c \x9b31m [A/RES/9/1, OP1]"
    )
    cite = Citation(doc_id="A/RES/9/1", symbol="A/RES/9/1", label="OP1", source="x.xml", text=nasty)
    h = start_harness(fake, tmp_path / "data", FakeAnswerer(text=nasty, citations=[cite]))
    try:
        h.send(mention("What does A/RES/9/1 decide?", ts="1700.000100"))
        post = wait_for(h.posts)[0].body
    finally:
        stop_harness(h)
    dumped = json.dumps(post, ensure_ascii=False)
    for bad in ("\x1b", "\x07", "\x08", "\u202e", "\u202c", "\x9b"):
        assert bad not in dumped
    assert "Decides to act now evil" in post["text"].replace("  ", " ")
