"""Hybrid search: BM25 and dense candidates, each described by named signals
(`bot/retrieval/features.py`) and scored by a model fitted on the tuning gold
(`bot/data/ranking.json`, written by `eval/fit.py`)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.answer.types import Retrieved
from bot.retrieval import features as F
from bot.retrieval.lexical import LexicalIndex, LexicalIndexCache
from bot.retrieval.query import QueryPlan, analyse, in_part
from bot.retrieval.scoring import LinearModel
from ingest.embedding import Embedder
from ingest.store import DocRecord, ParagraphStore

log = logging.getLogger(__name__)

# How many paragraphs each ranker proposes; the union is scored.
CANDIDATES = 60
RANKING_MODEL = "ranking.json"


@dataclass
class Candidate:
    row: int
    dense_sim: float | None = None
    lex: float = 0.0
    features: list[float] = field(default_factory=list)
    score: float = 0.0
    why: list[str] = field(default_factory=list)

    def feature(self, name: str) -> float:
        return self.features[F.NAMES.index(name)] if self.features else 0.0


def load_ranking_model(path: Path | None = None) -> LinearModel:
    return LinearModel.load(path or RANKING_MODEL, F.NAMES)


class HybridSearcher:
    """Dense + lexical retrieval over a `ParagraphStore`; the index is rebuilt when the store changes."""

    def __init__(
        self,
        store: ParagraphStore,
        embedder: Embedder,
        lexical: LexicalIndexCache,
        per_doc_cap: int = 2,
        model: LinearModel | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.per_doc_cap = per_doc_cap
        self.model = model or load_ranking_model()

    def index(self) -> LexicalIndex:
        return self.lexical.get()

    def plan(self, question: str) -> QueryPlan:
        index = self.index()
        plan = analyse(question, list(index.doc_rows), extra_acronyms=index_acronyms(index))
        plan.title_docs = titled_docs(index, plan)
        if len(plan.title_docs) == 1:
            # Named by its subject as surely as by its symbol: scope it the same way
            # (follow-ups stay with it, "… about X" is checked against it alone).
            plan.doc_ids = list(plan.title_docs)
        return plan

    def search(self, plan: QueryPlan, k: int = 5) -> list[Retrieved]:
        index = self.index()
        return [to_retrieved(index, c) for c in self.rank(plan)[:k]]

    def document(self, doc_id: str) -> DocRecord | None:
        return self.store.get_doc(doc_id)

    def candidates(self, plan: QueryPlan) -> list[Candidate]:
        """Every candidate with its signals, best first (what `eval/fit.py` learns from)."""
        return self.rank(plan)

    # -- internals ----------------------------------------------------------
    def rank(self, plan: QueryPlan) -> list[Candidate]:
        index = self.index()
        if not len(index):
            return []
        scope = plan.doc_ids or plan.title_docs
        lex = index.scores(lexical_query(plan, index))
        if scope:
            allowed = np.zeros(len(index), dtype=bool)
            for d in scope:
                allowed[index.doc_rows.get(d, [])] = True
            lex = np.where(allowed, lex, 0.0)
        cands: dict[int, Candidate] = {}
        for row in np.argsort(-lex)[:CANDIDATES]:
            if lex[row] <= 0:
                break
            cands.setdefault(int(row), Candidate(int(row)))
        qvec = np.asarray(self.embedder.embed_query(plan.dense_text), dtype=np.float32)
        where: dict[str, Any] | None = None
        if scope:
            where = {"doc_id": {"$in": scope}} if len(scope) > 1 else {"doc_id": scope[0]}
        for hit in self.store.query(qvec.tolist(), CANDIDATES, where=where):
            row = index.row_of(hit.id)
            if row is None or index.metas[row].get("ver") != hit.metadata.get("ver"):
                continue  # not live (being written, or newer than our index)
            cands.setdefault(row, Candidate(row)).dense_sim = hit.score
        # Paragraphs asked for by label, and the front matter of a metadata question, are
        # candidates even when neither ranker found them.
        for d in plan.doc_ids:
            for row in index.doc_rows.get(d, []):
                label = index.metas[row].get("label")
                if label in plan.labels or (plan.intents and label == "HEADER"):
                    cands.setdefault(row, Candidate(row))
        if plan.parts and scope:
            # "What does part III say …": that part's paragraphs, and only them, are candidates.
            part_rows = [
                row
                for d in scope
                for row in index.doc_rows.get(d, [])
                if any(
                    in_part(
                        str(index.metas[row].get("label") or ""),
                        str(index.metas[row].get("section") or ""),
                        part,
                    )
                    for part in plan.parts
                )
            ]
            if part_rows:
                cands = {row: cands.get(row, Candidate(row)) for row in part_rows}
        self._fill_dense_sims(index, cands, qvec)
        pool = list(cands.values())
        top_lex = max((float(lex[c.row]) for c in pool), default=0.0) or 1.0
        ctx = F.Context.build(plan, index)
        for c in pool:
            c.lex = float(lex[c.row]) / top_lex
            feats = F.row_for(index, c.row, c.dense_sim or 0.0, c.lex)
            c.features = F.vector(ctx, feats)
        if pool:
            scores = self.model.scores(np.asarray([c.features for c in pool], dtype=np.float64))
            for c, s in zip(pool, scores, strict=True):
                c.score = float(s)
                c.why = explain(c, self.model) + expanded_in(index.texts[c.row], plan)
        ranked = sorted(pool, key=lambda c: -c.score)
        return diversify(index, ranked, self.per_doc_cap if len(scope) != 1 else 99)

    def _fill_dense_sims(
        self, index: LexicalIndex, cands: dict[int, Candidate], qvec: np.ndarray
    ) -> None:
        missing = [c for c in cands.values() if c.dense_sim is None]
        if not missing:
            return
        vectors = dict(self.store.vectors([index.ids[c.row] for c in missing]))
        for c in missing:
            vec = vectors.get(index.ids[c.row])
            c.dense_sim = float(np.dot(vec, qvec)) if vec is not None else 0.0


def explain(c: Candidate, model: LinearModel, top: int = 4) -> list[str]:
    """The signals that raised this candidate most, for `--json` and /sources."""
    if not c.features or model.mean is None or model.scale is None:
        return []
    contrib = (np.asarray(c.features) - model.mean) / model.scale * model.weights
    order = np.argsort(-contrib)[:top]
    return [
        f"{model.features[i]} {c.features[i]:.2f}"
        for i in order
        if contrib[i] > 0 and c.features[i]
    ]


def expanded_in(text: str, plan: QueryPlan) -> list[str]:
    """The acronym of the question that the paragraph spells out ("UNODC = United Nations …")."""
    low = text.lower()
    for acro, longs in plan.expansions.items():
        if acro in text or any(x.lower() in low for x in longs):
            return [f"{acro} = {longs[0]}"]
    return []


def lexical_query(plan: QueryPlan, index: LexicalIndex) -> list[str]:
    """The BM25 query: the question's terms, plus drafting equivalents of words the corpus never uses."""
    out = list(plan.lexical_terms)
    for term, alts in plan.alternatives.items():
        if term in index.vocab:
            continue
        for alt in alts:
            out.extend(t for t in alt if t not in out)
    return out


TITLE_MATCH = 0.6
MAX_TITLED_DOCS = 12


def title_share(
    wanted: list[str],
    title: str,
    alternatives: dict[str, tuple[tuple[str, ...], ...]] | None = None,
) -> float:
    """Share of the subject a question names a resolution by ("the trafficking resolution")
    that the resolution's title has."""
    if not wanted:
        return 0.0
    have = F.title_terms_of(title)
    alts = alternatives or {}
    return sum(F.has_term(t, have, alts) for t in wanted) / len(wanted)


def titled_docs(index: LexicalIndex, plan: QueryPlan) -> list[str]:
    """The resolutions a question names by subject, when the store's titles single them out.

    "the resolution on wildlife trafficking" is one document of a thousand; searching the
    other 999 can only add wrong answers. Too many matches ("the resolution on women") or
    none leave the search open.
    """
    if not plan.title_terms or plan.doc_ids:
        return []
    found = []
    for doc, rows in index.doc_rows.items():
        if not rows:
            continue
        title = str(index.metas[rows[0]].get("title") or "")
        if title_share(plan.title_terms, title, plan.alternatives) >= TITLE_MATCH:
            found.append(doc)
            if len(found) > MAX_TITLED_DOCS:
                return []
    return found


def diversify(index: LexicalIndex, ranked: list[Candidate], per_doc_cap: int) -> list[Candidate]:
    """Keep at most `per_doc_cap` paragraphs per document near the top, then the rest in order."""
    top: list[Candidate] = []
    rest: list[Candidate] = []
    seen: dict[str, int] = {}
    texts: set[str] = set()
    for c in ranked:
        doc = str(index.metas[c.row].get("doc_id"))
        # Identical paragraphs in *different* resolutions are kept: a question across
        # resolutions wants each of them. Within one document they are near-copies.
        norm = doc + "|" + " ".join(index.texts[c.row].lower().split())[:400]
        dup = norm in texts and len(norm) > 80
        if seen.get(doc, 0) < per_doc_cap and not dup:
            top.append(c)
            seen[doc] = seen.get(doc, 0) + 1
        else:
            rest.append(c)
        texts.add(norm)
    return top + rest


def index_acronyms(index: LexicalIndex) -> dict[str, list[str]]:
    cached = getattr(index, "_acronyms", None)
    if cached is None:
        from bot import glossary

        cached = {a: [long] for a, long in glossary.learn_from_corpus(index.texts).items()}
        index._acronyms = cached  # type: ignore[attr-defined]
    return dict(cached)


def to_retrieved(index: LexicalIndex, c: Candidate) -> Retrieved:
    meta = dict(index.metas[c.row])
    notes = meta.get("footnotes")
    meta["footnotes_list"] = json.loads(notes) if isinstance(notes, str) and notes else []
    meta["dense_sim"] = c.dense_sim
    meta["lex"] = c.lex
    meta["features"] = dict(zip(F.NAMES, c.features, strict=False))
    return Retrieved(
        doc_id=str(meta.get("doc_id")),
        symbol=meta.get("symbol"),
        label=str(meta.get("label")),
        source=str(meta.get("source", "")),
        text=index.texts[c.row],
        score=c.score,
        why=c.why or [],
        metadata=meta,
    )
