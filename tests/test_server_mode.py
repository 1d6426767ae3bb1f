"""Server mode against a real Chroma server on loopback (the `chroma_server` fixture).

Covers what a team deployment relies on: ingest, stats, show and ask through the server,
nothing written to a local store, the same paragraphs and answers as embedded mode,
concurrent writers, and readers that never see a half-written document while an ingest runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from chroma_server import ChromaServer
from click.testing import CliRunner

from bot.cli import cli
from ingest.embedding import Embedder, SentenceTransformerEmbedder
from ingest.parsers import parse_file
from ingest.pipeline import Ingestor, embedding_text
from ingest.store import ChromaStore, DocRecord, open_local_store, open_server_store

pytestmark = [pytest.mark.server, pytest.mark.model]

REPO = Path(__file__).resolve().parents[1]
MODEL = "all-MiniLM-L6-v2"
SEED = "seed/ccpcj-2018-trafficking-in-persons-rev-draft.txt"
# Small ECOSOC resolutions in AKN XML (about ten paragraphs each).
XML = [
    "ecosoc-akn/2023/E_RES_2023_8_E.xml",
    "ecosoc-akn/2023/E_RES_2023_9_E.xml",
    "ecosoc-akn/2023/E_RES_2023_22-2314953E.xml",
    "ecosoc-akn/2023/E_RES_2023_1-2212432E.xml",
    "ecosoc-akn/2023/E_RES_2023_32-2316294E.xml",
    "ecosoc-akn/2023/E_RES_2023_18-2314949E.xml",
]


def _name() -> str:
    """A fresh collection prefix: tests share one server, never a collection."""
    return f"t{uuid.uuid4().hex[:12]}"


def _copy(corpus: Path, rels: list[str], dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for rel in rels:
        src = corpus / rel
        if not src.exists():
            pytest.skip(f"corpus file missing: {rel}")
        shutil.copy(src, dest / src.name)
    return dest


def _expected_paragraphs(folder: Path) -> dict[str, int]:
    """doc_id -> paragraph count, straight from the parsers."""
    out: dict[str, int] = {}
    for path in sorted(folder.iterdir()):
        for res in parse_file(path):
            res.source = path.name
            out[res.doc_id] = len(res.paragraphs)
    return out


def _snapshot(store: ChromaStore) -> dict[str, tuple[str, dict[str, Any]]]:
    return {p.id: (p.text, p.metadata) for p in store.iter_paragraphs()}


def half_written(store: ChromaStore) -> list[str]:
    """What a reader sees now that breaks "old or new paragraphs, never half a document".

    For every document in the registry whose record does not change while we read,
    every one of its paragraphs must be readable in a version readers accept (the
    live one, or the one announced as being written).
    """
    before = store.docs()
    rows = list(store.iter_paragraphs())
    after = store.docs()
    problems = []
    for doc_id, rec in before.items():
        later = after.get(doc_id)
        if (
            later is None
            or later.ver != rec.ver
            or later.metadata.get("next_ver") != rec.metadata.get("next_ver")
        ):
            continue  # changed while we read: a later look judges it
        want = int(rec.metadata["paragraphs"])
        got = sum(1 for p in rows if p.doc_id == doc_id and rec.accepts(p.metadata.get("ver")))
        if got < want:
            problems.append(f"{doc_id}@{rec.ver}: {got} of {want} paragraphs readable")
    return problems


class MemoEmbedder:
    """The real model, each distinct text embedded once per module: the tests ingest the
    same files many times, and the vectors are what the model gives either way."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.memo: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            self.memo.update(zip(missing, self.inner.embed_documents(missing), strict=True))
        return [self.memo[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@pytest.fixture(scope="module")
def embedder(embedder: SentenceTransformerEmbedder) -> MemoEmbedder:
    """Overrides the session fixture for this module, wrapping the same model."""
    return MemoEmbedder(embedder)


@pytest.fixture(scope="module")
def small_set(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed text file and two AKN files."""
    return _copy(corpus, [SEED, *XML[:2]], tmp_path_factory.mktemp("small-set"))


def test_ingest_then_stats_and_show_through_the_server(
    chroma_server: ChromaServer, embedder: MemoEmbedder, small_set: Path
) -> None:
    name = _name()
    store = open_server_store(chroma_server.url, name, MODEL)
    report = Ingestor(store, embedder).ingest([small_set])
    expected = _expected_paragraphs(small_set)
    assert report.ok, report.failures
    assert report.resolutions == len(expected) == 3
    assert report.added == sum(expected.values()) == store.count()

    runner = CliRunner()
    env = {"RESBOT_COLLECTION": name}
    got = runner.invoke(cli, ["--chroma-url", chroma_server.url, "stats", "--json"], env=env)
    assert got.exit_code == 0, got.output
    stats = json.loads(got.output)
    assert stats["store"] == chroma_server.url
    assert stats["documents"] == 3
    assert stats["paragraphs"] == sum(expected.values())

    shown = runner.invoke(
        cli, ["--chroma-url", chroma_server.url, "show", "E/RES/2023/8", "OP1"], env=env
    )
    assert shown.exit_code == 0, shown.output
    stored = store.get(["E/RES/2023/8#OP1"])[0]
    assert shown.output.splitlines()[0].startswith("E/RES/2023/8, OP1")
    assert stored.text in shown.output


def test_reingest_against_the_server_is_idempotent(
    chroma_server: ChromaServer, embedder: MemoEmbedder, small_set: Path
) -> None:
    name = _name()
    store = open_server_store(chroma_server.url, name, MODEL)
    first = Ingestor(store, embedder).ingest([small_set])
    before, generation = _snapshot(store), store.generation()

    # A new client, as a second ingest job would have.
    again = open_server_store(chroma_server.url, name, MODEL)
    second = Ingestor(again, embedder).ingest([small_set])
    assert first.added > 0
    assert second.files_unchanged == 3
    assert (second.added, second.updated, second.deleted, second.embedded) == (0, 0, 0, 0)
    assert _snapshot(again) == before
    assert again.generation() == generation  # nothing changed, so readers rebuild nothing


def test_cli_ingest_in_server_mode_writes_no_local_store(
    chroma_server: ChromaServer,
    embedder: MemoEmbedder,
    small_set: Path,
) -> None:
    data_dir = Path(os.environ["RESBOT_DATA_DIR"])
    name = _name()
    got = CliRunner().invoke(
        cli,
        ["--chroma-url", chroma_server.url, "ingest", str(small_set), "--json"],
        env={"RESBOT_COLLECTION": name},
    )
    assert got.exit_code == 0, got.output
    report = json.loads(got.stdout)
    assert report["added"] == sum(_expected_paragraphs(small_set).values())
    assert not (data_dir / "store").exists()
    assert not data_dir.exists() or not any(data_dir.rglob("*")), list(data_dir.rglob("*"))
    assert open_server_store(chroma_server.url, name, MODEL).count() == report["added"]


def test_embedded_and_server_mode_store_the_same_paragraphs(
    chroma_server: ChromaServer,
    embedder: MemoEmbedder,
    small_set: Path,
    tmp_path: Path,
) -> None:
    name = _name()
    server = open_server_store(chroma_server.url, name, MODEL)
    local = open_local_store(tmp_path / "local", name, MODEL)
    Ingestor(server, embedder).ingest([small_set])
    Ingestor(local, embedder).ingest([small_set])

    on_server, on_disk = _snapshot(server), _snapshot(local)
    assert on_server and on_server.keys() == on_disk.keys()
    for pid in on_disk:
        assert on_server[pid] == on_disk[pid], pid
    assert {d: r.ver for d, r in server.docs().items()} == {
        d: r.ver for d, r in local.docs().items()
    }
    # Same vectors in, same nearest paragraphs out.
    for question in (
        "trafficking in persons",
        "Economic and Social Council decides to",
        "victims of crime",
    ):
        vec = embedder.embed_query(question)
        assert [p.id for p in server.query(vec, 5)] == [p.id for p in local.query(vec, 5)]


def _precomputed_vectors(folder: Path, embedder: MemoEmbedder) -> dict[str, Any]:
    """Real model vectors for every text the pipeline will embed from these files."""
    texts = []
    for path in sorted(folder.iterdir()):
        for res in parse_file(path):
            res.source = path.name
            texts += [embedding_text(res, para) for para in res.paragraphs]
    return dict(zip(texts, embedder.embed_documents(texts), strict=True))


def test_two_ingest_processes_at_once_leave_no_duplicates(
    chroma_server: ChromaServer,
    embedder: MemoEmbedder,
    corpus: Path,
    tmp_path: Path,
) -> None:
    folder = _copy(corpus, [SEED, *XML[:4]], tmp_path / "in")
    vectors = tmp_path / "vectors.json"
    vectors.write_text(json.dumps(_precomputed_vectors(folder, embedder)))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    name = _name()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    cmd = [
        sys.executable,
        str(REPO / "tests" / "ingest_worker.py"),
        chroma_server.url,
        name,
        str(folder),
        str(vectors),
        str(barrier),
    ]
    procs = [
        subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(list(barrier.glob("ready-*"))) < len(procs):
            assert all(p.poll() is None for p in procs), "a worker died before the start"
            assert time.monotonic() < deadline, "workers not ready"
            time.sleep(0.02)
        (barrier / "go").touch()  # both connected: they now write at the same time
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    reports = []
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
        reports.append(json.loads(out))

    expected = _expected_paragraphs(folder)
    store = open_server_store(chroma_server.url, name, MODEL)
    rows = list(store.iter_paragraphs())
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids)) == sum(expected.values()) == store.count()
    docs = store.docs()
    assert set(docs) == set(expected)
    assert all(r.metadata["ver"] == docs[r.doc_id].ver for r in rows)
    assert half_written(store) == []
    # Both really wrote: each saw the documents as new or raced the other to them.
    assert all(r["added"] + r["updated"] + r["unchanged"] > 0 for r in reports)


class _WatchedStore:
    """Delegates to a real store; calls `after` after each write, as if the writer paused there."""

    WRITES = {"upsert", "update_metadata", "delete", "put_doc", "put_file_record", "touch"}

    def __init__(self, inner: ChromaStore, after: Callable[[str], None]) -> None:
        self._inner = inner
        self._after = after

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._inner, attr)
        if attr not in self.WRITES:
            return value

        def write(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            self._after(attr)
            return result

        return write


def _look_after_every_write(url: str, name: str, seen: list[str]) -> Callable[[str], None]:
    reader = open_server_store(url, name, MODEL)  # its own client, like a bot process

    def after(write: str) -> None:
        seen.extend(f"after {write}: {p}" for p in half_written(reader))

    return after


def test_a_reader_between_any_two_writes_sees_no_half_written_new_document(
    chroma_server: ChromaServer, embedder: MemoEmbedder, small_set: Path
) -> None:
    name = _name()
    seen: list[str] = []
    store = _WatchedStore(
        open_server_store(chroma_server.url, name, MODEL),
        _look_after_every_write(chroma_server.url, name, seen),
    )
    report = Ingestor(store, embedder).ingest([small_set])  # type: ignore[arg-type]
    assert report.ok and report.added > 0
    assert seen == []


def test_a_reader_between_any_two_writes_sees_no_half_updated_document(
    chroma_server: ChromaServer,
    embedder: MemoEmbedder,
    corpus: Path,
    tmp_path: Path,
) -> None:
    folder = _copy(corpus, XML[:1], tmp_path / "in")
    path = folder / Path(XML[0]).name
    old = path.read_bytes()
    new = old.replace(b"Member States", b"member States")
    old_paras = {p.label: p.text for p in parse_file(path)[0].paragraphs}
    path.write_bytes(new)
    new_paras = {p.label: p.text for p in parse_file(path)[0].paragraphs}
    # The edit must change some paragraphs and keep others, as a real correction does.
    changed = {k for k in old_paras if old_paras[k] != new_paras.get(k)}
    if not 0 < len(changed) < len(old_paras):
        pytest.fail(f"the edit changed {len(changed)} of {len(old_paras)} paragraphs")

    name = _name()
    path.write_bytes(old)
    Ingestor(open_server_store(chroma_server.url, name, MODEL), embedder).ingest([folder])
    path.write_bytes(new)
    seen: list[str] = []
    store = _WatchedStore(
        open_server_store(chroma_server.url, name, MODEL),
        _look_after_every_write(chroma_server.url, name, seen),
    )
    report = Ingestor(store, embedder).ingest([folder])  # type: ignore[arg-type]
    if report.updated != len(changed):
        pytest.fail(f"expected {len(changed)} updated paragraphs: {report.to_json()}")
    assert seen == []


def test_readers_polling_during_an_ingest_never_see_a_half_written_document(
    chroma_server: ChromaServer,
    embedder: MemoEmbedder,
    corpus: Path,
    tmp_path: Path,
) -> None:
    folder = _copy(corpus, XML, tmp_path / "in")
    expected = _expected_paragraphs(folder)
    name = _name()
    writer_store = open_server_store(chroma_server.url, name, MODEL)
    reader_store = open_server_store(chroma_server.url, name, MODEL)
    done = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            # One file at a time, so documents land one after another while the reader polls.
            for path in sorted(folder.iterdir()):
                Ingestor(writer_store, embedder).ingest([path])
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            done.set()

    looks, problems, seen_docs = 0, [], Counter[int]()
    writer = threading.Thread(target=write, name="ingest")
    writer.start()
    deadline = time.monotonic() + 120
    while not done.is_set() and time.monotonic() < deadline:
        problems += half_written(reader_store)
        seen_docs[len(reader_store.docs())] += 1
        looks += 1
    writer.join(timeout=60)
    problems += half_written(reader_store)

    assert not errors, errors
    assert problems == []
    assert set(reader_store.docs()) == set(expected)
    assert looks >= 3
    # The reader really looked while the store was part-way: some looks saw some documents.
    assert len(seen_docs) >= 2, seen_docs


def test_a_paragraph_record_alone_is_not_a_document(
    chroma_server: ChromaServer, embedder: MemoEmbedder
) -> None:
    """A paragraph written by a killed ingest, without its document record, is not counted."""
    store = open_server_store(chroma_server.url, _name(), MODEL)
    store.upsert(
        ["X/RES/1#OP1"],
        [embedder.embed_query("orphan")],
        ["orphan"],
        [{"doc_id": "X/RES/1", "label": "OP1", "ver": "v1"}],
    )
    assert half_written(store) == []
    store.put_doc(DocRecord("X/RES/1", "v1", {"paragraphs": 2}))
    assert half_written(store) == ["X/RES/1@v1: 1 of 2 paragraphs readable"]


def test_ask_gives_the_same_answers_in_embedded_and_server_mode(
    chroma_server: ChromaServer,
    embedder: MemoEmbedder,
    small_set: Path,
    tmp_path: Path,
) -> None:
    name = _name()
    local_dir = tmp_path / "local"
    Ingestor(open_server_store(chroma_server.url, name, MODEL), embedder).ingest([small_set])
    Ingestor(open_local_store(local_dir, name, MODEL), embedder).ingest([small_set])
    data_dir = Path(os.environ["RESBOT_DATA_DIR"])
    runner = CliRunner()
    env = {"RESBOT_COLLECTION": name}
    for question in (
        "What does the Commission request regarding trafficking in persons?",
        "Which resolution concerns the Economic and Social Council in 2023?",
    ):
        answers = []
        for mode in (["--chroma-url", chroma_server.url], ["--store", str(local_dir)]):
            got = runner.invoke(cli, [*mode, "ask", question, "--json"], env=env)
            assert got.exit_code == 0, got.output
            answers.append(json.loads(got.stdout))
        on_server, on_disk = answers
        for key in ("answer", "answerable", "citations"):
            assert on_server[key] == on_disk[key], (question, key)
        hits = [[(r["symbol"], r["paragraph"]) for r in a["retrieved"]] for a in answers]
        assert hits[0] and hits[0] == hits[1], question
        scores = [[r["score"] for r in a["retrieved"]] for a in answers]
        assert scores[0] == pytest.approx(scores[1], abs=1e-3)
        assert on_server["retrieved"], "the files hold paragraphs on these questions"
    # Server mode keeps at most a lexical-index cache locally, never a store.
    assert not (data_dir / "store").exists()
