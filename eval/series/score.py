"""Per-status precision and recall of paragraph alignment against the hand-checked gold, for our
aligner and a greedy line-matching baseline (undifferent's method), in the same run.

A paragraph counts as right for a status when the status *and* its counterpart paragraph(s) are
those of the gold. Pairs are split tuning / held-out by eval/series/select_pairs.py.

    python eval/series/score.py                 # held-out pairs
    python eval/series/score.py --split tuning
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from bot.series.align import STATUSES, AlignParams
from bot.series.diff import diff_resolutions
from eval.series.baseline import greedy_status
from eval.series.common import GOLD, load_pairs, read

Key = tuple[str, str]


def score(
    pred: dict[Key, tuple[str, frozenset[str]]],
    gold: dict[Key, tuple[str, frozenset[str]]],
    tally: dict[str, Counter[str]],
) -> None:
    for key, (g_status, g_other) in gold.items():
        p_status, p_other = pred.get(key, ("missing", frozenset()))
        right = p_status == g_status and p_other == g_other
        tally[g_status]["gold"] += 1
        tally[p_status]["pred"] += 1
        if right:
            tally[g_status]["tp"] += 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="heldout", choices=["heldout", "tuning", "all"])
    args = ap.parse_args()
    gold_rows = [json.loads(line) for line in GOLD.read_text().splitlines()]
    methods = {"aligner": Counter, "greedy": Counter}
    tallies: dict[str, dict[str, Counter[str]]] = {
        m: {s: Counter() for s in (*STATUSES, "missing")} for m in methods
    }
    params = AlignParams.load()
    n_pairs = 0
    for pair in load_pairs():
        if args.split != "all" and pair["split"] != args.split:
            continue
        n_pairs += 1
        gold = {
            (r["side"], r["label"]): (r["status"], frozenset(r["counterparts"]))
            for r in gold_rows
            if r["old"] == pair["old"] and r["new"] == pair["new"]
        }
        old, new = read(pair["old_file"]), read(pair["new_file"])
        score(diff_resolutions(old, new, params).paragraph_status(), gold, tallies["aligner"])
        score(greedy_status(old, new), gold, tallies["greedy"])
    print(
        f"{n_pairs} {args.split} pairs, {sum(t['gold'] for t in tallies['aligner'].values())} paragraphs"
    )
    print(f"{'status':<10} {'gold':>5}  {'aligner P':>9} {'R':>5}   {'greedy P':>9} {'R':>5}")
    for s in STATUSES:
        row = [f"{s:<10} {tallies['aligner'][s]['gold']:>5} "]
        for m in methods:
            t = tallies[m][s]
            p = t["tp"] / t["pred"] if t["pred"] else float("nan")
            r = t["tp"] / t["gold"] if t["gold"] else float("nan")
            row.append(f" {p:>9.3f} {r:>5.3f}  ")
        print("".join(row))


if __name__ == "__main__":
    main()
