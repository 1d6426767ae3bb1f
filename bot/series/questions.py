"""Questions about change and lineage, recognised by their structure and answered from diffs.

A question is taken only when it has both parts: the wording of a comparison, a change, a
"since when" or a "which resolutions recall", *and* a document the table resolves (a symbol, "the
resolution on X", or the document the conversation is about). Either alone is an ordinary
question for paragraph retrieval ("what is new in the fight against trafficking?", "what does
79/154 say about victims?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.series.lineage import LineageTable, Profile, title_words
from bot.symbols import find_symbol_refs, resolve

Kind = Literal["diff", "amended", "since", "cited_by"]

_CHANGE = re.compile(
    r"\b(?:what|which|anything|how)\b[^?]*?\b(?:new|changed?|changes|different|differs?|amended|"
    r"amendments?|added|dropped|removed|deleted|modified|revised)\b"
    r"|\bcompared?\s+(?:with|to)\b|\bdifferences?\s+between\b|\bversus\b|\bvs\.?\s",
    re.I,
)
_PARAGRAPHS = re.compile(
    r"\bwhich\s+(?:(?:operative|preambular)\s+)?paragraphs?\b[^?]*?\b(?:amended|changed|new|"
    r"added|dropped|removed|deleted|modified|revised)\b",
    re.I,
)
_SINCE = re.compile(
    r"\bsince\s+when\b|\bsince\s+which\s+(?:year|session|resolution)\b|\bfrom\s+when\b"
    r"|\bwhen\s+did\b[^?]*\bfirst\b|\bhow\s+long\s+has\b|\bfirst\s+(?:asked|requested|called)\b",
    re.I,
)
_CITED_BY = re.compile(
    r"\bwhich\s+(?:later\s+)?(?:resolutions?|texts?|documents?|decisions?)\b[^?]*?\b(?:recall|cite|"
    r"refer\s+to|mention|reaffirm|build\s+on)s?\b",
    re.I,
)
_TOPIC = re.compile(
    r"\b(?:resolution|text)s?\s+(?:on|about|concerning|entitled)\s+(?:the\s+)?[“\"']?(?P<topic>[^?“”\"']+)",
    re.I,
)
_PREVIOUS = re.compile(r"\b(?:last|previous|preceding|earlier|prior)\b", re.I)


@dataclass
class SeriesQuestion:
    kind: Kind
    new: Profile | None = None
    old: Profile | None = None  # named explicitly ("compared with 77/194" or "the last one on X")
    cited_symbol: str | None = None
    words: list[str] = field(default_factory=list)  # the question's own words, for "this report"


def _by_topic(table: LineageTable, topic: str, before: int | None = None) -> Profile | None:
    """The latest resolution whose title the topic names (most of the title's words)."""
    words = title_words(topic)
    if not words:
        return None
    best: tuple[float, int, str] | None = None
    for p in table.profiles.values():
        if p.period is None or (before is not None and p.period >= before):
            continue
        tw = title_words(p.title)
        if not tw:
            continue
        share = len(tw & words) / len(tw | words)
        if share < 0.6:
            continue
        key = (share, p.period, p.doc_id)
        if best is None or key[:2] > best[:2]:
            best = key
    return table.profiles[best[2]] if best else None


def _documents(question: str, table: LineageTable) -> list[Profile]:
    known = {p.symbol: p for p in table.profiles.values() if p.symbol}
    out: list[Profile] = []
    for ref in find_symbol_refs(question):
        for sym in resolve(ref, list(known)):
            if known[sym] not in out:
                out.append(known[sym])
    return out


def cited_symbol(question: str) -> str | None:
    """The full symbol a "which resolutions recall X" question names, stored or not."""
    for ref in find_symbol_refs(question):
        if ref.exact:
            return ref.exact
        if ref.short and "/" in ref.short and not ref.short.startswith("S/"):
            first = ref.short.split("/")[0]
            return f"{'E' if len(first) == 4 else 'A'}/RES/{ref.short}"
    return None


def classify(
    question: str, table: LineageTable, context_doc: str | None = None
) -> SeriesQuestion | None:
    """The series question asked, or None when this is not one (then retrieval answers)."""
    if _CITED_BY.search(question):
        sym = cited_symbol(question)
        return SeriesQuestion("cited_by", cited_symbol=sym) if sym else None
    kind: Kind
    if _SINCE.search(question):
        kind = "since"
    elif _PARAGRAPHS.search(question):
        kind = "amended"
    elif _CHANGE.search(question):
        kind = "diff"
    else:
        return None
    docs = _documents(question, table)
    topic = _TOPIC.search(question)
    new: Profile | None = docs[0] if docs else None
    old: Profile | None = docs[1] if len(docs) > 1 else None
    if new is not None and old is not None and (old.period or 0) > (new.period or 0):
        new, old = old, new
    if topic is not None:
        # "compared with the last resolution on X": X names the older text; otherwise the newest.
        found = _by_topic(table, topic.group("topic"), before=new.period if new else None)
        if new is None:
            new = found
        elif old is None and _PREVIOUS.search(question[: topic.start()]) and found is not None:
            old = found
    if (
        new is None
        and context_doc
        and re.search(r"\b(?:this|that|it|its|the same)\b", question, re.I)
    ):
        new = table.profiles.get(context_doc)
    if new is None:
        return None
    return SeriesQuestion(kind, new=new, old=old, words=re.findall(r"[a-z]+", question.lower()))
