"""The hybrid searcher as a LangChain `BaseRetriever`, for anyone composing LCEL chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.retrieval.hybrid import HybridSearcher


class ResolutionRetriever(BaseRetriever):
    """Returns paragraphs as Documents; metadata carries symbol, label, score and why it matched."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: HybridSearcher
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        plan = self.searcher.plan(query)
        docs = []
        for item in self.searcher.search(plan, k=k):
            meta = {
                "id": item.anchor,
                "citation": item.citation().display,
                "symbol": item.symbol,
                "paragraph": item.label,
                "source": item.source,
                "score": item.score,
                "why": "; ".join(item.why),
            }
            docs.append(Document(page_content=item.text, metadata=meta, id=item.anchor))
        return docs
