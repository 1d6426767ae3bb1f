"""What `resbot lineage` and `resbot diff` share: the documents they read (store or files)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import settings_from
from bot.series.service import SeriesService
from core.errors import ResbotError


def open_service(
    ctx: click.Context, from_paths: tuple[Path, ...], need_store: bool
) -> SeriesService:
    """Files given with --from, parsed and profiled without embedding; else the store's table."""
    if from_paths:
        return SeriesService.from_paths(from_paths)
    if not need_store:
        return SeriesService.from_resolutions([])
    from bot.series.lineage import lineage_path
    from bot.series.service import store_service
    from bot.wiring import open_store

    settings = settings_from(ctx)
    store = open_store(settings)
    if store.count() == 0:
        raise ResbotError("the store is empty; ingest resolutions first, or use --from PATH")
    return store_service(store, lineage_path(settings))


from_option = click.option(
    "--from",
    "from_paths",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="Read these files or folders instead of the store (repeatable); nothing is embedded.",
)
