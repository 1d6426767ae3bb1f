"""Build the dev-set slice of the corpus: a folder of links that `resbot eval` can ingest.

The full corpus takes hours to embed on a small CPU machine. The slice keeps every file
the dev gold sets cite, the other format of each (GA XML and its PDF text, ECOSOC 2018
PDF and its Word file), the Security Council resolutions the unanswerable questions name,
and a fixed random sample of the rest as distractors, so the figures stay comparable
from run to run.

    .venv/bin/python eval/dev_slice.py OUT_DIR [--corpus DIR] [--gold DIR] [--seed 5]
    .venv/bin/resbot --store DIR eval GOLD/dev-*.jsonl --ingest OUT_DIR --baseline all
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
# folder -> distractors drawn at random
DISTRACTORS = {
    "ga-akn": 25,
    "ecosoc-akn": 15,
    "ga-pdftext": 15,
    "unsc-txt": 40,
    "ecosoc-2018-pdf": 5,
}
ALWAYS = (
    "seed/ccpcj-2018-trafficking-in-persons-rev-draft.txt",
    "unsc-txt/S_RES_0242_1967_EN_GOLD.txt",
    "unsc-txt/S_RES_0598_1987_EN_GOLD.txt",
)
NOT_RESOLUTIONS = {"README.md", "SOURCE.txt"}


def slice_files(corpus: Path, gold: Path, seed: int) -> list[Path]:
    names: set[str] = set()
    for path in sorted(gold.glob("dev-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                names.update(e["source"] for e in json.loads(line)["expected"])
    files = {p.name: p for p in corpus.rglob("*") if p.is_file() and p.name not in NOT_RESOLUTIONS}
    chosen = {files[n] for n in names if n in files}
    for p in list(chosen):
        if p.parent.name.endswith("session"):  # GA XML: add its PDF text
            twin = corpus / "ga-pdftext" / (p.name.split("-")[0].removesuffix(".xml") + ".txt")
        elif p.suffix == ".pdf":  # ECOSOC 2018 PDF: add its Word file
            twin = corpus / "ecosoc-2018-docx" / (p.stem + ".docx")
        else:
            continue
        if twin.exists():
            chosen.add(twin)
    rng = random.Random(seed)
    for folder, n in DISTRACTORS.items():
        pool = sorted(
            p
            for p in (corpus / folder).rglob("*")
            if p.is_file() and p.name not in NOT_RESOLUTIONS and p not in chosen
        )
        chosen.update(rng.sample(pool, min(n, len(pool))))
    chosen.update(corpus / f for f in ALWAYS if (corpus / f).exists())
    return sorted(chosen)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--gold", type=Path, default=SHARED / "gold")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    files = slice_files(args.corpus, args.gold, args.seed)
    for p in files:
        link = args.out / p.parent.relative_to(args.corpus) / p.name
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            os.symlink(p.resolve(), link)
    print(f"{len(files)} files linked under {args.out}")


if __name__ == "__main__":
    main()
