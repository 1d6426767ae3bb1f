"""`resbot bench`: ingest and answer speed measured against the embedding model's own speed.

Absolute figures drift with the machine's load, so every figure that matters is a
ratio to the encoder measured in the same run on the same texts: ingest against
encoding those paragraphs, answering against encoding one question.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.settings import Settings
from core.errors import ResbotError
from ingest.embedding import Embedder
from ingest.model import Resolution

log = logging.getLogger(__name__)

BUNDLED_CORPUS = Path(__file__).resolve().parents[1] / "samples" / "corpus"
DEFAULT_PARAGRAPHS = 2000

# Realistic questions about the bundled sample (from eval/gold/sample.jsonl): scoped
# to a symbol and open ones, answerable and not, so every retrieval path is timed.
QUESTIONS: tuple[str, ...] = (
    "What does UNODC have to report?",
    "How many parties have ratified or acceded to the Trafficking in Persons Protocol?",
    "Which Sustainable Development Goal targets does the resolution mention?",
    "What are Member States encouraged to do with businesses about supply chains?",
    "Officials of which sectors should receive anti-trafficking training?",
    "What does E/RES/2024/12 ask UNODC to report on, and to whom?",
    "when is the SG report on trafficking in women and girls due under 79/154?",
    "According to ECOSOC resolution 2023/8, when was UNICRI established and under which "
    "Council resolution?",
    "Which year did 78/228 expect the next Global Report on Trafficking in Persons to come out?",
    "What priority theme did ECOSOC set for the 2019 session of the Commission for Social "
    "Development?",
    "E/RES/2021/25 - what are MS encouraged to develop SOPs for?",
    "Are kids recruited by terror groups to be seen as victims under ECOSOC 2024/12?",
    'How does resolution 78/228 explain its use of the word "survivors"?',
    "When was E/RES/2021/25 adopted, and which commission recommended it?",
    "Under which agenda item was 79/154 adopted?",
    "Which cholera plan are donors invited to align their efforts with in ECOSOC resolution "
    "2018/19?",
    "Which disability programme of action does E/RES/2018/3 ask the Commission for Social "
    "Development to review?",
    "What does the 2021 ECOSOC resolution on the Global Plan of Action against trafficking say "
    "about cryptocurrencies?",
    "What deadline does Security Council resolution 242 set for the Israeli withdrawal?",
    "Which industries does 79/154 encourage to cooperate with Governments in eliminating "
    "trafficking in women and children?",
)

# The cold start asks an open question: one the mandate table cannot answer and that
# names no symbol, so the process has to load the model and search.
COLD_START_QUESTION = QUESTIONS[4]

# The keys `resbot bench --json` always prints (the smoke test checks them).
KEYS = (
    "paragraphs",
    "encoder_paragraphs_per_s",
    "ingest_paragraphs_per_s",
    "ingest_ratio",
    "reingest_unchanged_ratio",
    "query_encode_p50_ms",
    "ask_p50_ms",
    "ask_p95_ms",
    "ask_ratio",
    "cold_start_s",
    "peak_rss_mb",
)


@dataclass
class Selection:
    """The corpus files a run ingests and the exact strings ingest will embed for them."""

    files: list[Path]
    texts: list[str]
    parse_s: float
    skipped: list[str] = field(default_factory=list)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty sample."""
    if not values:
        raise ValueError("percentile of an empty sample")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _proc_status_mb(field_name: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """This process's peak resident memory.

    VmHWM first: ru_maxrss of a process started by a large parent (pytest, this
    bench) also counts the parent's memory at the moment of exec.
    """
    hwm = _proc_status_mb("VmHWM")
    if hwm is not None:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS


def current_rss_mb() -> float:
    rss = _proc_status_mb("VmRSS")
    return rss if rss is not None else peak_rss_mb()


def dir_size_mb(path: Path) -> float:
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
    return total / (1024 * 1024)


def select_corpus(corpus: Path, paragraphs: int | None) -> Selection:
    """Whole files, smallest first, until they hold at least `paragraphs` paragraphs.

    Files are parsed here once, so the encoder baseline sees exactly the strings
    ingest embeds (`embedding_text`); a second copy of a resolution already taken
    (the same symbol in another format) is left out, as ingest would not embed it.
    """
    from ingest.parsers import parse_file
    from ingest.pipeline import embedding_text, iter_files

    parsed: list[tuple[Path, list[Resolution]]] = []
    skipped: list[str] = []
    start = time.perf_counter()
    for path in iter_files([corpus]):
        try:
            resolutions = parse_file(path)
        except ResbotError as exc:
            skipped.append(f"{path.name}: {exc}")
            continue
        if resolutions:
            parsed.append((path, resolutions))
    parse_s = time.perf_counter() - start
    if not parsed:
        raise ResbotError(f"no resolution files could be parsed under {corpus}")
    # Smallest first so that a small N gets close to N; ties keep path order.
    parsed.sort(key=lambda item: sum(len(r.paragraphs) for r in item[1]))
    files: list[Path] = []
    texts: list[str] = []
    seen: set[str] = set()
    for path, resolutions in parsed:
        if paragraphs is not None and len(texts) >= paragraphs:
            break
        if any(r.doc_id in seen for r in resolutions):
            skipped.append(f"{path.name}: same resolution as a file already selected")
            continue
        seen.update(r.doc_id for r in resolutions)
        files.append(path)
        texts.extend(embedding_text(r, p) for r in resolutions for p in r.paragraphs)
    return Selection(files, texts, parse_s, skipped)


def encode_raw(embedder: Embedder, texts: list[str]) -> float:
    """Seconds the bare encoder takes for `texts` at the embedder's batch size."""
    model = getattr(embedder, "model", None)
    start = time.perf_counter()
    if model is not None and hasattr(model, "encode"):
        model.encode(
            texts,
            batch_size=getattr(embedder, "batch_size", 64),
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
    else:  # a non-sentence-transformers embedder: its own API is the floor
        embedder.embed_documents(texts)
    return time.perf_counter() - start


def time_calls(fn: Callable[[str], Any], items: Sequence[str], rounds: int) -> list[float]:
    """Milliseconds per call of `fn` over `items`, `rounds` times."""
    out: list[float] = []
    for _ in range(rounds):
        for item in items:
            start = time.perf_counter()
            fn(item)
            out.append((time.perf_counter() - start) * 1000)
    return out


def resbot_command() -> list[str]:
    """How a user starts resbot: the installed script beside this Python, else the module."""
    script = Path(sys.executable).parent / "resbot"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "bot.cli"]


def cold_start(store_dir: Path, model: str, question: str, timeout: float = 300) -> float:
    """Seconds for a fresh `resbot ask` process, from launch until it has printed its answer."""
    env = dict(os.environ)
    env["RESBOT_LLM_PROVIDER"] = "none"  # the default extractive answerer
    env.pop("RESBOT_CHROMA_URL", None)  # the local store just built, not a server
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("ANONYMIZED_TELEMETRY", "False")
    cmd = [
        *resbot_command(),
        "--store",
        str(store_dir),
        "--model",
        model,
        "ask",
        "--json",
        question,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise ResbotError(f"cold-start `resbot ask` failed: {proc.stderr.strip()[-300:]}")
    json.loads(proc.stdout)  # it must have produced a whole answer
    return elapsed


def ingest_once(store_dir: Path, collection: str, embedder: Embedder, files: list[Path]) -> Any:
    from ingest.pipeline import Ingestor
    from ingest.store import open_local_store

    store = open_local_store(store_dir, collection, embedder.name)
    report = Ingestor(store, embedder).ingest(files)
    if report.failures:
        first = report.failures[0]
        raise ResbotError(f"ingest failed: {first.path}: {first.reason}")
    return store, report


@contextlib.contextmanager
def _counting_calls(obj: Any, name: str) -> Iterator[list[int | None]]:
    """Counts calls of `obj.name` inside the block (None in the list when it cannot be wrapped)."""
    counter: list[int | None] = [0]
    method = getattr(obj, name)
    had_own = name in getattr(obj, "__dict__", {})

    def counted(*args: Any, **kwargs: Any) -> Any:
        counter[0] = (counter[0] or 0) + 1
        return method(*args, **kwargs)

    try:
        setattr(obj, name, counted)
    except (AttributeError, TypeError, ValueError):
        counter[0] = None
        yield counter
        return
    try:
        yield counter
    finally:
        if had_own:
            setattr(obj, name, method)
        else:
            delattr(obj, name)


def _torch_threads() -> int | None:
    torch = sys.modules.get("torch")
    return int(torch.get_num_threads()) if torch is not None else None


def run_bench(
    settings: Settings,
    embedder: Embedder,
    corpus: Path | None = None,
    paragraphs: int | None = DEFAULT_PARAGRAPHS,
    store_dir: Path | None = None,
    questions: Sequence[str] = QUESTIONS,
    ask_rounds: int = 2,
    repeats: int = 2,
    with_cold_start: bool = True,
) -> dict[str, Any]:
    """Runs every measurement, side by side, and returns one flat dict (`KEYS` and details).

    Encoder and ingest passes alternate (E I E I E): on a shared machine the load
    drifts within seconds, so each ingest is compared with the encoder passes
    just before and after it, and the median of those ratios is reported.
    """
    from bot.wiring import make_answerer
    from ingest.pipeline import Ingestor

    corpus = corpus or BUNDLED_CORPUS
    if not corpus.exists():
        raise ResbotError(f"corpus not found: {corpus}")
    if not questions:
        raise ResbotError("no questions to time")
    repeats = max(1, repeats)
    if store_dir is not None and store_dir.exists() and any(store_dir.iterdir()):
        raise ResbotError(
            f"the bench builds its own store and {store_dir} is not empty: give an empty "
            "folder with --store, or none (and no RESBOT_STORE) for a temporary one"
        )
    load_start = os.getloadavg()[0]
    selection = select_corpus(corpus, paragraphs)
    texts = selection.texts
    n = len(texts)
    log.info("bench: %d files, %d paragraphs", len(selection.files), n)

    tmp = tempfile.TemporaryDirectory(prefix="resbot-bench-")
    work = Path(tmp.name)
    store_dir = store_dir or work / "store"
    try:
        # Warm the model (load, first-call allocations) outside every timed step.
        encode_raw(embedder, texts[:8])
        enc_s = [encode_raw(embedder, texts)]
        ingest_s: list[float] = []
        store: Any = None
        stored = 0
        for r in range(repeats):
            # The first pass fills the store the rest of the run uses; later ones throw theirs away.
            target = store_dir if r == 0 else work / f"repeat-{r}"
            st, report = ingest_once(target, settings.collection, embedder, selection.files)
            ingest_s.append(report.seconds)
            if r == 0:
                store, stored = st, report.added + report.updated
            enc_s.append(encode_raw(embedder, texts))
        ratios = [(enc_s[r] + enc_s[r + 1]) / 2 / ingest_s[r] for r in range(repeats)]

        # Re-ingesting the same files: every one is unchanged and should be skipped unparsed.
        reingest_s = Ingestor(store, embedder).ingest(selection.files).seconds

        embedder.embed_query(questions[0])
        query_ms = time_calls(embedder.embed_query, questions, rounds=ask_rounds)

        run_settings = settings.model_copy(
            update={"store": store_dir, "chroma_url": None, "llm_provider": None}
        )
        answerer = make_answerer(run_settings, store, embedder)
        start = time.perf_counter()
        answerer.answer(questions[0])  # builds and caches the lexical index
        first_ask_ms = (time.perf_counter() - start) * 1000
        with _counting_calls(embedder, "embed_query") as searched:
            ask_ms = time_calls(answerer.answer, questions, rounds=ask_rounds)

        cold_s = (
            cold_start(store_dir, embedder.name, COLD_START_QUESTION) if with_cold_start else None
        )
        store_mb = dir_size_mb(store_dir)
    finally:
        tmp.cleanup()

    encoder_s = sum(enc_s) / len(enc_s)
    encoder_pps = n / encoder_s
    ingest_median = percentile(ingest_s, 50)
    q50 = percentile(query_ms, 50)
    a50 = percentile(ask_ms, 50)
    return {
        "paragraphs": n,
        "encoder_paragraphs_per_s": round(encoder_pps, 2),
        "ingest_paragraphs_per_s": round(stored / ingest_median, 2),
        "ingest_ratio": round(percentile(ratios, 50), 3),
        "reingest_unchanged_ratio": round(reingest_s / ingest_median, 4),
        "query_encode_p50_ms": round(q50, 2),
        "ask_p50_ms": round(a50, 2),
        "ask_p95_ms": round(percentile(ask_ms, 95), 2),
        "ask_ratio": round(a50 / q50, 2),
        "cold_start_s": round(cold_s, 2) if cold_s is not None else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        # Details: what the ratios are made of, and how busy the machine was.
        "files": len(selection.files),
        "paragraphs_stored": stored,
        "batch_size": getattr(embedder, "batch_size", None),
        "torch_threads": _torch_threads(),
        "encoder_s": [round(s, 3) for s in enc_s],
        "ingest_s": [round(s, 3) for s in ingest_s],
        "ingest_ratios": [round(x, 3) for x in ratios],
        "parse_serial_s": round(selection.parse_s, 3),
        "reingest_s": round(reingest_s, 4),
        "query_encode_p95_ms": round(percentile(query_ms, 95), 2),
        "first_ask_ms": round(first_ask_ms, 1),
        "asks": len(ask_ms),
        # Answered without a search (mandate table, or a symbol the store lacks): cheap asks.
        "asks_without_search": len(ask_ms) - searched[0] if searched[0] is not None else None,
        "store_mb": round(store_mb, 2),
        "cpus": os.cpu_count(),
        "load_avg": [round(load_start, 2), round(os.getloadavg()[0], 2)],
    }


AIMS = {
    "ingest_ratio": ("≥", 0.9),
    "reingest_unchanged_ratio": ("<", 0.02),
    "ask_ratio": ("<", 2.0),
}


def render(result: dict[str, Any]) -> str:
    """The figures as aligned lines, each ratio with its aim."""
    lines = []
    for key in KEYS:
        value = result[key]
        if value is None:
            lines.append(f"{key:<26} skipped")
            continue
        aim = ""
        if key in AIMS:
            op, target = AIMS[key]
            ok = value >= target if op == "≥" else value < target
            aim = f"   (aim {op} {target}: {'ok' if ok else 'missed'})"
        lines.append(f"{key:<26} {value}{aim}")
    cheap = result.get("asks_without_search") or 0
    if cheap * 2 > (result.get("asks") or 0):
        lines.append(
            f"note: {cheap} of {result.get('asks')} questions were answered without a search "
            "(their resolutions are not in this corpus selection); ask timings are not representative"
        )
    load = result.get("load_avg") or []
    cpus = result.get("cpus")
    if load and cpus and max(load) > cpus:
        lines.append(
            f"note: load average {max(load)} on {cpus} CPUs during the run; "
            "absolute figures are low, compare the ratios"
        )
    return "\n".join(lines)
