"""Named ranking signals: what a paragraph has that the question asks for, one number each.

Every signal is declared here once, by name, and computed for each retrieval candidate. How
much each one counts is not decided here: `bot/retrieval/scoring.py` reads weights that
`eval/fit.py` fits on the tuning part of the gold set (learning to rank over named features,
as the Elasticsearch LTR plugin or Vespa's rank profiles do). Adding a signal means adding a
function below and refitting; nobody edits a constant to fix one question.

Signals are general to the language and structure of resolutions: similarity, term coverage,
the part of the resolution a paragraph sits in, whether it holds the kind of fact asked for
(a figure, a date, a place, an age, a list of names), whether its operative verb addresses the
actor the question names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from bot.places import place_pattern
from bot.retrieval.lexical import LexicalIndex
from bot.retrieval.ordinals import ordinal_words
from bot.retrieval.query import AGE_RX, DATE_RX, QueryPlan, has_figure, names_in
from bot.retrieval.text import QUESTION_NOISE, bigrams, index_terms

# Words of an addressee phrase that name no one ("all relevant", "other interested").
_NOT_A_NAME = frozenset({"relevant", "concern", "other", "all", "interest"}) | QUESTION_NOISE

_DUTY_VERB = re.compile(
    r"\b(?:requests?|invites?|encourages?|calls?\s+(?:up)?on|urges?|recommends?|authori[sz]es?|"
    r"directs?|instructs?|entrusts?|appeals?\s+to|exhorts?|mandates?)\s+"
    r"(?:(?:also|further|again|once again|strongly|in this regard|in that regard),?\s+)*"
    r"(?P<whom>[^,;:.]{2,160}?)\s+(?:to|that)\b",
    re.I,
)


@dataclass
class Row:
    """One candidate paragraph as the signals see it."""

    row: int
    text: str
    notes: str
    meta: dict[str, object]
    dense: float
    bm25: float  # BM25 over the pool's best, in [0, 1]
    terms: frozenset[str] = field(default_factory=frozenset)
    note_terms: frozenset[str] = field(default_factory=frozenset)
    sequence: tuple[str, ...] = ()
    memo: dict[str, bool | None] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(self.meta.get("label") or "")

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind") or "")

    @property
    def full(self) -> str:
        return f"{self.text} {self.notes}" if self.notes else self.text


@dataclass
class Context:
    """What the signals need about the question and the index, computed once per question."""

    plan: QueryPlan
    index: LexicalIndex
    idf: dict[str, float]
    pairs: set[tuple[str, str]]
    specific: list[str]

    @classmethod
    def build(cls, plan: QueryPlan, index: LexicalIndex) -> Context:
        n = max(len(index), 1)
        idf = {t: math.log(1 + n / (1 + index.df.get(t, 0))) for t in plan.lexical_terms}
        return cls(plan, index, idf, bigrams(index_terms(plan.question)), specific_terms(plan))


def specific_terms(plan: QueryPlan) -> list[str]:
    """The question's terms that pin a fact down: names, figures, acronyms and their long forms.

    "What does the Office do in Tajikistan?" is about Tajikistan; a paragraph on the Office
    that never names it does not answer, however similar it reads.
    """
    out: list[str] = []
    # A symbol picks the document, not the paragraph: "79/154" is no term to find in one.
    question = plan.question
    for mention in plan.symbol_mentions:
        question = question.replace(mention, " ")
    words = re.findall(r"[A-Za-z][\w'-]*|\d[\d,.]*", question)
    for i, w in enumerate(words):
        proper = i > 0 and w[0].isupper() and not w.isupper()
        if proper or w[0].isdigit() or (w.isupper() and len(w) > 1):
            out += [t for t in index_terms(w) if t not in QUESTION_NOISE and t not in out]
    for longs in plan.expansions.values():
        out += [t for t in index_terms(longs[0]) if t not in out and t not in QUESTION_NOISE]
    for phrase in plan.quoted:
        out += [t for t in phrase if t not in out]
    return out


def has_term(
    term: str, present: frozenset[str], alts: dict[str, tuple[tuple[str, ...], ...]]
) -> bool:
    return term in present or any(all(x in present for x in alt) for alt in alts.get(term, ()))


def weighted_coverage(
    terms: list[str],
    present: frozenset[str],
    idf: dict[str, float],
    alts: dict[str, tuple[tuple[str, ...], ...]],
) -> float:
    """IDF-weighted share of `terms` found in `present` (drafting equivalents count)."""
    if not terms:
        return 0.0
    total = sum(idf.get(t, 1.0) for t in terms)
    hit = sum(idf.get(t, 1.0) for t in terms if has_term(t, present, alts))
    return hit / total if total else 0.0


@lru_cache(maxsize=8192)
def title_terms_of(title: str) -> frozenset[str]:
    return frozenset(index_terms(title))


def addressed(text: str, wanted: set[str]) -> str | None:
    """Whom an operative paragraph asks to act, when the question names the same actor."""
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


def _holds_type(plan: QueryPlan, r: Row) -> bool | None:
    """Whether the paragraph holds the kind of fact asked for; None when none is asked.
    Two signals read it (found, missing): it is worked out once per row."""
    if "holds_type" not in r.memo:
        r.memo["holds_type"] = _find_type(plan, r)
    return r.memo["holds_type"]


def _find_type(plan: QueryPlan, r: Row) -> bool | None:
    wanted = plan.answer_types
    if not wanted:
        return None
    checks: list[bool] = []
    if "number" in wanted:
        checks.append(has_figure(r.text))
    if "date" in wanted:
        checks.append(bool(DATE_RX.search(r.text)))
    if "place" in wanted:
        checks.append(bool(place_pattern().search(r.text)))
    if "age" in wanted:
        checks.append(bool(AGE_RX.search(r.full)))
    if "names" in wanted:
        checks.append(len(names_in(r.full)) >= 8)
    return any(checks)


def _doc_coverage(ctx: Context, r: Row) -> float:
    doc = str(r.meta.get("doc_id"))
    # The document's vocabulary holds its title's terms too.
    return weighted_coverage(
        ctx.plan.key_terms, ctx.index.doc_terms(doc), ctx.idf, ctx.plan.alternatives
    )


def _title_share(ctx: Context, r: Row) -> float:
    wanted = ctx.plan.title_terms or ctx.plan.key_terms
    title = title_terms_of(str(r.meta.get("title") or ""))
    return weighted_coverage(wanted, title, ctx.idf, ctx.plan.alternatives)


def _phrase(ctx: Context, r: Row) -> float:
    if not ctx.pairs:
        return 0.0
    seq = list(r.sequence) if r.sequence else index_terms(r.text)
    return min(len(ctx.pairs & bigrams(seq)), 3) / 3


def _verb(ctx: Context, r: Row) -> float:
    verb = str(r.meta.get("verb") or "").lower()
    hints = ctx.plan.verb_hints
    return float(bool(hints and verb and any(verb.endswith(h) or h in verb for h in hints)))


def _addressed(ctx: Context, r: Row) -> float:
    plan = ctx.plan
    if not (plan.duty or plan.verb_hints) or r.kind != "operative":
        return 0.0
    return float(addressed(r.text, set(plan.own_terms)) is not None)


def _year(ctx: Context, r: Row) -> float:
    year = r.meta.get("year")
    if not isinstance(year, int) or not ctx.plan.years:
        return 0.0
    return 1.0 if year in ctx.plan.years else -1.0


def _body(ctx: Context, r: Row) -> float:
    body = str(r.meta.get("body") or "").lower()
    if not ctx.plan.bodies or not body:
        return 0.0
    return 1.0 if any(b.lower() in body for b in ctx.plan.bodies) else -1.0


def _before_since(ctx: Context, r: Row) -> float:
    year = r.meta.get("year")
    since = ctx.plan.since_year
    return float(bool(since and isinstance(year, int) and year < since))


def _ordinal(ctx: Context, r: Row) -> float:
    if not ctx.plan.ordinals:
        return 0.0
    low = r.text.lower()
    return float(all(ordinal_words(o) in low for o in ctx.plan.ordinals))


def _quoted(ctx: Context, r: Row) -> float:
    if not ctx.plan.quoted:
        return 0.0
    terms = index_terms(r.full)
    return sum(contains_phrase(terms, q) for q in ctx.plan.quoted) / len(ctx.plan.quoted)


def contains_phrase(terms: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(terms[i : i + n] == phrase for i in range(len(terms) - n + 1))


def _counted(ctx: Context, r: Row) -> float:
    counted = ctx.plan.counted
    if not counted:
        return 0.0
    rx = rf"\b\d[\d,]*\s+(?:\w+\s+)?{re.escape(counted[:5])}"
    return float(bool(re.search(rx, r.text, re.I)))


def _type_match(ctx: Context, r: Row) -> float:
    return float(_holds_type(ctx.plan, r) is True)


def _type_missing(ctx: Context, r: Row) -> float:
    return float(_holds_type(ctx.plan, r) is False)


def _label_asked(ctx: Context, r: Row) -> float:
    plan = ctx.plan
    return float(
        bool(plan.labels) and r.label in plan.labels and r.meta.get("doc_id") in plan.doc_ids
    )


def _in_scope(ctx: Context, r: Row) -> float:
    scope = ctx.plan.doc_ids or ctx.plan.title_docs
    return float(bool(scope) and r.meta.get("doc_id") in scope)


def _annex(ctx: Context, r: Row) -> float:
    return float(r.label.startswith(("ANNEX", "DRAFT")) or "-" in r.label)


# name -> signal. The order is the order of the weight vector in bot/data/ranking.json.
SIGNALS: dict[str, Callable[[Context, Row], float]] = {
    "dense": lambda ctx, r: r.dense,
    "bm25": lambda ctx, r: r.bm25,
    "coverage": lambda ctx, r: weighted_coverage(
        ctx.plan.lexical_terms, r.terms | r.note_terms, ctx.idf, ctx.plan.alternatives
    ),
    "specific_coverage": lambda ctx, r: (
        weighted_coverage(ctx.specific, r.terms | r.note_terms, ctx.idf, ctx.plan.alternatives)
        if ctx.specific
        else 1.0
    ),
    "note_coverage": lambda ctx, r: weighted_coverage(
        ctx.plan.lexical_terms, r.note_terms, ctx.idf, ctx.plan.alternatives
    ),
    "doc_coverage": _doc_coverage,
    "title_share": _title_share,
    "in_scope": _in_scope,
    "label_asked": _label_asked,
    "header": lambda ctx, r: float(r.label == "HEADER"),
    "header_for_metadata": lambda ctx, r: float(bool(ctx.plan.intents) and r.label == "HEADER"),
    "operative": lambda ctx, r: float(r.kind == "operative"),
    "annex_or_draft": _annex,
    "duty_operative": lambda ctx, r: float(ctx.plan.duty and r.kind == "operative"),
    "verb_match": _verb,
    "addressed": _addressed,
    "phrase": _phrase,
    "type_match": _type_match,
    "type_missing": _type_missing,
    "counted_figure": _counted,
    "quoted": _quoted,
    "ordinal": _ordinal,
    "year": _year,
    "body": _body,
    "before_since": _before_since,
}
NAMES: tuple[str, ...] = tuple(SIGNALS)


@dataclass(frozen=True)
class _RowText:
    notes: str
    terms: frozenset[str]
    note_terms: frozenset[str]
    sequence: tuple[str, ...]  # the paragraph's terms in order, for phrases


def _row_text(index: LexicalIndex, row: int) -> _RowText:
    """A paragraph's terms, tokenised once per index (an index is rebuilt, never changed)."""
    cache: dict[int, _RowText] | None = getattr(index, "_row_text", None)
    if cache is None:
        cache = {}
        index._row_text = cache  # type: ignore[attr-defined]
    hit = cache.get(row)
    if hit is None:
        para = index.para(row)
        notes = " ".join(para.footnotes)
        seq = tuple(index_terms(para.text))
        hit = _RowText(
            notes, frozenset(seq), frozenset(index_terms(notes)) if notes else frozenset(), seq
        )
        cache[row] = hit
    return hit


def row_for(index: LexicalIndex, row: int, dense: float, bm25: float) -> Row:
    cached = _row_text(index, row)
    return Row(
        row=row,
        text=index.texts[row],
        notes=cached.notes,
        meta=index.metas[row],
        dense=dense,
        bm25=bm25,
        terms=cached.terms,
        note_terms=cached.note_terms,
        sequence=cached.sequence,
    )


def vector(ctx: Context, r: Row) -> list[float]:
    return [float(SIGNALS[name](ctx, r)) for name in NAMES]
