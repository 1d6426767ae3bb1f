"""The hybrid retriever passes LangChain's own standard retriever suite (`langchain-tests`)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from bot.retrieval.hybrid import HybridSearcher
from bot.retrieval.langchain import ResolutionRetriever
from bot.retrieval.lexical import LexicalIndexCache

pytestmark = pytest.mark.model

# The suite's one coroutine test needs the asyncio marker: pytest-asyncio runs in strict mode
# here and would skip it unmarked. The mark goes on the suite's own function (a test may not be
# overridden, see `test_no_overrides_DO_NOT_OVERRIDE`), and only there: sync tests must not
# carry it.
pytest.mark.asyncio(RetrieversIntegrationTests.test_ainvoke_returns_documents)


@pytest.fixture(scope="module")
def searcher(
    small_store: tuple[Any, Any], embedder: Any, tmp_path_factory: pytest.TempPathFactory
) -> HybridSearcher:
    _settings, store = small_store
    cache = LexicalIndexCache(store, tmp_path_factory.mktemp("retriever-cache"))
    return HybridSearcher(store, embedder, cache)


class TestResolutionRetriever(RetrieversIntegrationTests):
    """The standard suite; its constructor parameters come from the session's small store."""

    _params: dict[str, Any] = {}

    @pytest.fixture(autouse=True)
    def _with_store(self, request: pytest.FixtureRequest, searcher: HybridSearcher) -> None:
        # The suite reads `retriever_constructor_params` (a property) from inside its own
        # fixtures and tests, so the session-built searcher is handed over on the class.
        request.cls._params = {"searcher": searcher, "k": 4}

    @property
    def retriever_constructor(self) -> type[ResolutionRetriever]:
        return ResolutionRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        assert self._params, "the searcher fixture did not run"
        return dict(self._params)

    @property
    def retriever_query_example(self) -> str:
        return "What does UNODC have to report?"


# -- what the suite does not check: the metadata a LangChain user relies on --------------
def test_documents_carry_citation_metadata(searcher: HybridSearcher) -> None:
    docs = ResolutionRetriever(searcher=searcher, k=5).invoke(
        "operative paragraph 12 of E/RES/2021/25"
    )
    assert len(docs) == 5
    top = docs[0]
    assert isinstance(top, Document)
    assert top.id == "E/RES/2021/25#OP12"
    assert top.metadata["citation"] == "E/RES/2021/25, OP12"
    assert top.metadata["symbol"] == "E/RES/2021/25"
    assert top.metadata["paragraph"] == "OP12"
    assert top.metadata["source"] == "E_RES_2021_25-2110321E.xml"
    assert "label_asked 1.00" in top.metadata["why"]
    assert top.page_content.startswith("Requests the United Nations Office on Drugs and Crime")
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_retriever_composes_in_a_chain(searcher: HybridSearcher) -> None:
    retriever = ResolutionRetriever(searcher=searcher, k=2)
    chain = retriever | (lambda docs: [d.metadata["citation"] for d in docs])
    cites = chain.invoke("What does 79/154 say about sex tourism?")
    assert len(cites) == 2
    assert all(c.startswith("A/RES/79/154, ") for c in cites)
    assert [len(x) for x in retriever.batch(["sex tourism", "trust fund for victims"])] == [2, 2]


def test_file_named_document_is_cited_as_answers_cite_it(searcher: HybridSearcher) -> None:
    docs = ResolutionRetriever(searcher=searcher, k=3).invoke("What does UNODC have to report?")
    cites = [d.metadata["citation"] for d in docs]
    assert "ccpcj-2018-trafficking-in-persons-rev-draft, OP12" in cites
    assert not any(c.startswith("file:") for c in cites)
