"""The default answerer's prose: sentences in the resolution's own voice, each with its citation."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.answer.types import Retrieved
from bot.retrieval.text import index_terms

_LONG_WORDS = 90
_CLAUSE_SPLIT = re.compile(
    r";\s+|,\s+(?=and\s+(?:also\s+|further\s+)?[a-z]+s\s)|\s+(?=\([a-z]\)\s)"
)

_SHORT_BODY = {
    "General Assembly": "The General Assembly",
    "Economic and Social Council": "The Economic and Social Council",
    "Security Council": "The Security Council",
}


def actor_of(item: Retrieved) -> str:
    body = str(item.metadata.get("body") or "").strip()
    if item.label.startswith("DRAFT-"):
        return "The draft resolution it recommends"
    if body:
        return _SHORT_BODY.get(body, "The " + body if not body.lower().startswith("the ") else body)
    return "The resolution"


def marker(item: Retrieved) -> str:
    return f"[{item.symbol or item.doc_id.removeprefix('file:')}, {item.label}]"


def trim(
    text: str,
    question_terms: list[str],
    max_words: int = _LONG_WORDS,
    keep_also: Callable[[str], bool] | None = None,
) -> str:
    """Keep the clauses that answer the question; the opening clause always stays (it has the verb).

    ``keep_also`` keeps clauses that hold what the question asks for even when they share no
    word with it: the place of a "where", the date of a "when".
    """
    words = text.split()
    if len(words) <= max_words or not question_terms:
        return text
    clauses = [c for c in _CLAUSE_SPLIT.split(text) if c.strip()]
    if len(clauses) <= 1:
        return text
    wanted = set(question_terms)
    keep = [0]
    for i, clause in enumerate(clauses[1:], start=1):
        if wanted & set(index_terms(clause)) or (keep_also is not None and keep_also(clause)):
            keep.append(i)
    if len(keep) == len(clauses):
        return text
    parts: list[str] = []
    prev = -1
    for i in keep:
        if prev >= 0 and i != prev + 1:
            parts.append("…")
        parts.append(clauses[i].strip().rstrip(";,"))
        prev = i
    if keep[-1] != len(clauses) - 1:
        parts.append("…")
    out = " ".join(parts).replace(" … ", " … ")
    return out


def sentence_for(
    item: Retrieved, question_terms: list[str], keep_also: Callable[[str], bool] | None = None
) -> str:
    text = item.text.strip()
    kind = str(item.metadata.get("kind", ""))
    if item.label == "HEADER":
        return f"The document's front matter reads: “{text}” {marker(item)}"
    body = trim(text, question_terms, keep_also=keep_also).rstrip(" ;,.")
    if kind == "operative" or (item.label.startswith("DRAFT-OP")):
        verb = str(item.metadata.get("verb") or "")
        if verb and body.startswith(verb):
            rest = body[len(verb) :]
            return f"{actor_of(item)} {verb[0].lower()}{verb[1:]}{rest}. {marker(item)}"
        return f"{actor_of(item)}: “{body}”. {marker(item)}"
    if kind == "preambular" or item.label.startswith("DRAFT-PP"):
        return f"In its preamble: “{body}” {marker(item)}"
    return f"The annex states: “{body}” {marker(item)}"


_MAX_NOTES = 6
_NOTE_CHARS = 300
# Questions whose answer is usually a footnote: the symbol of a report, the source of a quote.
_REFERENCE_Q = re.compile(
    r"\b(?:symbol|document number|footnotes?|reference[sd]?|source|which report|what report|"
    r"cited|citation)\b",
    re.I,
)


def wants_references(question: str) -> bool:
    return bool(_REFERENCE_Q.search(question))


def footnote_sentence(
    item: Retrieved, question_terms: list[str], all_notes: bool = False
) -> str | None:
    """Footnotes that match the question are quoted too: they often carry the fact asked for
    (the targets behind "the SDG targets on violence", the symbol of "the report")."""
    notes = item.footnotes
    wanted = set(question_terms)
    hits = [n for n in notes if all_notes or wanted & set(index_terms(n))]
    if not hits:
        return None
    quoted = "; ".join(
        n.rstrip(" .") if len(n) <= _NOTE_CHARS else n[:_NOTE_CHARS].rsplit(" ", 1)[0] + "…"
        for n in hits[:_MAX_NOTES]
    )
    label = "Its footnote" if len(hits) == 1 else "Its footnotes"
    return f"{label}: “{quoted}” {marker(item)}"


def compose(
    items: list[Retrieved],
    question_terms: list[str],
    all_notes: bool = False,
    keep_also: Callable[[str], bool] | None = None,
) -> str:
    lines: list[str] = []
    for item in items:
        lines.append(sentence_for(item, question_terms, keep_also))
        note = footnote_sentence(item, question_terms, all_notes)
        if note:
            lines.append(note)
    return "\n".join(lines)
