"""Text blocks of the English AKN corpus that land in no paragraph.

Parses every English AKN file under the corpus (``ga-akn``, ``ga-akn-history``,
``ecosoc-akn``) and counts the ``<p>`` blocks of preambles, bodies, drafts and
annexes whose words occur in no paragraph of the file's resolutions (the
check ``resbot ingest`` runs on every file, ``ingest/completeness.py``).

    .venv/bin/python eval/akn_completeness.py [--corpus DIR] [--list]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ingest.parsers.akn import parse_akn_file  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
FOLDERS = ("ga-akn", "ga-akn-history", "ecosoc-akn")


def english_akn_files(corpus: Path) -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (corpus / folder).glob("*/*.xml"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--list", action="store_true", help="print every lost block")
    args = ap.parse_args(argv)
    files = english_akn_files(args.corpus)
    start = time.perf_counter()
    blocks = lost = resolutions = 0
    losing: list[tuple[int, str]] = []
    for path in files:
        n_lost = 0
        for res in parse_akn_file(path):
            resolutions += 1
            c = res.completeness
            if c is None:
                continue
            blocks += c.blocks
            lost += len(c.lost)
            n_lost += len(c.lost)
            if c.lost:
                losing.append((len(c.lost), c.warning(res.doc_id)))
                if args.list:
                    for text in c.lost:
                        print(f"    {res.doc_id}: {text}")
    seconds = time.perf_counter() - start
    for _n, line in sorted(losing, reverse=True)[:40]:
        print(line)
    print(
        f"{len(files)} files, {resolutions} resolutions, {blocks} text blocks, "
        f"{lost} lost, {len(losing)} resolutions losing text; {seconds:.1f} s"
    )
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
