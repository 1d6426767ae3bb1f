"""Evaluation metrics on small hand-made cases whose answers are worked out by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bot.answer.types import Answer, Citation, Retrieved, Turn
from bot.evaluation.baselines import ChunkMapper, history_query
from bot.evaluation.gold import Expected, GoldError, GoldItem, load_gold
from bot.evaluation.matching import ParaRef, matches, norm_text, quote_in, unique_refs
from bot.evaluation.metrics import (
    aggregate,
    citation_scores,
    ndcg_at,
    percentile,
    recall_at,
    reciprocal_rank,
    score_question,
)
from bot.evaluation.runner import run_eval

SYM = "E/RES/2021/25"
SRC = "E_RES_2021_25-2110321E.xml"


def ret(label: str, symbol: str | None = SYM, source: str = SRC, text: str = "") -> Retrieved:
    return Retrieved(
        symbol or f"file:{source}", symbol, label, source, text or f"text {label}", 1.0
    )


def cit(label: str, symbol: str | None = SYM, source: str = SRC, text: str = "") -> Citation:
    return Citation(symbol or f"file:{source}", symbol, label, source, text or f"text {label}")


def exp(
    label: str, symbol: str | None = SYM, source: str = SRC, quote: str | None = None
) -> Expected:
    return Expected(source=source, paragraph=label, symbol=symbol, quote=quote)


def item(**kw: object) -> GoldItem:
    base: dict[str, object] = {"id": "q1", "question": "q?", "category": "mandate"}
    base.update(kw)
    return GoldItem(**base)  # type: ignore[arg-type]


# -- matching ---------------------------------------------------------------


def test_symbol_match_accepts_another_file_of_the_same_resolution() -> None:
    e = exp("OP52", symbol="A/RES/79/154", source="A_RES_79_154-2424145E.xml")
    assert matches(e, ParaRef("OP52", "A_RES_79_154.txt", "A/RES/79/154"))
    assert matches(e, ParaRef("op52", "other.txt", "a/res/79/154"))
    assert not matches(e, ParaRef("OP51", "A_RES_79_154.txt", "A/RES/79/154"))
    # Both know the symbol and they differ: the same file name does not rescue it.
    assert not matches(e, ParaRef("OP52", "A_RES_79_154-2424145E.xml", "A/RES/79/155"))


def test_file_match_when_one_side_lacks_the_symbol() -> None:
    e = exp("OP12", symbol=None, source="ccpcj-2018-trafficking-in-persons-rev-draft.txt")
    stored = ParaRef(
        "OP12", "ccpcj-2018-trafficking-in-persons-rev-draft.txt", "E/CN.15/2018/L.4/Rev.1"
    )
    assert matches(e, stored)
    assert not matches(e, ParaRef("OP12", "other.txt", "E/CN.15/2018/L.4/Rev.1"))
    # Expected knows the symbol, the stored paragraph does not: file name decides.
    assert matches(exp("PP2"), ParaRef("PP2", SRC, None))
    assert not matches(exp("PP2"), ParaRef("PP2", "elsewhere.xml", None))


def test_quote_match_ignores_case_whitespace_and_typographic_marks() -> None:
    text = "Requests  the Secretary\u2011General\nto submit \u201ca report\u201d"
    assert quote_in('requests the secretary-general to submit "a report"', text)
    assert not quote_in("requests the secretary-general to report", text)
    assert not quote_in("   ", text)
    assert norm_text("A\u00a0B") == "a b"


# -- ranking metrics ----------------------------------------------------------


def test_recall_mrr_ndcg_known_values() -> None:
    expected = [exp("OP1"), exp("OP2")]
    units = [ret("PP1"), ret("OP2"), ret("PP3"), ret("OP1")]
    assert recall_at(expected, units, 2) == 0.5
    assert recall_at(expected, units, 5) == 1.0
    assert reciprocal_rank(expected, units) == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at(expected, units) == pytest.approx(dcg / ideal)


def test_duplicate_retrieved_and_duplicate_expected_count_once() -> None:
    units = [ret("OP1"), ret("OP1"), ret("OP1")]
    assert recall_at([exp("OP1"), exp("OP2")], units, 3) == 0.5
    # The same expected paragraph listed twice is one paragraph.
    assert recall_at([exp("OP1"), exp("OP1")], units, 3) == 1.0
    assert ndcg_at([exp("OP1")], units) == pytest.approx(1.0)


def test_empty_lists() -> None:
    assert recall_at([], [ret("OP1")], 5) is None
    assert reciprocal_rank([], []) is None
    assert recall_at([exp("OP1")], [], 5) == 0.0
    assert reciprocal_rank([exp("OP1")], []) == 0.0
    assert ndcg_at([exp("OP1")], []) == 0.0
    assert percentile([], 50) is None


def test_naive_chunk_covering_two_expected_paragraphs() -> None:
    chunk = ret("OP1")
    chunk.metadata["covers"] = [
        {"symbol": SYM, "label": "OP1", "source": SRC},
        {"symbol": SYM, "label": "OP2", "source": SRC},
    ]
    expected = [exp("OP1"), exp("OP2")]
    assert recall_at(expected, [chunk], 1) == 1.0
    assert ndcg_at(expected, [chunk]) == 1.0  # capped, not above 1


# -- citations ------------------------------------------------------------------


def test_citation_precision_recall_with_duplicates() -> None:
    answer = Answer("q", "a", True, citations=[cit("OP1"), cit("OP1"), cit("PP3")])
    p, r = citation_scores([exp("OP1"), exp("OP2")], answer)
    assert p == 0.5  # OP1 (once) right, PP3 wrong
    assert r == 0.5  # OP1 of {OP1, OP2}


def test_no_citations_leaves_precision_undefined_and_counts_uncited() -> None:
    gold = item(expected=[exp("OP1")], answer_contains=["x"])
    s = score_question(gold, Answer("q", "X marks", True, citations=[]), k=5)
    assert s.citation_precision is None and s.citation_recall == 0.0 and s.uncited
    s2 = score_question(gold, Answer("q", "X", True, citations=[cit("OP1")]), k=5)
    agg = aggregate([s, s2], k=5)
    assert agg["citation_precision"] == 1.0  # only the defined one
    assert agg["citation_recall"] == 0.5
    assert agg["n_uncited"] == 1


def test_quote_recall_separates_labelling_from_retrieval() -> None:
    quote = "to ensure that United Nations procurement is free from trafficking"
    gold = item(expected=[exp("OP11", quote=quote)])
    # Right text, wrong label (a parser numbering error): label recall 0, quote recall 1.
    wrong_label = ret("OP10", text="Requests the agencies " + quote.upper() + " in persons;")
    s = score_question(gold, Answer("q", "", True, retrieved=[wrong_label]), k=5)
    assert s.recall == 0.0 and s.quote_recall == 1.0
    s2 = score_question(
        item(expected=[exp("OP1")]), Answer("q", "", True, retrieved=[ret("OP1")]), k=5
    )
    assert s2.quote_recall is None  # seed-style gold without quotes


# -- answers, refusals, follow-ups, latency ---------------------------------------


def test_refusal_accuracy_and_answer_contains() -> None:
    unans = item(id="u", expected=[], answerable=False, category="unanswerable")
    ans = item(id="a", expected=[exp("OP1")], answer_contains=["Twenty-Eighth session", "UNODC"])
    declined = Answer("q", "Not in the documents.", False)
    answered = Answer(
        "q", "unodc reports at its twenty-eighth\nsession", True, citations=[cit("OP1")]
    )
    scores = [
        score_question(unans, declined, 5),  # right
        score_question(unans, answered, 5),  # wrong: answered an unanswerable one
        score_question(ans, answered, 5),  # right
        score_question(ans, declined, 5),  # wrong: declined an answerable one
    ]
    assert [s.refusal_ok for s in scores] == [True, False, True, False]
    assert scores[2].contains is True and scores[3].contains is False
    assert scores[0].contains is None and scores[0].citation_precision is None
    agg = aggregate(scores, 5)
    assert agg["refusal_accuracy"] == 0.5
    assert agg["answer_contains"] == 0.5


def test_followup_needs_retrieval_and_a_cited_hit() -> None:
    fu = item(category="followup", expected=[exp("OP9")], history=["earlier?"])
    hit = Answer("q", "", True, retrieved=[ret("OP9")], citations=[cit("OP9")])
    retrieved_only = Answer("q", "", True, retrieved=[ret("OP9")], citations=[cit("OP8")])
    assert score_question(fu, hit, 5).followup_ok is True
    assert score_question(fu, retrieved_only, 5).followup_ok is False
    assert score_question(item(expected=[exp("OP9")]), hit, 5).followup_ok is None


def test_percentiles_and_per_category() -> None:
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48)
    scores = [
        score_question(
            item(id=str(i), category=c, expected=[exp("OP1")]),
            Answer("q", "", True, retrieved=[ret(lbl)]),
            5,
            lat,
        )
        for i, (c, lbl, lat) in enumerate(
            [("fact", "OP1", 10.0), ("fact", "OP2", 30.0), ("mandate", "OP1", 20.0)]
        )
    ]
    agg = aggregate(scores, 5)
    assert agg["latency_ms_p50"] == 20.0
    assert agg["recall_at_5"] == pytest.approx(2 / 3, abs=1e-4)


# -- gold loading -----------------------------------------------------------------


def test_load_gold_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "g.jsonl"
    good.write_text(
        json.dumps(
            {
                "id": "a",
                "question": "Q?",
                "expected": [
                    {"source": "dir/f.xml", "symbol": "A/RES/1/1", "paragraph": "OP1", "quote": "x"}
                ],
                "answer_contains": ["y"],
                "answerable": True,
                "category": "fact",
            }
        )
        + "\n\n"
        + json.dumps(
            {
                "id": "b",
                "question": "R?",
                "history": ["P?"],
                "expected": [],
                "answerable": False,
                "category": "unanswerable",
            }
        )
        + "\n"
    )
    items = load_gold([good])
    assert [i.id for i in items] == ["a", "b"]
    assert items[0].expected[0] == Expected("f.xml", "OP1", "A/RES/1/1", "x")
    assert items[1].history == ["P?"] and not items[1].answerable
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "Q?", "expected": [{"paragraph": "OP1"}]}\n')
    with pytest.raises(GoldError, match="bad.jsonl:1"):
        load_gold([bad])
    with pytest.raises(GoldError, match="duplicate"):
        load_gold([good, good])


# -- runner --------------------------------------------------------------------


class FakeAnswerer:
    """Answers from a table; records the history it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        self.calls.append((question, [t.question for t in history or []]))
        if "explode" in question:
            raise RuntimeError("boom")
        if "weather" in question:
            return Answer(question, "I cannot find that.", False, mode="declined")
        return Answer(
            question,
            "UNODC reports at its twenty-eighth session",
            True,
            citations=[cit("OP12"), cit("OP12")],
            retrieved=[ret("PP1"), ret("OP12")],
        )


def test_runner_with_a_fake_answerer() -> None:
    items = [
        item(id="m", expected=[exp("OP12")], answer_contains=["twenty-eighth session"]),
        item(
            id="u", question="the weather?", expected=[], answerable=False, category="unanswerable"
        ),
        item(
            id="f",
            question="and then?",
            history=["first?", "second?"],
            expected=[exp("OP12")],
            category="followup",
        ),
        item(id="e", question="explode", expected=[exp("OP1")], category="fact"),
    ]
    fake = FakeAnswerer()
    result = run_eval(items, {"bm25": FakeAnswerer(), "resbot": fake}, k=1)
    assert list(result.runs) == ["resbot", "bm25"]  # resbot first
    # History: earlier questions asked first, each with the growing history.
    assert fake.calls[2:5] == [
        ("first?", []),
        ("second?", ["first?"]),
        ("and then?", ["first?", "second?"]),
    ]
    out = result.to_json()
    assert out["n"] == 4
    assert out["recall_at_1"] == pytest.approx(0.0)  # OP12 is second; the error scores 0 too
    assert out["mrr"] == pytest.approx((0.5 + 0.5 + 0.0) / 3, abs=1e-4)
    assert out["citation_precision"] == 1.0  # duplicate OP12 counted once
    assert out["citation_recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["refusal_accuracy"] == 0.75  # the crash is not a refusal
    assert out["followup_accuracy"] == 0.0  # recall@1 is 0
    assert out["n_errors"] == 1
    assert out["per_category"]["unanswerable"]["refusal_accuracy"] == 1.0
    per_q = {q["id"]: q for q in out["per_question"]}
    assert per_q["e"]["error"] == "RuntimeError('boom')"
    assert per_q["m"]["missing"] == ["E/RES/2021/25, OP12"]
    assert set(out["baselines"]) == {"bm25"}
    assert out["baselines"]["bm25"]["n"] == 4
    for key in (
        "n",
        "recall_at_1",
        "mrr",
        "ndcg_at_10",
        "citation_precision",
        "citation_recall",
        "answer_contains",
        "refusal_accuracy",
        "followup_accuracy",
        "latency_ms_p50",
        "latency_ms_p95",
        "quote_recall_at_1",
        "per_category",
        "per_question",
    ):
        assert key in out and key in out["baselines"]["bm25"]
    json.dumps(out)  # serialisable


def test_report_is_written(tmp_path: Path) -> None:
    from bot.evaluation.report import text_table, write_report

    items = [
        item(id="m", expected=[exp("OP1")]),
        item(id="u", question="weather", expected=[], answerable=False, category="unanswerable"),
    ]
    result = run_eval(
        items, {"resbot": FakeAnswerer(), "dense": FakeAnswerer()}, k=5, notes=["a note"]
    )
    path = write_report(result, tmp_path / "rep")
    md = path.read_text()
    assert "| recall@5 |" in md and "chart.png" in md and "a note" in md
    assert "### m (mandate)" in md  # failed: OP1 never retrieved
    assert "retrieved (top k): E/RES/2021/25, PP1; E/RES/2021/25, OP12" in md
    assert (tmp_path / "rep" / "chart.png").read_bytes()[:4] == b"\x89PNG"
    assert "resbot" in text_table(result).splitlines()[0]


# -- naive baseline helpers ----------------------------------------------------------


def test_chunk_cites_the_paragraphs_it_covers() -> None:
    title = "Preparations for the Fifteenth Congress on Crime Prevention and Criminal Justice"
    p1 = "Requests the Office to report to the Commission at its twenty-eighth session on the implementation"
    p2 = "Invites Member States and other donors to provide extrabudgetary resources for these purposes"
    p3 = " ".join(f"word{i}" for i in range(400))  # a long paragraph
    p4 = "Notes the preparations for the Fifteenth Congress on Crime Prevention and Criminal Justice;"
    raw = "\n\n".join(
        [title, p1, p2, p3, p4, "1 Footnote text about the Palermo Protocol of 2000."]
    )
    paras = [
        (SYM, lbl, SRC, SYM, t, notes)
        for lbl, t, notes in (
            ("HEADER", title, []),
            ("OP1", p1, []),
            ("OP2", p2, ["Footnote text about the Palermo Protocol of 2000."]),
            ("OP3", p3, []),
            ("OP4", p4, []),
        )
    ]
    mapper = ChunkMapper(raw, paras)

    def labels(start: int, end: int) -> list[str]:
        return [p.label for p in mapper.cover(start, raw[start:end])]

    # The title and all of OP1: OP4 repeats most of the title but lies elsewhere.
    assert labels(0, raw.index(p2)) == ["HEADER", "OP1"]
    # All of OP1 and the first 9 of OP2's 13 words cite both.
    cut = raw.index(p2) + len(" ".join(p2.split()[:9]))
    assert labels(raw.index(p1), cut) == ["OP1", "OP2"]
    # A stretch inside the long OP3 cites it although it holds a small part of it.
    inside = raw.index("word100 ")
    assert labels(inside, inside + 600) == ["OP3"]
    # A chunk of the footnote block cites the paragraph that carries the footnote.
    assert labels(raw.index("1 Footnote"), len(raw)) == ["OP2"]
    # A chunk found by its text when the splitter gave no offset.
    assert [p.label for p in mapper.cover(-1, p4)] == ["OP4"]
    assert mapper.cover(-1, "text that is not in the file") == []
    assert unique_refs([]) == []


def test_history_query() -> None:
    assert (
        history_query("and then?", [Turn("first?"), Turn("second?")]) == "first? second? and then?"
    )
    assert history_query("q", None) == "q"


class CountingEmbedder:
    """A tiny deterministic embedder (bag of hashed words) that counts document embeddings."""

    name = "fake-bow"

    def __init__(self) -> None:
        self.documents = 0

    def _vec(self, text: str) -> list[float]:
        import zlib

        v = [0.0] * 32
        for word in text.lower().split():
            v[zlib.crc32(word.encode()) % 32] += 1.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += len(texts)
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


def test_naive_baseline_maps_chunks_and_reuses_its_cache(tmp_path: Path) -> None:
    from bot.evaluation.baselines import NaiveBaseline

    sample = Path(__file__).resolve().parents[1] / "samples" / "corpus" / "E_RES_2023_8_E.xml"
    emb = CountingEmbedder()
    first = NaiveBaseline([sample], emb, depth=3, cache_dir=tmp_path / "cache")  # type: ignore[arg-type]
    assert first.n_files == 1 and first.n_chunks > 1 and emb.documents == first.n_chunks
    answer = first.answer("Expresses its deep appreciation to Italy for hosting the Institute")
    assert answer.answerable and answer.retrieved
    labels = {c.label for c in answer.citations}
    assert all(c.symbol == "E/RES/2023/8" for c in answer.citations)
    assert "OP3" in labels  # the chunk holding OP3 comes first for its own words
    first.close()
    again = NaiveBaseline([sample], emb, depth=3, cache_dir=tmp_path / "cache")  # type: ignore[arg-type]
    assert emb.documents == first.n_chunks  # nothing embedded the second time
    assert again.n_chunks == first.n_chunks
    assert again.answer("Italy hosting the Institute").retrieved
