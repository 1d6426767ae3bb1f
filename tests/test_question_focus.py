"""What a question asks for, and the paragraph that gives it: answer types, everyday words,
addressees, quoted words, subjects a resolution never mentions.

The first half checks the pieces on hand-made text; the second half asks a small real store
(seed, E/RES/2021/25, E/RES/2024/12, A/RES/79/154) with the real model, in wordings that are
not those of the gold sets.
"""

from __future__ import annotations

from typing import Any, cast

import pytest
from conftest import lenient_decider

from bot.answer.decide import topic_present
from bot.answer.engine import ResolutionAnswerer
from bot.answer.factory import build_answerer
from bot.answer.types import Retrieved
from bot.places import places_in
from bot.retrieval.features import addressed, contains_phrase, weighted_coverage
from bot.retrieval.hybrid import lexical_query
from bot.retrieval.paraphrase import alternatives
from bot.retrieval.query import AGE_RX, analyse, names_in, spell_out
from bot.retrieval.text import index_terms


# -- the pieces ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "wanted", "unwanted"),
    [
        ("Where does the Group of Experts meet?", {"place"}, {"date"}),
        ("How long is that session, and where?", {"place", "date"}, set()),
        ("Which country hosts the institute?", {"place"}, set()),
        ("What minimum age of criminal responsibility does it recommend?", {"age"}, {"place"}),
        ("How old must a child be to be tried?", {"age"}, set()),
        ("Who are listed as partners of the Coordination Group?", {"names"}, set()),
        # "where" inside a clause is not a question about a place
        ("What happens in cases where victims are prosecuted?", set(), {"place"}),
        ("What does it say about the ageing of the population?", set(), {"age"}),
        # "which age group" is answered by "children" or "youth", not by a number
        ("Which age group does the resolution focus on?", set(), {"age"}),
    ],
)
def test_answer_types(question: str, wanted: set[str], unwanted: set[str]) -> None:
    types = analyse(question, []).answer_types
    assert wanted <= types
    assert not (unwanted & types)


def test_places_and_ages_are_recognised_in_paragraph_text() -> None:
    text = "Decides that the Group shall convene its sessions in New York or in Viet Nam"
    assert places_in(text) == ["New York", "Viet Nam"]
    assert places_in("the chad of a punched card") == []  # case-sensitive: not the State
    assert AGE_RX.search("children under the age of 18 years")
    assert AGE_RX.search("persons aged fourteen")
    assert not AGE_RX.search("age- and gender-sensitive approaches")
    assert not AGE_RX.search("in the age of digital technologies")


def test_acronyms_are_spelt_out_for_the_encoder() -> None:
    plan = analyse("What are MS encouraged to develop SOPs for?", [])
    assert plan.dense_text == (
        "What are Member States encouraged to develop standard operating procedures for?"
    )
    assert spell_out("UNODC and the SG", {"SG": ["Secretary-General"]}) == (
        "UNODC and the Secretary-General"
    )


def test_everyday_words_count_through_their_drafting_equivalents() -> None:
    plan = analyse("Are kids picked up by terror groups victims?", [])
    assert ("children",) in plan.alternatives["kids"]
    assert ("terrorist",) in plan.alternatives["terror"]
    drafted = set(index_terms("children recruited by terrorist groups are victims"))
    plain = set(index_terms("persons recruited by groups are victims"))
    idf = {t: 1.0 for t in plan.lexical_terms}
    drafted_f, plain_f = frozenset(drafted), frozenset(plain)
    assert weighted_coverage(plan.lexical_terms, drafted_f, idf, plan.alternatives) > (
        weighted_coverage(plan.lexical_terms, plain_f, idf, plan.alternatives)
    )
    # Without the table the drafted paragraph gets no credit for "kids" or "terror".
    assert weighted_coverage(plan.lexical_terms, drafted_f, idf, {}) < weighted_coverage(
        plan.lexical_terms, drafted_f, idf, plan.alternatives
    )


def test_bm25_gets_drafting_words_only_for_words_the_corpus_never_uses() -> None:
    class Index:
        vocab = {"meet", "session", "convene", "children"}

    plan = analyse("Do kids meet the experts?", [])
    query = lexical_query(plan, cast(Any, Index()))
    assert "children" in query  # "kids" is not in the corpus
    assert "convene" not in query  # "meet" is
    assert alternatives(["resolution"]) == {}


def test_the_addressee_of_an_operative_verb_is_matched_against_the_question() -> None:
    plan = analyse("Does the resolution give the CSW anything to do?", [])
    op = "Encourages the Commission on the Status of Women to consider addressing the needs"
    pp = "Welcoming the agreed conclusions of the Commission on the Status of Women"
    assert addressed(op, set(plan.own_terms)) == "the Commission on the Status of Women"
    assert addressed(pp, set(plan.own_terms)) is None  # mentioned, not asked to act
    sectors = analyse("Officials of which sectors should receive training?", [])
    # One shared word does not make "the private sector" the actor asked about.
    assert addressed("Encourages the private sector to cooperate", set(sectors.own_terms)) is None
    short = analyse("What does 79/242 ask the African institute to send?", [])
    assert addressed(
        "and requests the Institute to provide its annual report", set(short.own_terms)
    )


def test_quoted_words_must_appear_in_order() -> None:
    plan = analyse('How does it explain its use of the word "survivors"?', [])
    assert plan.quoted == [["survivor"]]
    assert contains_phrase(index_terms("victims and survivors of trafficking"), ["survivor"])
    two = analyse("Where does it say “due diligence”?", []).quoted[0]
    assert contains_phrase(index_terms("exercise due diligence to"), two)
    assert not contains_phrase(index_terms("diligence is due"), two)


def test_names_are_counted_for_list_questions() -> None:
    footnote = (
        "The Council of Europe, the International Labour Organization, the International "
        "Organization for Migration and the Office of the United Nations High Commissioner"
    )
    assert len(names_in(footnote)) >= 4
    assert names_in("all relevant stakeholders") == set()


def test_age_questions_need_a_paragraph_that_states_an_age() -> None:
    from bot.retrieval import features as F

    plan = analyse("What minimum age of criminal responsibility does it recommend?", [])

    def holds(text: str) -> float:
        row = F.Row(row=0, text=text, notes="", meta={}, dense=0.0, bm25=0.0)
        return F.SIGNALS["type_match"](F.Context(plan, cast(Any, None), {}, set(), []), row)

    assert holds("children ... treated in an age-sensitive way") == 0.0
    assert holds("below the age of 14 years") == 1.0


def test_a_subject_absent_from_the_resolution_is_a_gap_even_if_its_title_word_is_there() -> None:
    plan = analyse("What does the resolution say about rebuilding Haiti after the earthquake?", [])
    vocab = set(index_terms("Ad Hoc Advisory Group on Haiti long-term development"))
    title = set(index_terms("Ad Hoc Advisory Group on Haiti"))
    assert topic_present(plan, vocab, title) == 0.0
    # Across the store "Haiti" alone is enough to keep part of the question.
    assert topic_present(plan, vocab, set()) > 0.0
    covered = analyse("What does the resolution say about long-term development in Haiti?", [])
    assert topic_present(covered, vocab, title) == 1.0


# -- a small real store --------------------------------------------------------------
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


def _cited(answerer: ResolutionAnswerer, question: str) -> list[str]:
    answer = answerer.answer(question)
    assert answer.answerable, answer.text
    return [f"{c.symbol}, {c.label}" for c in answer.citations]


@pytest.mark.model
def test_everyday_words_find_the_drafted_paragraph(answerer: ResolutionAnswerer) -> None:
    for question in (
        "Does 2024/12 say kids used by terror groups are victims themselves?",
        "Are children exploited by terrorists treated as victims under 2024/12?",
    ):
        answer = answerer.answer(question)
        top5 = [f"{r.symbol}, {r.label}" for r in answer.retrieved[:5]]
        assert "E/RES/2024/12, OP3" in top5, (question, top5)


@pytest.mark.model
def test_the_body_asked_to_act_is_cited_not_the_one_welcomed(answerer: ResolutionAnswerer) -> None:
    cited = _cited(
        answerer, "Is there any task for the Commission on the Status of Women in 79/154?"
    )
    assert cited[0] == "A/RES/79/154, OP9"


@pytest.mark.model
def test_an_age_the_resolution_never_states_is_declined(shipped: ResolutionAnswerer) -> None:
    answer = shipped.answer(
        "What is the minimum age of criminal responsibility set by E/RES/2024/12?"
    )
    assert not answer.answerable and answer.citations == []


@pytest.mark.model
def test_a_subject_one_resolution_never_mentions_is_declined(
    answerer: ResolutionAnswerer,
) -> None:
    answer = answerer.answer(
        "What does E/RES/2021/25 say about trafficking carried out with cryptocurrencies?"
    )
    assert not answer.answerable and answer.citations == []
    # The same resolution on a subject it does treat is answered.
    assert answerer.answer("What does E/RES/2021/25 say about the trust fund?").answerable


@pytest.mark.model
def test_spelt_out_acronyms_lift_a_scoped_question_over_the_threshold(
    answerer: ResolutionAnswerer,
) -> None:
    cited = _cited(answerer, "Under E/RES/2021/25, what SOPs should MS think about developing?")
    assert cited == ["E/RES/2021/25, OP8"]


# -- footnotes in the answer ---------------------------------------------------------
def test_every_matching_footnote_is_quoted_and_references_when_asked() -> None:
    from bot.answer.compose import compose, wants_references

    item = Retrieved(
        "A/RES/78/228",
        "A/RES/78/228",
        "PP5",
        "f",
        "Recalling also the targets of the Sustainable Development Goals on violence,",
        1.0,
        metadata={
            "kind": "preambular",
            "footnotes_list": ["Resolution 70/1.", "Target 5.2.", "Target 8.7.", "Target 16.2."],
        },
    )
    terms = analyse("Which SDG targets does it recall?", []).lexical_terms
    text = compose([item], terms)
    assert "Its footnotes: “Target 5.2; Target 8.7; Target 16.2” [A/RES/78/228, PP5]" in text
    assert "70/1" not in text  # does not match the question
    report = Retrieved(
        "A/RES/79/154",
        "A/RES/79/154",
        "OP1",
        "f",
        "Takes note of the report of the Secretary-General;",
        1.0,
        metadata={"kind": "operative", "verb": "Takes note", "footnotes_list": ["A/79/322."]},
    )
    question = "What is the document symbol of the Secretary-General's report?"
    assert wants_references(question)
    with_notes = compose([report], analyse(question, []).lexical_terms, all_notes=True)
    assert "Its footnote: “A/79/322” [A/RES/79/154, OP1]" in with_notes
    assert "A/79/322" not in compose([report], analyse(question, []).lexical_terms)


def test_document_references_and_dates_are_not_figures() -> None:
    from bot.retrieval.query import has_figure

    assert not has_figure("Recalling its resolutions 582 (1986) and 588 (1986),")
    assert not has_figure("Acting under Articles 39 and 40 of the Charter,")
    assert not has_figure("Resolution 598 (1987) of 20 July 1987, adopted at its 2750th meeting")
    assert not has_figure("held in Bangkok on 13 and 14 December 2022 and on 14\u201318 May")
    assert not has_figure("(A/78/482, para. 29) at its fifty-third regular session")
    assert has_figure("twenty-five States")
    assert has_figure("the Protocol, which has 173 parties")
    assert has_figure("a team of 50 observers")


@pytest.mark.model
@pytest.mark.parametrize(
    "question", ["What is the capital of Australia?", "How do I bake sourdough bread?"]
)
def test_questions_from_outside_the_subject_are_declined(
    shipped: ResolutionAnswerer, question: str
) -> None:
    answer = shipped.answer(question)
    assert not answer.answerable and answer.citations == []


# -- a resolution named by its subject -------------------------------------------------
@pytest.mark.parametrize(
    ("question", "terms"),
    [
        (
            "What does the resolution on wildlife trafficking ask of UNODC?",
            ["wildlife", "traffick"],
        ),
        ("Does the GA's 2024 res on trafficking in women & girls task the CSW?", None),
        ("What does the trafficking resolution say about climate finance?", ["traffick"]),
        ("What does the present resolution decide?", []),
        # the body that adopted it is not its subject
        ("What does the Third Committee resolution ask of States?", []),
        ("What did the GA decide about the Crime Congress in resolution 79/186?", []),
    ],
)
def test_subject_a_question_names_a_resolution_by(question: str, terms: list[str] | None) -> None:
    from bot.retrieval.query import title_hint

    found = title_hint(question)
    if terms is None:
        assert set(found) == {"traffick", "women", "girl"}
    else:
        assert found == terms


def test_titles_single_out_the_resolutions_a_question_names() -> None:
    from bot.retrieval.hybrid import MAX_TITLED_DOCS, titled_docs

    class Index:
        def __init__(self, titles: dict[str, str]) -> None:
            self.doc_rows = {doc: [i] for i, doc in enumerate(titles)}
            self.metas = [{"title": t} for t in titles.values()]

    store = Index(
        {
            "A/RES/79/313": "Tackling illicit trafficking in wildlife",
            "A/RES/79/154": "Trafficking in women and girls",
            "A/RES/79/198": "Protection of global climate for present and future generations",
        }
    )
    plan = analyse("What does the resolution on wildlife trafficking ask of UNODC?", [])
    assert titled_docs(cast(Any, store), plan) == ["A/RES/79/313"]
    kids = analyse("What does the resolution on kids and women ask?", [])
    assert titled_docs(cast(Any, Index({"d": "Protecting children and women"})), kids) == ["d"]
    many = Index({f"d{i}": "Trafficking in persons" for i in range(MAX_TITLED_DOCS + 1)})
    broad = analyse("What does the trafficking resolution say?", [])
    assert titled_docs(cast(Any, many), broad) == []  # names no resolution in particular


@pytest.mark.model
def test_a_resolution_named_by_subject_is_searched_alone_and_followed(
    answerer: ResolutionAnswerer,
) -> None:
    from bot.answer.types import Turn

    first = answerer.answer(
        "What does the resolution on trafficking in women and girls ask the Secretary-General?"
    )
    assert first.answerable
    assert {r.doc_id for r in first.retrieved} == {"A/RES/79/154"}
    assert {c.doc_id for c in first.citations} == {"A/RES/79/154"}
    turn = Turn(first.question, first.text, first.citations, first.scope)
    follow = answerer.answer("and by when?", [turn])
    assert {c.doc_id for c in follow.citations} == {"A/RES/79/154"}


@pytest.mark.parametrize(
    "question",
    [
        "What reporting does 79/186 require from the Secretary-General?",
        "What is UNODC expected to deliver?",
        "What is the Office required to do?",
    ],
)
def test_duty_questions_in_other_words(question: str) -> None:
    plan = analyse(question, [])
    assert plan.duty
    assert "requests" in plan.verb_hints


def test_trimming_keeps_the_clause_that_holds_the_place_asked_for() -> None:
    from bot.answer.compose import trim
    from bot.answer.engine import answer_clause

    text = (
        "Decides that the Group of Experts shall convene its sessions every two years, "
        + "with a bureau elected at each session and rules of procedure adopted by consensus; " * 6
        + "the sessions shall be held in New York, with the option to convene elsewhere"
    )
    plan = analyse("Where does the Group of Experts meet?", [])
    keep = answer_clause(plan)
    assert keep is not None
    assert "New York" in trim(text, ["expert"], max_words=40, keep_also=keep)
    assert answer_clause(analyse("What does it say about victims?", [])) is None
