"""Everyday words mapped to the words resolutions are drafted in (``bot/data/paraphrases.json``).

"kids" is "children", "picking" is "selecting", "send" is "provide" or "transmit". A question in
everyday words should still find the paragraph in drafting language, and a paragraph should get
credit for covering the question's word through its drafting equivalent.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from bot.retrieval.text import index_terms, stem


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[tuple[str, ...], ...]]:
    raw = resources.files("bot").joinpath("data/paraphrases.json").read_text("utf-8")
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for word, alts in json.loads(raw)["alternatives"].items():
        key = stem(word.lower())
        phrases = tuple(t for t in (tuple(index_terms(a)) for a in alts) if t and t != (key,))
        if phrases:
            out[key] = tuple(dict.fromkeys(out.get(key, ()) + phrases))
    return out


def alternatives(terms: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """For each (stemmed) term that has drafting-language equivalents, those equivalents.

    Each equivalent is a tuple of stemmed terms that must all occur ("law enforcement").
    """
    table = _table()
    return {t: table[t] for t in terms if t in table}
