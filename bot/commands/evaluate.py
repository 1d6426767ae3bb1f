"""`resbot eval`: gold questions through resbot and the baselines, figures side by side."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from bot.cli import settings_from, store_option
from core.errors import ResbotError

log = logging.getLogger(__name__)


def _engine(settings: Any, store: Any, embedder: Any, need: bool) -> Any:
    """resbot's answerer, or None when the engine is not there and only baselines were asked."""
    from bot.wiring import make_answerer

    try:
        return make_answerer(settings, store, embedder)
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("bot."):
            raise
        if need:
            raise ResbotError(
                f"resbot's answering engine is not available ({exc.name} missing)"
            ) from exc
        click.echo(
            f"warning: resbot's answering engine is not available ({exc.name} missing); "
            "running the baselines only",
            err=True,
        )
        return None


@click.command("eval")
@click.argument(
    "gold", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print all figures as one JSON object.")
@click.option(
    "--k",
    "k",
    default=5,
    show_default=True,
    type=click.IntRange(1, 100),
    help="Cut-off for recall@k.",
)
@click.option(
    "--baseline",
    "baselines",
    multiple=True,
    type=click.Choice(["naive", "dense", "bm25", "all"]),
    help="Also run a reference pipeline over the same inputs (repeatable).",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write report.md and chart.png into this folder.",
)
@click.option(
    "--ingest",
    "ingest_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Ingest these files or folders into the store first (idempotent; repeatable).",
)
@click.option(
    "--corpus",
    "corpus_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Raw files for the naive baseline (default: the --ingest paths; repeatable).",
)
@store_option
@click.pass_context
def eval_cmd(
    ctx: click.Context,
    gold: tuple[Path, ...],
    as_json: bool,
    k: int,
    baselines: tuple[str, ...],
    report_dir: Path | None,
    ingest_paths: tuple[Path, ...],
    corpus_paths: tuple[Path, ...],
) -> None:
    """Score answers to gold questions (JSONL): retrieval, citations, refusals, latency."""
    from bot.evaluation.baselines import NAIVE_MAPPING_NOTE, build_baselines
    from bot.evaluation.gold import load_gold
    from bot.evaluation.runner import PRIMARY, run_eval
    from bot.wiring import make_embedder, open_store, write_lock

    settings = settings_from(ctx)
    items = load_gold(gold)
    tty = sys.stderr.isatty()
    store = open_store(settings)
    embedder = make_embedder(settings)
    if ingest_paths:
        from ingest.pipeline import Ingestor, iter_files

        ingest_bar: Any = None
        if tty:
            from tqdm import tqdm

            total = sum(1 for _ in iter_files(ingest_paths))
            ingest_bar = tqdm(total=total, unit="file", desc="ingest", file=sys.stderr)
        with write_lock(settings):
            report = Ingestor(
                store, embedder, on_file=(lambda _p: ingest_bar.update(1)) if ingest_bar else None
            ).ingest(ingest_paths)
        if ingest_bar is not None:
            ingest_bar.close()
        for fail in report.failures:
            click.echo(f"warning: {fail.path}: {fail.reason}", err=True)
    if store.count() == 0:
        raise ResbotError(
            f"the store at {store.description} is empty: ingest first (resbot ingest PATH) "
            "or pass --ingest PATH"
        )

    def building(name: str, done: int, total: int) -> None:
        if tty:
            click.echo(
                f"\rbuilding the {name} baseline: {done}/{total} chunks", err=True, nl=done >= total
            )

    depth = max(k, 10)
    systems: dict[str, Any] = {}
    engine = _engine(settings, store, embedder, need=not baselines)
    if engine is not None:
        systems[PRIMARY] = engine
    # The naive chunks are cached beside the store, so re-running over an unchanged corpus
    # does not embed it again.
    cache = (
        settings.data_dir / "cache" / "eval"
        if settings.chroma_url
        else settings.store_path / "cache" / "eval"
    )
    built = build_baselines(
        baselines,
        store,
        embedder,
        list(corpus_paths or ingest_paths),
        depth,
        building,
        cache_dir=cache,
    )
    systems.update(built)
    notes = []
    if built:
        notes.append(
            "Baselines have no language model: each answers with the texts of its top 3 results "
            "and cites them; none declines while anything is retrieved; with a conversation "
            "history each searches with the earlier questions prepended."
        )
    if "naive" in built:
        naive = built["naive"]
        notes.append(
            f"naive: LangChain tutorial pipeline, {naive.n_files} files, {naive.n_chunks} chunks "
            "(RecursiveCharacterTextSplitter 1000/200), its own Chroma collection, same embedder. "
            + NAIVE_MAPPING_NOTE
        )
    if "dense" in built:
        notes.append(
            "dense: resbot's stored paragraphs, nearest neighbours of the question embedding only."
        )
    if "bm25" in built:
        notes.append(
            "bm25: resbot's stored paragraphs (symbol, title, text, footnotes), BM25 (bm25s) only."
        )

    bar: Any = None
    if tty:
        from tqdm import tqdm

        bar = tqdm(total=len(items) * len(systems), unit="q", file=sys.stderr)

    def step(name: str, _item: object) -> None:
        if bar is not None:
            bar.set_description(name)
            bar.update(1)

    try:
        result = run_eval(
            items,
            systems,
            k=k,
            on_question=step,
            notes=notes,
            gold_files=[str(g) for g in gold],
        )
    finally:
        if bar:
            bar.close()
        for system in built.values():
            close = getattr(system, "close", None)
            if close:
                close()

    if report_dir is not None:
        from bot.evaluation.report import write_report

        path = write_report(result, report_dir)
        if not as_json:
            click.echo(f"report: {path}", err=True)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        from bot.evaluation.report import text_table

        click.echo(text_table(result))
