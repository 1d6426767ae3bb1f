"""A small threaded HTTP server for the Events API: POST /slack/events, GET /healthz.

Bolt's own development server always binds 0.0.0.0 and serves one request at a time; this one
binds the host it is given (127.0.0.1 by default, behind a reverse proxy). Anyone can reach the
endpoint, so the order is: read the body under a read timeout (a client that sends headers and
then nothing is dropped), check Slack's signature, and only then parse; a body that is not a
Slack payload gets a 400 and one log line, never a traceback. `App.dispatch` does the rest.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import Clock, SignatureVerifier

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack's payloads are a few KB; anything far larger is not from Slack.
MAX_BODY_BYTES = 1_000_000
# Slack sends the whole request at once; a client silent for this long is not Slack.
READ_TIMEOUT_S = 10.0
_TIMESTAMP = re.compile(r"^\d{1,12}$")


class BadRequest(ValueError):
    """A signed body that is not a Slack payload."""


class SlackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        app: App,
        path: str = EVENTS_PATH,
        *,
        signing_secret: str | None = None,
        read_timeout_s: float = READ_TIMEOUT_S,
        clock: Clock | None = None,
    ):
        self.app = app
        self.path = path
        self.read_timeout_s = read_timeout_s
        secret = signing_secret if signing_secret is not None else app._signing_secret
        # No secret (Socket Mode settings): every request fails verification.
        self.verifier = SignatureVerifier(secret, clock or Clock()) if secret.strip() else None
        # The handler's timeout applies to every read of a connection: request line, headers
        # and body.
        handler = type("_TimedHandler", (_Handler,), {"timeout": read_timeout_s})
        super().__init__(address, handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"


def check_payload(body: str, content_type: str) -> None:
    """Raise `BadRequest` unless ``body`` has the shape of a Slack payload (an object, whose
    ``event`` is an object; a form whose ``payload`` is an object)."""
    if "application/x-www-form-urlencoded" in content_type:
        try:
            form = parse_qs(body, strict_parsing=bool(body), max_num_fields=100)
        except ValueError as exc:
            raise BadRequest(f"malformed form body ({exc})") from None
        payloads = form.get("payload")
        if payloads is None:
            return  # a slash command: plain form fields
        try:
            data = json.loads(payloads[0])
        except ValueError:
            raise BadRequest("form payload is not JSON") from None
    else:
        try:
            data = json.loads(body)
        except ValueError:
            raise BadRequest("body is not JSON") from None
    if not isinstance(data, dict):
        raise BadRequest(f"payload is a JSON {type(data).__name__}, not an object")
    if "event" in data and not isinstance(data["event"], dict):
        raise BadRequest("payload field 'event' is not an object")


class _Handler(BaseHTTPRequestHandler):
    server: SlackHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        if self.path.partition("?")[0] == "/healthz":
            self._send(200, {"Content-Type": ["text/plain"]}, "ok")
        else:
            self._send(404, {}, "")

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        if path != self.server.path:
            self._send(404, {}, "")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(413, {}, "")
            return
        try:
            raw = self.rfile.read(length)
        except TimeoutError:
            log.info("%s: dropped, no body within %g s", self.address_string(), self.timeout)
            self.close_connection = True
            return
        if len(raw) < length:
            log.info("%s: dropped, body shorter than its Content-Length", self.address_string())
            self.close_connection = True
            return
        body = raw.decode("utf-8", errors="replace")
        timestamp = self.headers.get("X-Slack-Request-Timestamp") or ""
        signature = self.headers.get("X-Slack-Signature") or ""
        verifier = self.server.verifier
        if (
            verifier is None
            or not _TIMESTAMP.match(timestamp)
            or not verifier.is_valid(body, timestamp, signature)
        ):
            log.info("%s: 401, missing or invalid Slack signature", self.address_string())
            self._send(401, {}, "")
            return
        try:
            check_payload(body, self.headers.get("Content-Type") or "")
        except BadRequest as exc:
            log.warning("%s: 400, signed but %s", self.address_string(), exc)
            self._send(400, {}, "")
            return
        headers: dict[str, str | Sequence[str]] = {}
        for name, value in self.headers.items():
            prior = headers.get(name.lower())
            headers[name.lower()] = [*prior, value] if isinstance(prior, list) else [value]
        try:
            request = BoltRequest(body=body, query=query, headers=headers)
            response: BoltResponse = self.server.app.dispatch(request)
        except Exception as exc:  # a payload shape Bolt cannot take: one line, no traceback
            log.warning("%s: 400, payload not handled: %r", self.address_string(), exc)
            self._send(400, {}, "")
            return
        self._send(response.status, response.headers, response.body)

    def _send(self, status: int, headers: dict[str, Any], body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        for name, values in headers.items():
            if name.lower() == "content-length":
                continue
            for value in values if isinstance(values, list | tuple) else [values]:
                self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def make_http_server(
    app: App,
    host: str = "127.0.0.1",
    port: int = 3000,
    path: str = EVENTS_PATH,
    read_timeout_s: float = READ_TIMEOUT_S,
) -> SlackHTTPServer:
    """Bound and ready; call `serve_forever()` (and `shutdown()` from another thread)."""
    return SlackHTTPServer((host, port), app, path, read_timeout_s=read_timeout_s)
