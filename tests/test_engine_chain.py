"""The answering chain's own logic, over a real local Chroma store of synthetic resolutions and a
hashed bag-of-words embedder: stages, citation cap, lists of resolutions, conversation state,
asking back, the fitted-model seams. No model is loaded; every test runs in milliseconds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import HashingEmbedder

from bot.answer import decide as D
from bot.answer.conversation import ConversationState, full_name, resolve
from bot.answer.decide import Decider
from bot.answer.engine import MAX_CITATIONS, ResolutionAnswerer
from bot.answer.types import Answer, Citation, Turn
from bot.retrieval import features as F
from bot.retrieval.hybrid import HybridSearcher, load_ranking_model
from bot.retrieval.lexical import LexicalIndexCache
from bot.retrieval.query import analyse
from bot.retrieval.scoring import LinearModel, ModelFileError
from bot.retrieval.text import index_terms
from ingest.pipeline import Ingestor
from ingest.store import open_local_store

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
 <statement name="resolution">
  <coverPage><p><docNumber refersTo="#symbol">A/RES/85/{n}</docNumber></p></coverPage>
  <preface><p><docTitle>{title}</docTitle></p></preface>
  <preamble><container name="Recalling"><p><span class="italic">Recalling</span> {pp},</p></container></preamble>
  <mainBody>
"""
_OP = (
    '<paragraph class="SingleTxt"><num>{i}.</num><content><p><span class="italic">{verb}</span>'
    " {text};</p></content></paragraph>"
)
_TAIL = """  </mainBody>
 </statement>
</akomaNtoso>
"""


def _akn(n: int, title: str, pp: str, ops: list[tuple[str, str]]) -> str:
    body = "".join(_OP.format(i=i, verb=v, text=t) for i, (v, t) in enumerate(ops, 1))
    return _HEAD.format(n=n, title=title, pp=pp) + body + _TAIL


def _by_coverage() -> LinearModel:
    """A ranking that prefers covered question terms, then similarity (a test's own weights)."""
    w = {"coverage": 3.0, "dense": 1.0, "label_asked": 20.0, "in_scope": 0.5}
    return LinearModel(F.NAMES, np.array([w.get(n, 0.0) for n in F.NAMES]))


def _decider(min_coverage: float = 0.6, extra: float = 0.5) -> Decider:
    """Answer when the best paragraph covers most of the question (a test's own model)."""
    w = np.array([40.0 if n == "top_coverage" else 0.0 for n in D.NAMES])
    model = LinearModel(D.NAMES, w, bias=-40.0 * min_coverage, threshold=0.5)
    model.info["extra_threshold"] = extra
    return Decider(model)


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> ResolutionAnswerer:
    root = tmp_path_factory.mktemp("chain")
    files = root / "files"
    files.mkdir()
    (files / "A_RES_85_1.xml").write_text(
        _akn(
            1,
            "Combating wildlife trafficking",
            "its resolution 70/1 on the 2030 Agenda",
            [
                ("Urges", "Member States to criminalize poaching of elephants and rhinos"),
                (
                    "Requests",
                    "the United Nations Office on Drugs and Crime to report to the Commission "
                    "on Crime Prevention and Criminal Justice on wildlife seizures",
                ),
                ("Decides", "to convene a high-level meeting on wildlife in Nairobi"),
                ("Invites", "the Office to share data on seizures of pangolin scales"),
            ],
        )
    )
    # Twenty resolutions that each welcome the same initiative: a "which resolutions" list.
    for n in range(2, 22):
        (files / f"A_RES_85_{n}.xml").write_text(
            _akn(
                n,
                f"Cooperation with regional organization number {n}",
                "the charter of the regional organization",
                [("Welcomes", f"the ocean literacy initiative of regional organization {n}")],
            )
        )
    store = open_local_store(root / "store", "resbot", "hashing-test-embedder")
    embedder: Any = HashingEmbedder()
    report = Ingestor(store, embedder).ingest([files])
    assert report.ok, report.failures
    searcher = HybridSearcher(
        store, embedder, LexicalIndexCache(store, root / "cache"), model=_by_coverage()
    )
    return ResolutionAnswerer(searcher, decider=_decider())


def test_the_chain_is_a_runnable_with_invoke_batch_and_stream(
    answerer: ResolutionAnswerer,
) -> None:
    q = {"question": "What does resolution 85/1 ask about elephants and rhinos?", "history": []}
    one = answerer.chain.invoke(q)
    assert isinstance(one, Answer) and one.answerable
    assert [c.display for c in one.citations] == ["A/RES/85/1, OP1"]
    assert [a.citations[0].display for a in answerer.chain.batch([q, q])] == ["A/RES/85/1, OP1"] * 2
    streamed = list(answerer.chain.stream(q))
    assert streamed and streamed[-1].citations[0].display == "A/RES/85/1, OP1"


def test_a_question_the_store_does_not_cover_is_declined(answerer: ResolutionAnswerer) -> None:
    a = answerer.answer("What is the price of cocoa futures in Chicago?")
    assert not a.answerable and not a.citations and a.mode == "declined"


def test_which_resolutions_lists_documents_and_never_passes_twelve_citations(
    answerer: ResolutionAnswerer,
) -> None:
    a = answerer.answer("Which resolutions mention the ocean literacy initiative?")
    assert a.answerable
    assert 1 < len(a.citations) <= MAX_CITATIONS
    assert len({c.doc_id for c in a.citations}) == len(a.citations)  # one per resolution
    assert a.text.startswith("- A/RES/85/")
    assert "more" in a.text  # twenty answer; the rest are counted, not cited


def test_the_next_paragraph_follows_the_one_cited_last(answerer: ResolutionAnswerer) -> None:
    first = answerer.answer("What does 85/1 urge about elephants and rhinos?")
    turn = Turn(first.question, first.text, first.citations, first.scope)
    nxt = answerer.answer("and the next one?", [turn])
    assert [c.display for c in nxt.citations] == ["A/RES/85/1, OP2"]
    same = answerer.answer("which paragraph says that?", [turn])
    assert [c.display for c in same.citations] == ["A/RES/85/1, OP1"]


def test_pointing_back_with_nothing_to_point_at_asks_back(answerer: ResolutionAnswerer) -> None:
    a = answerer.answer("and the next paragraph?")
    assert not a.answerable and a.mode == "clarify" and "Which resolution" in a.text


def test_conversation_state_swaps_the_actor_and_names_the_office() -> None:
    cited = Citation(
        "A/RES/85/1",
        "A/RES/85/1",
        "OP2",
        "x.xml",
        "Requests the United Nations Office on Drugs and Crime to report to the Commission",
    )
    turn = Turn(
        "What must UNODC report on wildlife?",
        "…",
        [cited],
        {
            "doc_ids": ["A/RES/85/1"],
            "question": "What must UNODC report on wildlife?",
            "actor": "UNODC",
        },
    )
    state = ConversationState.from_history([turn])
    swapped = resolve("and for the Secretary-General?", state)
    assert swapped.question == "What must the Secretary-General report on wildlife?"
    assert swapped.doc_ids == ["A/RES/85/1"]
    office = resolve("what else does the Office do there?", state)
    assert "United Nations Office on Drugs and Crime" in office.question
    assert full_name("Office", cited.text) == "United Nations Office on Drugs and Crime"


def test_the_decision_model_and_weights_are_data_not_code(tmp_path: Path) -> None:
    shipped = load_ranking_model()
    assert shipped.features == F.NAMES and shipped.weights.any()
    d = Decider()
    assert 0.0 < d.threshold < 1.0
    # A file fitted for another list of signals still loads: unknown ones are ignored,
    # missing ones count zero.
    model = LinearModel.from_json(
        {"features": ["dense", "gone"], "weights": [2.0, 5.0], "bias": 1.0}, F.NAMES
    )
    assert model.weights[F.NAMES.index("dense")] == 2.0 and model.bias == 1.0
    assert model.weights.sum() == 2.0
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(ModelFileError):
        LinearModel.load(bad, F.NAMES)


@pytest.mark.parametrize(
    ("question", "text", "holds"),
    [
        ("How many parties have ratified it?", "Noting that 173 States are parties", True),
        ("How many parties have ratified it?", "Recalling resolution 582 (1986)", False),
        ("Where will the Congress be held?", "Decides to hold the Congress in Abu Dhabi", True),
        ("What age does it set?", "persons under the age of 18 years", True),
        ("When is the report due?", "at its eighty-first session", True),
        ("When is the report due?", "Encourages States to cooperate", False),
    ],
)
def test_the_kind_of_fact_asked_for_is_a_signal(question: str, text: str, holds: bool) -> None:
    plan = analyse(question, [])
    row = F.Row(row=0, text=text, notes="", meta={}, dense=0.0, bm25=0.0)
    ctx = F.Context(plan, Any, {}, set(), [])  # type: ignore[arg-type]
    assert F.SIGNALS["type_match"](ctx, row) == float(holds)
    assert F.SIGNALS["type_missing"](ctx, row) == float(not holds)


def test_specific_terms_are_names_figures_and_spelt_out_acronyms() -> None:
    plan = analyse("What does UNODC do in Tajikistan with the 2025 funds?", [])
    plan.expansions = {"UNODC": ["United Nations Office on Drugs and Crime"]}
    terms = F.specific_terms(plan)
    assert "tajikistan" in terms and "2025" in terms and "drug" in terms
    assert "fund" not in terms


def test_the_addressee_of_an_operative_verb_is_matched_against_the_question() -> None:
    wanted = set(index_terms("Commission on the Status of Women"))
    op = "Encourages the Commission on the Status of Women to consider the issue"
    assert F.addressed(op, wanted) == "the Commission on the Status of Women"
    assert (
        F.addressed("Welcoming the work of the Commission on the Status of Women", wanted) is None
    )
    assert F.addressed("Encourages the private sector to cooperate", {"sector"}) is None
    assert F.addressed(op, set(index_terms("What must the Commission do?"))) is None


def test_a_part_of_a_resolution_in_parts_is_answered_from_that_part(
    corpus: Path, tmp_path: Path
) -> None:
    """A/RES/79/258 is adopted in numbered parts (I-OP1 … XXV-OP3): "part II" scopes the answer."""
    [path] = (corpus / "ga-akn" / "79session").glob("A_RES_79_258-*.xml")
    store = open_local_store(tmp_path / "store", "resbot", "hashing-test-embedder")
    embedder: Any = HashingEmbedder()
    assert Ingestor(store, embedder).ingest([path]).ok
    searcher = HybridSearcher(
        store, embedder, LexicalIndexCache(store, tmp_path / "cache"), model=_by_coverage()
    )
    answerer = ResolutionAnswerer(searcher, decider=_decider(min_coverage=0.3))
    a = answerer.answer("What does part II of resolution 79/258 reaffirm?")
    assert a.answerable and a.citations
    assert all(c.label.startswith("II-") for c in a.citations), [c.label for c in a.citations]
