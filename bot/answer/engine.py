"""The answerer: a LangChain Runnable of explicit stages, each passed once.

    plan ─► route ─► retrieve ─► decide ─► compose ─► verify ─► Answer

* plan: conversation state and reference resolution (`conversation.py`), then query
  understanding (`bot/retrieval/query.py`).
* route: routers for questions a derived table answers (mandates, series, records).
* retrieve: dense + BM25 candidates scored over named signals with fitted weights.
* decide: one calibrated model of "the best paragraph answers this" (`decide.py`).
* compose: extractive (default) or a language model, behind the `Composer` Protocol.
* verify: every citation in the text must be a paragraph the composer was given.

The CLI, Slack and the evaluation call `ResolutionAnswerer.answer`, which invokes the chain;
`ResolutionAnswerer.chain` is the Runnable itself (`invoke`, `batch`, `stream`), and a user
can pass another `Searcher` or `Composer`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableLambda

from bot import glossary
from bot.answer.compose import compose, marker, wants_references
from bot.answer.conversation import ConversationState, Resolved, is_followup, resolve
from bot.answer.decide import Decider, Decision, Evidence
from bot.answer.route import Router
from bot.answer.types import Answer, Citation, Retrieved, Turn
from bot.answer.verify import verify
from bot.places import place_pattern
from bot.retrieval.hybrid import Candidate, to_retrieved
from bot.retrieval.lexical import LexicalIndex
from bot.retrieval.query import AGE_RX, QueryPlan, has_figure, states_a_time
from core.errors import ResbotError
from ingest.store import DocRecord

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 4000
# No answer carries more than this many citations; past it, it says how many more there are.
MAX_CITATIONS = 12
LISTING_DEPTH = 60
# "Which resolutions ...", "list the resolutions ...": a list of resolutions, one paragraph each.
_WHICH_RESOLUTIONS = re.compile(
    r"\b(?:which|what|list|name)\b(?:\s+\w+){0,3}?\s+(?:resolutions|texts|documents)\b"
    r"|\bresolutions\s+(?:that|which)\b|\bacross (?:the |all )?resolutions\b",
    re.I,
)


class Searcher(Protocol):
    """What the answerer needs from retrieval."""

    def index(self) -> LexicalIndex: ...

    def plan(self, question: str) -> QueryPlan: ...

    def candidates(self, plan: QueryPlan) -> list[Candidate]: ...

    def document(self, doc_id: str) -> DocRecord | None: ...


class Composer(Protocol):
    """Writes the answer text from chosen paragraphs (extractive, or a language model)."""

    def compose(
        self, question: str, items: list[Retrieved], history: list[Turn], plan: QueryPlan
    ) -> str | None: ...


class Rewriter(Protocol):
    """Rewrites a follow-up into a standalone question (a language model), or returns None."""

    def rewrite(self, question: str, history: list[Turn]) -> str | None: ...


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


def answer_clause(plan: QueryPlan) -> Callable[[str], bool] | None:
    """Which clauses of a long paragraph hold what the question asks for (a place, a date,
    a figure, an age), so trimming does not cut the answer out."""
    tests: list[Callable[[str], bool]] = []
    if "place" in plan.answer_types:
        tests.append(lambda c: bool(place_pattern().search(c)))
    if "date" in plan.answer_types:
        tests.append(states_a_time)
    if "number" in plan.answer_types:
        tests.append(has_figure)
    if "age" in plan.answer_types:
        tests.append(lambda c: bool(AGE_RX.search(c)))
    if not tests:
        return None
    return lambda clause: any(t(clause) for t in tests)


@dataclass
class State:
    """What flows through the chain; a stage that sets `answer` ends the work."""

    question: str
    history: list[Turn]
    resolved: Resolved | None = None
    followup: bool = False
    plan: QueryPlan | None = None
    ranked: list[Candidate] = field(default_factory=list)
    retrieved: list[Retrieved] = field(default_factory=list)
    decision: Decision | None = None
    chosen: list[Retrieved] = field(default_factory=list)
    more: int = 0  # answering paragraphs left out by the citation cap
    listing: bool = False
    text: str | None = None
    mode: str = "extractive"
    answer: Answer | None = None


def actor_in(question: str) -> str | None:
    """The first body or office the question names (for "and for UNODC?" next turn)."""
    for mention in glossary.default_glossary().mentions(question):
        return mention.text
    return None


class ResolutionAnswerer:
    """The `Answerer` the CLI, Slack and the evaluation use."""

    def __init__(
        self,
        searcher: Searcher,
        k: int = 5,
        composer: Composer | None = None,
        decider: Decider | None = None,
        routers: Sequence[Router] = (),
        rewriter: Rewriter | None = None,
    ) -> None:
        self.searcher = searcher
        self.k = k
        self.composer = composer
        self.extractive = ExtractiveComposer()
        self.decider = decider or Decider()
        self.routers = list(routers)
        self.rewriter = rewriter
        self.chain: Runnable[dict[str, Any], Answer] = (
            RunnableLambda(self._start, name="plan")
            | RunnableLambda(self._route, name="route")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._decide, name="decide")
            | RunnableLambda(self._compose, name="compose")
            | RunnableLambda(self._verify, name="verify")
        )

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        return self.chain.invoke({"question": question, "history": list(history or [])})

    def prepare(self, question: str, history: list[Turn] | None = None) -> State:
        """The plan and the scored candidates, without deciding or composing: what the
        fitting script (`eval/fit.py`) learns from."""
        state = self._start({"question": question, "history": list(history or [])})
        return self._retrieve(state)

    def document_count(self) -> int:
        return len(self.searcher.index().doc_rows)

    # -- stages -----------------------------------------------------------------
    def _start(self, inputs: dict[str, Any]) -> State:
        question = str(inputs.get("question") or "").strip()
        if not question:
            raise ResbotError("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise ResbotError(
                f"the question is too long ({len(question)} characters; limit {MAX_QUESTION_CHARS})"
            )
        state = State(question, list(inputs.get("history") or []))
        followup = state.followup = bool(state.history) and is_followup(question)
        conv = ConversationState.from_history(state.history if followup else [])
        resolved = resolve(question, conv)
        if followup and self.rewriter is not None and not resolved.labels:
            rewritten = self.rewriter.rewrite(question, state.history)
            if rewritten:
                resolved.question, resolved.context = rewritten, ""
        state.resolved = resolved
        plan = self.searcher.plan(resolved.question)
        if not plan.doc_ids and resolved.doc_ids:
            plan.doc_ids = list(resolved.doc_ids)
        if resolved.labels:
            plan.labels = list(resolved.labels)
        if resolved.context:
            # Earlier questions give the topic: "that session", "the fund".
            extra = self.searcher.plan(resolved.context)
            plan.lexical_terms += [t for t in extra.lexical_terms if t not in plan.lexical_terms]
            plan.dense_text = f"{plan.dense_text} ({resolved.context})"
        state.plan = plan
        state.listing = bool(_WHICH_RESOLUTIONS.search(question)) and len(plan.doc_ids) != 1
        if plan.unresolved_symbols and not plan.doc_ids:
            state.answer = self._decline(
                state,
                f"I don't have {', '.join(plan.unresolved_symbols)} among the "
                f"{self.document_count()} resolutions I hold.",
            )
        elif plan.symbol_mentions and plan.doc_ids and not plan.key_terms and not plan.labels:
            # "What is A/RES/79/154?": nothing to search for but the document itself.
            plan.intents.add("overview")
        return state

    def _route(self, state: State) -> State:
        if state.answer is not None:
            return state
        # A follow-up stays with the document the conversation is about, unless a router
        # keeps its own conversation ("and Canada?" after a vote question).
        for router in self.routers:
            if state.followup and not getattr(router, "answers_followups", False):
                continue
            routed = router.maybe_answer(state.question, state.history)
            if routed is not None:
                if not routed.retrieved:
                    routed.retrieved = [
                        Retrieved(c.doc_id, c.symbol, c.label, c.source, c.text, 1.0, [router.name])
                        for c in routed.citations
                    ]
                state.answer = routed
                return state
        if state.resolved is not None and state.resolved.ask_back:
            # Pointing back with nothing to point at: ask, never guess.
            state.answer = Answer(state.question, state.resolved.ask_back, False, mode="clarify")
        return state

    def _retrieve(self, state: State) -> State:
        if state.answer is not None or state.plan is None:
            return state
        state.ranked = self.searcher.candidates(state.plan)
        index = self.searcher.index()
        state.retrieved = [to_retrieved(index, c) for c in state.ranked[: max(self.k, 10)]]
        if not state.ranked:
            state.answer = self._decline(state)
        return state

    def _decide(self, state: State) -> State:
        if state.answer is not None or state.plan is None:
            return state
        plan = state.plan
        top = state.retrieved
        # A paragraph asked for by its label is found by its label, wherever it ranks.
        asked = [
            to_retrieved(self.searcher.index(), c)
            for c in state.ranked
            if plan.labels and c.feature("label_asked")
        ]
        if asked:
            # A paragraph asked for by its label, and found: nothing to decide.
            state.chosen = asked[:MAX_CITATIONS]
            anchors = {a.anchor for a in asked}
            state.retrieved = asked + [r for r in state.retrieved if r.anchor not in anchors]
            return state
        if "overview" in plan.intents:
            state.chosen = [r for r in top if r.label == "HEADER" and r.doc_id in plan.doc_ids][:1]
            if state.chosen:
                return state
        if "sponsors" in plan.intents and plan.doc_ids and not self._has_sponsors(plan.doc_ids):
            state.answer = self._decline(
                state, "The text I have of that resolution does not name its sponsors."
            )
            return state
        evidence = Evidence(plan, state.ranked, self.searcher.index())
        state.decision = self.decider.decide(evidence)
        if not state.decision.answer:
            log.info("declining (p=%.2f)", state.decision.probability)
            state.answer = self._decline(state)
            return state
        state.chosen = self._choose(state, evidence)
        return state

    def _choose(self, state: State, evidence: Evidence) -> list[Retrieved]:
        """The best paragraph, and others only when the model finds them likely right too."""
        pool = state.retrieved
        if state.listing:
            # A list of resolutions looks further down than the answer's usual top few,
            # so that it can say how many more there are past the citation cap.
            index = self.searcher.index()
            pool = [to_retrieved(index, c) for c in state.ranked[:LISTING_DEPTH]]
        probs = self.decider.probabilities(evidence, len(pool) if state.listing else 5)
        chosen = [pool[0]]
        docs = {pool[0].doc_id}
        answering = 1
        for item, p in zip(pool[1:], probs[1:], strict=False):
            if p < self.decider.extra:
                continue
            if state.listing and item.doc_id in docs:
                continue
            answering += 1
            if len(chosen) < MAX_CITATIONS:
                chosen.append(item)
                docs.add(item.doc_id)
        state.more = answering - len(chosen)
        return chosen

    def _compose(self, state: State) -> State:
        if state.answer is not None or state.plan is None:
            return state
        if self.composer is not None:
            given = state.retrieved[: max(self.k, len(state.chosen))]
            text = self.composer.compose(state.question, given, state.history, state.plan)
            if text:
                checked = verify(text, given, require_citation_per_sentence=True)
                if checked.citations:
                    state.answer = self._answer(
                        state, checked.text, checked.citations[:MAX_CITATIONS], "llm"
                    )
                    state.answer.notes = [f"removed invalid citation {r}" for r in checked.removed]
                    return state
                log.info("model answer had no valid citation; falling back to the extractive one")
        if state.listing:
            state.text = self._listing(state)
        else:
            state.text = self.extractive.compose(
                state.question, state.chosen, state.history, state.plan
            )
        return state

    def _verify(self, state: State) -> Answer:
        if state.answer is not None:
            return state.answer
        checked = verify(state.text or "", state.chosen)
        if not checked.citations:
            return self._decline(state)
        text = checked.text
        if state.more:
            text += (
                f"\n… and {state.more} more paragraph(s) that may answer; ask about one "
                "resolution to narrow it down."
            )
        return self._answer(state, text, checked.citations[:MAX_CITATIONS], state.mode)

    # -- helpers ----------------------------------------------------------------
    def _listing(self, state: State) -> str:
        """One line per resolution: symbol, date, title, and the paragraph that earns its place."""
        lines = []
        for item in state.chosen:
            date = item.metadata.get("date")
            head = f"{item.symbol or item.doc_id} ({date})" if date else item.symbol or item.doc_id
            title = " ".join(str(item.metadata.get("title") or "").split())
            words = item.text.split()
            snippet = " ".join(words[:40]) + (" …" if len(words) > 40 else "")
            lines.append(f"- {head} {title}: “{snippet}” {marker(item)}")
        return "\n".join(lines)

    def _scope(self, state: State) -> dict[str, Any]:
        plan = state.plan
        resolved = state.resolved
        own = resolved.own_question if resolved and resolved.own_question else state.question
        return {
            "doc_ids": plan.doc_ids if plan else [],
            "question": plan.question if plan else state.question,
            "actor": (resolved.actor if resolved and resolved.actor else None) or actor_in(own),
        }

    def _answer(self, state: State, text: str, citations: list[Citation], mode: str) -> Answer:
        return Answer(
            state.question,
            text,
            True,
            citations,
            state.retrieved[: self.k],
            mode=mode,
            scope=self._scope(state),
        )

    def _decline(self, state: State, why: str = "") -> Answer:
        text = why or f"I found nothing on that in the {self.document_count()} resolutions I have."
        scope = self._scope(state)
        return Answer(
            state.question, text, False, [], state.retrieved[: self.k], mode="declined", scope=scope
        )

    def _has_sponsors(self, doc_ids: list[str]) -> bool:
        for doc in doc_ids:
            rec = self.searcher.document(doc)
            if rec and rec.metadata.get("sponsors") not in (None, "", "[]"):
                return True
        return False
