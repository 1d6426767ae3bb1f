"""Builds the configured answerer from Settings and already-open components."""

from __future__ import annotations

from typing import Any

from bot.answer.decide import Decider
from bot.answer.engine import ResolutionAnswerer
from bot.answer.route import Router
from bot.retrieval.hybrid import HybridSearcher
from bot.retrieval.lexical import LexicalIndexCache
from bot.settings import Settings
from ingest.embedding import Embedder
from ingest.store import ParagraphStore


def lexical_cache_dir(settings: Settings) -> Any:
    if settings.chroma_url:
        import hashlib

        key = hashlib.sha256(f"{settings.chroma_url}|{settings.collection}".encode()).hexdigest()[
            :12
        ]
        return settings.data_dir / "cache" / key
    return settings.store_path / "cache"


def build_answerer(
    settings: Settings,
    store: ParagraphStore,
    embedder: Embedder,
    decider: Decider | None = None,
) -> ResolutionAnswerer:
    searcher = HybridSearcher(
        store, embedder, LexicalIndexCache(store, lexical_cache_dir(settings))
    )
    composer = None
    rewriter = None
    if settings.llm_provider and settings.llm_provider.lower() != "none":
        from bot.answer.llm import LLMComposer, LLMRewriter, make_chat_model

        chat = make_chat_model(settings)
        composer = LLMComposer(chat, settings.prompts_dir)
        rewriter = LLMRewriter(chat, settings.prompts_dir)
    from bot.mandates.route import MandateRouter
    from bot.records.route import RecordRouter
    from bot.series.route import SeriesRouter

    routers: list[Router] = [
        MandateRouter.from_settings(settings, store),
        RecordRouter(store),
        SeriesRouter.from_settings(settings, store),
    ]
    return ResolutionAnswerer(
        searcher,
        k=settings.k,
        composer=composer,
        rewriter=rewriter,
        routers=routers,
        decider=decider,
    )
