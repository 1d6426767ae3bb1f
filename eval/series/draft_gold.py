"""Write a first draft of the alignment gold for hand-checking (never run over a checked gold).

Each line of gold.jsonl is one paragraph of one text of a pair: {"old", "new", "side", "label",
"status", "counterparts"}. The draft comes from the aligner at its pre-tuning defaults; every
entry that is not a word-for-word carry-over is then read and corrected by hand, and
`"checked": true` is set on the lines reviewed.

    python eval/series/draft_gold.py --list    # the non-unchanged entries, to review
"""

from __future__ import annotations

import json
import sys

from bot.series.align import AlignParams
from bot.series.diff import diff_resolutions
from eval.series.common import GOLD, load_pairs, read


def main() -> None:
    lines = []
    for pair in load_pairs():
        d = diff_resolutions(read(pair["old_file"]), read(pair["new_file"]), AlignParams())
        for (side, label), (status, other) in sorted(d.paragraph_status().items()):
            lines.append(
                {"old": pair["old"], "new": pair["new"], "side": side, "label": label,
                 "status": status, "counterparts": sorted(other)}
            )  # fmt: skip
        if "--list" in sys.argv:
            print(f"== {pair['split']} {pair['old']} -> {pair['new']}")
            for e in d.entries:
                if e.status != "unchanged":
                    print(
                        f"  {e.status:<8} {e.old_label or '-':<7} {e.new_label or '-':<7} {e.similarity:.2f} {e.group or ''}"
                    )
                    print(f"      O: {e.old_text[:150]}")
                    print(f"      N: {e.new_text[:150]}")
    if "--write" in sys.argv:
        GOLD.write_text("".join(json.dumps(x) + "\n" for x in lines))


if __name__ == "__main__":
    main()
