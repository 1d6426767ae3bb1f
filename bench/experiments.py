"""Make-it-fast experiments: each candidate measured against the encoder in the same run.

    python -m bench.experiments [--corpus DIR] [--only batch,flush,prefetch,reingest,threads]

Prints one JSON object per experiment (and writes them all to --out). Knobs of the
pipeline are changed by patching module constants in this process only; nothing in
the product changes. Every ingest pass sits between two encoder passes on the same
texts, and its ratio is taken against their mean, so load drift on a shared
machine cancels out as far as it can.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
log = logging.getLogger("bench.experiments")


def ingest_vs_encoder(embedder: Any, selection: Any, repeats: int) -> dict[str, Any]:
    from bot.benchmark import encode_raw, ingest_once, percentile

    encode_raw(embedder, selection.texts[:8])
    enc = [encode_raw(embedder, selection.texts)]
    ing: list[float] = []
    with tempfile.TemporaryDirectory(prefix="resbot-exp-") as tmp:
        for r in range(repeats):
            _, report = ingest_once(Path(tmp) / f"s{r}", "resbot", embedder, selection.files)
            ing.append(report.seconds)
            enc.append(encode_raw(embedder, selection.texts))
    n = len(selection.texts)
    ratios = [(enc[r] + enc[r + 1]) / 2 / ing[r] for r in range(repeats)]
    return {
        "encoder_pps": round(n / (sum(enc) / len(enc)), 1),
        "ingest_pps": round(n / percentile(ing, 50), 1),
        "ingest_ratio": round(percentile(ratios, 50), 3),
        "ratios": [round(x, 3) for x in ratios],
        "load": round(os.getloadavg()[0], 2),
    }


def exp_batch(embedder: Any, selection: Any, repeats: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    original = embedder.batch_size
    try:
        for bs in (32, 64, 128):
            embedder.batch_size = bs
            out[f"batch_{bs}"] = ingest_vs_encoder(embedder, selection, repeats)
            log.info("batch %d: %s", bs, out[f"batch_{bs}"])
    finally:
        embedder.batch_size = original
    return out


def exp_flush(embedder: Any, selection: Any, repeats: int) -> dict[str, Any]:
    import ingest.pipeline as pipeline

    out: dict[str, Any] = {}
    original = pipeline.EMBED_FLUSH
    try:
        for flush in (64, 256, 1024):
            pipeline.EMBED_FLUSH = flush
            out[f"flush_{flush}"] = ingest_vs_encoder(embedder, selection, repeats)
            log.info("flush %d: %s", flush, out[f"flush_{flush}"])
    finally:
        pipeline.EMBED_FLUSH = original
    return out


def exp_prefetch(embedder: Any, selection: Any, repeats: int) -> dict[str, Any]:
    """PREFETCH=1 submits only the file about to be used: parsing no longer overlaps embedding."""
    import ingest.pipeline as pipeline

    out: dict[str, Any] = {"parse_serial_s": round(selection.parse_s, 2)}
    original = pipeline.PREFETCH
    try:
        for pf in (1, 4):
            pipeline.PREFETCH = pf
            out[f"prefetch_{pf}"] = ingest_vs_encoder(embedder, selection, repeats)
            log.info("prefetch %d: %s", pf, out[f"prefetch_{pf}"])
    finally:
        pipeline.PREFETCH = original
    return out


def exp_reingest(embedder: Any, selection: Any, repeats: int) -> dict[str, Any]:
    """Unchanged files: skipped by their hash (as shipped) vs parsed and diffed paragraph by paragraph."""
    from bot.benchmark import ingest_once
    from ingest.pipeline import Ingestor
    from ingest.store import ChromaStore

    with tempfile.TemporaryDirectory(prefix="resbot-exp-") as tmp:
        store, first = ingest_once(Path(tmp) / "s", "resbot", embedder, selection.files)
        skip = [Ingestor(store, embedder).ingest(selection.files).seconds for _ in range(3)]
        original = ChromaStore.file_record
        try:
            ChromaStore.file_record = lambda self, sha: None  # type: ignore[method-assign]
            parse = [Ingestor(store, embedder).ingest(selection.files).seconds for _ in range(3)]
        finally:
            ChromaStore.file_record = original  # type: ignore[method-assign]
    return {
        "first_ingest_s": round(first.seconds, 2),
        "reingest_skip_s": round(min(skip), 4),
        "reingest_parse_and_diff_s": round(min(parse), 3),
        "ratio_skip": round(min(skip) / first.seconds, 4),
        "ratio_parse_and_diff": round(min(parse) / first.seconds, 4),
    }


def exp_threads(embedder: Any, selection: Any, repeats: int) -> dict[str, Any]:
    """torch intra-op threads: one short question, and bulk encoding, at 1 thread and at the default."""
    import torch

    from bot.benchmark import QUESTIONS, encode_raw, percentile, time_calls

    default = torch.get_num_threads()
    out: dict[str, Any] = {"default_threads": default}
    embedder.embed_query("warm up")
    try:
        for _ in range(repeats):
            for n in sorted({1, default}):
                torch.set_num_threads(n)
                q = time_calls(embedder.embed_query, QUESTIONS, 1)
                out.setdefault(f"query_p50_ms_{n}", []).append(round(percentile(q, 50), 1))
                out.setdefault(f"query_p95_ms_{n}", []).append(round(percentile(q, 95), 1))
                texts = selection.texts[:128]
                out.setdefault(f"bulk_pps_{n}", []).append(
                    round(len(texts) / encode_raw(embedder, texts), 1)
                )
                out.setdefault("load", []).append(round(os.getloadavg()[0], 2))
    finally:
        torch.set_num_threads(default)
    return out


def exp_askpath(embedder: Any, selection: Any, repeats: int) -> dict[str, Any]:
    """Two Chroma round trips per ask that the answer does not need, removed by patching the store
    instance: `count()` before every vector query, and `generation()` on every index lookup
    (several per ask). Variants alternate question by question, so load drift hits all alike."""
    from bot.benchmark import QUESTIONS, ingest_once, percentile
    from bot.settings import Settings
    from bot.wiring import make_answerer

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="resbot-exp-") as tmp:
        store_dir = Path(tmp) / "store"
        store, _ = ingest_once(store_dir, "resbot", embedder, selection.files)
        settings = Settings(store=store_dir, data_dir=Path(tmp) / "data", llm_provider=None)
        answerer = make_answerer(settings, store, embedder)
        answerer.answer(QUESTIONS[4])
        real_count, real_generation = store.count, store.generation
        fixed_count = store.count()
        last: dict[str, Any] = {"t": 0.0, "g": ""}

        def generation_ttl() -> str:
            # What a reader could do: look the generation up at most once a second.
            now = time.monotonic()
            if now - last["t"] > 1.0:
                last["t"], last["g"] = now, real_generation()
            return str(last["g"])

        variants = {
            "as_shipped": (real_count, real_generation),
            "no_count": (lambda: fixed_count, real_generation),
            "no_count_generation_ttl": (lambda: fixed_count, generation_ttl),
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        query_ms: list[float] = []
        for _ in range(max(2, repeats)):
            for q in QUESTIONS:
                start = time.perf_counter()
                embedder.embed_query(q)
                query_ms.append((time.perf_counter() - start) * 1000)
                for name, (count, generation) in variants.items():
                    store.count, store.generation = count, generation
                    start = time.perf_counter()
                    answerer.answer(q)
                    times[name].append((time.perf_counter() - start) * 1000)
        store.count, store.generation = real_count, real_generation
    q50 = percentile(query_ms, 50)
    out["query_encode_p50_ms"] = round(q50, 2)
    for name, ts in times.items():
        p50 = percentile(ts, 50)
        out[name] = {
            "ask_p50_ms": round(p50, 2),
            "ask_p95_ms": round(percentile(ts, 95), 2),
            "ask_ratio": round(p50 / q50, 2),
        }
    out["load"] = round(os.getloadavg()[0], 2)
    return out


EXPERIMENTS = {
    "askpath": exp_askpath,
    "batch": exp_batch,
    "flush": exp_flush,
    "prefetch": exp_prefetch,
    "reingest": exp_reingest,
    "threads": exp_threads,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus", type=Path, default=REPO / "samples" / "corpus")
    ap.add_argument("--paragraphs", type=int, default=None)
    ap.add_argument("--only", default=",".join(EXPERIMENTS))
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("bm25s", "chromadb", "httpx", "sentence_transformers", "ingest"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from bot.benchmark import select_corpus
    from ingest.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
    selection = select_corpus(args.corpus, args.paragraphs)
    results: dict[str, Any] = {
        "corpus": str(args.corpus),
        "paragraphs": len(selection.texts),
        "files": len(selection.files),
        "cpus": os.cpu_count(),
    }
    for name in args.only.split(","):
        start = time.perf_counter()
        results[name] = EXPERIMENTS[name](embedder, selection, args.repeats)
        results[name]["took_s"] = round(time.perf_counter() - start, 1)
        print(json.dumps({name: results[name]}), flush=True)
        if args.out:
            args.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
