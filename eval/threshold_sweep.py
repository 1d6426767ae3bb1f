"""The declining trade-off: how the score threshold moves answered, declined and precision.

Answers every gold question once per threshold, over a store that already holds the gold's
files, and prints a Markdown table (also written with --out):

    .venv/bin/python eval/threshold_sweep.py --store /tmp/devstore \
        ../shared/gold/dev-corpus.jsonl --out eval/reports/thresholds.md

Only ``Thresholds.min_score`` changes; the other declining checks (subject absent, no figure
for "how many", no date for "when", no age for "what age") stay on, so the table shows what the
threshold adds on top of them.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from pathlib import Path

from bot.answer.engine import Thresholds
from bot.evaluation.gold import GoldItem, load_gold
from bot.evaluation.runner import ask
from bot.settings import Settings
from bot.wiring import make_answerer

DEFAULT_THRESHOLDS = (0.0, 0.3, 0.4, 0.45, 0.5, 0.505, 0.55, 0.6, 0.65, 0.7, 0.8)


def sweep(store: Path, gold: list[GoldItem], thresholds: list[float]) -> list[dict[str, float]]:
    answerer = make_answerer(Settings(store=store))
    base = answerer.t
    rows = []
    for threshold in thresholds:
        answerer.t = replace(base, min_score=threshold)
        # Scored as `resbot eval` scores them: history first, precision over distinct citations.
        scores = [ask(answerer, item, k=5) for item in gold]
        answerable = [q for q in scores if q.answerable]
        unanswerable = [q for q in scores if not q.answerable]
        precisions = [q.citation_precision for q in answerable if q.citation_precision is not None]
        rows.append(
            {
                "threshold": threshold,
                "answered": sum(q.answered for q in answerable) / max(len(answerable), 1),
                "declined": sum(not q.answered for q in unanswerable) / max(len(unanswerable), 1),
                "precision": sum(precisions) / max(len(precisions), 1),
                "n_answerable": len(answerable),
                "n_unanswerable": len(unanswerable),
            }
        )
    return rows


def table(rows: list[dict[str, float]], title: str) -> str:
    default = Thresholds().min_score
    lines = [
        f"### {title}",
        "",
        "| min_score | answerable answered | unanswerable declined | citation precision |",
        "|---:|---:|---:|---:|",
    ]
    for r in rows:
        mark = " (default)" if abs(r["threshold"] - default) < 1e-9 else ""
        answered = f"{r['answered']:.2f} of {int(r['n_answerable'])}" if r["n_answerable"] else "–"
        declined = (
            f"{r['declined']:.2f} of {int(r['n_unanswerable'])}" if r["n_unanswerable"] else "–"
        )
        precision = f"{r['precision']:.2f}" if r["n_answerable"] else "–"
        lines.append(f"| {r['threshold']:.3f}{mark} | {answered} | {declined} | {precision} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="+", type=Path)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--thresholds", type=float, nargs="*", default=list(DEFAULT_THRESHOLDS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    gold = load_gold(args.gold)
    rows = sweep(args.store, gold, args.thresholds)
    title = " + ".join(p.name for p in args.gold) + f" over {args.store.name}"
    text = table(rows, title)
    sys.stdout.write(text)
    if args.out:
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
