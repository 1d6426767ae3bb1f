"""Fit the ranking weights and the answer/decline model on the tuning gold; report held-out.

    .venv/bin/python eval/fit.py --store STORE \
        --tuning eval/gold/dev/tuning.jsonl --heldout eval/gold/dev/heldout.jsonl \
        --out bot/data --report eval/reports/fit.md

1. Every tuning question is planned and retrieved once (history turns answered first); each
   candidate paragraph has its named signals (`bot/retrieval/features.py`) and a label
   (does it match an expected paragraph?).
2. Ranking: a linear model over the standardised signals, fitted listwise (softmax over each
   question's candidates, maximising the probability of the expected paragraphs), L2 strength
   chosen by 5-fold cross-validation over questions. Written to `bot/data/ranking.json`.
3. Deciding: a logistic regression of "the best paragraph is a correct citation" over general
   evidence (`bot/answer/decide.py`), its threshold chosen on cross-validated tuning
   probabilities where a right citation earns 1, a refusal 0 and a wrong citation costs 2
   (the brief: a wrong citation is worse than no answer); a second threshold
   for extra citations likewise. Written to `bot/data/decide.json`.
4. The same figures on the held-out part, and the held-out precision/recall curve of deciding.

Nothing from the held-out part is used to fit. Run it twice after a change of signals: the
history turns of follow-ups are answered with the models in place.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.answer import decide as D  # noqa: E402
from bot.answer.engine import ResolutionAnswerer  # noqa: E402
from bot.answer.types import Turn  # noqa: E402
from bot.evaluation.gold import GoldItem, load_gold  # noqa: E402
from bot.evaluation.matching import unit_matches  # noqa: E402
from bot.retrieval import features as F  # noqa: E402
from bot.retrieval.hybrid import Candidate, diversify, to_retrieved  # noqa: E402
from bot.retrieval.scoring import LinearModel  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import make_answerer  # noqa: E402

log = logging.getLogger("fit")
LAMBDAS = (0.001, 0.01, 0.1, 1.0)
C_VALUES = (0.01, 0.1, 1.0, 10.0)
WRONG_COST = 2.0  # a wrong citation is worse than no answer (the brief): twice as bad


@dataclass
class Sample:
    item: GoldItem
    state: object
    cands: list[Candidate]
    x: np.ndarray  # (n, features)
    y: np.ndarray  # (n,) 1 where the candidate is an expected paragraph
    index: Any  # the lexical index the candidates' rows refer to


def collect(answerer: ResolutionAnswerer, items: list[GoldItem]) -> list[Sample]:
    out = []
    for item in items:
        history: list[Turn] = []
        for earlier in item.history:
            prev = answerer.answer(earlier, list(history))
            history.append(Turn(earlier, prev.text, list(prev.citations), dict(prev.scope)))
        state = answerer.prepare(item.question, history)
        index = answerer.searcher.index()
        if state.answer is not None and state.answer.mode == "clarify":
            cands: list[Candidate] = []
        else:
            cands = list(state.ranked)
        x = np.asarray([c.features for c in cands], dtype=np.float64).reshape(-1, len(F.NAMES))
        y = np.asarray(
            [any(unit_matches(e, to_retrieved(index, c)) for e in item.expected) for c in cands],
            dtype=np.float64,
        )
        out.append(Sample(item, state, cands, x, y, index))
        if len(out) % 50 == 0:
            print(f"  {len(out)}/{len(items)} questions collected", flush=True)
    return out


def listwise_loss(
    w: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray]], lam: float
) -> tuple[float, np.ndarray]:
    loss, grad = lam * float(w @ w), 2 * lam * w
    for x, y in groups:
        s = x @ w
        s = s - s.max()
        p = np.exp(s)
        p /= p.sum()
        pos = y > 0
        mass = p[pos].sum()
        loss -= np.log(mass + 1e-12)
        # d/dw of -log(sum_pos p) = sum_all p x - sum_pos (p/mass) x
        grad += p @ x - (p[pos] / (mass + 1e-12)) @ x[pos]
    return loss / max(len(groups), 1), grad / max(len(groups), 1)


def fit_ranking(
    samples: list[Sample], mean: np.ndarray, scale: np.ndarray, lam: float
) -> np.ndarray:
    groups = [((s.x - mean) / scale, s.y) for s in samples if s.y.any() and len(s.y) > 1]
    w0 = np.zeros(len(F.NAMES))
    res = minimize(listwise_loss, w0, args=(groups, lam), jac=True, method="L-BFGS-B")
    return np.asarray(res.x)


def top1(samples: list[Sample], model: LinearModel) -> float:
    hits = [rank(s, model)[1][0] if s.y.any() else None for s in samples]
    got = [h for h in hits if h is not None]
    return float(np.mean(got)) if got else 0.0


def rank(s: Sample, model: LinearModel) -> tuple[list[Candidate], list[float]]:
    """The candidates as the searcher would order them under `model`, and their labels."""
    if not s.cands:
        return [], [0.0]
    scores = model.scores(s.x)
    for c, v in zip(s.cands, scores, strict=True):
        c.score = float(v)
    plan = s.state.plan  # type: ignore[attr-defined]
    scope = plan.doc_ids or plan.title_docs
    index = s.index
    ordered = diversify(
        index, sorted(s.cands, key=lambda c: -c.score), 2 if len(scope) != 1 else 99
    )
    label = {id(c): y for c, y in zip(s.cands, s.y, strict=True)}
    return ordered, [float(label[id(c)]) for c in ordered]


def cv_folds(n: int, k: int = 5, seed: int = 13) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def decision_data(samples: list[Sample], model: LinearModel) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for s in samples:
        ordered, labels = rank(s, model)
        plan = s.state.plan  # type: ignore[attr-defined]
        if plan is None:
            xs.append([0.0] * len(D.NAMES))
            ys.append(0.0)
            continue
        e = D.Evidence(plan, ordered, s.index)
        xs.append(D.evidence_vector(e))
        ys.append(labels[0] if s.item.answerable else 0.0)
    return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)


def choose_threshold(p: np.ndarray, y: np.ndarray) -> float:
    return best_threshold(p, y, np.linspace(0.05, 0.95, 91), default=0.5)


def best_threshold(p: np.ndarray, y: np.ndarray, grid: np.ndarray, default: float) -> float:
    """The threshold of `grid` with the highest utility (the first of ties)."""
    best, best_t = -1e9, default
    for t in grid:
        u = utility(p, y, float(t))
        if u > best:
            best, best_t = u, float(t)
    return round(best_t, 3)


def utility(p: np.ndarray, y: np.ndarray, t: float, veto: np.ndarray | None = None) -> float:
    """A right citation earns 1, a refusal 0, a wrong citation costs WRONG_COST."""
    ans = p >= t
    if veto is not None:
        ans &= ~veto
    return float(np.sum(ans & (y > 0)) - WRONG_COST * np.sum(ans & (y == 0)))


def fit_decider(x: np.ndarray, y: np.ndarray) -> tuple[LinearModel, np.ndarray]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    best_c, best_ll = C_VALUES[0], float("inf")
    for c in C_VALUES:
        p = cross_val_predict(
            LogisticRegression(C=c, max_iter=2000), z, y, cv=5, method="predict_proba"
        )[:, 1]
        ll = -float(np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)))
        if ll < best_ll:
            best_c, best_ll = c, ll
    cv_p = cross_val_predict(
        LogisticRegression(C=best_c, max_iter=2000), z, y, cv=5, method="predict_proba"
    )[:, 1]
    clf = LogisticRegression(C=best_c, max_iter=2000).fit(z, y)
    model = LinearModel(
        features=D.NAMES,
        weights=clf.coef_[0].astype(np.float64),
        bias=float(clf.intercept_[0]),
        mean=mean,
        scale=scale,
        threshold=choose_threshold(cv_p, y),
        info={"C": best_c, "cv_log_loss": round(best_ll, 4)},
    )
    veto = x[:, D.NAMES.index("topic_present")] == 0.0
    t = model.threshold or 0.5
    model.info["topic_veto"] = bool(utility(cv_p, y, t, veto) > utility(cv_p, y, t))
    return model, cv_p


def extra_threshold(samples: list[Sample], ranking: LinearModel, decider: LinearModel) -> float:
    """Where a second citation is worth its risk, on the tuning part."""
    rows: list[tuple[float, float]] = []
    for s in samples:
        if not s.item.answerable or s.state.plan is None:  # type: ignore[attr-defined]
            continue
        ordered, labels = rank(s, ranking)
        e = D.Evidence(s.state.plan, ordered, s.index)  # type: ignore[attr-defined]
        rows.extend(zip(D.Decider(decider).probabilities(e, 5)[1:], labels[1:5], strict=False))
    if not rows:
        return 0.9
    p, y = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    return best_threshold(p, y, np.linspace(0.3, 0.99, 70), default=0.9)


def report_split(
    name: str, samples: list[Sample], ranking: LinearModel, decider: LinearModel
) -> dict:
    x, y = decision_data(samples, ranking)
    p = np.array([decider.probability(row) for row in x])
    t = decider.threshold or 0.5
    answerable = np.array([s.item.answerable for s in samples])
    ans = p >= t
    if decider.info.get("topic_veto"):
        ans &= x[:, D.NAMES.index("topic_present")] != 0.0
    recall5 = []
    for s in samples:
        if s.y.any():
            _, labels = rank(s, ranking)
            recall5.append(float(any(labels[:5])))
        elif s.item.answerable:
            recall5.append(0.0)
    answered_right = ans & (y > 0)
    out = {
        "split": name,
        "questions": len(samples),
        "top1_correct_when_findable": round(top1(samples, ranking), 3),
        "recall_at_5": round(float(np.mean(recall5)) if recall5 else 0.0, 3),
        "answered": int(ans.sum()),
        "precision_of_answers": round(float(answered_right.sum() / max(ans.sum(), 1)), 3),
        "refusal_accuracy": round(float(np.mean(ans == answerable)), 3),
        "unanswerable_declined": f"{int((~ans & ~answerable).sum())}/{int((~answerable).sum())}",
    }
    curve = []
    for th in np.linspace(0.1, 0.9, 17):
        a = p >= th
        curve.append(
            {
                "threshold": round(float(th), 2),
                "answered": int(a.sum()),
                "precision": round(float((a & (y > 0)).sum() / max(a.sum(), 1)), 3),
                "recall": round(float((a & (y > 0)).sum() / max((y > 0).sum(), 1)), 3),
            }
        )
    out["curve"] = curve
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--tuning", type=Path, nargs="+", required=True)
    ap.add_argument("--heldout", type=Path, nargs="*", default=[])
    ap.add_argument("--out", type=Path, default=REPO / "bot" / "data")
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    answerer = make_answerer(Settings(store=args.store))
    tuning = collect(answerer, load_gold(args.tuning))
    heldout = collect(answerer, load_gold(args.heldout)) if args.heldout else []
    allx = np.vstack([s.x for s in tuning if len(s.x)])
    mean, scale = allx.mean(axis=0), allx.std(axis=0)
    scale[scale == 0] = 1.0

    # L2 strength by 5-fold cross-validation over questions (top-1 on the left-out fold).
    usable = [s for s in tuning if s.y.any()]
    folds = cv_folds(len(usable))
    best_lam, best_acc = LAMBDAS[0], -1.0
    for lam in LAMBDAS:
        accs = []
        for f in folds:
            held = set(f.tolist())
            train = [s for i, s in enumerate(usable) if i not in held]
            test = [s for i, s in enumerate(usable) if i in held]
            w = fit_ranking(train, mean, scale, lam)
            accs.append(top1(test, LinearModel(F.NAMES, w, 0.0, mean, scale)))
        acc = float(np.mean(accs))
        print(f"ranking: lambda {lam}: cv top-1 {acc:.3f}")
        if acc > best_acc:
            best_lam, best_acc = lam, acc
    w = fit_ranking(usable, mean, scale, best_lam)
    ranking = LinearModel(
        F.NAMES, w, 0.0, mean, scale, None,
        {"lambda": best_lam, "cv_top1": round(best_acc, 4),
         "fitted_on": [str(p) for p in args.tuning], "questions": len(usable)},
    )  # fmt: skip
    x, y = decision_data(tuning, ranking)
    decider, _ = fit_decider(x, y)
    decider.info["extra_threshold"] = extra_threshold(tuning, ranking, decider)
    decider.info["fitted_on"] = [str(p) for p in args.tuning]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ranking.json").write_text(json.dumps(ranking.to_json(), indent=1) + "\n")
    (args.out / "decide.json").write_text(json.dumps(decider.to_json(), indent=1) + "\n")
    print("ranking weights:", {n: round(float(v), 3) for n, v in zip(F.NAMES, w, strict=True)})
    print(
        "decide weights:",
        {n: round(float(v), 3) for n, v in zip(D.NAMES, decider.weights, strict=True)},
    )
    print(
        "threshold",
        decider.threshold,
        "extra",
        decider.info["extra_threshold"],
        "topic veto",
        decider.info["topic_veto"],
    )
    rows = [report_split("tuning", tuning, ranking, decider)]
    if heldout:
        rows.append(report_split("held-out", heldout, ranking, decider))
    for r in rows:
        print({k: v for k, v in r.items() if k != "curve"})
    if args.report:
        lines = ["# Fitted ranking and deciding", "", f"Command: `{' '.join(sys.argv)}`", ""]
        lines += [
            "| split | questions | top-1 (findable) | recall@5 | answered | precision of answers | refusal accuracy | unanswerable declined |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            lines.append(
                f"| {r['split']} | {r['questions']} | {r['top1_correct_when_findable']} | {r['recall_at_5']} | {r['answered']} | {r['precision_of_answers']} | {r['refusal_accuracy']} | {r['unanswerable_declined']} |"
            )
        if heldout:
            lines += [
                "",
                "Held-out precision/recall of answering, by threshold (the fitted one is "
                f"{decider.threshold}):",
                "",
                "| threshold | answered | precision | recall |",
                "|---:|---:|---:|---:|",
            ]
            for c in rows[-1]["curve"]:
                lines.append(
                    f"| {c['threshold']} | {c['answered']} | {c['precision']} | {c['recall']} |"
                )
        lines += ["", "Ranking weights (standardised signals):", ""]
        lines += [f"- `{n}`: {v:+.3f}" for n, v in zip(F.NAMES, w, strict=True)]
        lines += ["", "Decision weights (standardised evidence):", ""]
        lines += [f"- `{n}`: {v:+.3f}" for n, v in zip(D.NAMES, decider.weights, strict=True)]
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
