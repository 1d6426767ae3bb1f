"""One run, side by side: today's engine, an earlier engine (a git revision) and the baselines,
on the same store and the same gold, with the figures issue 13 asks for.

    .venv/bin/python eval/compare.py --store STORE --gold eval/gold/dev/heldout.jsonl \
        --before 25a21e0 --baseline bm25 --report eval/reports/heldout

The earlier engine runs from a git worktree of that revision, in its own process, over a
copy of the store (its derived tables have another schema). Beside `resbot eval`'s figures
this adds: agreement between each question and its rewording (same citations, or both
declined), the largest number of citations in one answer, and latency percentiles.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEYS = (
    ("recall_at_5", "recall@5"),
    ("citation_precision", "citation precision"),
    ("citation_recall", "citation recall"),
    ("refusal_accuracy", "refusal accuracy"),
    ("followup_accuracy", "follow-up accuracy"),
    ("answer_contains", "answer_contains"),
)


def run_eval(
    code: Path, store: Path, gold: list[Path], baselines: list[str], env: dict[str, str]
) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bot.cli", "--store", str(store), "eval", *map(str, gold)]
    for b in baselines:
        cmd += ["--baseline", b]
    cmd.append("--json")
    out = subprocess.run(
        cmd, cwd=code, env={**env, "PYTHONPATH": str(code)}, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"eval failed in {code}:\n{out.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def groups_of(gold: list[Path]) -> dict[str, str]:
    out = {}
    for path in gold:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out[item["id"]] = str(item.get("group") or item["id"])
    return out


def extras(per_question: list[dict[str, Any]], groups: dict[str, str]) -> dict[str, Any]:
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in per_question:
        by_group[groups.get(q["id"], q["id"])].append(q)
    pairs = [qs for qs in by_group.values() if len(qs) == 2]
    same = sum(
        (a["answered"] == b["answered"]) and sorted(a["cited"]) == sorted(b["cited"])
        for a, b in pairs
    )
    return {
        "rewording_agreement": round(same / len(pairs), 3) if pairs else None,
        "rewording_pairs": len(pairs),
        "max_citations": max((len(q["cited"]) for q in per_question), default=0),
    }


def row(name: str, summary: dict[str, Any], groups: dict[str, str]) -> dict[str, Any]:
    out = {"system": name, "n": summary.get("n")}
    for key, _ in KEYS:
        out[key] = summary.get(key)
    out.update(extras(summary.get("per_question") or [], groups))
    out["latency_ms_p50"] = summary.get("latency_ms_p50")
    out["latency_ms_p95"] = summary.get("latency_ms_p95")
    return out


def per_category(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(summary.get("per_category") or {})


def fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.2f}" if v <= 1.0 else f"{v:.0f}"
    return str(v)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--gold", type=Path, nargs="+", required=True)
    ap.add_argument("--before", help="git revision of the earlier engine to run beside")
    ap.add_argument("--baseline", action="append", default=[])
    ap.add_argument("--report", type=Path, required=True)
    args = ap.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    gold = [g.resolve() for g in args.gold]
    groups = groups_of(gold)
    now = run_eval(REPO, args.store, gold, args.baseline, env)
    rows = [row("resbot (this revision)", now, groups)]
    cats = {"resbot (this revision)": per_category(now)}
    for name, base in (now.get("baselines") or {}).items():
        rows.append(row(f"baseline: {name}", base, groups))
        cats[f"baseline: {name}"] = per_category(base)
    if args.before:
        tmp = Path(tempfile.mkdtemp(prefix="resbot-before-"))
        tree = tmp / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), args.before],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        try:
            copy = tmp / "store"
            shutil.copytree(args.store, copy, ignore=shutil.ignore_patterns("*.lock"))
            old = run_eval(tree, copy, gold, [], env)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO)
            shutil.rmtree(tmp, ignore_errors=True)
        name = f"resbot at {args.before} (before)"
        rows.insert(1, row(name, old, groups))
        cats[name] = per_category(old)
    args.report.mkdir(parents=True, exist_ok=True)
    (args.report / "compare.json").write_text(
        json.dumps({"rows": rows, "per_category": cats}, indent=1) + "\n"
    )
    head = [label for _, label in KEYS] + [
        "rewording agreement",
        "max citations",
        "p50 ms",
        "p95 ms",
    ]
    lines = [
        f"# {', '.join(g.name for g in gold)}: side by side",
        "",
        f"Command: `{' '.join(['python', *sys.argv])}`",
        "",
        "| system | n | " + " | ".join(head) + " |",
        "|---|---:|" + "---:|" * len(head),
    ]
    for r in rows:
        vals = [r[k] for k, _ in KEYS] + [
            r["rewording_agreement"],
            r["max_citations"],
            r["latency_ms_p50"],
            r["latency_ms_p95"],
        ]
        lines.append(f"| {r['system']} | {r['n']} | " + " | ".join(fmt(v) for v in vals) + " |")
    lines += ["", "Per category (citation precision / citation recall / refusal accuracy):", ""]
    systems = list(cats)
    categories = sorted({c for s in cats.values() for c in s})
    lines.append("| category | " + " | ".join(systems) + " |")
    lines.append("|---|" + "---|" * len(systems))
    for c in categories:
        cells = []
        for s in systems:
            v = cats[s].get(c, {})
            cells.append(
                f"{fmt(v.get('citation_precision'))} / {fmt(v.get('citation_recall'))} / "
                f"{fmt(v.get('refusal_accuracy'))}"
            )
        n = next((cats[s][c].get("n") for s in systems if c in cats[s]), "")
        lines.append(f"| {c} ({n}) | " + " | ".join(cells) + " |")
    (args.report / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
