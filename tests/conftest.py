"""Shared fixtures: the corpus beside the checkout, an isolated environment, one model per run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from chroma_server import ChromaServer

    from ingest.embedding import SentenceTransformerEmbedder

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RESBOT_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"
SAMPLES = REPO / "samples"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    if not GOLD.is_dir():
        pytest.skip(f"shared gold sets not found at {GOLD}")
    return GOLD


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's Slack tokens or resbot settings, nor writes to their data dir."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "RESBOT_", "OPENAI_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("RESBOT_DATA_DIR", str(tmp_path / "data"))
    yield


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The one real embedding model per test run (bundled MiniLM weights, offline)."""
    from ingest.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real Chroma server on loopback for the whole run; tests use their own collections."""
    from chroma_server import ChromaServerError, chroma_executable, running_chroma_server

    if chroma_executable() is None:
        pytest.skip("the `chroma` command (chromadb package) is not installed")
    try:
        with running_chroma_server(tmp_path_factory.mktemp("chroma-server")) as server:
            yield server
    except ChromaServerError as exc:
        pytest.fail(f"cannot start a Chroma server: {exc}")


# -- answering engine: small real stores built once per run ----------------------
if TYPE_CHECKING:
    from bot.settings import Settings
    from ingest.store import ChromaStore

SEED_FILE = "seed/ccpcj-2018-trafficking-in-persons-rev-draft.txt"
SMALL_STORE_FILES = (
    SEED_FILE,
    "ecosoc-akn/2021/E_RES_2021_25-2110321E.xml",
    "ecosoc-akn/2024/E_RES_2024_12-2414120E.xml",
    "ga-akn/79session/A_RES_79_154-2424145E.xml",
)


def _build_store(
    root: Path, files: list[Path], embedder: SentenceTransformerEmbedder
) -> tuple[Settings, ChromaStore]:
    from bot.settings import Settings
    from ingest.pipeline import Ingestor
    from ingest.store import open_local_store

    missing = [p for p in files if not p.exists()]
    if missing:
        pytest.skip(f"corpus files missing: {missing}")
    # data_dir is explicit: the per-test RESBOT_DATA_DIR must not leak into a session store.
    settings = Settings(store=root / "store", data_dir=root / "data")
    store = open_local_store(settings.store_path, settings.collection, settings.embedding_model)
    report = Ingestor(store, embedder).ingest(files)
    assert report.ok, report.failures
    return settings, store


@pytest.fixture(scope="session")
def seed_store(
    corpus: Path, embedder: SentenceTransformerEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, ChromaStore]:
    """(settings, store) holding only the seed draft resolution."""
    return _build_store(tmp_path_factory.mktemp("seed-store"), [corpus / SEED_FILE], embedder)


@pytest.fixture(scope="session")
def small_store(
    corpus: Path, embedder: SentenceTransformerEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, ChromaStore]:
    """(settings, store) with the seed, E/RES/2021/25, E/RES/2024/12 and A/RES/79/154."""
    return _build_store(
        tmp_path_factory.mktemp("small-store"), [corpus / f for f in SMALL_STORE_FILES], embedder
    )


# -- a deterministic stand-in for the encoder ---------------------------------------
class HashingEmbedder:
    """A hashed bag of words (SHA-256 seeded, not `hash()`): texts that share words are near,
    texts that share none are orthogonal. Logic tests need no model and run in milliseconds."""

    name = "hashing-test-embedder"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _vector(self, text: str) -> list[float]:
        import hashlib
        import math
        import re

        vec = [0.0] * self.dim
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            digest = hashlib.sha256(word.encode()).digest()
            vec[int.from_bytes(digest[:4], "big") % self.dim] += 1.0 if digest[4] % 2 else -1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


def lenient_decider() -> Any:
    """A decision model that answers whatever retrieval finds, save a subject absent from the
    resolutions in scope: for tests of retrieval, composing and verification, which must not
    depend on where the shipped model (fitted on the whole corpus) sets its threshold."""
    import numpy as np

    from bot.answer.decide import NAMES, Decider
    from bot.retrieval.scoring import LinearModel

    model = LinearModel(NAMES, np.zeros(len(NAMES)), bias=10.0, threshold=0.5)
    model.info.update(topic_veto=True, extra_threshold=2.0)  # one citation per answer
    return Decider(model)


@pytest.fixture
def fake() -> Iterator[Any]:
    """Slack's Web API, faked at its network boundary: a local HTTP server recording requests."""
    from slack_fake import FakeSlack

    server = FakeSlack().start()
    yield server
    server.stop()
