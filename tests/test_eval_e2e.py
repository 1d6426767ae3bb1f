"""The evaluation end to end on a small real slice: seed + 3 corpus files, gold questions on them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation.baselines import build_baselines
from bot.evaluation.gold import GoldItem, load_gold
from bot.evaluation.runner import run_eval
from bot.settings import Settings
from ingest.pipeline import Ingestor

pytestmark = pytest.mark.model

FILES = (
    "seed/ccpcj-2018-trafficking-in-persons-rev-draft.txt",
    "ecosoc-akn/2023/E_RES_2023_8_E.xml",
    "ecosoc-akn/2024/E_RES_2024_12-2414120E.xml",
    "ga-akn/79session/A_RES_79_137-2423455E.xml",
)
SYMBOLS = {"E/RES/2023/8", "E/RES/2024/12", "A/RES/79/137"}
RATES = (
    "recall_at_5",
    "quote_recall_at_5",
    "mrr",
    "ndcg_at_10",
    "citation_precision",
    "citation_recall",
    "quote_citation_recall",
    "answer_contains",
    "refusal_accuracy",
    "followup_accuracy",
)
KEYS = ("n", *RATES, "latency_ms_p50", "latency_ms_p95", "per_category", "per_question")


def _subset(items: list[GoldItem], names: set[str]) -> list[GoldItem]:
    """Up to 14 answerable questions whose expected paragraphs are all in the slice (the seed's
    and the corpus set's, so both matching modes run), plus 3 unanswerable."""
    answerable = [
        i
        for i in items
        if i.expected and all(e.source in names or e.symbol in SYMBOLS for e in i.expected)
    ]
    seed = [i for i in answerable if i.id.startswith("seed")][:7]
    rest = [i for i in answerable if not i.id.startswith("seed")][: 14 - len(seed)]
    unanswerable = [i for i in items if not i.answerable][:3]
    return seed + rest + unanswerable


@pytest.fixture(scope="module")
def slice_store(corpus: Path, gold_dir: Path, embedder, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from bot.wiring import open_store

    root = tmp_path_factory.mktemp("eval-e2e")
    settings = Settings(store=root / "store", data_dir=root / "data")
    paths = [corpus / f for f in FILES]
    missing = [p for p in paths if not p.exists()]
    if missing:
        pytest.skip(f"corpus files missing: {missing}")
    store = open_store(settings)
    report = Ingestor(store, embedder).ingest(paths)
    assert not report.failures, report.failures
    # Idempotent: a second ingest changes nothing.
    again = Ingestor(store, embedder).ingest(paths)
    assert again.added == again.updated == again.deleted == 0
    items = load_gold(sorted(gold_dir.glob("dev-*.jsonl")))
    subset = _subset(items, {p.name for p in paths})
    assert len(subset) >= 15
    return settings, store, paths, subset


def _check_figures(fig: dict, n: int) -> None:  # type: ignore[type-arg]
    for key in KEYS:
        assert key in fig, key
    assert fig["n"] == n and len(fig["per_question"]) == n
    for key in RATES:
        value = fig[key]
        assert value is None or 0.0 <= value <= 1.0, (key, value)
    for cat in fig["per_category"].values():
        for key in RATES:
            assert cat[key] is None or 0.0 <= cat[key] <= 1.0
    assert fig["latency_ms_p50"] is not None and fig["latency_ms_p50"] >= 0


def test_baselines_on_the_slice(slice_store, embedder) -> None:  # type: ignore[no-untyped-def]
    _settings, store, paths, items = slice_store
    baselines = build_baselines(["all"], store, embedder, paths, depth=10)
    try:
        result = run_eval(items, baselines, k=5)
    finally:
        baselines["naive"].close()
    out = json.loads(json.dumps(result.to_json()))
    assert set(out["baselines"]) == {"naive", "dense", "bm25"}
    assert out["recall_at_5"] is None  # no resbot in this run
    for name, fig in out["baselines"].items():
        _check_figures(fig, len(items))
        # Every baseline finds something on questions written for these very files.
        assert fig["recall_at_5"] > 0.2, name
        # They never decline: refusal accuracy is the answerable share exactly.
        answerable = sum(i.answerable for i in items) / len(items)
        assert fig["refusal_accuracy"] == pytest.approx(answerable, abs=1e-3), name
    naive = baselines["naive"]
    assert naive.n_files == len(FILES) and naive.n_chunks > len(FILES)
    # Naive citations are paragraphs of the files, mapped from chunks.
    cited = [c for q in out["baselines"]["naive"]["per_question"] for c in q["cited"]]
    assert cited and all(", " in c and not c.endswith(", ?") for c in cited)


def test_cli_json_with_resbot_and_baselines(slice_store, embedder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from bot.cli import cli

    settings, _store, paths, all_items = slice_store
    # A few questions suffice here: the figures were checked at scale above.
    items = [i for i in all_items if i.answerable][:5] + [i for i in all_items if not i.answerable][
        :1
    ]
    # The CLI loads the model itself, as a user's run would (a second load of MiniLM, ~2 s).
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "".join(
            json.dumps(
                {
                    "id": i.id,
                    "question": i.question,
                    "history": i.history,
                    "expected": [
                        {
                            "source": e.source,
                            "symbol": e.symbol,
                            "paragraph": e.paragraph,
                            "quote": e.quote,
                        }
                        for e in i.expected
                    ],
                    "answer_contains": i.answer_contains,
                    "answerable": i.answerable,
                    "category": i.category,
                }
            )
            + "\n"
            for i in items
        )
    )
    args = [
        "--store",
        str(settings.store_path),
        "eval",
        str(gold),
        "--json",
        "--baseline",
        "bm25",
        "--report",
        str(tmp_path / "report"),
    ]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    _check_figures(out, len(items))
    assert set(out["baselines"]) == {"bm25"}
    for fig in out["baselines"].values():
        _check_figures(fig, len(items))
    assert (tmp_path / "report" / "report.md").exists()
    assert (tmp_path / "report" / "chart.png").exists()
