"""Score mandate extraction against the hand-written gold set (eval/mandates/gold.jsonl).

    .venv/bin/python eval/mandates/score.py [--corpus ../shared/corpus] [--json] [--errors]

The gold set lists every reporting mandate of its documents (a "doc" line per resolution, a
"mandate" line per reporting clause), so a reporting clause the extractor finds in one of those
documents and the gold set lacks counts against precision. Per field:

* ``reporting``: the clause is found as a reporting mandate at all (paired with a gold clause
  of the same paragraph);
* scalar fields (verb, via, due_session, due_body, due_year, frequency): precision = correct /
  clauses where the extractor gave a value, recall = correct / gold clauses with a value;
* set fields (actors, recipients): counted per element.

Gold quotes are checked against the parsed paragraph text first, so a gold line that no longer
matches its source is reported rather than silently scored.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bot.glossary import normalise  # noqa: E402
from bot.mandates.extract import Mandate, extract_mandates  # noqa: E402
from ingest.parsers import parse_file  # noqa: E402

GOLD = Path(__file__).with_name("gold.jsonl")
SCALARS = ("verb", "via", "due_session", "due_body", "due_year", "frequency")
SETS = ("actors", "recipients")
FIELDS = ("reporting", *SETS, *SCALARS)


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        v = " ".join(normalise(value).split()).casefold()
        return re.sub(r"^(?:(?:the|relevant|all)\s+)+", "", v)
    return value


def _text_norm(text: str) -> str:
    return " ".join(normalise(text).split())


def load_gold(path: Path = GOLD) -> tuple[dict[str, str], list[dict[str, Any]]]:
    docs: dict[str, str] = {}
    mandates: list[dict[str, Any]] = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row["type"] == "doc":
            docs[row["symbol"]] = row["source"]
        else:
            mandates.append(row)
    return docs, mandates


def predicted(
    corpus: Path, docs: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]], list[str]]:
    """Reporting mandates the extractor finds in the gold documents, as gold-shaped rows."""
    rows: list[dict[str, Any]] = []
    texts: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    for symbol, rel in docs.items():
        path = corpus / rel
        if not path.exists():
            problems.append(f"{symbol}: missing file {path}")
            continue
        resolutions = parse_file(path)
        res = next((r for r in resolutions if r.symbol == symbol), resolutions[0])
        texts[symbol] = {p.label: p.text for p in res.paragraphs}
        for m in extract_mandates(res):
            if m.reporting:
                rows.append(_row(symbol, m))
    return rows, texts, problems


def _row(symbol: str, m: Mandate) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "label": m.label,
        "clause": m.clause,
        "verb": m.verb,
        "actors": m.actors,
        "recipients": m.recipients,
        "via": m.via,
        "due_session": m.due_session,
        "due_body": m.due_body,
        "due_year": m.due_year,
        "frequency": m.frequency,
    }


def _agreement(g: dict[str, Any], p: dict[str, Any]) -> int:
    score = sum(_norm(g[f]) == _norm(p[f]) for f in SCALARS if g[f] is not None)
    for f in SETS:
        score += len({_norm(x) for x in g[f]} & {_norm(x) for x in p[f]})
    return score


def pair(
    gold: list[dict[str, Any]], pred: list[dict[str, Any]]
) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Pair gold and predicted clauses of the same paragraph, best agreement first."""
    by_para: dict[tuple[str, str], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = defaultdict(
        lambda: ([], [])
    )
    for g in gold:
        by_para[(g["symbol"], g["label"])][0].append(g)
    for p in pred:
        by_para[(p["symbol"], p["label"])][1].append(p)
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
    for gs, ps in by_para.values():
        best: list[tuple[int, int]] = []
        best_score = -1
        n = min(len(gs), len(ps))
        for gi in itertools.permutations(range(len(gs)), n):
            for pi in itertools.permutations(range(len(ps)), n):
                score = sum(_agreement(gs[a], ps[b]) for a, b in zip(gi, pi, strict=True))
                if score > best_score:
                    best_score, best = score, list(zip(gi, pi, strict=True))
        used_g = {a for a, _ in best}
        used_p = {b for _, b in best}
        pairs.extend((gs[a], ps[b]) for a, b in best)
        pairs.extend((g, None) for i, g in enumerate(gs) if i not in used_g)
        pairs.extend((None, p) for i, p in enumerate(ps) if i not in used_p)
    return pairs


def score(
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]],
) -> dict[str, dict[str, float]]:
    counts = {f: {"correct": 0, "pred": 0, "gold": 0} for f in FIELDS}
    for g, p in pairs:
        c = counts["reporting"]
        c["gold"] += g is not None
        c["pred"] += p is not None
        c["correct"] += g is not None and p is not None
        for f in SCALARS:
            gv = g[f] if g else None
            pv = p[f] if p else None
            counts[f]["gold"] += gv is not None
            counts[f]["pred"] += pv is not None
            counts[f]["correct"] += gv is not None and pv is not None and _norm(gv) == _norm(pv)
        for f in SETS:
            gs = {_norm(x) for x in (g[f] if g else [])}
            ps = {_norm(x) for x in (p[f] if p else [])}
            counts[f]["gold"] += len(gs)
            counts[f]["pred"] += len(ps)
            counts[f]["correct"] += len(gs & ps) if g and p else 0
    out: dict[str, dict[str, float]] = {}
    for f, c in counts.items():
        prec = c["correct"] / c["pred"] if c["pred"] else 1.0
        rec = c["correct"] / c["gold"] if c["gold"] else 1.0
        out[f] = {**c, "precision": round(prec, 3), "recall": round(rec, 3)}
    return out


def check_quotes(gold: list[dict[str, Any]], texts: dict[str, dict[str, str]]) -> list[str]:
    bad: list[str] = []
    for g in gold:
        text = texts.get(g["symbol"], {}).get(g["label"])
        if text is None:
            bad.append(f"{g['symbol']} {g['label']}: no such paragraph")
        elif _text_norm(g["quote"]) not in _text_norm(text):
            bad.append(f"{g['symbol']} {g['label']}: quote not found")
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_corpus = Path(os.environ.get("RESBOT_SHARED", REPO.parent / "shared")) / "corpus"
    ap.add_argument("--corpus", type=Path, default=default_corpus)
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--errors", action="store_true", help="list the disagreements")
    args = ap.parse_args(argv)

    docs, gold = load_gold(args.gold)
    pred, texts, problems = predicted(args.corpus, docs)
    problems += check_quotes(gold, texts)
    pairs = pair(gold, pred)
    figures = score(pairs)
    if args.json:
        print(
            json.dumps(
                {
                    "documents": len(docs),
                    "gold_mandates": len(gold),
                    "fields": figures,
                    "problems": problems,
                },
                indent=2,
            )
        )
    else:
        print(f"{len(docs)} documents, {len(gold)} gold reporting mandates, {len(pred)} extracted")
        print(f"{'field':<12} {'precision':>9} {'recall':>7}   correct/pred/gold")
        for f, c in figures.items():
            print(
                f"{f:<12} {c['precision']:>9.3f} {c['recall']:>7.3f}   {c['correct']}/{c['pred']}/{c['gold']}"
            )
        for problem in problems:
            print(f"problem: {problem}")
    if args.errors:
        for g, p in pairs:
            diffs: list[str] = []
            for f in (*SETS, *SCALARS):
                gv = g[f] if g else None
                pv = p[f] if p else None
                if f in SETS:
                    same = {_norm(x) for x in gv or []} == {_norm(x) for x in pv or []}
                else:
                    same = _norm(gv) == _norm(pv)
                if not same:
                    diffs.append(f"{f}: gold={gv!r} got={pv!r}")
            if diffs or g is None or p is None:
                where = (g or p or {}).get("symbol"), (g or p or {}).get("label")
                tag = "MISSED" if p is None else "EXTRA" if g is None else "DIFF"
                print(f"{tag} {where[0]} {where[1]}: " + "; ".join(diffs))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
