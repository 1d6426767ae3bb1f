"""Hybrid search: BM25 and dense candidates, scored by a mix of dense similarity, coverage and BM25
plus what the question asks for (a place, a date, an addressee, a resolution named by subject)."""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from bot.answer.types import Retrieved
from bot.places import place_pattern
from bot.retrieval.lexical import LexicalIndex, LexicalIndexCache
from bot.retrieval.ordinals import ordinal_words
from bot.retrieval.query import (
    AGE_RX,
    DATE_RX,
    QueryPlan,
    analyse,
    has_figure,
    names_in,
)
from bot.retrieval.text import QUESTION_NOISE, bigrams, index_terms
from ingest.embedding import Embedder
from ingest.store import ParagraphStore

log = logging.getLogger(__name__)

RRF_K = 60
CANDIDATES = 60
W_DENSE, W_COVERAGE, W_LEXICAL, W_BOOST = 0.75, 0.25, 0.1, 15.0


@dataclass
class Candidate:
    row: int
    rrf: float = 0.0
    dense_rank: int | None = None
    lex_rank: int | None = None
    dense_sim: float | None = None
    coverage: float = 0.0
    lex: float = 0.0
    boost: float = 0.0
    why: list[str] | None = None

    @property
    def score(self) -> float:
        # A convex mix of the fused signals, weights fitted on the dev gold sets
        # (README, "Retrieval"); boosts are structural hints (label asked for,
        # matching operative verb, phrase matches) on the same scale.
        return (
            W_DENSE * (self.dense_sim or 0.0)
            + W_COVERAGE * self.coverage
            + W_LEXICAL * self.lex
            + W_BOOST * self.boost
        )


class HybridSearcher:
    """Dense + lexical retrieval over a `ParagraphStore`; the index is rebuilt when the store changes."""

    def __init__(
        self,
        store: ParagraphStore,
        embedder: Embedder,
        lexical: LexicalIndexCache,
        per_doc_cap: int = 2,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.per_doc_cap = per_doc_cap

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
        ranked = self.rank(plan)
        index = self.index()
        return [to_retrieved(index, c) for c in ranked[:k]]

    # -- internals ----------------------------------------------------------
    def rank(self, plan: QueryPlan) -> list[Candidate]:
        index = self.index()
        if not len(index):
            return []
        rows_allowed: np.ndarray | None = None
        scope = plan.doc_ids or plan.title_docs
        if scope:
            rows_allowed = np.zeros(len(index), dtype=bool)
            for d in scope:
                rows_allowed[index.doc_rows.get(d, [])] = True

        cands: dict[int, Candidate] = {}
        # Lexical.
        lex = index.scores(lexical_query(plan, index))
        if rows_allowed is not None:
            lex = np.where(rows_allowed, lex, 0.0)
        order = np.argsort(-lex)[:CANDIDATES]
        for rank, row in enumerate(order):
            if lex[row] <= 0:
                break
            c = cands.setdefault(int(row), Candidate(int(row), why=[]))
            c.lex_rank = rank
            c.rrf += 1.0 / (RRF_K + rank + 1)
        # Dense.
        qvec = np.asarray(self.embedder.embed_query(plan.dense_text), dtype=np.float32)
        where: dict[str, Any] | None = None
        if scope:
            where = {"doc_id": {"$in": scope}} if len(scope) > 1 else {"doc_id": scope[0]}
        dense_rank = 0
        for hit in self.store.query(qvec.tolist(), CANDIDATES, where=where):
            row = index.row_of(hit.id)
            if row is None or index.metas[row].get("ver") != hit.metadata.get("ver"):
                continue  # not live (being written, or newer than our index)
            c = cands.setdefault(row, Candidate(row, why=[]))
            c.dense_rank = dense_rank
            c.dense_sim = hit.score
            c.rrf += 1.0 / (RRF_K + dense_rank + 1)
            dense_rank += 1
        # Labels asked for explicitly are candidates even if neither ranker found them.
        if plan.labels and plan.doc_ids:
            for d in plan.doc_ids:
                for row in index.doc_rows.get(d, []):
                    if index.metas[row].get("label") in plan.labels:
                        cands.setdefault(row, Candidate(row, why=[]))
        if plan.intents and plan.doc_ids:
            for d in plan.doc_ids:
                for row in index.doc_rows.get(d, []):
                    if index.metas[row].get("label") == "HEADER":
                        cands.setdefault(row, Candidate(row, why=[]))

        self._fill_dense_sims(index, cands, qvec)
        # Reciprocal rank fusion over the union of both candidate lists, each
        # candidate ranked by *both* scores: a paragraph that BM25 puts first but
        # that fell just outside the dense top-N is not punished for it.
        pool = list(cands.values())
        by_dense = sorted(pool, key=lambda c: -(c.dense_sim or 0.0))
        by_lex = sorted(pool, key=lambda c: -float(lex[c.row]))
        for rank, c in enumerate(by_dense):
            c.dense_rank = rank
            c.rrf = 1.0 / (RRF_K + rank + 1)
        top_lex = max((float(lex[c.row]) for c in pool), default=0.0) or 1.0
        for c in pool:
            c.lex = float(lex[c.row]) / top_lex
        for rank, c in enumerate(by_lex):
            c.lex_rank = rank if lex[c.row] > 0 else None
            if lex[c.row] > 0:
                c.rrf += 1.0 / (RRF_K + rank + 1)
        idf = term_idf(index, plan.lexical_terms)
        pairs = plan_bigrams(plan)  # once per question, not once per candidate
        for c in cands.values():
            self._explain_and_boost(index, plan, c, idf, pairs)
        ranked = sorted(cands.values(), key=lambda c: -c.score)
        return diversify(index, ranked, self.per_doc_cap if len(scope) != 1 else 99)

    def _fill_dense_sims(
        self, index: LexicalIndex, cands: dict[int, Candidate], qvec: np.ndarray
    ) -> None:
        missing = [c for c in cands.values() if c.dense_sim is None]
        if not missing:
            return
        vectors = self.store_vectors([index.ids[c.row] for c in missing])
        for c in missing:
            vec = vectors.get(index.ids[c.row])
            c.dense_sim = float(np.dot(vec, qvec)) if vec is not None else 0.0

    def store_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        getter = getattr(self.store, "vectors", None)
        if getter is None:
            return {}
        return dict(getter(ids))

    def _explain_and_boost(
        self,
        index: LexicalIndex,
        plan: QueryPlan,
        c: Candidate,
        idf: dict[str, float],
        pairs: set[tuple[str, str]],
    ) -> None:
        meta = index.metas[c.row]
        why = c.why if c.why is not None else []
        if c.dense_rank is not None:
            why.append(f"dense #{c.dense_rank + 1} ({c.dense_sim:.2f})")
        if c.lex_rank is not None:
            why.append(f"bm25 #{c.lex_rank + 1}")
        label = str(meta.get("label"))
        if plan.doc_ids and meta.get("doc_id") in plan.doc_ids:
            why.append(f"symbol {meta.get('symbol') or meta.get('doc_id')}")
        if plan.labels and label in plan.labels:
            c.boost += 1.0
            why.append(f"label {label}")
        if plan.intents and label == "HEADER":
            c.boost += 0.05
            why.append("metadata question")
        body = str(meta.get("body") or "")
        if plan.bodies and any(b.lower() in body.lower() for b in plan.bodies):
            c.boost += 0.004
        year = meta.get("year")
        if isinstance(year, int):
            if plan.years and year in plan.years:
                c.boost += 0.006
                why.append(f"year {year}")
            if plan.since_year and year < plan.since_year:
                c.boost -= 0.02
        for acro in plan.expansions:
            if acro in index.texts[c.row] or any(
                x.lower() in index.texts[c.row].lower() for x in plan.expansions[acro]
            ):
                why.append(f"{acro} = {plan.expansions[acro][0]}")
                break
        text = index.texts[c.row]
        verb = str(meta.get("verb") or "").lower()
        if plan.verb_hints and verb and any(verb.endswith(h) or h in verb for h in plan.verb_hints):
            c.boost += 0.004
            why.append(f"verb {meta.get('verb')}")
        if plan.duty and meta.get("kind") == "operative":
            c.boost += 0.004  # duties are laid down in operative paragraphs
        if plan.ordinals:
            low = text.lower()
            if all(ordinal_words(o) in low for o in plan.ordinals):
                c.boost += 0.004
        if pairs:
            shared = len(pairs & bigrams(index_terms(text)))
            if shared:
                c.boost += min(shared, 3) * 0.003
                why.append(f"{shared} phrase match" + ("es" if shared > 1 else ""))
        # A question asking "how many" or "when" is answered by a paragraph that has a figure or a date.
        if "number" in plan.answer_types and has_figure(text):
            c.boost += 0.006
            why.append("has a figure")
            if plan.counted and re.search(
                rf"\b\d[\d,]*\s+(?:\w+\s+)?{re.escape(plan.counted[:5])}", text, re.I
            ):
                c.boost += 0.01  # "173 parties" answers "how many parties"
        if "date" in plan.answer_types and DATE_RX.search(text):
            c.boost += 0.008
            why.append("has a date or session")
        # Coverage looks at the paragraph itself: the title is shared by every
        # paragraph of a document and would make them all look alike.
        para = index.para(c.row)
        full = para.text_with_notes
        full_terms = index_terms(full)
        c.coverage = coverage(plan.lexical_terms, set(full_terms), idf, plan.alternatives)
        if "place" in plan.answer_types and place_pattern().search(text):
            c.boost += 0.008
            why.append("names a place")
        if "age" in plan.answer_types and AGE_RX.search(full):
            c.boost += 0.008
            why.append("states an age")
        if "names" in plan.answer_types and len(names_in(full)) >= 8:
            c.boost += 0.006
            why.append("names several bodies")
        for phrase in plan.quoted:
            if contains_phrase(full_terms, phrase):
                c.boost += 0.01
                why.append("has the quoted words")
        if plan.title_terms and not plan.doc_ids:
            share = title_share(plan.title_terms, str(meta.get("title") or ""), plan.alternatives)
            if share >= TITLE_MATCH:
                why.append("title matches")
        if (plan.duty or plan.verb_hints) and meta.get("kind") == "operative":
            whom = addressed(text, plan)
            if whom:
                c.boost += 0.006
                why.append(f"addressed to {whom}")
        c.why = why


def plan_bigrams(plan: QueryPlan) -> set[tuple[str, str]]:
    return bigrams(index_terms(plan.question))


def term_idf(index: LexicalIndex, terms: list[str]) -> dict[str, float]:
    n = max(len(index), 1)
    out: dict[str, float] = {}
    for t in terms:
        out[t] = math.log(1 + n / (1 + index.df.get(t, 0)))
    return out


def coverage(
    terms: list[str],
    present: set[str],
    idf: dict[str, float],
    alternatives: dict[str, tuple[tuple[str, ...], ...]] | None = None,
) -> float:
    """IDF-weighted share of the question's key terms that occur in a paragraph.

    A term also counts as present through a drafting-language equivalent
    ("kids" through "children").
    """
    if not terms:
        return 0.0
    alts = alternatives or {}

    def has(t: str) -> bool:
        return t in present or any(all(x in present for x in alt) for alt in alts.get(t, ()))

    total = sum(idf.get(t, 1.0) for t in terms)
    hit = sum(idf.get(t, 1.0) for t in terms if has(t))
    return hit / total if total else 0.0


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


@lru_cache(maxsize=4096)
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(index_terms(title))


def title_share(
    wanted: list[str],
    title: str,
    alternatives: dict[str, tuple[tuple[str, ...], ...]] | None = None,
) -> float:
    """Share of the subject a question names a resolution by ("the trafficking resolution")
    that the resolution's title has."""
    if not wanted:
        return 0.0
    have = _title_terms(title)
    alts = alternatives or {}
    hit = sum(
        t in have or any(all(x in have for x in alt) for alt in alts.get(t, ())) for t in wanted
    )
    return hit / len(wanted)


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


def contains_phrase(terms: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(terms[i : i + n] == phrase for i in range(len(terms) - n + 1))


_DUTY_VERB = re.compile(
    r"\b(?:requests?|invites?|encourages?|calls?\s+(?:up)?on|urges?|recommends?|authori[sz]es?|"
    r"directs?|instructs?|entrusts?|appeals?\s+to|exhorts?|mandates?)\s+"
    r"(?:(?:also|further|again|once again|strongly|in this regard|in that regard),?\s+)*"
    r"(?P<whom>[^,;:.]{2,160}?)\s+(?:to|that)\b",
    re.I,
)
# Words of an addressee phrase that name no one ("all relevant", "other interested").
_NOT_A_NAME = frozenset({"relevant", "concern", "other", "all", "interest"}) | QUESTION_NOISE


def addressed(text: str, plan: QueryPlan) -> str | None:
    """Whom an operative paragraph asks to act, when the question names the same actor.

    "Does the resolution give the CSW anything to do?" is answered by the paragraph that
    *encourages the Commission on the Status of Women to*, not by one that merely mentions it.
    """
    wanted = set(plan.own_terms)
    if not wanted:
        return None
    for m in _DUTY_VERB.finditer(text):
        whom = m.group("whom")
        named = [t for t in index_terms(whom) if t not in _NOT_A_NAME]
        # Most of the addressee's name must be in the question: "sector" alone does not
        # make "the private sector" the actor asked about.
        if named and 3 * sum(t in wanted for t in named) >= 2 * len(named):
            return " ".join(whom.split()[:8])
    return None


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
    meta["coverage"] = c.coverage
    meta["lex"] = c.lex
    meta["boost"] = c.boost
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
