"""A BM25 index over the store's paragraphs, built from the store itself (works with a server).

The index is cached on disk next to a local store (or in the data dir for a
server) and keyed by the store's generation token, so it is rebuilt only when
an ingest changed the store.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from bot.retrieval.text import index_terms
from ingest.store import ParagraphStore, StoredParagraph

log = logging.getLogger(__name__)

_CACHE_VERSION = 5


def lexical_text(para: StoredParagraph) -> str:
    meta = para.metadata
    parts = [para.text, " ".join(para.footnotes), str(meta.get("title") or "")]
    if para.symbol:
        parts.append(para.symbol)
    return " ".join(p for p in parts if p)


@dataclass
class LexicalIndex:
    """BM25 (bm25s) over paragraphs plus what retrieval needs to know about each one."""

    generation: str
    ids: list[str]
    texts: list[str]
    metas: list[dict[str, Any]]
    bm25: Any
    doc_rows: dict[str, list[int]] = field(default_factory=dict)
    vocab: set[str] = field(default_factory=set)
    df: dict[str, int] = field(default_factory=dict)  # paragraphs containing each term
    # Each document's vocabulary: what "is the subject in this resolution?" asks of it.
    doc_vocab: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, store: ParagraphStore) -> LexicalIndex:
        import bm25s

        # bm25s sets its own logger to DEBUG when imported; an index build is not news.
        logging.getLogger("bm25s").setLevel(logging.WARNING)

        generation = store.generation()
        live = store.docs()
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        corpus: list[list[str]] = []
        for para in store.iter_paragraphs():
            # Paragraphs of a document version that is not (yet) live are invisible.
            record = live.get(para.doc_id)
            if record is None or not record.accepts(para.metadata.get("ver")):
                continue
            ids.append(para.id)
            texts.append(para.text)
            metas.append(para.metadata)
            corpus.append(index_terms(lexical_text(para)) or ["_empty_"])
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        doc_rows: dict[str, list[int]] = {}
        vocab: set[str] = set()
        for row, meta in enumerate(metas):
            doc_rows.setdefault(str(meta.get("doc_id")), []).append(row)
        df: dict[str, int] = {}
        for terms in corpus:
            unique = set(terms)
            vocab.update(unique)
            for t in unique:
                df[t] = df.get(t, 0) + 1
        log.info("built lexical index over %d paragraphs", len(ids))
        doc_vocab = {
            doc: frozenset(t for row in rows for t in corpus[row]) for doc, rows in doc_rows.items()
        }
        return cls(generation, ids, texts, metas, bm25, doc_rows, vocab, df, doc_vocab)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query_terms: list[str]) -> np.ndarray:
        terms = [t for t in query_terms if t in self.vocab]
        if not terms or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(terms), dtype=np.float32)

    def para(self, row: int) -> StoredParagraph:
        return StoredParagraph(self.ids[row], self.texts[row], self.metas[row])

    def doc_terms(self, doc_id: str) -> frozenset[str]:
        """Every index term of one document: its paragraphs, footnotes, title and symbol."""
        return self.doc_vocab.get(doc_id, frozenset())

    def row_of(self, pid: str) -> int | None:
        if not hasattr(self, "_row_of"):
            self._row_of = {p: i for i, p in enumerate(self.ids)}
        return self._row_of.get(pid)


def _cache_header(generation: str) -> dict[str, Any]:
    """What a cached index must match: the store's generation, and the index's own shape (a
    pickle of an index with other fields would load without them and fail at the first ask)."""
    return {
        "v": _CACHE_VERSION,
        "fields": [f.name for f in fields(LexicalIndex)],
        "generation": generation,
    }


class LexicalIndexCache:
    """Returns a current index for a store, from memory, from disk, or freshly built."""

    def __init__(
        self,
        store: ParagraphStore,
        cache_dir: Path | None,
        clock: Callable[[], float] = time.monotonic,
        recheck_s: float = 1.0,
    ) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.clock = clock
        self.recheck_s = recheck_s
        self._index: LexicalIndex | None = None
        self._checked_at = float("-inf")

    def _path(self) -> Path | None:
        return self.cache_dir / "lexical-index.pkl" if self.cache_dir else None

    def get(self) -> LexicalIndex:
        # One answer asks for the index several times; the store's generation is a
        # round trip (to the server, in server mode), so it is read at most once a second.
        now = self.clock()
        if self._index is not None and now - self._checked_at < self.recheck_s:
            return self._index
        generation = self.store.generation()
        self._checked_at = now
        if self._index is not None and self._index.generation == generation:
            return self._index
        path = self._path()
        if path and path.exists():
            try:
                with path.open("rb") as fh:
                    header = json.loads(fh.readline())
                    if header == _cache_header(generation):
                        self._index = pickle.load(fh)
                        return self._index
            except Exception:  # a stale or corrupt cache is rebuilt, never fatal
                log.info("lexical index cache unreadable; rebuilding")
        self._index = LexicalIndex.build(self.store)
        if path:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")  # replicas may share the cache dir
                with tmp.open("wb") as fh:
                    fh.write(json.dumps(_cache_header(generation)).encode() + b"\n")
                    pickle.dump(self._index, fh, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(path)
            except OSError as exc:
                log.info("could not write the lexical index cache: %s", exc)
        return self._index
