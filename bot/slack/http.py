"""A small threaded HTTP server for the Events API: POST /slack/events, GET /healthz.

Bolt's own development server always binds 0.0.0.0 and serves one request at a time; this one
binds the host it is given (127.0.0.1 by default, behind a reverse proxy) and hands each
request to `App.dispatch`, which verifies Slack's signature before anything else runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack's payloads are a few KB; anything far larger is not from Slack.
MAX_BODY_BYTES = 1_000_000


class SlackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App, path: str = EVENTS_PATH):
        self.app = app
        self.path = path
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"


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
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        headers: dict[str, str | Sequence[str]] = {}
        for name, value in self.headers.items():
            prior = headers.get(name.lower())
            headers[name.lower()] = [*prior, value] if isinstance(prior, list) else [value]
        request = BoltRequest(body=body, query=query, headers=headers)
        response: BoltResponse = self.server.app.dispatch(request)
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
    app: App, host: str = "127.0.0.1", port: int = 3000, path: str = EVENTS_PATH
) -> SlackHTTPServer:
    """Bound and ready; call `serve_forever()` (and `shutdown()` from another thread)."""
    return SlackHTTPServer((host, port), app, path)
