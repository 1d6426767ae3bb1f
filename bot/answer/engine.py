"""The answerer: plan, retrieve, decide whether the corpus answers, compose, verify."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.answer.compose import compose, wants_references
from bot.answer.conversation import is_followup, scope_from_history
from bot.answer.route import Router
from bot.answer.types import Answer, Retrieved, Turn
from bot.answer.verify import verify
from bot.places import place_pattern
from bot.retrieval.hybrid import HybridSearcher
from bot.retrieval.ordinals import ordinal_words
from bot.retrieval.query import AGE_RX, QueryPlan, has_figure, states_a_time
from bot.retrieval.text import index_terms
from ingest.errors import ResbotError

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 4000
_CROSS = re.compile(
    r"\b(?:across|each|every|all|which (?:\w+ ){0,3}resolutions|resolutions|both|compare|list)\b",
    re.I,
)


@dataclass
class Thresholds:
    """When the corpus is taken to answer a question; calibrated on the dev gold sets (README)."""

    min_score: float = 0.505
    cite_ratio: float = 0.995
    cross_ratio: float = 0.85
    max_citations: int = 3
    max_citations_cross: int = 6


class Composer(Protocol):
    """Writes the answer text from chosen paragraphs (extractive, or a language model)."""

    def compose(
        self, question: str, items: list[Retrieved], history: list[Turn], plan: QueryPlan
    ) -> str | None: ...


class ExtractiveComposer:
    def compose(
        self, question: str, items: list[Retrieved], history: list[Turn], plan: QueryPlan
    ) -> str | None:
        return compose(
            items,
            plan.lexical_terms,
            all_notes=wants_references(question),
            keep_also=answer_clause(plan),
        )


def answer_clause(plan: QueryPlan, dates: bool = True) -> Callable[[str], bool] | None:
    """Which clauses of a long paragraph hold what the question asks for (a place, a date,
    a figure, an age), so trimming does not cut the answer out."""
    tests: list[Callable[[str], bool]] = []
    if "place" in plan.answer_types:
        tests.append(lambda c: bool(place_pattern().search(c)))
    if "date" in plan.answer_types and dates:
        tests.append(states_a_time)
    if "number" in plan.answer_types:
        tests.append(has_figure)
    if "age" in plan.answer_types:
        tests.append(lambda c: bool(AGE_RX.search(c)))
    if not tests:
        return None
    return lambda clause: any(t(clause) for t in tests)


# How close to the best score a paragraph that holds the asked-for fact may be to go first.
ANSWER_FIRST_RATIO = 0.9


def answer_first(
    ranked: list[Retrieved], rel: list[float], plan: QueryPlan
) -> tuple[list[Retrieved], list[float]]:
    """For "where", "how many" and "what age": of the paragraphs nearly as strong as the best,
    the first that holds a place, a figure or an age goes first.

    "Where will the Congress be held?" is not answered by the paragraph on how its high-level
    segment is held, however close its wording, but by the one that names Abu Dhabi.
    """
    # Dates are left out: "Recalling its resolution 70/1 of 25 September 2015" holds one
    # in nearly every preamble, and says nothing of when.
    holds = answer_clause(plan, dates=False)
    if holds is None or not ranked or holds(ranked[0].text_with_notes):
        return ranked, rel
    floor = rel[0] * ANSWER_FIRST_RATIO
    for i, (item, r) in enumerate(zip(ranked, rel, strict=False)):
        if r < floor:
            break
        if holds(item.text_with_notes):
            order = [i, *(j for j in range(len(ranked)) if j != i)]
            return [ranked[j] for j in order], [rel[j] for j in order]
    return ranked, rel


def relevance(item: Retrieved, weight: float = 0.5) -> float:
    """The fused retrieval score (dense, coverage, lexical, structural hints)."""
    return item.score


_ABOUT = re.compile(
    r"\b(?:about|regarding|concerning|on the (?:topic|issue|question) of)\s+(.+?)[?.!]*$", re.I
)


def topic_gap(plan: QueryPlan, vocab: set[str], title_terms: set[str] | None = None) -> str | None:
    """The subject of "... say about X?" when no resolution in scope mentions X at all.

    A threshold on retrieval scores cannot tell "the corpus has a near miss" from
    "the corpus answers"; a subject absent from the whole vocabulary can
    ("cryptocurrencies"). Acronyms count as present when their long form is, everyday
    words when their drafting equivalent is. For a question about one resolution, `vocab`
    is that resolution's and words of its title are left out of the subject: in "what does
    the Haiti resolution say about rebuilding after the earthquake", "Haiti" names the
    document, the subject is the rebuilding.
    """
    m = _ABOUT.search(plan.question)
    if not m:
        return None
    expanded = {t for longs in plan.expansions.values() for x in longs for t in index_terms(x)}
    subject = [t for t in index_terms(m.group(1)) if t in plan.key_terms and not t.isdigit()]
    if title_terms and any(t not in title_terms for t in subject):
        subject = [t for t in subject if t not in title_terms]
    prefixes = {w[:5] for w in vocab if len(w) >= 5}

    def present(t: str) -> bool:
        if t in vocab or t in expanded or (len(t) >= 5 and t[:5] in prefixes):
            return True
        return any(all(x in vocab for x in alt) for alt in plan.alternatives.get(t, ()))

    missing = [t for t in subject if not present(t)]
    if subject and len(missing) == len(subject):
        return " ".join(subject)
    return None


def answer_type_gap(plan: QueryPlan, items: list[Retrieved]) -> bool:
    """A "how many", "when" or "what age" question, or one naming an ordinal, that none of the
    best paragraphs can answer: they are on the subject but hold no figure or date to give."""
    if "number" in plan.answer_types and not any(has_figure(i.text) for i in items):
        return True
    if (
        "date" in plan.answer_types
        and not plan.intents
        and not any(states_a_time(i.text) for i in items if i.label != "HEADER")
    ):
        # "What deadline does it set?": the adoption date in the front matter is not a deadline.
        return True
    if "age" in plan.answer_types and not any(AGE_RX.search(i.text_with_notes) for i in items):
        return True
    if plan.ordinals:
        wanted = [ordinal_words(o) for o in plan.ordinals]
        return not any(all(w in i.text.lower() for w in wanted) for i in items)
    return False


def matches_filters(item: Retrieved, plan: QueryPlan) -> bool:
    """Bodies and years the question names ("ECOSOC resolutions adopted in 2024") as filters."""
    body = str(item.metadata.get("body") or "").lower()
    if plan.bodies and body and not any(b.lower() in body for b in plan.bodies):
        return False
    year = item.metadata.get("year")
    if plan.years and isinstance(year, int) and year not in plan.years:
        return False
    return not (plan.since_year and isinstance(year, int) and year < plan.since_year)


class ResolutionAnswerer:
    """The `Answerer` the CLI, Slack and the evaluation use."""

    def __init__(
        self,
        searcher: HybridSearcher,
        k: int = 5,
        composer: Composer | None = None,
        thresholds: Thresholds | None = None,
        routers: Sequence[Router] = (),
        rewriter: Any = None,
    ) -> None:
        self.searcher = searcher
        self.k = k
        self.composer = composer
        self.extractive = ExtractiveComposer()
        self.t = thresholds or Thresholds()
        self.routers = list(routers)
        self.rewriter = rewriter

    def document_count(self) -> int:
        return len(self.searcher.index().doc_rows)

    def decline(
        self, question: str, plan: QueryPlan | None, retrieved: list[Retrieved], why: str = ""
    ) -> Answer:
        n = self.document_count()
        text = why or f"I found nothing on that in the {n} resolutions I have."
        scope = {"doc_ids": plan.doc_ids if plan else [], "question": question}
        return Answer(question, text, False, [], retrieved, mode="declined", scope=scope)

    def plan_for(self, question: str, history: list[Turn]) -> QueryPlan:
        effective = question
        scope_docs: list[str] = []
        if history and is_followup(question):
            if self.rewriter is not None:
                rewritten = self.rewriter.rewrite(question, history)
                if rewritten:
                    effective = rewritten
            scope = scope_from_history(history)
            scope_docs = scope.doc_ids
            plan = self.searcher.plan(effective)
            if not plan.doc_ids and scope_docs:
                plan.doc_ids = scope_docs
            if effective == question and scope.context:
                # Earlier questions give the topic: "that session", "the fund".
                extra = self.searcher.plan(scope.context)
                for term in extra.lexical_terms:
                    if term not in plan.lexical_terms:
                        plan.lexical_terms.append(term)
                plan.dense_text = f"{plan.dense_text} ({scope.context})"
            return plan
        return self.searcher.plan(effective)

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        history = history or []
        question = question.strip()
        if not question:
            raise ResbotError("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise ResbotError(
                f"the question is too long ({len(question)} characters; limit {MAX_QUESTION_CHARS})"
            )
        # Questions about obligations across the corpus go to the mandate table;
        # a follow-up stays with the document the conversation is about.
        followup = bool(history and is_followup(question))
        for router in self.routers:
            if followup and not getattr(router, "answers_followups", False):
                continue
            routed = router.maybe_answer(question, history)
            if routed is not None:
                if not routed.retrieved:
                    routed.retrieved = [
                        Retrieved(
                            c.doc_id, c.symbol, c.label, c.source, c.text, 1.0, ["mandate table"]
                        )
                        for c in routed.citations
                    ]
                return routed
        plan = self.plan_for(question, history)
        if plan.unresolved_symbols and not plan.doc_ids:
            return self.decline(
                question,
                plan,
                [],
                f"I don't have {', '.join(plan.unresolved_symbols)} among the "
                f"{self.document_count()} resolutions I hold.",
            )
        if plan.symbol_mentions and plan.doc_ids and not plan.key_terms and not plan.labels:
            # "What is A/RES/79/154?": nothing to search for but the document itself.
            plan.intents.add("overview")
        ranked = self.searcher.search(plan, k=max(self.k, 10))
        retrieved = ranked[: self.k]
        if not ranked:
            return self.decline(question, plan, [])
        rel = [relevance(r) for r in ranked]
        best = rel[0]
        labelled = [
            r for r in ranked if plan.labels and r.label in plan.labels and r.doc_id in plan.doc_ids
        ]
        if "overview" in plan.intents:
            labelled = [r for r in ranked if r.label == "HEADER" and r.doc_id in plan.doc_ids][:1]
        if not labelled:
            if best < self.t.min_score:
                return self.decline(question, plan, retrieved)
            gap = self._topic_gap(plan)
            if gap or answer_type_gap(plan, ranked[:5]):
                log.info("declining: the corpus does not mention %r", gap or "the figure asked for")
                return self.decline(question, plan, retrieved)
        if "sponsors" in plan.intents and plan.doc_ids and not self._has_sponsors(plan.doc_ids):
            return self.decline(
                question,
                plan,
                retrieved,
                "The text I have of that resolution does not name its sponsors.",
            )
        if not labelled and not plan.intents:
            ranked, rel = answer_first(ranked, rel, plan)
        chosen = self.choose(ranked, rel, plan, labelled)
        text: str | None = None
        mode = "extractive"
        if self.composer is not None:
            text = self.composer.compose(
                question, ranked[: max(self.k, len(chosen))], history, plan
            )
            if text:
                checked = verify(
                    text, ranked[: max(self.k, len(chosen))], require_citation_per_sentence=True
                )
                if checked.citations:
                    return Answer(
                        question,
                        checked.text,
                        True,
                        checked.citations,
                        retrieved,
                        mode="llm",
                        scope={"doc_ids": plan.doc_ids, "question": plan.question},
                        notes=[f"removed invalid citation {r}" for r in checked.removed],
                    )
                log.info(
                    "model answer had no valid citation; falling back to the extractive answer"
                )
        text = self.extractive.compose(question, chosen, history, plan)
        checked = verify(text or "", chosen)
        if not checked.citations:
            return self.decline(question, plan, retrieved)
        return Answer(
            question,
            checked.text,
            True,
            checked.citations,
            retrieved,
            mode=mode,
            scope={"doc_ids": plan.doc_ids, "question": plan.question},
        )

    def choose(
        self, ranked: list[Retrieved], rel: list[float], plan: QueryPlan, labelled: list[Retrieved]
    ) -> list[Retrieved]:
        if labelled:
            return labelled[: self.t.max_citations]
        best = rel[0]
        cross = bool(_CROSS.search(plan.question)) and len(plan.doc_ids) != 1
        chosen: list[Retrieved] = [ranked[0]]
        if cross:
            # One paragraph per resolution, as long as it is nearly as strong as the best.
            docs = {ranked[0].doc_id}
            for item, r in zip(ranked[1:], rel[1:], strict=False):
                if len(chosen) >= self.t.max_citations_cross:
                    break
                if not matches_filters(item, plan):
                    continue
                if item.doc_id not in docs and r >= max(
                    self.t.min_score, best * self.t.cross_ratio
                ):
                    chosen.append(item)
                    docs.add(item.doc_id)
        else:
            # A second paragraph only when it is as strong as the first and answers a part
            # of the question the first does not: every extra citation is one more chance
            # to cite something that does not answer.
            covered = set(index_terms(ranked[0].text)) & set(plan.own_terms)
            for item, r in zip(ranked[1:], rel[1:], strict=False):
                if len(chosen) >= self.t.max_citations:
                    break
                if r < max(self.t.min_score, best * self.t.cite_ratio):
                    continue
                adds = (set(index_terms(item.text)) & set(plan.own_terms)) - covered
                if adds or not plan.own_terms:
                    chosen.append(item)
                    covered |= adds
        if plan.intents and plan.doc_ids:
            headers = [r for r in ranked if r.label == "HEADER" and r.doc_id in plan.doc_ids]
            chosen = (
                headers[:1] + [c for c in chosen if c not in headers][: self.t.max_citations - 1]
            )
        return chosen

    def _topic_gap(self, plan: QueryPlan) -> str | None:
        index = self.searcher.index()
        if len(plan.doc_ids) != 1:
            return topic_gap(plan, index.vocab)
        rows = index.doc_rows.get(plan.doc_ids[0], [])
        title = str(index.metas[rows[0]].get("title") or "") if rows else ""
        title_terms = set(index_terms(title))
        return topic_gap(plan, set(index.doc_terms(plan.doc_ids[0])) | title_terms, title_terms)

    def _has_sponsors(self, doc_ids: list[str]) -> bool:
        for doc in doc_ids:
            rec = self.searcher.store.get_doc(doc)
            if rec and rec.metadata.get("sponsors") not in (None, "", "[]"):
                return True
        return False
