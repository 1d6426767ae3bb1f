"""Choose the resolutions of the full-annotation gold set at random, before any rule is written.

    .venv/bin/python eval/mandates/select.py [--corpus ../shared/corpus] [--seed 17] [--per-group 4]

Ten groups (ECOSOC 2021 to 2025, General Assembly sessions 75 to 79, AKN files), ``--per-group``
files drawn from each with a seeded generator, leaving out files already in gold.jsonl or
heldout.jsonl (rules were tuned on those). A third of the chosen resolutions, drawn by a second
seeded generator, is held out: no rule may be tuned on them. Writes selection.json; running it
again with the same corpus and seed gives the same choice.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
GROUPS = [f"ecosoc-akn/{y}" for y in range(2021, 2026)] + [
    f"ga-akn/{s}session" for s in range(75, 80)
]


def already_used() -> set[str]:
    used: set[str] = set()
    for name in ("gold.jsonl", "heldout.jsonl"):
        for line in (HERE / name).read_text("utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if row.get("type") == "doc":
                used.add(row["source"])
    return used


def select(corpus: Path, seed: int, per_group: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    used = already_used()
    chosen: list[str] = []
    for group in GROUPS:
        files = sorted(
            f"{group}/{p.name}"
            for p in (corpus / group).glob("*.xml")
            if f"{group}/{p.name}" not in used
        )
        chosen += rng.sample(files, min(per_group, len(files)))
    held = set(random.Random(seed + 1).sample(chosen, -(-len(chosen) // 3)))
    return [{"source": s, "split": "heldout" if s in held else "dev"} for s in chosen]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(os.environ.get("RESBOT_SHARED", HERE.parents[2] / "shared")) / "corpus"
    ap.add_argument("--corpus", type=Path, default=default)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--per-group", type=int, default=4)
    ap.add_argument("--out", type=Path, default=HERE / "selection.json")
    args = ap.parse_args(argv)
    rows = select(args.corpus, args.seed, args.per_group)
    args.out.write_text(json.dumps({"seed": args.seed, "documents": rows}, indent=1) + "\n")
    print(
        f"{len(rows)} resolutions, {sum(r['split'] == 'heldout' for r in rows)} held out -> {args.out}"
    )  # noqa: T201


if __name__ == "__main__":
    main()
