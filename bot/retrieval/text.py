"""Tokenising for the lexical index and for query/paragraph overlap checks."""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+(?:[./-][a-z0-9]+)*")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "into",
        "onto",
        "about",
        "over",
        "under",
        "than",
        "then",
        "that",
        "this",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "done",
        "have",
        "has",
        "had",
        "having",
        "it",
        "its",
        "it's",
        "they",
        "them",
        "their",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "too",
        "very",
        "can",
        "will",
        "just",
        "should",
        "would",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "also",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "us",
        "per",
        "via",
        "upon",
        "within",
        "without",
        "between",
        "among",
        "amongst",
        "against",
        "during",
        "before",
        "after",
        "above",
        "below",
        "up",
        "down",
        "out",
        "off",
        "again",
        "further",
        "once",
        "s",
        "t",
        "don",
        "now",
    ]
)

# Words that every resolution uses or that only frame the question; they say
# nothing about *which* paragraph answers it.
QUESTION_NOISE = frozenset(
    [
        "say",
        "says",
        "said",
        "resolution",
        "resolutions",
        "res",
        "un",
        "united",
        "nations",
        "document",
        "text",
        "paragraph",
        "paragraphs",
        "ask",
        "asks",
        "asked",
        "tell",
        "mention",
        "mentions",
        "mentioned",
        "according",
        "regarding",
        "concerning",
        "anything",
        "something",
        "thing",
        "things",
        "kind",
        "give",
        "gives",
        "given",
        "supposed",
        "need",
        "needs",
        "whether",
        "ga",
        "ecosoc",
        "general",
        "assembly",
        "economic",
        "social",
        "council",
        "security",
        "sc",
    ]
)

_SUFFIXES = (
    "izations", "ization", "ational", "ations", "ation", "ments", "ment",
    "ings", "ing", "ers", "er", "ies", "ied", "ed", "es", "s",
)  # fmt: skip


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match report/reports/reporting, not a linguist."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            return base
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; symbols such as 79/154 and 5.2 stay whole."""
    return _TOKEN.findall(text.lower())


def index_terms(text: str) -> list[str]:
    return [stem(t) for t in tokens(text) if t not in STOPWORDS]


def key_terms(question: str) -> list[str]:
    """The content words of a question (stemmed), without question framing."""
    out: list[str] = []
    for tok in tokens(question):
        if tok in STOPWORDS or tok in QUESTION_NOISE or len(tok) < 2:
            continue
        st = stem(tok)
        if st not in out:
            out.append(st)
    return out


def bigrams(terms: list[str]) -> set[tuple[str, str]]:
    return set(zip(terms, terms[1:], strict=False))
