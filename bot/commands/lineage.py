"""`resbot lineage SYMBOL`: the series a resolution belongs to, what it cites and is cited by."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli import store_option
from bot.commands.series_common import from_option, open_service


@click.command()
@click.argument("symbol")
@click.option("--json", "as_json", is_flag=True, help="Print the lineage as JSON.")
@from_option
@store_option
@click.pass_context
def lineage(ctx: click.Context, symbol: str, as_json: bool, from_paths: tuple[Path, ...]) -> None:
    """Print SYMBOL's series (oldest first), its predecessor, and its citations both ways."""
    from bot.series.render import lineage_text

    service = open_service(ctx, from_paths, need_store=True)
    lin = service.table.lineage(service.profile(symbol).doc_id)
    if as_json:
        click.echo(json.dumps(lin.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(lineage_text(lin))
