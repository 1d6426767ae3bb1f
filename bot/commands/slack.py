"""`resbot slack`: run the Slack app (Socket Mode, or HTTP with --http)."""

from __future__ import annotations

import logging

import click

from bot.cli import settings_from
from bot.settings import Settings
from core.errors import ResbotError

log = logging.getLogger(__name__)


def check_settings(settings: Settings, http: bool) -> None:
    """One clear line for each missing variable, before anything slow starts."""
    missing = []
    if settings.slack_bot_token is None:
        missing.append("SLACK_BOT_TOKEN")
    if http and settings.slack_signing_secret is None:
        missing.append("SLACK_SIGNING_SECRET")
    if not http and settings.slack_app_token is None:
        missing.append("SLACK_APP_TOKEN (or use --http)")
    if missing:
        raise ResbotError("Slack needs " + ", ".join(missing))


@click.command()
@click.option("--http", "http", is_flag=True, help="Serve the Events API over HTTP.")
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP bind address.")
@click.option("--port", default=3000, show_default=True, type=int, help="HTTP port.")
@click.pass_context
def slack(ctx: click.Context, http: bool, host: str, port: int) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, or --http for /slack/events."""
    from slack_bolt.error import BoltError

    from bot.slack.app import build_app
    from bot.wiring import make_answerer

    settings = settings_from(ctx)
    check_settings(settings, http)
    answerer = make_answerer(settings)
    try:
        app = build_app(settings, answerer)
    except BoltError as exc:
        # Bolt's message names the failed auth.test response, never the token itself.
        raise ResbotError(f"Slack rejected the bot token: {exc}") from exc

    if http:
        from bot.slack.http import make_http_server

        server = make_http_server(app, host, port)
        click.echo(f"resbot: serving Slack events at {server.url}", err=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    else:
        from bot.slack.socket_mode import make_socket_handler

        click.echo("resbot: connecting to Slack (Socket Mode)", err=True)
        make_socket_handler(app, settings).start()
