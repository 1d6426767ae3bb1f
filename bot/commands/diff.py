"""`resbot diff [OLD] NEW`: what changed, paragraph by paragraph, between two resolutions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli import store_option
from bot.commands.series_common import from_option, open_service


@click.command()
@click.argument("documents", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One entry per paragraph, as JSON.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print Markdown.")
@click.option("--all", "include_unchanged", is_flag=True, help="Show unchanged paragraphs too.")
@from_option
@store_option
@click.pass_context
def diff(
    ctx: click.Context,
    documents: tuple[str, ...],
    as_json: bool,
    as_markdown: bool,
    include_unchanged: bool,
    from_paths: tuple[Path, ...],
) -> None:
    """Diff OLD against NEW, or NEW against its predecessor when one document is given.

    Each may be a symbol (A/RES/79/154, 79/154) or a file path parsed on the fly."""
    from bot.series.render import markdown, rich_renderable

    if len(documents) > 2:
        raise click.UsageError("give one document (diffed with its predecessor) or two")
    if as_json and as_markdown:
        raise click.UsageError("--json and --markdown exclude each other")
    all_files = all(Path(d).is_file() for d in documents) and len(documents) == 2
    service = open_service(ctx, from_paths, need_store=not all_files)
    if len(documents) == 2:
        result = service.diff(documents[1], documents[0])
    else:
        result = service.diff(documents[0])
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    elif as_markdown:
        click.echo(markdown(result, include_unchanged=include_unchanged))
    else:
        from rich.console import Console

        Console(soft_wrap=False).print(rich_renderable(result, include_unchanged=include_unchanged))
