"""The `resbot` command line: a thin layer over the library (settings, wiring, output)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from bot.settings import Settings
from core.errors import ResbotError

log = logging.getLogger("resbot")


# name -> "module:attribute"; each module holds one thin click command.
_LAZY_COMMANDS = {
    "ask": "bot.commands.ask:ask",
    "chat": "bot.commands.ask:chat",
    "eval": "bot.commands.evaluate:eval_cmd",
    "slack": "bot.commands.slack:slack",
    "feedback": "bot.commands.feedback:feedback",
    "mandates": "bot.commands.mandates:mandates",
    "votes": "bot.commands.votes:votes",
    "lineage": "bot.commands.lineage:lineage",
    "diff": "bot.commands.diff:diff",
    "bench": "bot.commands.bench:bench",
    "health": "bot.commands.health:health",
}


class _Group(click.Group):
    """Loads heavy sub-commands lazily, and turns our own errors into one clear line and exit 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS:
            import importlib

            module_name, attr = _LAZY_COMMANDS[cmd_name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    return None
                raise
            command = getattr(module, attr)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ResbotError as exc:
            from bot.safe_text import escape_name

            click.echo(f"error: {escape_name(str(exc))}", err=True)
            ctx.exit(1)


def settings_from(ctx: click.Context) -> Settings:
    """The Settings built in `cli()`, for sub-commands in other modules."""
    return _settings(ctx)


def _settings(ctx: click.Context) -> Settings:
    obj = ctx.find_root().obj
    assert isinstance(obj, Settings)
    return obj


@click.group(cls=_Group)
@click.option("--store", type=click.Path(path_type=Path), help="Local store folder (RESBOT_STORE).")
@click.option(
    "--chroma-url", help="Use a Chroma server instead of a local store (RESBOT_CHROMA_URL)."
)
@click.option("--model", "embedding_model", help="Sentence-transformers model name or path.")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.version_option(package_name="resbot")
@click.pass_context
def cli(
    ctx: click.Context,
    store: Path | None,
    chroma_url: str | None,
    embedding_model: str | None,
    verbose: int,
) -> None:
    """resbot: answers about UN resolutions, with paragraph citations."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    overrides: dict[str, Any] = {}
    if store is not None:
        overrides["store"] = store
    if chroma_url:
        overrides["chroma_url"] = chroma_url
    if embedding_model:
        overrides["embedding_model"] = embedding_model
    ctx.obj = Settings(**overrides)


def store_option(f: Any) -> Any:
    """`--store` is accepted after the sub-command too (`resbot ask --store DIR ...`)."""

    def callback(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
        if value is not None:
            root = ctx.find_root()
            root.obj = _settings(ctx).model_copy(update={"store": value})

    return click.option(
        "--store",
        type=click.Path(path_type=Path),
        expose_value=False,
        callback=callback,
        help="Local store folder.",
    )(f)


# -- ingest ------------------------------------------------------------------
@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@store_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """Parse resolution files (or folders, recursively) and store their paragraphs."""
    from bot.safe_text import escape_name as esc
    from bot.wiring import make_embedder, open_store, write_lock
    from ingest.pipeline import Ingestor, iter_files

    settings = _settings(ctx)
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        click.echo(f"error: {esc(str(p))}: no such file or folder", err=True)
    paths = tuple(p for p in paths if p.exists())
    with write_lock(settings):
        store = open_store(settings)
        embedder = make_embedder(settings)
        bar = None
        if sys.stderr.isatty() and not as_json:
            from tqdm import tqdm

            bar = tqdm(total=sum(1 for _ in iter_files(paths)), unit="file", file=sys.stderr)
        report = Ingestor(
            store,
            embedder,
            on_file=(lambda _p: bar.update(1)) if bar else None,
            limits=settings.ingest_limits(),
        ).ingest(paths)
        if bar:
            bar.close()
        if (report.embedded or report.deleted) and not settings.chroma_url:
            # Extract mandates now, so the first question after a large ingest does not pay
            # for it. (With a server, each bot keeps its own copy and brings it up to date.)
            from bot.mandates.sync import sync_mandates
            from bot.mandates.table import mandate_db_path

            sync_mandates(store, mandate_db_path(settings)).close()
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for skip in report.skipped:
            click.echo(f"note: {esc(skip.path)}: {esc(skip.reason)}", err=True)
        for warning in report.warnings:
            click.echo(f"warning: {esc(warning)}", err=True)
        for fail in report.failures:
            click.echo(f"error: {esc(fail.path)}: {esc(fail.reason)}", err=True)
        click.echo(
            f"{report.files} files ({report.files_unchanged} unchanged, {len(report.failures)} failed), "
            f"{report.resolutions} resolutions; paragraphs: {report.added} added, "
            f"{report.updated} updated, {report.unchanged} unchanged, {report.deleted} deleted; "
            f"{report.seconds:.1f} s"
        )
        if report.records:
            click.echo("records: " + ", ".join(f"{v} {k}" for k, v in report.records.items()))
    if report.failures or missing:
        ctx.exit(1)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the parsed documents as JSON.")
@click.pass_context
def parse(ctx: click.Context, files: tuple[Path, ...], as_json: bool) -> None:
    """Parse files and print their resolutions and paragraphs, storing nothing."""
    from bot.safe_text import clean, escape_name, json_safe
    from ingest.pipeline import iter_files
    from ingest.sandbox import IsolatedParser

    docs: list[dict[str, Any]] = []
    failed = False
    with IsolatedParser(_settings(ctx).ingest_limits()) as parse_one:
        for path in iter_files(files):
            try:
                resolutions = parse_one(path)
            except ResbotError as exc:
                click.echo(f"error: {escape_name(str(path))}: {escape_name(str(exc))}", err=True)
                failed = True
                continue
            for res in resolutions:
                res.source = path.name
                docs.append(res.to_json())
    if as_json:
        click.echo(json_safe(json.dumps(docs, indent=2, ensure_ascii=False)))
    else:
        for doc in docs:
            head = f"{doc['symbol'] or doc['doc_id']}  {doc['title'] or ''}  [{doc['source']}]"
            click.echo(escape_name(head))
            for p in doc["paragraphs"]:
                notes = f"  (+{len(p['footnotes'])} footnotes)" if p["footnotes"] else ""
                click.echo(clean(f"  {p['label']:<10} {p['text'][:100]}{notes}"))
    if failed:
        ctx.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@store_option
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Summarise the store: documents, paragraphs, bodies, years, formats."""
    from bot.wiring import open_store
    from ingest.stats import store_stats

    summary = store_stats(open_store(_settings(ctx)))
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"store: {summary['store']}")
    click.echo(f"documents: {summary['documents']}  paragraphs: {summary['paragraphs']}")
    click.echo(f"records: {summary['records']} ({summary['records_attached']} with their text)")
    for key in ("bodies", "formats", "years", "kinds"):
        items = ", ".join(f"{k}: {v}" for k, v in summary[key].items())
        click.echo(f"{key}: {items}")
    for line in summary.get("incomplete", []):
        click.echo(f"warning: {line}")


@cli.command()
@click.argument("symbol")
@click.argument("label", required=False)
@store_option
@click.pass_context
def show(ctx: click.Context, symbol: str, label: str | None) -> None:
    """Print a paragraph exactly as stored, with its footnotes (or list a document's labels)."""
    from bot.lookup import find_paragraphs
    from bot.safe_text import clean
    from bot.wiring import open_store

    if not symbol.strip():
        raise ResbotError("no document symbol given (e.g. resbot show A/RES/79/154 OP52)")
    store = open_store(_settings(ctx))
    paras = find_paragraphs(store, symbol, label)
    from bot.records.table import record_lines_for

    record = [] if label else record_lines_for(store, symbol)
    if not paras and not record:
        raise ResbotError(f"no paragraph {symbol} {label or ''} in the store".strip())
    for para in paras:
        # Cited the way answers cite it (no "file:" prefix), so the two can be compared.
        click.echo(clean(f"{para.citation.removeprefix('file:')}  [{para.source}]"))
        if para.metadata.get("section"):
            click.echo(clean(f"({para.metadata['section']})"))
        click.echo(clean(para.text))
        for i, note in enumerate(para.footnotes, 1):
            click.echo(clean(f"  [{i}] {note}"))
        if len(paras) > 1:
            click.echo("")
    if record:
        click.echo("\n".join(record[1:] if not paras else record))


def main() -> None:
    cli(prog_name="resbot")


if __name__ == "__main__":
    main()
