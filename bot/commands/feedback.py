"""`resbot feedback`: the 👍/👎 votes from Slack, for the eval."""

from __future__ import annotations

import json

import click

from bot.cli import settings_from


@click.group()
def feedback() -> None:
    """Feedback collected by the Slack app."""


@feedback.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True
)
@click.option("--vote", type=click.Choice(["up", "down"]), help="Only these votes.")
@click.pass_context
def export(ctx: click.Context, fmt: str, vote: str | None) -> None:
    """Print one row per vote: question, answer, citations, vote, ts."""
    from bot.slack.feedback import FILENAME, FeedbackStore

    settings = settings_from(ctx)
    path = settings.data_dir / FILENAME
    if not path.exists():
        click.echo(f"note: no feedback yet ({path} does not exist)", err=True)
        rows = []
    else:
        rows = list(FeedbackStore(path).export(vote))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
