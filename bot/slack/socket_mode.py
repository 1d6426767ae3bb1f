"""Socket Mode: the app connects out to Slack over a WebSocket, no public URL needed."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.settings import Settings
from core.errors import ResbotError


def make_socket_handler(app: App, settings: Settings) -> SocketModeHandler:
    """A handler for `app` with the app-level token (xapp-...); `start()` connects and blocks.

    The handler's WebClient is the app's, so `apps.connections.open` also goes to
    settings.slack_api_url and gets the app's 429 handling.
    """
    if settings.slack_app_token is None:
        raise ResbotError("Socket Mode needs SLACK_APP_TOKEN (an app-level token, xapp-...)")
    return SocketModeHandler(
        app, app_token=settings.slack_app_token.get_secret_value(), web_client=app.client
    )
