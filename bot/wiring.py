"""Builds the real components from Settings; the only place that knows which concrete classes we use."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from bot.settings import Settings
from ingest.embedding import SentenceTransformerEmbedder
from ingest.store import ChromaStore, WriteLock, open_local_store, open_server_store


def make_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(
        settings.embedding_model, batch_size=settings.embedding_batch_size
    )


def open_store(settings: Settings) -> ChromaStore:
    if settings.chroma_url:
        return open_server_store(settings.chroma_url, settings.collection, settings.embedding_model)
    return open_local_store(settings.store_path, settings.collection, settings.embedding_model)


@contextlib.contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """A file lock on a local store; a Chroma server needs none (it serialises writes itself)."""
    if settings.chroma_url:
        yield
        return
    with WriteLock(settings.store_path / ".resbot-write.lock"):
        yield


def make_answerer(
    settings: Settings, store: ChromaStore | None = None, embedder: Any = None
) -> Any:
    """The configured answerer (extractive by default, an LLM when one is set), over the store."""
    from bot.answer.factory import build_answerer

    store = store or open_store(settings)
    embedder = embedder or make_embedder(settings)
    return build_answerer(settings, store, embedder)
