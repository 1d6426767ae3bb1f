"""Does the best paragraph answer the question? One calibrated model, fitted, not a list of checks.

A threshold on one retrieval score cannot tell "the corpus has a near miss" from "the corpus
answers". This model looks at general evidence about the question and its best candidates:
how strong and how clear the top score is, how much of the question's content and of its
specific terms (names, figures, acronyms spelt out) the paragraph covers, whether the kind of
fact asked for (a figure, a date, a place, an age) is there at all, whether the subject of
"... about X" exists in the resolution named. `eval/fit.py` fits it on the tuning part of the
gold set as a logistic regression of "the top paragraph is a correct citation", chooses the
threshold there, and writes `bot/data/decide.json`; the held-out precision/recall curve is
in `eval/reports/`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bot.retrieval.hybrid import Candidate
from bot.retrieval.lexical import LexicalIndex
from bot.retrieval.query import QueryPlan
from bot.retrieval.scoring import LinearModel
from bot.retrieval.text import index_terms

DECIDE_MODEL = "decide.json"

_ABOUT = re.compile(
    r"\b(?:about|regarding|concerning|on the (?:topic|issue|question) of)\s+(.+?)[?.!]*$", re.I
)


@dataclass
class Evidence:
    """What the decision looks at, for one question."""

    plan: QueryPlan
    ranked: list[Candidate]
    index: LexicalIndex
    # Signals that do not depend on the order of the candidates, computed once per question.
    memo: dict[str, float] = field(default_factory=dict)

    def top(self, name: str, i: int = 0) -> float:
        return self.ranked[i].feature(name) if len(self.ranked) > i else 0.0

    def with_first(self, i: int) -> Evidence:
        """The same evidence with candidate `i` taken as if it were the best."""
        order = [self.ranked[i], *self.ranked[:i], *self.ranked[i + 1 :]]
        return Evidence(self.plan, order, self.index, self.memo)


def _margin(e: Evidence) -> float:
    if len(e.ranked) < 2:
        return 1.0
    return e.ranked[0].score - e.ranked[1].score


def _softmax_top(e: Evidence) -> float:
    scores = np.array([c.score for c in e.ranked[:50]], dtype=np.float64)
    if not len(scores):
        return 0.0
    z = np.exp(scores - scores.max())
    return float(z[0] / z.sum())


def _type_found(e: Evidence) -> float:
    """1 when no kind of fact is asked for, or one of the five best paragraphs holds it."""
    if not e.plan.answer_types:
        return 1.0
    return float(any(c.feature("type_match") for c in e.ranked[:5]))


def topic_present(plan: QueryPlan, vocab: frozenset[str] | set[str], title: set[str]) -> float:
    """Share of the subject of "... about X" that the vocabulary in scope has (1 when no subject).

    Acronyms count through their long forms, everyday words through their drafting
    equivalents; for one named resolution, words of its title name the document, not the
    subject ("the Haiti resolution ... about the earthquake").
    """
    m = _ABOUT.search(plan.question)
    if not m:
        return 1.0
    expanded = {t for longs in plan.expansions.values() for x in longs for t in index_terms(x)}
    subject = [t for t in index_terms(m.group(1)) if t in plan.key_terms and not t.isdigit()]
    if title and any(t not in title for t in subject):
        subject = [t for t in subject if t not in title]
    if not subject:
        return 1.0
    prefixes = {w[:5] for w in vocab if len(w) >= 5}

    def present(t: str) -> bool:
        if t in vocab or t in expanded or (len(t) >= 5 and t[:5] in prefixes):
            return True
        return any(all(x in vocab for x in alt) for alt in plan.alternatives.get(t, ()))

    return sum(present(t) for t in subject) / len(subject)


def _topic(e: Evidence) -> float:
    if "topic" not in e.memo:
        if len(e.plan.doc_ids) != 1:
            e.memo["topic"] = topic_present(e.plan, e.index.vocab, set())
        else:
            doc = e.plan.doc_ids[0]
            rows = e.index.doc_rows.get(doc, [])
            title = str(e.index.metas[rows[0]].get("title") or "") if rows else ""
            # The document's vocabulary holds its title's terms already.
            e.memo["topic"] = topic_present(e.plan, e.index.doc_terms(doc), set(index_terms(title)))
    return e.memo["topic"]


SIGNALS: dict[str, Callable[[Evidence], float]] = {
    # The top score itself is left out: its scale moves with the store (a title shared by
    # every paragraph of a document shifts them all); margins and shares do not.
    "margin": _margin,
    "softmax_top": _softmax_top,
    "top_dense": lambda e: e.top("dense"),
    "top_coverage": lambda e: e.top("coverage"),
    "top_specific": lambda e: e.top("specific_coverage"),
    "top_doc_coverage": lambda e: e.top("doc_coverage"),
    "type_found": _type_found,
    "topic_present": _topic,
    "n_terms": lambda e: math.log1p(len(e.plan.key_terms)),
}
NAMES: tuple[str, ...] = tuple(SIGNALS)


def evidence_vector(e: Evidence) -> list[float]:
    return [float(SIGNALS[n](e)) for n in NAMES]


@dataclass
class Decision:
    answer: bool
    probability: float
    evidence: dict[str, float]


class Decider:
    """Applies the fitted model; `threshold` is the one chosen on the tuning part."""

    def __init__(self, model: LinearModel | None = None) -> None:
        self.model = model or LinearModel.load(DECIDE_MODEL, NAMES)
        self.threshold = self.model.threshold if self.model.threshold is not None else 0.5
        # A second citation must itself be likely right (fitted with the first).
        self.extra = float(self.model.info.get("extra_threshold", 0.5))
        # "… about X" where no word of X occurs in the resolution(s) in scope: kept as a veto
        # only when the fitting script found that it helps on the tuning part.
        self.topic_veto = bool(self.model.info.get("topic_veto", False))

    def decide(self, e: Evidence) -> Decision:
        x = evidence_vector(e)
        p = self.model.probability(x)
        evidence = dict(zip(NAMES, x, strict=True))
        if self.topic_veto and evidence["topic_present"] == 0.0:
            return Decision(False, p, evidence)
        return Decision(p >= self.threshold, p, evidence)

    def probabilities(self, e: Evidence, n: int) -> list[float]:
        """The probability that each of the first `n` candidates is a correct citation:
        the same model, each candidate taken in turn as if it were the best."""
        return [
            self.model.probability(evidence_vector(e.with_first(i)))
            for i in range(min(n, len(e.ranked)))
        ]
