"""Tables for the terminal, and the Markdown report with its chart."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.evaluation.metrics import METRIC_KEYS, QuestionScore, metric_name
from bot.evaluation.runner import EvalResult

log = logging.getLogger(__name__)

LABELS = {
    "recall_at_k": "recall@{k}",
    "quote_recall_at_k": "quote recall@{k}",
    "mrr": "MRR@10",
    "ndcg_at_10": "nDCG@10",
    "citation_precision": "citation precision",
    "citation_recall": "citation recall",
    "quote_citation_recall": "quote citation recall",
    "answer_contains": "answer contains",
    "refusal_accuracy": "refusal accuracy",
    "followup_accuracy": "follow-up accuracy",
    "latency_ms_p50": "latency p50 (ms)",
    "latency_ms_p95": "latency p95 (ms)",
    "n_uncited": "answerable, no citation",
    "n_errors": "errors",
}
ROWS = (*METRIC_KEYS, "latency_ms_p50", "latency_ms_p95", "n_uncited", "n_errors")
CHART_METRICS = ("recall_at_k", "citation_precision", "citation_recall", "refusal_accuracy")


def _fmt(value: Any, key: str) -> str:
    if value is None:
        return "–"
    if key.startswith("latency"):
        return f"{value:.0f}"
    if key.startswith("n_"):
        return str(value)
    return f"{value:.2f}"


def _summaries(result: EvalResult) -> dict[str, dict[str, Any]]:
    return {name: run.summary(result.k, per_question=False) for name, run in result.runs.items()}


def _label(key: str, k: int) -> str:
    return LABELS.get(key, key).format(k=k)


def table_rows(result: EvalResult) -> tuple[list[str], list[list[str]]]:
    summaries = _summaries(result)
    header = ["metric", *summaries]
    rows = []
    for key in ROWS:
        name = metric_name(key, result.k)
        rows.append([_label(key, result.k), *(_fmt(s.get(name), key) for s in summaries.values())])
    return header, rows


def text_table(result: EvalResult) -> str:
    """The overall table plus recall and citation figures per category, for a terminal."""
    header, rows = table_rows(result)
    lines = [_plain(header, rows)]
    summaries = _summaries(result)
    cats = _categories(result)
    for key in CHART_METRICS:
        name = metric_name(key, result.k)
        cat_rows = [
            [
                f"{c} ({n})",
                *(_fmt(s["per_category"].get(c, {}).get(name), key) for s in summaries.values()),
            ]
            for c, n in cats
        ]
        lines.append("")
        lines.append(_plain([_label(key, result.k), *summaries], cat_rows))
    n = len(result.items)
    lines.append("")
    lines.append(f"{n} questions, k={result.k}")
    return "\n".join(lines)


def _plain(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [
            r[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)),
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def _md(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---", *["---:"] * (len(header) - 1)]) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _categories(result: EvalResult) -> list[tuple[str, int]]:
    counts = Counter(item.category for item in result.items)
    return sorted(counts.items())


def write_chart(result: EvalResult, path: Path) -> Path:
    """Grouped bars per category for recall@k, citation precision and citation recall."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summaries = _summaries(result)
    systems = list(summaries)
    cats = [c for c, _ in _categories(result)] + ["overall"]
    fig, axes = plt.subplots(
        len(CHART_METRICS), 1, figsize=(max(8, 1.1 * len(cats) + 3), 11), sharex=True
    )
    width = 0.8 / max(1, len(systems))
    for ax, key in zip(axes, CHART_METRICS, strict=True):
        name = metric_name(key, result.k)
        for i, system in enumerate(systems):
            s = summaries[system]
            values = [
                (s if c == "overall" else s["per_category"].get(c, {})).get(name) for c in cats
            ]
            xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(cats))]
            ax.bar(xs, [v if v is not None else 0 for v in values], width, label=system)
        ax.set_ylabel(_label(key, result.k))
        ax.set_ylim(0, 1.05)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(ncol=len(systems), loc="upper right", fontsize="small")
    axes[-1].set_xticks(range(len(cats)))
    axes[-1].set_xticklabels(cats, rotation=30, ha="right")
    axes[0].set_title(f"resbot vs baselines, {len(result.items)} gold questions (k={result.k})")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _why(s: QuestionScore) -> str:
    reasons = []
    if s.error:
        reasons.append(f"error: {s.error}")
    if not s.refusal_ok:
        reasons.append(
            "declined an answerable question"
            if s.answerable
            else "answered an unanswerable question"
        )
    if s.recall is not None and s.recall < 1:
        reasons.append(f"recall@k {s.recall:.2f}")
    if s.citation_precision is not None and s.citation_precision < 1:
        reasons.append(f"citation precision {s.citation_precision:.2f}")
    if s.citation_recall is not None and s.citation_recall < 1:
        reasons.append(f"citation recall {s.citation_recall:.2f}")
    if s.uncited:
        reasons.append("no citation")
    if s.contains is False:
        reasons.append("answer lacks an expected phrase")
    return "; ".join(reasons)


def failed_section(scores: Sequence[QuestionScore], system: str, limit: int = 200) -> str:
    failed = [s for s in scores if s.failed]
    lines = [f"## Failed questions ({system}): {len(failed)} of {len(scores)}", ""]
    for s in failed[:limit]:
        lines.append(f"### {s.id} ({s.category})")
        lines.append(f"> {s.question}")
        lines.append("")
        lines.append(f"- why: {_why(s)}")
        lines.append(f"- expected: {', '.join(s.expected) or '(nothing: unanswerable)'}")
        if s.missing:
            lines.append(f"- not retrieved: {'; '.join(s.missing)}")
        lines.append(f"- retrieved (top k): {'; '.join(s.retrieved) or '(nothing)'}")
        lines.append(f"- cited: {'; '.join(s.cited) or '(nothing)'}")
        answer = " ".join(s.answer.split())
        if answer:
            lines.append(f"- answer ({s.mode}): {answer[:300]}{'…' if len(answer) > 300 else ''}")
        lines.append("")
    if len(failed) > limit:
        lines.append(f"… and {len(failed) - limit} more (see the JSON output).")
    return "\n".join(lines)


def write_report(result: EvalResult, out_dir: Path, title: str = "resbot evaluation") -> Path:
    """`report.md` + `chart.png` in out_dir; returns the Markdown path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chart = write_chart(result, out_dir / "chart.png")
    summaries = _summaries(result)
    header, rows = table_rows(result)
    cats = _categories(result)
    parts = [
        f"# {title}",
        "",
        f"Generated {dt.date.today().isoformat()} by `resbot eval` over "
        f"{', '.join(f'`{g}`' for g in result.gold_files) or 'the gold set'}: "
        f"{len(result.items)} questions ({', '.join(f'{c}: {n}' for c, n in cats)}), k = {result.k}.",
        "",
        "## Overall",
        "",
        _md(header, rows),
        "",
        f"![resbot vs baselines per category]({chart.name})",
        "",
        "## Per category",
        "",
    ]
    for key in CHART_METRICS:
        name = metric_name(key, result.k)
        cat_rows = [
            [
                f"{c} ({n})",
                *(_fmt(s["per_category"].get(c, {}).get(name), key) for s in summaries.values()),
            ]
            for c, n in cats
        ]
        parts += [f"### {_label(key, result.k)}", "", _md(["category", *summaries], cat_rows), ""]
    parts += [
        "## Definitions",
        "",
        "- An expected paragraph matches by symbol and label when both sides know the symbol "
        "(any file of that resolution counts), otherwise by file name and label; the *quote* "
        "recalls match the expected quote inside the retrieved or cited text instead.",
        "- recall@k: share of expected paragraphs among the top k retrieved; MRR and nDCG over the "
        "first 10; citation precision: distinct cited paragraphs that are expected (undefined and "
        "skipped when an answerable question gets no citation, counted as *answerable, no "
        "citation*); citation recall: expected paragraphs cited.",
        "- refusal accuracy: unanswerable questions declined and answerable ones answered; "
        "follow-up accuracy: follow-up questions with recall@k > 0 and an expected paragraph cited; "
        "latency: the final question of each conversation, wall clock.",
        "- Failed questions (below) missed something expected: a wrong refusal, an expected "
        "paragraph not retrieved in the top k or not cited, an expected phrase not in the answer, "
        "or an error; an extra citation alone is not a failure (it shows in citation precision).",
        "",
    ]
    if result.notes:
        parts += ["## How the baselines were built", ""]
        parts += [f"- {note}" for note in result.notes]
        parts.append("")
    focus = result.primary or next(iter(result.runs.values()), None)
    if focus is not None:
        parts.append(failed_section(focus.scores, focus.name))
    path = out_dir / "report.md"
    path.write_text("\n".join(parts).rstrip() + "\n", encoding="utf-8")
    return path
