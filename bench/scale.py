"""Scale run: how answering speed, memory and disk grow with the number of stored paragraphs.

    python -m bench.scale --sizes 10000,100000 [--corpus DIR] [--work DIR] [--report eval/reports/bench.md]

The store grows with real paragraphs: the corpus is parsed and embedded once, then
written again and again as copies with distinct document ids (``<doc_id>~<k>``),
straight through ``store.upsert`` and ``put_doc`` as ingest writes them. Each copy's
vectors are the originals plus a little noise (renormalised), so the vector index
holds distinct points in realistic clusters instead of exact duplicates. Copies
never match a symbol in a question (their ids end in ``~k``), so symbol-scoped
questions still find the one original, as they would in a real store.

At each size a fresh probe process opens the store like `resbot ask` does, builds
the lexical index (timed), reloads it from its disk cache (timed), and times warm
asks in process; it reports its own peak memory. The grower never answers, so the
probe's memory is what serving a store of that size costs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
log = logging.getLogger("bench.scale")

NOISE = 0.02  # per-dimension std-dev: a copy keeps cosine ~0.93 to its original
REPORT_BEGIN = "<!-- scale:begin -->"
REPORT_END = "<!-- scale:end -->"


@dataclass
class BaseDoc:
    doc_id: str
    ver: str
    record: dict[str, Any]  # the DocRecord metadata ingest writes
    ids: list[str]
    texts: list[str]
    metas: list[dict[str, Any]]
    rows: slice  # into the base vector matrix


def load_base(corpus: Path) -> tuple[list[BaseDoc], list[str]]:
    """Parse the corpus as ingest would; return documents and the strings ingest embeds."""
    from bot.benchmark import select_corpus
    from ingest.parsers import parse_file
    from ingest.pipeline import (
        document_metadata,
        document_version,
        embedding_text,
        paragraph_metadata,
    )

    selection = select_corpus(corpus, None)
    docs: list[BaseDoc] = []
    emb_texts: list[str] = []
    for path in selection.files:
        for res in parse_file(path):
            res.source = path.name
            ver = document_version(res)
            start = len(emb_texts)
            ids, texts, metas = [], [], []
            for order, para in enumerate(res.paragraphs):
                ids.append(f"{res.doc_id}#{para.label}")
                texts.append(para.text)
                metas.append(paragraph_metadata(res, para, order, ver))
                emb_texts.append(embedding_text(res, para))
            record = document_metadata(res)
            docs.append(
                BaseDoc(res.doc_id, ver, record, ids, texts, metas, slice(start, len(emb_texts)))
            )
    return docs, emb_texts


def base_vectors(texts: list[str], work: Path, model: str) -> np.ndarray:
    """Embed the base paragraphs once; cached in the work folder across runs."""
    from ingest.embedding import SentenceTransformerEmbedder

    key = hashlib.sha256(("\x00".join([model, *texts])).encode()).hexdigest()[:16]
    path = work / f"base-vectors-{key}.npy"
    if path.exists():
        return np.load(path)
    start = time.perf_counter()
    vecs = np.asarray(SentenceTransformerEmbedder(model).embed_documents(texts), dtype=np.float32)
    log.info("embedded %d base paragraphs in %.1f s", len(texts), time.perf_counter() - start)
    work.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


def write_copy(store: Any, docs: list[BaseDoc], vecs: np.ndarray, k: int, limit: int) -> int:
    """Write copy `k` of every base document (at most `limit` paragraphs); return paragraphs written."""
    from ingest.store import DocRecord

    rng = np.random.default_rng(k)
    if k:
        noisy = vecs + rng.normal(0.0, NOISE, size=vecs.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    else:
        noisy = vecs
    written = 0
    ids: list[str] = []
    embs: list[np.ndarray] = []
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
    records: list[Any] = []
    for doc in docs:
        n = doc.rows.stop - doc.rows.start
        if written + n > limit and written:
            break
        doc_id = doc.doc_id if k == 0 else f"{doc.doc_id}~{k}"
        for pid, text, meta in zip(doc.ids, doc.texts, doc.metas, strict=True):
            ids.append(doc_id + pid[len(doc.doc_id) :])
            texts.append(text)
            m = dict(meta)
            if k:
                m["doc_id"] = doc_id
                m["symbol"] = f"{meta['symbol']}~{k}" if meta.get("symbol") else None
                m["source"] = f"copy{k}-{meta['source']}"
            metas.append(m)
        embs.extend(noisy[doc.rows])
        rec = dict(doc.record)
        if k:
            rec["symbol"] = f"{rec['symbol']}~{k}" if rec.get("symbol") else None
            rec["source"] = f"copy{k}-{rec['source']}"
        records.append(DocRecord(doc_id, doc.ver, rec))
        written += n
    store.upsert(ids, [e.tolist() for e in embs], texts, metas)
    for rec in records:  # documents go live after their paragraphs, as in ingest
        store.put_doc(rec)
    return written


def du_mb(path: Path, exclude: tuple[str, ...] = ()) -> float:
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not any(part in exclude for part in p.relative_to(path).parts):
            total += p.stat().st_size
    return total / (1024 * 1024)


def mandates_mb(store_dir: Path) -> float:
    return sum(p.stat().st_size for p in store_dir.glob("mandates.*")) / (1024 * 1024)


# -- probe (runs in its own process) ---------------------------------------------
def probe(store_dir: Path, data_dir: Path, rounds: int, threads: int) -> dict[str, Any]:
    from bot.answer.factory import build_answerer
    from bot.benchmark import QUESTIONS, current_rss_mb, peak_rss_mb, percentile, time_calls
    from bot.retrieval.lexical import LexicalIndexCache
    from bot.settings import Settings
    from bot.wiring import make_embedder, open_store

    settings = Settings(store=store_dir, data_dir=data_dir, llm_provider=None)
    store = open_store(settings)
    embedder = make_embedder(settings)
    embedder.embed_query("warm up")
    if threads:
        import torch

        torch.set_num_threads(threads)
    rss_model = current_rss_mb()
    cache_dir = store_dir / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)

    start = time.perf_counter()
    LexicalIndexCache(store, cache_dir).get()  # build + write the disk cache
    build_s = time.perf_counter() - start
    rss_after_build = current_rss_mb()
    hwm_build = peak_rss_mb()

    answerer = build_answerer(settings, store, embedder)
    start = time.perf_counter()
    answerer.searcher.index()  # a new cache object: reads the disk cache
    load_s = time.perf_counter() - start
    # The mandate table catches up with the documents added since it was last synced
    # (here: since the previous size); otherwise the first ask would pay for it.
    start = time.perf_counter()
    for router in answerer.routers:
        _ = getattr(router, "table", None)
    mandate_sync_s = time.perf_counter() - start
    start = time.perf_counter()
    answerer.answer(QUESTIONS[4])  # first ask: per-index lazy work (acronyms, row map)
    first_ask_ms = (time.perf_counter() - start) * 1000

    query_ms = time_calls(embedder.embed_query, QUESTIONS, rounds)
    ask_ms = time_calls(answerer.answer, QUESTIONS, rounds)
    qvec = embedder.embed_query(QUESTIONS[4])
    dense_ms = time_calls(lambda _q: store.query(qvec, 60), QUESTIONS, 1)
    index = answerer.searcher.index()
    from bot.retrieval.text import index_terms

    bm25_ms = time_calls(lambda q: index.scores(index_terms(q)), QUESTIONS, rounds)
    cache_file = cache_dir / "lexical-index.pkl"
    return {
        "paragraphs": store.count(),
        "lexical_build_s": round(build_s, 2),
        "lexical_load_s": round(load_s, 2),
        "lexical_cache_mb": round(cache_file.stat().st_size / 2**20, 1)
        if cache_file.exists()
        else None,
        "mandate_sync_s": round(mandate_sync_s, 2),
        "first_ask_ms": round(first_ask_ms, 1),
        "torch_threads": threads or None,
        "query_encode_p50_ms": round(percentile(query_ms, 50), 2),
        "ask_p50_ms": round(percentile(ask_ms, 50), 2),
        "ask_p95_ms": round(percentile(ask_ms, 95), 2),
        "dense_query_p50_ms": round(percentile(dense_ms, 50), 2),
        "bm25_p50_ms": round(percentile(bm25_ms, 50), 2),
        "rss_model_mb": round(rss_model, 1),
        "rss_after_build_mb": round(rss_after_build, 1),
        "rss_serving_mb": round(current_rss_mb(), 1),
        "peak_rss_mb": round(max(hwm_build, peak_rss_mb()), 1),
        "load_avg": round(os.getloadavg()[0], 2),
    }


def run_probe(
    store_dir: Path, data_dir: Path, rounds: int, threads: int, timeout: float
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "bench.scale",
        "--probe",
        str(store_dir),
        "--data-dir",
        str(data_dir),
    ]
    cmd += ["--rounds", str(rounds), "--threads", str(threads)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"probe failed: {proc.stderr[-2000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["probe_s"] = round(time.perf_counter() - start, 1)
    return out


# -- report -----------------------------------------------------------------------
def chart(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [r["paragraphs"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax1.plot(xs, [r["ask_p50_ms"] for r in rows], "o-", label="ask p50")
    ax1.plot(xs, [r["ask_p95_ms"] for r in rows], "o--", label="ask p95")
    ax1.plot(xs, [r["query_encode_p50_ms"] for r in rows], "s:", label="query encode p50 (floor)")
    ax1.plot(xs, [r["dense_query_p50_ms"] for r in rows], "^:", label="Chroma query p50")
    ax1.plot(xs, [r["bm25_p50_ms"] for r in rows], "v:", label="BM25 scoring p50")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("paragraphs in the store")
    ax1.set_ylabel("ms (warm, in process)")
    ax1.set_title("Answer latency")
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=8)
    ax2.plot(xs, [r["peak_rss_mb"] for r in rows], "o-", label="serving process peak RSS (MB)")
    ax2.plot(xs, [r["store_mb"] for r in rows], "s-", label="store on disk (MB)")
    ax2.plot(xs, [r["lexical_build_s"] for r in rows], "^--", label="lexical index build (s)")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("paragraphs in the store")
    ax2.set_title("Memory, disk, index build")
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table(rows: list[dict[str, Any]]) -> str:
    cols = [
        ("paragraphs", "paragraphs"),
        ("ask_p50_ms", "ask p50 ms"),
        ("ask_p95_ms", "ask p95 ms"),
        ("query_encode_p50_ms", "query encode p50 ms"),
        ("dense_query_p50_ms", "Chroma query p50 ms"),
        ("bm25_p50_ms", "BM25 p50 ms"),
        ("first_ask_ms", "first ask ms"),
        ("mandate_sync_s", "mandate sync s"),
        ("mandate_sync_new", "of new paragraphs"),
        ("lexical_build_s", "lexical build s"),
        ("lexical_load_s", "lexical cache load s"),
        ("lexical_cache_mb", "lexical cache MB"),
        ("rss_serving_mb", "serving RSS MB"),
        ("peak_rss_mb", "peak RSS MB"),
        ("store_mb", "store on disk MB"),
        ("mandates_mb", "mandate table MB"),
        ("write_per_s", "store writes /s"),
        ("load_avg", "load avg"),
    ]
    lines = ["| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(f"{r.get(k, '')}" for k, _ in cols) + " |")
    return "\n".join(lines)


def update_report(report: Path, rows: list[dict[str, Any]], png: Path, notes: str) -> None:
    rel = os.path.relpath(png, report.parent)
    body = "\n".join(
        [
            REPORT_BEGIN,
            f"![latency, memory and disk against store size]({rel})",
            "",
            table(rows),
            "",
            notes,
            REPORT_END,
        ]
    )
    text = report.read_text() if report.exists() else ""
    if REPORT_BEGIN in text and REPORT_END in text:
        head, rest = text.split(REPORT_BEGIN, 1)
        tail = rest.split(REPORT_END, 1)[1]
        text = head + body + tail
    else:
        text = text + ("\n" if text else "") + "## Scale\n\n" + body + "\n"
    report.write_text(text)


# -- main ---------------------------------------------------------------------------
def grow(args: argparse.Namespace) -> list[dict[str, Any]]:
    from ingest.store import open_local_store

    work: Path = args.work
    store_dir = work / "store"
    if store_dir.exists() and not args.resume:
        shutil.rmtree(store_dir)
    docs, emb_texts = load_base(args.corpus)
    vecs = base_vectors(emb_texts, work, args.model)
    per_copy = len(emb_texts)
    log.info("base: %d documents, %d paragraphs", len(docs), per_copy)
    store = open_local_store(store_dir, "resbot", args.model)
    count = store.count()
    k = math.ceil(count / per_copy) if count else 0
    rows: list[dict[str, Any]] = []
    results_path = work / "scale.json"
    for size in sorted(args.sizes):
        start = time.perf_counter()
        added = 0
        while count < size:
            n = write_copy(store, docs, vecs, k, size - count)
            count += n
            added += n
            k += 1
            if k % 50 == 0:
                log.info("%d paragraphs (%.0f/s)", count, added / (time.perf_counter() - start))
        store.touch()
        write_s = time.perf_counter() - start
        log.info("store at %d paragraphs; probing", count)
        row = run_probe(store_dir, work / "data", args.rounds, args.threads, args.probe_timeout)
        # The store proper: Chroma's files; the derived caches beside it are counted apart.
        row["store_mb"] = round(du_mb(store_dir, exclude=("cache",)) - mandates_mb(store_dir), 1)
        row["mandates_mb"] = round(mandates_mb(store_dir), 1)
        row["write_per_s"] = round(added / write_s) if added and write_s > 0 else None
        row["write_s"] = round(write_s, 1)
        row["mandate_sync_new"] = added  # the probe's mandate sync caught up with these
        rows.append(row)
        log.info("%s", json.dumps(row))
        results_path.write_text(json.dumps(rows, indent=2))
    return rows


def reprobe(args: argparse.Namespace) -> list[dict[str, Any]]:
    from bot.benchmark import percentile

    stores = [Path(p) for p in str(args.reprobe).split(",") if p.strip()]
    runs: dict[Path, list[dict[str, Any]]] = {s: [] for s in stores}
    for t in range(args.times):
        for store_dir in stores:
            got = run_probe(
                store_dir, store_dir.parent / "data", args.rounds, args.threads, args.probe_timeout
            )
            log.info("probe %d %s: %s", t, store_dir, json.dumps(got))
            runs[store_dir].append(got)
    rows = []
    for store_dir, probes in runs.items():
        row: dict[str, Any] = {}
        for key, value in probes[0].items():
            values = [g[key] for g in probes if isinstance(g.get(key), int | float)]
            row[key] = round(percentile(values, 50), 2) if values else value
        row["paragraphs"] = int(row["paragraphs"])
        row["probes"] = len(probes)
        # One-off figures belong to the growth run: a re-probe finds the mandate table synced.
        grown = store_dir.parent / "scale.json"
        if grown.exists():
            last = json.loads(grown.read_text())[-1]
            for key in ("mandate_sync_s", "mandate_sync_new", "write_per_s"):
                row[key] = last.get(key)
        row["store_mb"] = round(du_mb(store_dir, exclude=("cache",)) - mandates_mb(store_dir), 1)
        row["mandates_mb"] = round(mandates_mb(store_dir), 1)
        rows.append(row)
    rows.sort(key=lambda r: r["paragraphs"])
    (args.work / "reprobe.json").write_text(
        json.dumps({"rows": rows, "runs": {str(k): v for k, v in runs.items()}}, indent=2)
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated paragraph counts")
    ap.add_argument("--corpus", type=Path, default=REPO / "samples" / "corpus")
    ap.add_argument("--work", type=Path, default=REPO / ".resbot" / "scale")
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--rounds", type=int, default=2, help="times each question is asked")
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads in the probe (0: torch's default); 1 keeps a loaded machine from "
        "drowning the store-size effect in thread contention",
    )
    ap.add_argument("--probe-timeout", type=float, default=1800)
    ap.add_argument("--resume", action="store_true", help="keep a store already in --work")
    ap.add_argument("--report", type=Path, default=None, help="markdown file to update")
    ap.add_argument("--png", type=Path, default=REPO / "eval" / "reports" / "bench_scale.png")
    ap.add_argument("--notes", default="", help="text placed under the table")
    ap.add_argument("--from-json", type=Path, default=None, help="only redraw from a scale.json")
    ap.add_argument(
        "--reprobe",
        default=None,
        help="comma-separated store folders (grown earlier): probe them in turn --times times "
        "and report the median of each figure, so that load drift hits every size alike",
    )
    ap.add_argument("--times", type=int, default=3)
    ap.add_argument("--probe", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("bm25s", "chromadb", "httpx", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.probe is not None:
        data_dir = args.data_dir or args.probe.parent / "data"
        print(json.dumps(probe(args.probe, data_dir, args.rounds, args.threads)))
        return 0
    if args.from_json:
        rows = json.loads(args.from_json.read_text())
    elif args.reprobe:
        rows = reprobe(args)
    else:
        args.sizes = [int(s) for s in str(args.sizes).split(",") if s.strip()]
        rows = grow(args)
    chart(rows, args.png)
    if args.report:
        update_report(args.report, rows, args.png, args.notes)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
