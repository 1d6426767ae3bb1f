"""`resbot bench`: ingest and answer speed, side by side with the embedding model's own speed."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli import settings_from, store_option


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--paragraphs",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="At least this many paragraphs (whole files, smallest first; fewer if the corpus is smaller).",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="Resolution files to use (default: the bundled samples/corpus).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Embedding batch size (default: RESBOT_EMBEDDING_BATCH_SIZE, 64).",
)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Ingest passes, each between two encoder passes (the median ratio is reported).",
)
@click.option("--no-cold-start", is_flag=True, help="Skip timing a fresh `resbot ask` process.")
@store_option
def bench(
    as_json: bool,
    paragraphs: int,
    corpus: Path | None,
    batch_size: int | None,
    repeats: int,
    no_cold_start: bool,
) -> None:
    """Measure ingest and answer speed against the encoder on the same paragraphs.

    Uses a temporary store unless --store names an empty folder.
    """
    from bot.benchmark import render, run_bench
    from bot.wiring import make_embedder

    settings = settings_from(click.get_current_context())
    if batch_size:
        settings = settings.model_copy(update={"embedding_batch_size": batch_size})
    result = run_bench(
        settings,
        make_embedder(settings),
        corpus=corpus,
        paragraphs=paragraphs,
        store_dir=settings.store,  # None unless --store / RESBOT_STORE: a temp store
        repeats=repeats,
        with_cold_start=not no_cold_start,
    )
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(render(result))
