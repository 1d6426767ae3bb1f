"""Shared by the series evaluation scripts: the corpus folders and the pairs file."""

from __future__ import annotations

import json
from pathlib import Path

from bot.series.lineage import parse_paths
from ingest.model import Resolution

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1].parent / "shared" / "corpus"
FOLDERS = [
    CORPUS / "ga-akn-history" / "77session",
    CORPUS / "ga-akn-history" / "78session",
    CORPUS / "ga-akn" / "79session",
    CORPUS / "ecosoc-akn",
]
PAIRS = HERE / "pairs.json"
GOLD = HERE / "gold.jsonl"


def load_pairs() -> list[dict[str, str]]:
    return json.loads(PAIRS.read_text())["pairs"]


def read(path: str) -> Resolution:
    return parse_paths([CORPUS / path])[0]
