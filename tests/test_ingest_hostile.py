"""Hostile files in an ingest batch: each costs bounded time and memory, fails alone with one
line naming the limit, and never costs the good files of the batch anything.

Fixtures are built on the fly (tests/hostile_files.py). Budgets are tightened here so that
the test is short; no assertion is about clock time (the benchmark, bench/hostile_batch.py,
measures the time and peak memory of the same batch).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import hostile_files as H
import pytest

from bot.answer.factory import build_answerer
from bot.settings import Settings
from ingest.limits import IngestLimits
from ingest.parsers.blocks import Block, assemble
from ingest.parsers.common import clean_ws, decode_text, read_bytes
from ingest.pipeline import Ingestor
from ingest.sandbox import IsolatedParser
from ingest.store import open_local_store

MODEL = "all-MiniLM-L6-v2"
# The time limit stops the looping PDFs; the bounded files are sized to parse well inside it
# even on a loaded two-core machine (their scaling is tested by operation counts below).
LIMITS = IngestLimits(seconds=8.0, memory_mb=1024, glyphs=5_000)


class HashEmbedder:
    name = MODEL

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[b / 255 for b in hashlib.sha256(t.encode()).digest()[:16]] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


# name -> (bytes, what its one error line must say); None: parsed and stored, but bounded.
BAD = {
    "mediabox-loop.pdf": (H.pdf_mediabox_loop, "parsing took too long"),
    "contents-loop.pdf": (H.pdf_contents_loop, "parsing took too long"),
    "xref-prev-loop.pdf": (H.pdf_xref_prev_loop, "corrupt PDF"),
    "inflating.pdf": (lambda: H.pdf_inflating(500), "inflate too far"),
    "glyphs.pdf": (H.pdf_glyph_heavy, "too many characters drawn"),
    "binary.txt": (lambda: bytes(range(256)) * 64, "binary data, not text (32 NUL bytes"),
    "evil\nname\u202etxt.pdf": (lambda: b"%PDF-1.4 garbage", "no end-of-file marker"),
}
BOUNDED = {
    "page-tree-loop.pdf": H.pdf_page_tree_loop,
    "xobject-loop.pdf": H.pdf_xobject_loop,
    "amplified.docx": lambda: H.docx_amplified(citing=200),
    "footnotes.docx": lambda: H.docx_footnotes(2000),
    "unnumbered.docx": lambda: H.docx_unnumbered(3000),
    "utf16.txt": lambda: H.text_good("A/RES/99/20", "tides").encode("utf-16-le"),
    "nul.txt": lambda: H.text_good("A/RES/99/21", "reefs").replace("reefs,", "reefs,\x00"),
}
GOOD = {
    "good-lighthouses.pdf": lambda: H.pdf_good("A/RES/99/7", "lighthouses"),
    "good-bridges.txt": lambda: H.text_good("A/RES/99/8", "bridges"),
    "good-canals.txt": lambda: H.text_good("A/RES/99/9", "canals"),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch") / "in"
    for name, (build, _) in BAD.items():
        H.write(folder, name, build())
    for name, make in {**BOUNDED, **GOOD}.items():
        H.write(folder, name, make())
    outside = tmp_path_factory.mktemp("outside")
    secret = H.write(outside, "secret.txt", H.text_good("A/RES/99/66", "private keys"))
    os.symlink(secret, folder / "link-out.txt")
    os.symlink(outside, folder / "dir-out")
    os.symlink(folder / "missing.txt", folder / "dangling.txt")
    os.symlink(folder / "good-bridges.txt", folder / "link-in.txt")
    return folder


@pytest.fixture(scope="module")
def ingested(batch: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:  # type: ignore[type-arg]
    store = open_local_store(tmp_path_factory.mktemp("store"), "resbot", MODEL)
    report = Ingestor(store, HashEmbedder(), limits=LIMITS).ingest([batch])
    return store, report


def test_every_bad_file_fails_alone_in_one_line(ingested: tuple) -> None:  # type: ignore[type-arg]
    _, report = ingested
    failed = {Path(f.path).name: f.reason for f in report.failures}
    assert sorted(failed) == sorted(BAD)
    for name, (_, reason) in BAD.items():
        assert reason in failed[name], (name, failed[name])
        assert "\n" not in failed[name]
    # Budget errors name the setting that raises them.
    assert "RESBOT_INGEST_TIMEOUT_S" in failed["mediabox-loop.pdf"]
    assert "RESBOT_INGEST_MAX_INFLATED_MB" in failed["inflating.pdf"]
    assert "RESBOT_INGEST_MAX_GLYPHS" in failed["glyphs.pdf"]


def test_links_out_of_the_folder_and_dangling_links_are_skipped(ingested: tuple) -> None:  # type: ignore[type-arg]
    store, report = ingested
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert "outside" in skipped["link-out.txt"] and "outside" in skipped["dir-out"]
    assert "dangling" in skipped["dangling.txt"]
    assert "link-in.txt" not in skipped  # inside the named folder: followed
    assert store.get_doc("A/RES/99/66") is None


def test_good_and_bounded_files_are_stored_and_answer(
    ingested: tuple,  # type: ignore[type-arg]
    tmp_path: Path,
) -> None:
    store, _ = ingested
    for symbol in ("A/RES/99/7", "A/RES/99/8", "A/RES/99/9", "A/RES/99/20", "A/RES/99/21"):
        assert store.get_doc(symbol) is not None, symbol
    # The huge footnote cited from 200 paragraphs is shortened where each paragraph carries it.
    metas = store.paragraph_meta("A/RES/99/105")
    assert len(metas) == 201
    carried = sum(len(json.loads(m["footnotes"])[0]) for m in metas.values() if m.get("footnotes"))
    assert carried <= 201 * (LIMITS.footnote_chars + 100)
    # 2,000 footnoted paragraphs: numbers past 999 keep their own label.
    assert "A/RES/99/103#OP1321" in store.paragraph_meta("A/RES/99/103")
    settings = Settings(data_dir=tmp_path)
    answer = build_answerer(settings, store, HashEmbedder()).answer(
        "What does A/RES/99/9 request about canals?"
    )
    assert answer.citations and answer.citations[0].doc_id == "A/RES/99/9"


def test_a_stuck_child_is_replaced_and_the_next_file_parses(tmp_path: Path) -> None:
    loop = H.write(tmp_path, "loop.pdf", H.pdf_contents_loop())
    good = H.write(tmp_path, "good.txt", H.text_good("A/RES/99/8", "bridges"))
    with IsolatedParser(IngestLimits(seconds=2.0)) as parse:
        with pytest.raises(Exception, match="parsing took too long"):
            parse(loop)
        assert parse(good)[0].symbol == "A/RES/99/8"
        assert parse(good)[0].symbol == "A/RES/99/8"
        assert parse.started == 2  # one child killed, one serving both later files


def test_memory_limit_is_enforced_in_the_child(tmp_path: Path) -> None:
    bomb = H.write(tmp_path, "inflating.pdf", H.pdf_inflating(500, disguised=True))
    # Past the inflated-bytes check: the address-space cap must stop pdfminer on its own.
    limits = IngestLimits(memory_mb=400, seconds=30)
    with IsolatedParser(limits) as parse, pytest.raises(Exception, match="out of memory"):
        parse(bomb)


def test_same_resolution_as_word_and_pdf_in_one_batch(tmp_path: Path) -> None:
    docx = H.docx_numbered(1, 3, symbol="A/RES/99/7")
    H.write(tmp_path / "in", "a-first.pdf", H.pdf_good("A/RES/99/7", "lighthouses"))
    H.write(tmp_path / "in", "b-second.docx", docx)
    H.write(tmp_path / "in", "c-third.pdf", H.pdf_good("A/RES/99/7", "lighthouses"))
    store = open_local_store(tmp_path / "store", "resbot", MODEL)
    report = Ingestor(store, HashEmbedder(), limits=LIMITS).ingest([tmp_path / "in"])
    doc = store.get_doc("A/RES/99/7")
    assert doc is not None and doc.metadata["format"] == "docx"
    assert len(report.warnings) == 1 and "b-second.docx (docx)" in report.warnings[0]


# -- linear parsing: operation counts, not clock time ---------------------------------------


def _cleaned_chars(run: Callable[[], object]) -> int:
    """Characters passed to `clean_ws` while ``run`` runs, observed with a profiler hook.

    Rebuilding a growing paragraph at each appended block re-cleans all of it each time, so
    this count is quadratic in the input exactly when the assembly is.
    """
    total = 0
    code = clean_ws.__code__

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        nonlocal total
        if event == "call" and frame.f_code is code:
            total += len(frame.f_locals["text"])

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return total


def _assemble_continued(n: int) -> None:
    blocks = [Block("The General Assembly,"), Block("1. Decides that:", italic_lead="Decides")]
    blocks += [Block(f"continued text number {i} of the first paragraph") for i in range(n)]
    res = assemble(blocks, source="x.docx", fmt="docx")[0]
    assert [p.label for p in res.paragraphs][-1:] == ["OP1"]


def test_continued_paragraphs_cost_linear_work() -> None:
    small = _cleaned_chars(lambda: _assemble_continued(1000))
    large = _cleaned_chars(lambda: _assemble_continued(8000))
    # Eight times the input, about eight times the work (quadratic would be 64 times).
    assert large < 10 * small


@pytest.mark.parametrize(
    "build", [H.docx_unnumbered, H.docx_footnotes], ids=["unnumbered", "footnotes"]
)
def test_word_parsing_work_scales_linearly(tmp_path: Path, build: Callable[[int], bytes]) -> None:
    from ingest.parsers.docx import parse_docx_file

    work = []
    for n in (500, 4000):
        path = H.write(tmp_path, f"{n}.docx", build(n))
        work.append(_cleaned_chars(lambda path=path: parse_docx_file(path)))  # type: ignore[misc]
    assert work[1] < 10 * work[0]


def test_paragraph_numbers_past_999_keep_their_labels(tmp_path: Path) -> None:
    from ingest.parsers.docx import parse_docx_file

    res = parse_docx_file(H.write(tmp_path, "n.docx", H.docx_footnotes(1200)))[0]
    assert [p.label for p in res.paragraphs[-3:]] == ["OP1198", "OP1199", "OP1200"]
    assert all(len(p.footnotes) == 1 for p in res.paragraphs[1:])
    # A five-digit number out of sequence (a year opening a line) is not a paragraph number.
    five = parse_docx_file(H.write(tmp_path, "f.docx", H.docx_numbered(10000, 3)))[0]
    assert [p.label for p in five.paragraphs] == ["HEADER", "OP1", "OP2", "OP3"]


# -- smaller things -------------------------------------------------------------------------


def test_sizes_are_rounded_honestly(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    limit = 20 * 1024 * 1024
    path.write_bytes(b"a" * (limit + 1))
    with pytest.raises(Exception) as err:
        read_bytes(path, limit)
    shown, _, cap = str(err.value).partition("; limit ")
    assert shown.split("(")[1] != cap.split(")")[0]


def test_text_decoding_says_why_not() -> None:
    text = H.text_good("A/RES/99/8", "bridges")
    assert decode_text(text.encode("utf-16-le")) == text
    assert decode_text(text.encode("utf-16-be")) == text
    assert decode_text(text.encode().replace(b"bridges,", b"bridges,\x00")) == text
    with pytest.raises(Exception, match=r"binary data, not text \(\d+ NUL bytes"):
        decode_text(bytes(range(256)) * 4)
