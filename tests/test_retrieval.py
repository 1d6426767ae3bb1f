"""Retrieval and the default (extractive) answerer over small real stores, with the real model."""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

import numpy as np
import pytest
from conftest import lenient_decider

from bot.answer.decide import NAMES as DECIDE_SIGNALS
from bot.answer.decide import Decider
from bot.answer.engine import ResolutionAnswerer
from bot.answer.factory import build_answerer, lexical_cache_dir
from bot.answer.types import Answer, Turn
from bot.retrieval.hybrid import HybridSearcher
from bot.retrieval.lexical import LexicalIndexCache
from bot.retrieval.scoring import LinearModel
from core.errors import ResbotError

pytestmark = pytest.mark.model

SEED = "file:ccpcj-2018-trafficking-in-persons-rev-draft"


def _searcher(pair: tuple[Any, Any], embedder: Any) -> HybridSearcher:
    settings, store = pair
    return HybridSearcher(store, embedder, LexicalIndexCache(store, lexical_cache_dir(settings)))


@pytest.fixture(scope="module")
def answerer(small_store: tuple[Any, Any], embedder: Any) -> ResolutionAnswerer:
    """Retrieval and conversation over the small store, whatever the shipped threshold."""
    settings, store = small_store
    return build_answerer(settings, store, embedder, decider=lenient_decider())


@pytest.fixture(scope="module")
def shipped(small_store: tuple[Any, Any], embedder: Any) -> ResolutionAnswerer:
    """The answerer as shipped (fitted decision model): for what it declines."""
    settings, store = small_store
    return build_answerer(settings, store, embedder)


def _turn(answer: Answer) -> Turn:
    return Turn(answer.question, answer.text, answer.citations, answer.scope)


def _docs(answer: Answer) -> set[str]:
    return {c.doc_id for c in answer.citations}


# -- the signature question ---------------------------------------------------------
def test_unodc_report_cites_op12_of_the_seed(seed_store: tuple[Any, Any], embedder: Any) -> None:
    settings, store = seed_store
    answer = build_answerer(settings, store, embedder).answer("What does UNODC have to report?")
    assert answer.answerable
    assert (SEED, "OP12") in {(c.doc_id, c.label) for c in answer.citations}
    assert "twenty-eighth session" in answer.text
    assert "ccpcj-2018-trafficking-in-persons-rev-draft, OP12" in answer.text


def test_unodc_through_retrieval_expands_the_acronym(
    seed_store: tuple[Any, Any], embedder: Any
) -> None:
    """Without the mandate table the hybrid search must find OP12 itself: the seed never says UNODC."""
    answerer = ResolutionAnswerer(_searcher(seed_store, embedder))
    answer = answerer.answer("What does UNODC have to report?")
    assert answer.mode == "extractive" and answer.answerable
    assert answer.citations[0].doc_id == SEED and answer.citations[0].label == "OP12"
    # The resolution's own voice, with the citation on the sentence.
    assert "requests the United Nations Office on Drugs and Crime to inform the Commission" in (
        answer.text
    )
    assert answer.text.rstrip().endswith("[ccpcj-2018-trafficking-in-persons-rev-draft, OP12]")
    op12 = next(r for r in answer.retrieved if r.label == "OP12")
    assert "UNODC = United Nations Office on Drugs and Crime" in op12.why


def test_plan_expands_acronyms_for_both_rankers(seed_store: tuple[Any, Any], embedder: Any) -> None:
    plan = _searcher(seed_store, embedder).plan("What does UNODC have to report?")
    assert plan.expansions["UNODC"][0] == "United Nations Office on Drugs and Crime"
    assert "United Nations Office on Drugs and Crime" in plan.dense_text
    assert {"unodc", "office", "drug", "crime"} <= set(plan.lexical_terms)


# -- symbols and paragraph references ----------------------------------------------
@pytest.mark.parametrize(
    ("form", "doc_id"),
    [
        ("79/154", "A/RES/79/154"),
        ("A/RES/79/154", "A/RES/79/154"),
        ("resolution 2021/25", "E/RES/2021/25"),
        ("E/RES/2021/25", "E/RES/2021/25"),
    ],
)
def test_symbol_forms_restrict_to_the_document(
    answerer: ResolutionAnswerer, form: str, doc_id: str
) -> None:
    question = f"What does {form} say about victims of trafficking?"
    plan = answerer.searcher.plan(question)
    assert plan.doc_ids == [doc_id]
    answer = answerer.answer(question)
    assert answer.answerable and answer.citations
    assert _docs(answer) == {doc_id}
    assert {r.doc_id for r in answer.retrieved} == {doc_id}


@pytest.mark.parametrize(
    ("question", "doc_id", "label", "opening"),
    [
        ("What does OP 12 of A/RES/79/154 say?", "A/RES/79/154", "OP12", "welcomes the continued"),
        (
            "operative paragraph 12 of E/RES/2021/25",
            "E/RES/2021/25",
            "OP12",
            "requests the United Nations Office on Drugs and Crime, in its capacity as fund manager",
        ),
    ],
)
def test_paragraph_reference_pins_that_paragraph(
    answerer: ResolutionAnswerer, question: str, doc_id: str, label: str, opening: str
) -> None:
    answer = answerer.answer(question)
    assert answer.answerable
    assert [(c.doc_id, c.label) for c in answer.citations] == [(doc_id, label)]
    top = answer.retrieved[0]
    assert (top.doc_id, top.label) == (doc_id, label)
    assert "label_asked 1.00" in top.why
    assert opening in answer.text
    assert answer.text.endswith(f"[{doc_id}, {label}]")
    # The quoted text is the stored paragraph, not a neighbour's.
    assert answer.citations[0].text == top.text


# -- declining -------------------------------------------------------------------
def test_unanswerable_question_is_declined(shipped: ResolutionAnswerer) -> None:
    answer = shipped.answer("What does the trafficking resolution say about cryptocurrencies?")
    assert not answer.answerable
    assert answer.mode == "declined"
    assert answer.citations == []
    assert "I found nothing" in answer.text
    assert "4 resolutions" in answer.text
    assert answer.to_json()["citations"] == []


@pytest.mark.parametrize("symbol", ["A/RES/12/345", "S/RES/242 (1967)"])
def test_symbol_not_in_the_store_is_declined(answerer: ResolutionAnswerer, symbol: str) -> None:
    answer = answerer.answer(f"What does {symbol} say about trafficking in persons?")
    assert not answer.answerable
    assert answer.citations == [] and answer.retrieved == []
    assert symbol in answer.text and "I don't have" in answer.text


def test_thresholds_decide_when_to_decline(small_store: tuple[Any, Any], embedder: Any) -> None:
    # A decision model that never finds the evidence enough (its threshold cannot be met).
    never = LinearModel(DECIDE_SIGNALS, np.zeros(len(DECIDE_SIGNALS)), bias=0.0, threshold=1.1)
    strict = ResolutionAnswerer(_searcher(small_store, embedder), decider=Decider(never))
    answer = strict.answer("What do the resolutions say about the trust fund for victims?")
    assert not answer.answerable and answer.citations == []
    assert answer.retrieved, "a declined answer still reports what it retrieved"


@pytest.mark.parametrize("question", ["", "   ", "x" * 5000])
def test_empty_or_huge_question_is_an_error(answerer: ResolutionAnswerer, question: str) -> None:
    with pytest.raises(ResbotError):
        answerer.answer(question)


# -- conversation ----------------------------------------------------------------
def test_followups_stay_in_the_same_document(answerer: ResolutionAnswerer) -> None:
    first = answerer.answer("What does resolution 79/154 say about trafficking in women and girls?")
    assert _docs(first) == {"A/RES/79/154"}
    history = [_turn(first)]

    members = answerer.answer("and what about Member States?", history)
    assert members.answerable
    assert _docs(members) == {"A/RES/79/154"}
    assert {r.doc_id for r in members.retrieved} == {"A/RES/79/154"}
    assert "Member States" in members.text

    tourism = answerer.answer("does it say anything about sex tourism?", history)
    assert tourism.answerable
    assert _docs(tourism) == {"A/RES/79/154"}
    assert "sex tourism" in tourism.text


def test_followup_when_keeps_the_cited_paragraph(answerer: ResolutionAnswerer) -> None:
    first = answerer.answer("What does UNODC have to report?")
    assert (SEED, "OP12") in {(c.doc_id, c.label) for c in first.citations}
    # The first answer spans two documents; "by when" must be read against the first one.
    when = answerer.answer("and by when?", [_turn(first)])
    assert when.answerable
    assert [(c.doc_id, c.label) for c in when.citations][0] == (SEED, "OP12")
    assert "twenty-eighth session" in when.text


def test_new_symbol_is_not_a_followup(answerer: ResolutionAnswerer) -> None:
    first = answerer.answer("What does 79/154 say about sex tourism?")
    assert _docs(first) == {"A/RES/79/154"}
    second = answerer.answer("And what does 2021/25 say about the trust fund?", [_turn(first)])
    assert _docs(second) == {"E/RES/2021/25"}


# -- output contract and diversity --------------------------------------------------
def test_answer_json_contract(answerer: ResolutionAnswerer) -> None:
    out = answerer.answer("What does 79/154 say about sex tourism?").to_json()
    assert set(out) == {"question", "answer", "answerable", "citations", "retrieved"}
    assert out["answerable"] is True
    assert out["citations"]
    for c in out["citations"]:
        assert set(c) == {"source", "symbol", "paragraph", "text"}
        assert c["source"] == "A_RES_79_154-2424145E.xml" and c["symbol"] == "A/RES/79/154"
    assert len(out["retrieved"]) == 5
    for r in out["retrieved"]:
        assert {"source", "symbol", "paragraph", "score"} <= set(r)
        assert isinstance(r["score"], float)
    scores = [r["score"] for r in out["retrieved"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "question",
    [
        "What do the resolutions say about the trust fund for victims?",
        "Which resolutions encourage Member States to cooperate against trafficking in persons?",
    ],
)
def test_question_across_resolutions_retrieves_several_documents(
    answerer: ResolutionAnswerer, question: str
) -> None:
    answer = answerer.answer(question)
    assert answer.answerable
    top = answer.retrieved[:5]
    per_doc = Counter(r.doc_id for r in top)
    assert len(per_doc) >= 2, per_doc
    # No answer built on near-copies from one document: at most two per document at the top.
    assert max(per_doc.values()) <= 2, per_doc


@pytest.mark.parametrize(
    "question", ["What does A/RES/79/154 say?", "79/154", "What is E/RES/2021/25 about?"]
)
def test_a_bare_symbol_gets_the_documents_front_matter(
    answerer: ResolutionAnswerer, question: str
) -> None:
    answer = answerer.answer(question)
    assert answer.answerable
    assert [c.label for c in answer.citations] == ["HEADER"]
    assert answer.citations[0].symbol in question or answer.citations[0].symbol.endswith(question)


def test_bodies_and_years_named_in_a_question_are_signals() -> None:
    from bot.retrieval import features as F
    from bot.retrieval.query import analyse

    plan = analyse(
        "Which ECOSOC resolutions adopted in 2024 came on the recommendation of the CCPCJ?", []
    )
    ctx = F.Context(plan, cast(Any, None), {}, set(), [])

    def sig(name: str, body: str, year: int, p: Any = plan, c: Any = ctx) -> float:
        row = F.Row(0, "t", "", {"body": body, "year": year}, 0.0, 0.0)
        return F.SIGNALS[name](c, row)

    assert sig("body", "Economic and Social Council", 2024) == 1.0
    assert sig("year", "Economic and Social Council", 2024) == 1.0
    assert sig("year", "Economic and Social Council", 2021) == -1.0
    assert sig("body", "General Assembly", 2024) == -1.0
    since = analyse(
        "What has the Secretary-General been asked to do on trafficking since 2021?", []
    )
    since_ctx = F.Context(since, cast(Any, None), {}, set(), [])
    assert sig("before_since", "General Assembly", 2023, since, since_ctx) == 0.0
    assert sig("before_since", "General Assembly", 2019, since, since_ctx) == 1.0
