"""Runs gold questions through resbot and the baselines, and collects the figures."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.answer.types import Answerer, Turn
from bot.evaluation.gold import GoldItem
from bot.evaluation.metrics import QuestionScore, aggregate, error_score, score_question

log = logging.getLogger(__name__)

PRIMARY = "resbot"


@dataclass
class SystemRun:
    name: str
    scores: list[QuestionScore]

    def summary(self, k: int, per_question: bool = True) -> dict[str, Any]:
        out = aggregate(self.scores, k)
        cats: dict[str, list[QuestionScore]] = {}
        for s in self.scores:
            cats.setdefault(s.category, []).append(s)
        out["per_category"] = {c: aggregate(v, k) for c, v in sorted(cats.items())}
        if per_question:
            out["per_question"] = [s.to_json(k) for s in self.scores]
        return out


@dataclass
class EvalResult:
    k: int
    items: list[GoldItem]
    runs: dict[str, SystemRun]
    notes: list[str] = field(default_factory=list)
    gold_files: list[str] = field(default_factory=list)

    @property
    def primary(self) -> SystemRun | None:
        return self.runs.get(PRIMARY)

    @property
    def baselines(self) -> dict[str, SystemRun]:
        return {n: r for n, r in self.runs.items() if n != PRIMARY}

    def to_json(self) -> dict[str, Any]:
        """resbot's figures at the top level, each baseline's under ``baselines``."""
        if self.primary is not None:
            out = self.primary.summary(self.k)
        else:
            # No engine: the keys stay, with nothing measured.
            empty = SystemRun(PRIMARY, []).summary(self.k)
            out = {key: None for key in empty}
            out["n"] = len(self.items)
            out["error"] = "resbot's answering engine was not run"
        out["k"] = self.k
        out["gold"] = self.gold_files
        out["systems"] = list(self.runs)
        out["baselines"] = {n: r.summary(self.k) for n, r in self.baselines.items()}
        out["notes"] = self.notes
        return out


def ask(answerer: Answerer, item: GoldItem, k: int) -> QuestionScore:
    """One gold question: earlier turns first (same answerer, growing history), then timed."""
    history: list[Turn] = []
    try:
        for earlier in item.history:
            prev = answerer.answer(earlier, list(history))
            history.append(
                Turn(
                    question=earlier,
                    answer=prev.text,
                    citations=list(prev.citations),
                    scope=dict(prev.scope),
                )
            )
    except Exception as exc:
        log.exception("%s: history turn failed", item.id)
        return error_score(item, f"history turn failed: {exc!r}")
    start = time.perf_counter()
    try:
        answer = answerer.answer(item.question, list(history))
    except Exception as exc:
        log.exception("%s: answer failed", item.id)
        return error_score(item, repr(exc), (time.perf_counter() - start) * 1000)
    latency = (time.perf_counter() - start) * 1000
    return score_question(item, answer, k, latency)


def run_eval(
    items: Sequence[GoldItem],
    systems: Mapping[str, Answerer],
    k: int = 5,
    on_question: Callable[[str, GoldItem], None] | None = None,
    notes: Sequence[str] = (),
    gold_files: Sequence[str] = (),
) -> EvalResult:
    """Every system answers every question; ``systems`` maps a name to an Answerer
    (``"resbot"`` is the primary, any other name a baseline)."""
    runs: dict[str, SystemRun] = {}
    order = sorted(systems, key=lambda n: n != PRIMARY)  # resbot first, then as given
    for name in order:
        answerer = systems[name]
        scores = []
        for item in items:
            scores.append(ask(answerer, item, k))
            if on_question:
                on_question(name, item)
        runs[name] = SystemRun(name, scores)
    return EvalResult(k, list(items), runs, list(notes), list(gold_files))
