"""Annotation helper: each operative paragraph of the selected resolutions with the current
extractor's reporting clauses, and a draft gold line per clause for the annotator to correct.

    .venv/bin/python eval/mandates/annotate.py [--split heldout] [--doc SYMBOL] [--draft FILE]

Prints every operative paragraph in full (the annotator reads all of them, reporting or not),
each followed by the extractor's guess. ``--draft`` writes the guesses as gold-shaped lines
(doc lines carry the list of operative labels read); the annotator edits that file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bot.mandates.extract import OPERATIVE_LABEL, extract_mandates  # noqa: E402
from ingest.parsers import parse_file  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(os.environ.get("RESBOT_SHARED", HERE.parents[2] / "shared")) / "corpus"
    ap.add_argument("--corpus", type=Path, default=default)
    ap.add_argument("--split", choices=("dev", "heldout"))
    ap.add_argument("--doc")
    ap.add_argument("--draft", type=Path)
    args = ap.parse_args(argv)
    selection = json.loads((HERE / "selection.json").read_text())["documents"]
    draft: list[dict[str, object]] = []
    for row in selection:
        if args.split and row["split"] != args.split:
            continue
        resolutions = parse_file(args.corpus / row["source"])
        res = resolutions[0]
        if args.doc and res.symbol != args.doc:
            continue
        ops = [p for p in res.paragraphs if OPERATIVE_LABEL.match(p.label)]
        print(f"\n##### {res.symbol} ({row['split']}) {res.date} {res.title}")  # noqa: T201
        mandates = [m for m in extract_mandates(res) if m.reporting]
        draft.append({"type": "doc", "symbol": res.symbol, "source": row["source"],
                      "split": row["split"], "operative": [p.label for p in ops]})  # fmt: skip
        for p in ops:
            print(f"\n[{p.label}] {p.text}")  # noqa: T201
            for m in (m for m in mandates if m.label == p.label):
                guess = {
                    "verb": m.verb, "actors": m.actors, "recipients": m.recipients, "via": m.via,
                    "due_session": m.due_session, "due_body": m.due_body,
                    "due_year": m.due_year, "frequency": m.frequency,
                }  # fmt: skip
                print(f"   -> c{m.clause} {json.dumps(guess, ensure_ascii=False)}")  # noqa: T201
                draft.append({"type": "mandate", "symbol": res.symbol, "label": p.label,
                              **guess, "quote": m.task[:80]})  # fmt: skip
    if args.draft:
        args.draft.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in draft))


if __name__ == "__main__":
    main()
