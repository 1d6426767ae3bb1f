"""`resbot bench` smoke test: a small run yields every key as a positive number (no timings asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.benchmark import KEYS, percentile, render, run_bench, select_corpus
from bot.settings import Settings
from ingest.embedding import SentenceTransformerEmbedder

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "corpus"


def test_percentile() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([1.0, 2.0], 95) == pytest.approx(1.95)
    with pytest.raises(ValueError):
        percentile([], 50)


def test_select_corpus_takes_whole_files_smallest_first() -> None:
    sel = select_corpus(SAMPLES, 20)
    assert len(sel.texts) >= 20
    assert len(sel.files) < len(list(SAMPLES.iterdir()))
    # Each further file would only add paragraphs beyond what was asked.
    whole = select_corpus(SAMPLES, None)
    assert len(whole.texts) > len(sel.texts)


@pytest.mark.model
def test_bench_small_run(embedder: SentenceTransformerEmbedder, tmp_path: Path) -> None:
    store = tmp_path / "bench-store"
    result = run_bench(
        Settings(),
        embedder,
        corpus=SAMPLES,
        paragraphs=10,
        store_dir=store,
        questions=[
            "Officials of which sectors should receive anti-trafficking training?",
            "Which country hosts UNICRI?",
            "What does the resolution say about the cholera plan?",
        ],
        ask_rounds=1,
        repeats=1,
    )
    for key in KEYS:
        assert key in result, key
        value = result[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert value > 0, (key, value)
    assert result["paragraphs"] >= 10
    assert result["paragraphs_stored"] == result["paragraphs"]
    assert any(store.iterdir())  # --store keeps the store it measured
    text = render(result)
    assert "ingest_ratio" in text and "aim" in text


def test_bench_refuses_a_store_that_holds_data(tmp_path: Path) -> None:
    from bot.cli import cli

    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "chroma.sqlite3").write_bytes(b"x")
    got = CliRunner().invoke(cli, ["bench", "--store", str(tmp_path / "store"), "--json"])
    assert got.exit_code == 1
    assert "not empty" in got.output
