"""Query understanding: symbols, paragraph references, acronyms, bodies, years, intents."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot import glossary
from bot.retrieval.text import key_terms
from bot.symbols import find_paragraph_refs, find_symbol_refs, resolve

_BODIES = [
    (re.compile(r"\b(?:general assembly|GA|assembly)\b", re.I), "General Assembly"),
    (
        re.compile(r"\b(?:ECOSOC|economic and social council)\b", re.I),
        "Economic and Social Council",
    ),
    (re.compile(r"\b(?:security council|SC|UNSC)\b"), "Security Council"),
    (re.compile(r"\bsecurity council\b", re.I), "Security Council"),
]
_SINCE = re.compile(r"\b(?:since|after|from)\s+((?:19|20)\d\d)\b", re.I)
_YEAR = re.compile(r"\b((?:19[4-9]|20[0-9])\d)\b")

# What a metadata question asks about; answered from the HEADER paragraph.
INTENTS = {
    "sponsors": re.compile(
        r"\b(?:sponsor\w*|co-?sponsor\w*|submitted by|tabled|proposed by)\b", re.I
    ),
    "adoption": re.compile(
        r"\b(?:when (?:was|did)\b.*\b(?:adopt\w*|pass\w*)|adopted on|date of adoption|what date)\b",
        re.I,
    ),
    "agenda": re.compile(r"\bagenda item\b", re.I),
    "committee": re.compile(
        r"\b(?:main committee|third committee|second committee|sixth committee|fifth committee|first committee|fourth committee|report of the)\b",
        re.I,
    ),
    "recommendation": re.compile(
        r"\b(?:on (?:the |whose )?recommendation|recommended it|which commission recommended|on whose)\b",
        re.I,
    ),
}


@dataclass
class QueryPlan:
    question: str
    dense_text: str
    lexical_terms: list[str]
    key_terms: list[str]
    doc_ids: list[str] = field(default_factory=list)
    symbol_mentions: list[str] = field(default_factory=list)
    unresolved_symbols: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    since_year: int | None = None
    intents: set[str] = field(default_factory=set)
    expansions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def metadata_question(self) -> bool:
        return bool(self.intents)


def analyse(
    question: str, known_doc_ids: list[str], extra_acronyms: dict[str, list[str]] | None = None
) -> QueryPlan:
    """Turn a question into what hybrid retrieval needs.

    Args:
        question: the user's question, already merged with conversation scope.
        known_doc_ids: document ids in the store (to resolve "79/154" to "A/RES/79/154").
        extra_acronyms: acronyms the corpus defines itself ("... (ICAT)").
    """
    doc_ids: list[str] = []
    mentions: list[str] = []
    unresolved: list[str] = []
    text_wo_symbols = question
    for ref in find_symbol_refs(question):
        hits = resolve(ref, known_doc_ids)
        mentions.append(ref.text)
        if hits:
            for h in hits:
                if h not in doc_ids:
                    doc_ids.append(h)
        elif ref.exact or "/" in (ref.short or ""):
            unresolved.append(ref.text)
        text_wo_symbols = text_wo_symbols.replace(ref.text, " ")

    expansions: dict[str, list[str]] = {}
    for acro in glossary.acronyms_in(question):
        forms = [f for f in glossary.expand(acro) if f != acro]
        if forms:
            expansions[acro] = forms
    for acro, longs in (extra_acronyms or {}).items():
        if acro not in expansions and re.search(rf"\b{re.escape(acro)}\b", question):
            expansions[acro] = longs
    # A long form in the question also brings its acronym: documents use both.
    for mention in glossary.default_glossary().mentions(question):
        acro = mention.entry.acronym
        if acro and acro not in expansions and mention.text != acro:
            expansions[acro] = [acro]

    extra = " ".join(x for longs in expansions.values() for x in longs[:1])
    dense_text = f"{question} ({extra})" if extra else question
    kt = key_terms(text_wo_symbols)
    lexical = list(kt)
    for longs in expansions.values():
        for term in key_terms(longs[0]):
            if term not in lexical:
                lexical.append(term)

    bodies: list[str] = []
    for rx, name in _BODIES:
        if rx.search(question) and name not in bodies:
            bodies.append(name)
    since = _SINCE.search(question)
    years = [int(y) for y in _YEAR.findall(text_wo_symbols)]
    intents = {name for name, rx in INTENTS.items() if rx.search(question)}
    return QueryPlan(
        question=question,
        dense_text=dense_text,
        lexical_terms=lexical,
        key_terms=kt,
        doc_ids=doc_ids,
        symbol_mentions=mentions,
        unresolved_symbols=unresolved,
        labels=find_paragraph_refs(question),
        bodies=bodies,
        years=[] if since else years,
        since_year=int(since.group(1)) if since else None,
        intents=intents,
        expansions=expansions,
    )
