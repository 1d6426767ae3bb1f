"""Per-question scores and their aggregates.

Definitions (each question scores only what is defined for it; an aggregate is
the mean over the questions where a score is defined, ``None`` when none is):

* recall@k: share of the expected paragraphs found among the top k retrieved units.
* MRR: 1 / rank of the first retrieved unit that matches an expected paragraph
  (within the first 10; 0 when none).
* nDCG@10: binary relevance, each expected paragraph credited once at the rank
  where it is first found; capped at 1 (a naive chunk can cover two expected
  paragraphs at one rank).
* citation precision: distinct cited paragraphs that are expected / distinct
  cited paragraphs. Undefined when an answerable question gets no citation
  (counted in ``uncited`` instead); citation recall is then 0.
* citation recall: expected paragraphs that are cited / expected paragraphs.
* quote recall@k / quote citation recall: the same recalls, matching the
  expected quote against the retrieved / cited text, so that labelling and
  retrieval errors can be told apart.
* answer_contains: every phrase occurs in the answer (case-insensitive).
* refusal accuracy: the system declined exactly the unanswerable questions.
* follow-up accuracy (category ``followup``): recall@k > 0 and at least one
  expected paragraph cited.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.answer.types import Answer, Retrieved
from bot.evaluation.gold import Expected, GoldItem
from bot.evaluation.matching import (
    matches,
    norm_text,
    quote_in,
    unique_expected,
    unique_refs,
    unit_display,
    unit_matches,
)

NDCG_DEPTH = 10
MRR_DEPTH = 10

# Aggregated keys, in the order tables show them; the "@k" ones get the run's k.
METRIC_KEYS = (
    "recall_at_k",
    "quote_recall_at_k",
    "mrr",
    "ndcg_at_10",
    "citation_precision",
    "citation_recall",
    "quote_citation_recall",
    "answer_contains",
    "refusal_accuracy",
    "followup_accuracy",
)


@dataclass
class QuestionScore:
    id: str
    category: str
    question: str
    answerable: bool
    answered: bool = False
    recall: float | None = None
    rr: float | None = None
    ndcg: float | None = None
    quote_recall: float | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    quote_citation_recall: float | None = None
    uncited: bool = False
    contains: bool | None = None
    refusal_ok: bool = False
    followup_ok: bool | None = None
    latency_ms: float = 0.0
    expected: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    answer: str = ""
    mode: str = ""
    error: str | None = None

    @property
    def failed(self) -> bool:
        """Something expected was missed (the report lists these): a wrong refusal, an expected
        paragraph not retrieved or not cited, an expected phrase missing, an error. An extra
        citation alone is not a failure; it shows in citation precision."""
        return bool(
            self.error
            or not self.refusal_ok
            or (self.recall is not None and self.recall < 1)
            or (self.citation_recall is not None and self.citation_recall < 1)
            or self.contains is False
        )

    def to_json(self, k: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category,
            "question": self.question,
            "answerable": self.answerable,
            "answered": self.answered,
            f"recall_at_{k}": _r(self.recall),
            "rr": _r(self.rr),
            "ndcg_at_10": _r(self.ndcg),
            f"quote_recall_at_{k}": _r(self.quote_recall),
            "citation_precision": _r(self.citation_precision),
            "citation_recall": _r(self.citation_recall),
            "quote_citation_recall": _r(self.quote_citation_recall),
            "uncited": self.uncited,
            "answer_contains": self.contains,
            "refusal_ok": self.refusal_ok,
            "followup_ok": self.followup_ok,
            "latency_ms": round(self.latency_ms, 1),
            "expected": self.expected,
            "missing": self.missing,
            "retrieved": self.retrieved,
            "cited": self.cited,
            "answer": self.answer[:500],
            "mode": self.mode,
            "error": self.error,
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _found_at(expected: Sequence[Expected], units: Sequence[Retrieved]) -> list[int | None]:
    """For each expected paragraph, the 1-based rank of the first unit matching it."""
    ranks: list[int | None] = []
    for e in expected:
        rank = next((i for i, u in enumerate(units, 1) if unit_matches(e, u)), None)
        ranks.append(rank)
    return ranks


def recall_at(expected: Sequence[Expected], units: Sequence[Retrieved], k: int) -> float | None:
    exp = unique_expected(expected)
    if not exp:
        return None
    ranks = _found_at(exp, units[:k])
    return sum(r is not None for r in ranks) / len(exp)


def reciprocal_rank(expected: Sequence[Expected], units: Sequence[Retrieved]) -> float | None:
    exp = unique_expected(expected)
    if not exp:
        return None
    for i, unit in enumerate(units[:MRR_DEPTH], 1):
        if any(unit_matches(e, unit) for e in exp):
            return 1.0 / i
    return 0.0


def ndcg_at(
    expected: Sequence[Expected], units: Sequence[Retrieved], depth: int = NDCG_DEPTH
) -> float | None:
    exp = unique_expected(expected)
    if not exp:
        return None
    ranks = _found_at(exp, units[:depth])
    dcg = sum(1.0 / math.log2(r + 1) for r in ranks if r is not None)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(exp), depth) + 1))
    return min(1.0, dcg / ideal)


def quote_recall(expected: Sequence[Expected], texts: Sequence[str]) -> float | None:
    quotes = [e.quote for e in unique_expected(expected) if e.quote]
    if not quotes:
        return None
    return sum(any(quote_in(q, t) for t in texts) for q in quotes) / len(quotes)


def citation_scores(
    expected: Sequence[Expected], answer: Answer
) -> tuple[float | None, float | None]:
    """(precision, recall) of the answer's citations against the expected paragraphs.

    Duplicate citations count once. Precision is None without citations.
    """
    exp = unique_expected(expected)
    cited = unique_refs(answer.citations)
    precision = (
        sum(any(matches(e, ref) for e in exp) for ref in cited) / len(cited) if cited else None
    )
    recall = sum(any(matches(e, ref) for ref in cited) for e in exp) / len(exp) if exp else None
    return precision, recall


def contains_all(phrases: Sequence[str], text: str) -> bool:
    hay = norm_text(text)
    return all(norm_text(p) in hay for p in phrases)


def score_question(
    item: GoldItem, answer: Answer, k: int, latency_ms: float = 0.0
) -> QuestionScore:
    units = list(answer.retrieved)
    exp = unique_expected(item.expected)
    score = QuestionScore(
        id=item.id,
        category=item.category,
        question=item.question,
        answerable=item.answerable,
        answered=bool(answer.answerable),
        latency_ms=latency_ms,
        expected=[e.display for e in exp],
        retrieved=[unit_display(u) for u in units[:k]],
        cited=[r.display for r in unique_refs(answer.citations)],
        answer=answer.text or "",
        mode=answer.mode,
    )
    score.refusal_ok = bool(answer.answerable) == item.answerable
    if exp:
        score.recall = recall_at(exp, units, k)
        score.rr = reciprocal_rank(exp, units)
        score.ndcg = ndcg_at(exp, units)
        score.quote_recall = quote_recall(exp, [u.text for u in units[:k]])
        score.citation_precision, score.citation_recall = citation_scores(exp, answer)
        score.quote_citation_recall = quote_recall(exp, [c.text for c in answer.citations])
        score.uncited = item.answerable and not answer.citations
        ranks = _found_at(exp, units[:k])
        score.missing = [e.display for e, r in zip(exp, ranks, strict=True) if r is None]
    if item.answerable and item.answer_contains:
        score.contains = contains_all(item.answer_contains, answer.text or "")
    if item.category == "followup":
        cited_hit = bool(score.citation_recall)
        score.followup_ok = bool(score.recall) and cited_hit
    return score


def error_score(item: GoldItem, error: str, latency_ms: float = 0.0) -> QuestionScore:
    """A question whose answerer raised: everything defined for it counts as wrong."""
    empty = Answer(question=item.question, text="", answerable=False, mode="error")
    score = score_question(item, empty, k=1, latency_ms=latency_ms)
    score.error = error
    # A crash is no refusal, even on an unanswerable question.
    score.refusal_ok = False
    return score


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in [0, 100]), as numpy's default."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _mean(values: Sequence[float | bool | None]) -> float | None:
    got = [float(v) for v in values if v is not None]
    return sum(got) / len(got) if got else None


def aggregate(scores: Sequence[QuestionScore], k: int) -> dict[str, Any]:
    """Aggregate figures for a list of question scores (overall or one category)."""
    pick: dict[str, Callable[[QuestionScore], float | bool | None]] = {
        "recall_at_k": lambda s: s.recall,
        "quote_recall_at_k": lambda s: s.quote_recall,
        "mrr": lambda s: s.rr,
        "ndcg_at_10": lambda s: s.ndcg,
        "citation_precision": lambda s: s.citation_precision,
        "citation_recall": lambda s: s.citation_recall,
        "quote_citation_recall": lambda s: s.quote_citation_recall,
        "answer_contains": lambda s: s.contains,
        "refusal_accuracy": lambda s: s.refusal_ok,
        "followup_accuracy": lambda s: s.followup_ok,
    }
    out: dict[str, Any] = {"n": len(scores)}
    for key, get in pick.items():
        out[metric_name(key, k)] = _r(_mean([get(s) for s in scores]))
    latencies = [s.latency_ms for s in scores if s.error is None]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    out["latency_ms_p50"] = None if p50 is None else round(p50, 1)
    out["latency_ms_p95"] = None if p95 is None else round(p95, 1)
    out["n_answerable"] = sum(s.answerable for s in scores)
    out["n_uncited"] = sum(s.uncited for s in scores)
    out["n_errors"] = sum(s.error is not None for s in scores)
    out["n_failed"] = sum(s.failed for s in scores)
    return out


def metric_name(key: str, k: int) -> str:
    return key.replace("_at_k", f"_at_{k}")
