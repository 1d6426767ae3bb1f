"""Choose the alignment gold's resolution pairs, before any tuning, with a fixed seed.

From the series links of GA sessions 77-79 and ECOSOC 2021-2025: GA annual (77->78, 78->79),
GA biennial (77->79) and ECOSOC annual pairs, each text at most MAX_PARAGRAPHS paragraphs so that
every paragraph can be checked by hand. Every third pair chosen is held out.

    python eval/series/select_pairs.py      # writes eval/series/pairs.json
"""

from __future__ import annotations

import json
import random

from bot.series.lineage import parse_paths, table_from_resolutions
from eval.series.common import CORPUS, FOLDERS, PAIRS

SEED = 18
MAX_PARAGRAPHS = 45
QUOTA = {"ga-annual-77-78": 2, "ga-annual-78-79": 3, "ga-biennial-77-79": 3, "ecosoc-annual": 4}


def main() -> None:
    resolutions = parse_paths(FOLDERS)
    source = {r.doc_id: r.source for r in resolutions}
    table = table_from_resolutions(resolutions)
    buckets: dict[str, list[tuple[str, str]]] = {k: [] for k in QUOTA}
    for new_id, (old_id, _) in sorted(table.links().items()):
        new, old = table.profiles[new_id], table.profiles[old_id]
        if (
            max(new.paragraphs, old.paragraphs) > MAX_PARAGRAPHS
            or min(new.paragraphs, old.paragraphs) < 3
        ):
            continue
        if new.series_key == "E" and new.period and old.period and new.period - old.period == 1:
            buckets["ecosoc-annual"].append((old_id, new_id))
        elif new.series_key == "A" and (old.period, new.period) in ((77, 78), (78, 79), (77, 79)):
            kinds: dict[tuple[int | None, int | None], str] = {
                (77, 78): "ga-annual-77-78",
                (78, 79): "ga-annual-78-79",
                (77, 79): "ga-biennial-77-79",
            }
            buckets[kinds[(old.period, new.period)]].append((old_id, new_id))
    rng = random.Random(SEED)
    chosen: list[dict[str, str]] = []
    for kind, n in QUOTA.items():
        for old_id, new_id in rng.sample(buckets[kind], n):
            chosen.append({"kind": kind, "old": old_id, "new": new_id})
    rng.shuffle(chosen)
    for k, pair in enumerate(chosen):
        pair["split"] = "heldout" if k % 3 == 2 else "tuning"
        for side in ("old", "new"):
            name = str(source[pair[side]]).rsplit("/", 1)[-1]
            found = next(p for folder in FOLDERS for p in folder.rglob(name))
            pair[side + "_file"] = str(found.relative_to(CORPUS))
    PAIRS.write_text(json.dumps({"seed": SEED, "pairs": chosen}, indent=1) + "\n")
    for pair in chosen:
        print(pair["split"], pair["kind"], pair["old"], "->", pair["new"])


if __name__ == "__main__":
    main()
