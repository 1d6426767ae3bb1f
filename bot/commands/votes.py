"""`resbot votes`: the UN's adoption records: one resolution's tally, or a country's votes."""

from __future__ import annotations

import json

import click

from bot.cli import settings_from, store_option
from core.errors import ResbotError


@click.command()
@click.argument("symbol", required=False)
@click.option("--country", help="A country's votes: Brazil, US, 'Ivory Coast', DPRK ...")
@click.option("--sponsor", help="Resolutions this country sponsored.")
@click.option("--session", type=int, help="GA session (79) or ECOSOC year (2025).")
@click.option("--against", "position", flag_value="against", help="Only votes against.")
@click.option("--abstained", "position", flag_value="abstaining", help="Only abstentions.")
@click.option("--in-favour", "position", flag_value="in favour", help="Only votes in favour.")
@click.option(
    "--without-vote", "adoption", flag_value="without vote", help="Adopted without a vote."
)
@click.option("--recorded", "adoption", flag_value="recorded", help="Adopted by a recorded vote.")
@click.option("--sdg", help="Linked to this Sustainable Development Goal (16).")
@click.option("--subject", help="Carrying this UNBIS subject term ('ARTIFICIAL INTELLIGENCE').")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@store_option
@click.pass_context
def votes(
    ctx: click.Context,
    symbol: str | None,
    country: str | None,
    sponsor: str | None,
    session: int | None,
    position: str | None,
    adoption: str | None,
    sdg: str | None,
    subject: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Votes, sponsors and subjects from the UN's records, every line cited to the record."""
    from bot.records.index import build_index
    from bot.records.table import Filters, full_record, lines_for, row, select, to_csv
    from bot.symbols import SymbolRef, find_symbol_refs
    from bot.wiring import open_store

    if as_json and as_csv:
        raise click.UsageError("--json and --csv exclude each other")
    index = build_index(open_store(settings_from(ctx)))
    if not len(index):
        raise ResbotError("the store holds no UN adoption records; ingest ga-metadata/*.json first")

    def canonical(name: str | None) -> str | None:
        if name is None:
            return None
        found = index.countries.canonical(name)
        if found is None:
            raise ResbotError(f"{name!r} is no country I know (bot/data/countries.json)")
        return found

    who = canonical(country)
    if symbol:
        refs = find_symbol_refs(symbol) or [SymbolRef(symbol, exact=symbol.upper())]
        recs, missing = index.resolve(refs)
        if not recs:
            raise ResbotError(f"no UN adoption record for {symbol}")
    elif who or sponsor or session or adoption or sdg or subject:
        filters = Filters(who, canonical(sponsor), session, position, adoption, sdg, subject)
        recs = select(index, filters)
    else:
        raise click.UsageError("give a SYMBOL, or --country, --session, --sdg or --subject")
    rows = [row(index, r, who) for r in recs]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif as_csv:
        click.echo(to_csv(rows), nl=False)
    elif symbol and not who:
        for rec in recs:
            click.echo("\n".join(full_record(index, rec)))
            click.echo("")
    else:
        for line in lines_for(index, recs, who):
            click.echo(line)
        click.echo(f"\n{len(recs)} resolutions", err=True)
