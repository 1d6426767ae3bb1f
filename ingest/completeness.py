"""Did every text block of a source end up in some paragraph?

A paragraph a parser drops can never be cited, and nobody is told. After
parsing, each block of the source's body text (an AKN ``<p>``, a PDF or Word
block after page furniture is removed) is looked up in the paragraphs
produced from it; a block whose words occur in no paragraph is *lost*.

The look-up is linear in the size of the text. Blocks are sought as whole
word sequences in a window of bounded size after the block before (they
nearly always land in order); a block not found there is looked up in a set
of every run of up to ``_K`` consecutive words of the paragraphs, built once,
and counts as placed when each of its ``_K``-word windows (or, for a shorter
block, the block itself) is in that set. Word order inside a window is kept,
so a block whose words are merely scattered over the paragraphs still counts
as lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ingest.model import Paragraph

_TOKEN = re.compile(r"[0-9a-z]+")
_K = 6
# How far past the last placed block the next one is sought before the index is used.
_WINDOW = 4000
# How much of a lost block is quoted in a warning.
_QUOTE = 60


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("\u2011", "-"))


@dataclass(frozen=True)
class Completeness:
    """How much of a source's body text landed in paragraphs."""

    blocks: int
    words: int
    lost: list[str] = field(default_factory=list)  # opening words of each lost block
    lost_words: int = 0

    @property
    def share(self) -> float:
        """Share of the body's words that landed in paragraphs (1.0 for an empty body)."""
        return 1.0 - self.lost_words / self.words if self.words else 1.0

    def warning(self, name: str) -> str:
        """One line naming the file and what was lost."""
        n = len(self.lost)
        first = self.lost[0] if self.lost else ""
        return (
            f"{name}: {n} text block{'s' if n != 1 else ''} not placed in any paragraph "
            f"({self.lost_words} of {self.words} words; first: \u201c{first}\u201d)"
        )


class _Index:
    """Every window of 1.._K consecutive words of the paragraphs, hashed once.

    Only the hashes are kept (a collision could only call a lost block placed, with odds
    far below anything that matters), so memory is a few ints per word of text.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self.grams: set[int] = set()
        for text in texts:
            words = text.split()
            for k in range(1, _K + 1):
                self.grams.update(map(hash, _windows(words, k)))

    def holds(self, words: list[str]) -> bool:
        if len(words) <= _K:
            return hash(tuple(words)) in self.grams
        return all(hash(g) in self.grams for g in _windows(words, _K))


def _windows(words: list[str], k: int) -> Iterator[tuple[str, ...]]:
    return zip(*(words[j:] for j in range(k)), strict=False)


def paragraph_texts(paragraphs: Iterable[Paragraph]) -> Iterator[str]:
    for p in paragraphs:
        yield p.text
        yield from p.footnotes
        if p.section:
            yield p.section


def check(blocks: Iterable[str], paragraphs: Iterable[Paragraph]) -> Completeness:
    """Look each block up in the paragraphs (text, footnotes and section headings)."""
    texts = [" ".join(tokens(t)) for t in paragraph_texts(paragraphs)]
    # Blocks mostly land in order: each is first sought just after the one before,
    # in a window of bounded size (so the whole check stays linear); only a block
    # found out of order costs the window index, built once when first needed.
    hay = " " + " | ".join(texts) + " "
    cursor = 0
    index: _Index | None = None
    n = words = lost_words = 0
    lost: list[str] = []
    for block in blocks:
        w = tokens(block)
        if len(w) > 1 and w[0].isdigit():
            # A paragraph number typed into the text: the label carries it.
            w = w[1:]
        if not w:
            continue
        n += 1
        words += len(w)
        needle = " " + " ".join(w) + " "
        at = hay.find(needle, cursor, cursor + len(needle) + _WINDOW)
        if at >= 0:
            cursor = at + len(needle) - 1
            continue
        if index is None:
            index = _Index(texts)
        if not index.holds(w):
            lost.append(" ".join(block.split()[:12])[:_QUOTE])
            lost_words += len(w)
    return Completeness(n, words, lost, lost_words)
