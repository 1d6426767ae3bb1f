"""`resbot mandates`: who must do or report what, to whom, by when — across the resolutions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli import settings_from, store_option
from core.errors import ResbotError


@click.command()
@click.option("--actor", help="Who is addressed: UNODC, 'Secretary-General', 'Member States' ...")
@click.option("--reporting", is_flag=True, help="Only mandates to report, inform or brief.")
@click.option(
    "--due", "due_year", type=int, help="Year a report is due (from the session calendar)."
)
@click.option(
    "--session", "due_session", type=int, help="Session a report is due at (81 = eighty-first)."
)
@click.option(
    "--body",
    help="Body a report goes to (directly or through): ECOSOC, 'General Assembly', CCPCJ ...",
)
@click.option("--adopted-by", help="Adopting body: 'General Assembly', ECOSOC ...")
@click.option(
    "--recipient", help="Body or office a report goes to: CCPCJ, UNODC, 'Member States' ..."
)
@click.option(
    "--deliverable",
    help="What is to be delivered: report, note, summary, information/data, 'meeting or event'.",
)
@click.option("--frequency", help="Stated or implied: annual, biennial, periodic ...")
@click.option("--doc", "docs", multiple=True, help="Only these resolutions (symbol; repeatable).")
@click.option("--text", help="Words that must all occur (task, paragraph, title or agenda item).")
@click.option("--since", "since_year", type=int, help="Resolutions adopted in or after this year.")
@click.option(
    "--group",
    "group_by",
    type=click.Choice(["actor", "due", "recipient"]),
    default="actor",
    show_default=True,
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the mandates as JSON: one object per clause."
)
@click.option("--csv", "as_csv", is_flag=True, help="Print the mandates as CSV.")
@click.option(
    "--from",
    "from_paths",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="Extract from these files or folders instead of the stored table (repeatable).",
)
@click.option(
    "--db", type=click.Path(path_type=Path), help="Mandate table file (default: beside the store)."
)
@store_option
@click.pass_context
def mandates(
    ctx: click.Context,
    actor: str | None,
    reporting: bool,
    due_year: int | None,
    due_session: int | None,
    body: str | None,
    adopted_by: str | None,
    recipient: str | None,
    deliverable: str | None,
    frequency: str | None,
    docs: tuple[str, ...],
    text: str | None,
    since_year: int | None,
    group_by: str,
    as_json: bool,
    as_csv: bool,
    from_paths: tuple[Path, ...],
    db: Path | None,
) -> None:
    """Print the mandate table, grouped and sorted by due date, every line cited."""
    from bot.mandates.questions import format_mandates
    from bot.mandates.table import (
        MandateTable,
        mandate_db_path,
        mandates_to_csv,
        rebuild_from_paths,
    )

    if as_json and as_csv:
        raise click.UsageError("--json and --csv exclude each other")
    if from_paths:
        table = rebuild_from_paths(from_paths)
    else:
        settings = settings_from(ctx)
        if db is not None:
            if not db.exists():
                raise ResbotError(f"no mandate table at {db}")
            table = MandateTable.open(db)
        else:
            from bot.mandates.sync import sync_mandates
            from bot.wiring import open_store

            store = open_store(settings)
            if store.count() == 0:
                raise ResbotError(
                    "the store is empty; ingest resolutions first, or use --from PATH"
                )
            table = sync_mandates(store, mandate_db_path(settings))
    try:
        rows = table.query(
            actor=actor,
            reporting=True if reporting else None,
            due_year=due_year,
            body=body,
            text=text,
            since_year=since_year,
            due_session=due_session,
            adopted_by=adopted_by,
            recipient=recipient,
            deliverable=deliverable,
            frequency=frequency,
            docs=list(docs) or None,
        )
    finally:
        table.close()
    if as_json:
        click.echo(json.dumps([m.to_json() for m in rows], ensure_ascii=False, indent=2))
    elif as_csv:
        click.echo(mandates_to_csv(rows), nl=False)
    else:
        canonical = table.glossary.canonical_actor(actor) if actor else None
        click.echo(format_mandates(rows, group_by=group_by, actor=canonical or actor))
        click.echo(f"\n{len(rows)} mandates", err=True)
