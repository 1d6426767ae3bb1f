"""A separate ingest process for the concurrency tests (run as a script, not collected).

    python tests/ingest_worker.py URL COLLECTION FOLDER VECTORS.json BARRIER_DIR

Embeddings come precomputed from the parent test (real model vectors keyed by the text
the pipeline embeds), so the worker needs no torch; everything else is the real
pipeline and the real Chroma client. It signals `ready-<pid>` in BARRIER_DIR once
connected and starts ingesting when `go` appears there, so several workers write at
the same time. Prints the ingest report as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

MODEL = "all-MiniLM-L6-v2"


class CachedEmbedder:
    name = MODEL

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vectors[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


def main(argv: list[str]) -> int:
    url, name, folder, vectors_path, barrier = argv
    from ingest.pipeline import Ingestor
    from ingest.store import open_server_store

    embedder = CachedEmbedder(json.loads(Path(vectors_path).read_text()))
    store = open_server_store(url, name, MODEL)
    Path(barrier, f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 120
    while not Path(barrier, "go").exists():
        if time.monotonic() > deadline:
            print("no go signal", file=sys.stderr)
            return 2
        time.sleep(0.005)
    report = Ingestor(store, embedder).ingest([Path(folder)])
    print(json.dumps(report.to_json()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
