"""`resbot health`: exit 0 when the settings are usable and the store answers, else 1.

Meant for a container HEALTHCHECK and for operators; it never creates a local store
(a missing one is reported, not made) and loads no model.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def check_store(settings: Settings) -> Check:
    from bot.wiring import open_store

    if not settings.server_mode and not settings.store_path.is_dir():
        return Check(
            "store", False, f"no local store at {settings.store_path} (run `resbot ingest` first)"
        )
    try:
        store = open_store(settings)
        paragraphs = store.count()
    except Exception as exc:  # any failure to reach or read the store is "unhealthy"
        return Check("store", False, str(exc).splitlines()[0] if str(exc) else repr(exc))
    return Check("store", True, f"{store.description} ({paragraphs} paragraphs)")


def check_model(settings: Settings) -> Check:
    from ingest.embedding import resolve_model_path

    try:
        resolved = resolve_model_path(settings.embedding_model)
    except Exception as exc:
        return Check("model", False, str(exc))
    path = Path(resolved)
    if path.exists():
        ok = path.is_file() or any((path / f).exists() for f in ("modules.json", "config.json"))
        return Check("model", ok, resolved if ok else f"no model files under {resolved}")
    # A hub name: it may sit in the local cache; loading it to find out is too slow here.
    return Check("model", True, f"{resolved} (not checked: not a local path)")


def check_slack(settings: Settings) -> Check:
    if settings.slack_bot_token is None:
        return Check("slack", False, "SLACK_BOT_TOKEN is not set")
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        return Check(
            "slack",
            False,
            "set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)",
        )
    mode = "socket" if settings.slack_app_token is not None else "http"
    return Check("slack", True, f"credentials present ({mode} mode)")


def check_url(url: str, timeout: float = 5.0) -> Check:
    """A GET that must answer 2xx, e.g. the bot's own http://127.0.0.1:3000/healthz."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return Check("http", 200 <= resp.status < 300, f"{url}: HTTP {resp.status}")
    except (OSError, urllib.error.URLError, ValueError) as exc:
        return Check("http", False, f"{url}: {exc}")


def run_checks(settings: Settings, slack: bool = False, url: str | None = None) -> list[Check]:
    checks = [check_model(settings), check_store(settings)]
    if slack:
        checks.append(check_slack(settings))
    if url:
        checks.append(check_url(url))
    return checks


@click.command()
@click.option("--slack", is_flag=True, help="Also require the Slack credentials.")
@click.option("--url", help="Also GET this URL (e.g. the bot's /healthz); it must answer 2xx.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.pass_context
def health(ctx: click.Context, slack: bool, url: str | None, as_json: bool) -> None:
    """Check the settings, the embedding model files and the store; exit 1 if any fails."""
    from bot.cli import settings_from

    checks = run_checks(settings_from(ctx), slack=slack, url=url)
    healthy = all(c.ok for c in checks)
    if as_json:
        click.echo(json.dumps({"ok": healthy, "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        for c in checks:
            click.echo(f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}")
    if not healthy:
        ctx.exit(1)
