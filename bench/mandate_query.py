"""Mandate questions on a large table: SQLite narrowing by actor vs decoding every row.

Builds a SQLite mandate table from AKN resolutions, repeated under new document ids until it
holds about ``--mandates`` rows, then times, side by side in one run, the same queries answered
two ways: the table's own ``query`` (an index of addressee names picks the rows before any JSON
is decoded) and the full scan it replaced (every row of the reporting filter decoded, then
matched in Python). Both must return the same mandates; the ratio is what the index buys.

    .venv/bin/python -m bench.mandate_query ../shared/corpus/ga-akn --mandates 30000
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.mandates.extract import extract_mandates
from bot.mandates.table import MandateTable, SQLiteStore, _actor_match
from ingest.parsers.akn import parse_akn_file

QUERIES = [("UNODC", True), ("Secretary-General", True), ("Member States", None), ("WHO", None)]


def build(folder: Path, target: int, db: Path) -> MandateTable:
    """Each resolution extracted once; its mandates stored again under new ids until the
    table holds ``target`` rows (a corpus of that size would have that many distinct ones)."""
    table = MandateTable.open(db)
    extracted = [
        (res.doc_id, extract_mandates(res, table.glossary))
        for path in sorted(folder.rglob("*.xml"))
        for res in parse_akn_file(path)
    ]
    total, copy = 0, 0
    while total < target:
        for doc_id, mandates in extracted:
            new_id = doc_id if copy == 0 else f"{doc_id}/copy{copy}"
            rows = [dataclasses.replace(m, doc_id=new_id, symbol=new_id) for m in mandates]
            table.store.replace(new_id, rows)
            total += len(rows)
            if total >= target:
                break
        copy += 1
    return table


def full_scan(table: MandateTable, actor: str, reporting: bool | None) -> list[str]:
    keys = table._actor_keys(actor)
    rows = table.store.rows(reporting=reporting)
    return sorted(m.key for m in rows if _actor_match(m, keys))


def timed(fn, repeats: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of AKN XML resolutions")
    parser.add_argument("--mandates", type=int, default=30_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        table = build(args.folder, args.mandates, Path(tmp) / "m.sqlite3")
        assert isinstance(table.store, SQLiteStore)
        out = sys.stdout
        out.write(f"mandates: {len(table)}\n\n")
        out.write(
            "| query | rows found | narrowed (ms) | full scan (ms) | narrowed ÷ full scan |\n"
        )
        out.write("|---|---:|---:|---:|---:|\n")
        for actor, reporting in QUERIES:
            fast, got = timed(
                lambda a=actor, r=reporting: sorted(
                    m.key for m in table.query(actor=a, reporting=r)
                ),
                args.repeats,
            )
            slow, want = timed(lambda a=actor, r=reporting: full_scan(table, a, r), args.repeats)
            if got != want:
                raise SystemExit(f"different answers for {actor!r}")
            label = f"{actor}" + (", reporting" if reporting else "")
            out.write(
                f"| {label} | {len(got)} | {fast * 1000:.0f} | {slow * 1000:.0f} "  # type: ignore[arg-type]
                f"| {fast / slow:.2f} |\n"
            )
        table.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
