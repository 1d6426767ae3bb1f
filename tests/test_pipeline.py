"""The ingest pipeline against a real local Chroma store: idempotence, updates, precedence,
crash recovery, the write lock and bad input.

Vectors come from a deterministic SHA-256 embedder (the pipeline's bookkeeping does not
depend on what the vectors mean); the real model is exercised by the retrieval tests.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from core.errors import StoreLocked
from ingest.pipeline import Ingestor
from ingest.store import ChromaStore, WriteLock, open_local_store

MODEL = "all-MiniLM-L6-v2"


class HashEmbedder:
    """SHA-256-seeded vectors; counts what it was asked to embed."""

    name = MODEL

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.texts += len(texts)
        return [[b / 255 for b in hashlib.sha256(t.encode()).digest()[:16]] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _store(tmp_path: Path) -> ChromaStore:
    return open_local_store(tmp_path / "store", "resbot", MODEL)


def _ids(store: ChromaStore) -> list[str]:
    return [p.id for p in store.iter_paragraphs()]


@pytest.fixture()
def seed_copy(corpus: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    src = next((corpus / "seed").glob("*.txt"))
    shutil.copy(src, folder / src.name)
    return folder / src.name


def test_reingest_unchanged_embeds_nothing_and_skips_parsing(
    seed_copy: Path, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    first = Ingestor(store, HashEmbedder()).ingest([seed_copy.parent])
    assert first.ok and first.added == 21 and first.embedded == 21
    generation = store.generation()
    emb = HashEmbedder()
    again = Ingestor(store, emb).ingest([seed_copy.parent])
    assert again.files_unchanged == 1 and again.resolutions == 0  # skipped before parsing
    assert emb.texts == 0 and store.generation() == generation
    assert sorted(_ids(store)) == sorted(set(_ids(store))) and store.count() == 21


def test_changed_paragraph_is_reembedded_and_vanished_one_deleted(
    seed_copy: Path, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    Ingestor(store, HashEmbedder()).ingest([seed_copy])
    text = seed_copy.read_text(encoding="utf-8")
    text = text.replace("extrabudgetary resources", "voluntary contributions")  # OP13 changes
    # OP13 is the last paragraph: removing "12. ..." renumbers nothing but drops OP12's text,
    # so cut the whole of OP12 and renumber 13 -> 12 as an editor would.
    start = text.index("12. *Requests*")
    end = text.index("13. *Invites*")
    text = text[:start] + "12." + text[end + 3 :]
    seed_copy.write_text(text, encoding="utf-8")
    emb = HashEmbedder()
    report = Ingestor(store, emb).ingest([seed_copy])
    assert report.ok
    assert report.updated == 1 and report.deleted == 1 and report.added == 0
    assert emb.texts == 1  # only the changed paragraph was embedded again
    labels = {p.label for p in store.iter_paragraphs()}
    assert "OP13" not in labels and "OP12" in labels
    op12 = store.get(["file:ccpcj-2018-trafficking-in-persons-rev-draft#OP12"])[0]
    assert "voluntary contributions" in op12.text


def test_same_resolution_from_two_files_stays_one_document(corpus: Path, tmp_path: Path) -> None:
    store = _store(tmp_path)
    pdf = corpus / "ecosoc-2018-pdf" / "N1812941.pdf"
    docx = corpus / "ecosoc-2018-docx" / "N1812941.docx"
    first = Ingestor(store, HashEmbedder()).ingest([pdf])
    assert first.ok
    n = store.count()
    second = Ingestor(store, HashEmbedder()).ingest([docx])  # Word outranks PDF
    assert second.ok and len(second.warnings) == 1 and "replaced" in second.warnings[0]
    assert store.count() == n and list(store.docs()) == ["E/RES/2018/3"]
    assert store.docs()["E/RES/2018/3"].metadata["format"] == "docx"
    third = Ingestor(store, HashEmbedder()).ingest([pdf])  # known file: nothing to do
    assert third.ok and third.files_unchanged == 1
    assert store.docs()["E/RES/2018/3"].metadata["format"] == "docx" and store.count() == n
    # The other way round: a PDF arriving after the Word file is not stored, with one warning.
    other = open_local_store(tmp_path / "other", "resbot", MODEL)
    Ingestor(other, HashEmbedder()).ingest([docx])
    late = Ingestor(other, HashEmbedder()).ingest([pdf, pdf.parent / "N1812941.pdf"])
    assert late.ok and len(late.warnings) == 1 and "kept the copy" in late.warnings[0]
    assert other.docs()["E/RES/2018/3"].metadata["format"] == "docx" and other.count() == n


def test_xml_and_pdf_text_of_one_resolution_stay_one_document(corpus: Path, tmp_path: Path) -> None:
    store = _store(tmp_path)
    xml = next((corpus / "ga-akn" / "79session").glob("A_RES_79_154-*.xml"))
    txt = corpus / "ga-pdftext" / "A_RES_79_154.txt"
    report = Ingestor(store, HashEmbedder()).ingest([txt, xml])
    assert report.ok and report.resolutions == 2
    assert list(store.docs()) == ["A/RES/79/154"]
    assert store.docs()["A/RES/79/154"].metadata["format"] == "akn"
    ids = _ids(store)
    assert len(ids) == len(set(ids))


class _Crash(Exception):
    pass


class _CrashingStore:
    """A real store that dies after `n` paragraph writes, as a killed process would."""

    def __init__(self, inner: ChromaStore, n: int) -> None:
        self._inner, self._left = inner, n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def upsert(self, *args: Any, **kwargs: Any) -> None:
        if self._left <= 0:
            raise _Crash
        self._left -= 1
        self._inner.upsert(*args, **kwargs)


def test_a_killed_ingest_is_completed_by_rerunning_it(corpus: Path, tmp_path: Path) -> None:
    files = [
        corpus / "ecosoc-akn" / "2021" / "E_RES_2021_25-2110321E.xml",
        corpus / "ecosoc-akn" / "2024" / "E_RES_2024_12-2414120E.xml",
        corpus / "ecosoc-akn" / "2023" / "E_RES_2023_8_E.xml",
    ]
    store = _store(tmp_path)
    with pytest.raises(_Crash):
        Ingestor(_CrashingStore(store, 1), HashEmbedder()).ingest(files)  # type: ignore[arg-type]
    report = Ingestor(store, HashEmbedder()).ingest(files)
    assert report.ok
    docs = store.docs()
    assert set(docs) == {"E/RES/2021/25", "E/RES/2024/12", "E/RES/2023/8"}
    ids = _ids(store)
    assert len(ids) == len(set(ids)) == sum(int(d.metadata["paragraphs"]) for d in docs.values())
    assert all(docs[p.doc_id].accepts(p.metadata["ver"]) for p in store.iter_paragraphs())
    # And now it is complete: a third run changes nothing.
    assert Ingestor(store, HashEmbedder()).ingest(files).files_unchanged == 3


def test_second_writer_on_a_local_store_gets_a_clear_error(tmp_path: Path) -> None:
    lock = tmp_path / "store" / ".resbot-write.lock"
    with WriteLock(lock):
        # Another process, as a second `resbot ingest` would be.
        code = textwrap.dedent(
            f"""
            import sys
            from pathlib import Path
            from ingest.store import WriteLock
            from core.errors import StoreLocked
            try:
                with WriteLock(Path({str(lock)!r})):
                    sys.exit(0)
            except StoreLocked as exc:
                print(exc)
                sys.exit(3)
            """
        )
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert proc.returncode == 3, proc.stderr
        assert "being written by another resbot process" in proc.stdout
        assert f"pid {os.getpid()}" in proc.stdout
    with WriteLock(lock):  # released: the next writer gets it
        pass
    with WriteLock(lock), pytest.raises(StoreLocked), WriteLock(lock):
        pass


def test_bad_files_fail_one_by_one_and_the_rest_is_stored(seed_copy: Path, tmp_path: Path) -> None:
    folder = seed_copy.parent
    (folder / "empty.txt").write_bytes(b"")
    (folder / "noise.pdf").write_bytes(os.urandom(4096))
    (folder / "noise.txt").write_bytes(os.urandom(4096))
    (folder / "broken.docx").write_bytes(b"PK\x03\x04" + os.urandom(512))
    (folder / "bad.xml").write_text("<akomaNtoso><unclosed></akomaNtoso>")
    (folder / "bomb.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
    )
    (folder / "notes.xyz").write_text("not a resolution format")
    (folder / "latin1.txt").write_bytes(
        seed_copy.read_text(encoding="utf-8").replace("’", "'").encode("cp1252", errors="replace")
    )
    big = folder / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB, sparse: refused before it is read
    store = _store(tmp_path)
    report = Ingestor(store, HashEmbedder()).ingest([folder])
    failed = {Path(f.path).name: f.reason for f in report.failures}
    assert set(failed) == {
        "empty.txt",
        "noise.pdf",
        "noise.txt",
        "broken.docx",
        "bad.xml",
        "bomb.xml",
        "huge.txt",
    }
    assert all("\n" not in r and r for r in failed.values())
    assert "too large" in failed["huge.txt"] and "empty" in failed["empty.txt"]
    assert [Path(s.path).name for s in report.skipped] == ["notes.xyz"]
    # The good files are stored. The seed prints no symbol, so its cp1252 copy is a
    # document of its own (named by its file), parsed to the same 21 paragraphs.
    assert report.resolutions == 2 and not report.ok
    assert set(store.docs()) == {"file:ccpcj-2018-trafficking-in-persons-rev-draft", "file:latin1"}
    assert store.count() == 42
    assert len(_ids(store)) == len(set(_ids(store)))


_LOSES_A_TITLE = """United Nations A/RES/85/9
General Assembly
Resolution adopted by the General Assembly on 1 December 2030

85/9. Clean seas

The General Assembly,

Recalling its resolution 84/1 on the seas,

1. Decides to act on the seas;

2. Requests the Secretary-General to report;

12th plenary meeting
1 December 2030

Annex

Plan of action for clean seas

1. The seas shall be clean.
"""


def test_text_a_parser_loses_is_warned_at_ingest_and_in_stats(tmp_path: Path) -> None:
    """The text parser reads the annex's title line as neither heading nor paragraph (a gap
    the completeness check exists to expose): ingest says so in one line, and so do stats."""
    from ingest.stats import store_stats

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "A_RES_85_9.txt").write_text(_LOSES_A_TITLE, encoding="utf-8")
    store = _store(tmp_path)
    report = Ingestor(store, HashEmbedder()).ingest([folder])
    assert report.ok and report.resolutions == 1
    lost = [w for w in report.warnings if "not placed in any paragraph" in w]
    assert lost == [
        "A/RES/85/9 (A_RES_85_9.txt): 1 text block not placed in any paragraph "
        "(6 of 33 words; first: \u201cPlan of action for clean seas\u201d)"
    ]
    assert store_stats(store)["incomplete"] == lost
