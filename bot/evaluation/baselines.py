"""Reference pipelines that answer the same questions as resbot, for the ablation table.

All three implement the `Answerer` protocol, so the runner treats them like resbot:

* ``naive``: the LangChain RAG tutorial. Each file's raw text (XML: all text
  content, markup indentation stripped; PDF: pypdf text; Word: paragraph texts;
  text files as they are), ``RecursiveCharacterTextSplitter(chunk_size=1000,
  chunk_overlap=200)``, dense top-k over the chunks in a Chroma collection of
  their own (langchain-chroma, the same embedder), citations = the retrieved chunks. To score it per paragraph, each
  chunk is mapped to every paragraph of its file that it covers substantially
  (`ChunkMapper`).
* ``dense``: our stored paragraphs, embeddings only (the store's vector query).
* ``bm25``: our stored paragraphs, lexical only (``bm25s``).

None of them has a language model: the answer text is the top cited texts
joined, so their ``answer_contains`` is an upper bound of what a generator could
say from that context. They never decline while anything is retrieved. With a
conversation history they search with the earlier questions prepended, the
mechanical stand-in for the tutorial's LLM question rewriting.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answer.types import Answer, Citation, Retrieved, Turn
from core.errors import ResbotError
from ingest.embedding import Embedder
from ingest.parsers import SUPPORTED_SUFFIXES, parse_file
from ingest.parsers.common import decode_text, read_bytes
from ingest.pipeline import iter_files
from ingest.store import ParagraphStore, StoredParagraph

log = logging.getLogger(__name__)

BASELINES = ("naive", "dense", "bm25")
CITE_N = 3
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
# Bump when load_raw_text changes, so that cached naive chunks are rebuilt.
LOADER_VERSION = 1

# A chunk cites a paragraph when it spans at least half of the paragraph's text
# in the raw file, or when at least a quarter of the chunk is the paragraph's
# text or its footnotes (a chunk inside a long paragraph); failing both, the
# paragraph it overlaps most. Generous on purpose: the baseline gets every
# plausible reading.
COVER_OF_PARAGRAPH = 0.5
SHARE_OF_CHUNK = 0.25

NAIVE_MAPPING_NOTE = (
    "Naive chunks are scored per paragraph: each parsed paragraph (and its footnotes) is "
    "located in the file's raw text, and a 1000-character chunk cites every paragraph whose "
    f"text it spans at least {COVER_OF_PARAGRAPH:.0%} of, or that (with its footnotes) makes up "
    f"at least {SHARE_OF_CHUNK:.0%} of the chunk, and at least the paragraph it overlaps most. "
    "Paragraphs come from parsing the same file with resbot's parsers. Retrieval metrics count "
    "chunks as units (a chunk covering two expected paragraphs finds both)."
)


def history_query(question: str, history: Sequence[Turn] | None) -> str:
    earlier = [t.question for t in history or [] if t.question]
    return " ".join([*earlier, question])


def _answer(
    question: str, retrieved: list[Retrieved], citations: list[Citation], mode: str
) -> Answer:
    texts = []
    for unit in retrieved[:CITE_N]:
        if unit.text not in texts:
            texts.append(unit.text)
    return Answer(
        question=question,
        text="\n\n".join(texts),
        answerable=bool(retrieved),
        citations=citations,
        retrieved=retrieved,
        mode=mode,
    )


def _retrieved(p: StoredParagraph, score: float, why: str) -> Retrieved:
    return Retrieved(
        doc_id=p.doc_id,
        symbol=p.symbol,
        label=p.label,
        source=p.source,
        text=p.text,
        score=score,
        why=[why],
        metadata=dict(p.metadata),
    )


def _live(store: ParagraphStore) -> Callable[[StoredParagraph], bool]:
    """Readers trust only paragraphs of a document's live version (see ingest.store)."""
    docs = store.docs()

    def ok(p: StoredParagraph) -> bool:
        rec = docs.get(p.doc_id)
        return rec is None or not p.metadata.get("ver") or rec.ver == p.metadata.get("ver")

    return ok


class DenseBaseline:
    """Our paragraphs, embeddings only: the store's nearest neighbours of the question."""

    name = "dense"

    def __init__(self, store: ParagraphStore, embedder: Embedder, depth: int = 10) -> None:
        self.store = store
        self.embedder = embedder
        self.depth = depth
        self._ok = _live(store)

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        vector = self.embedder.embed_query(history_query(question, history))
        rows = [p for p in self.store.query(vector, self.depth * 2) if self._ok(p)][: self.depth]
        retrieved = [_retrieved(p, p.score, "dense") for p in rows]
        return _answer(question, retrieved, [r.citation() for r in retrieved[:CITE_N]], "dense")


def _bm25_text(p: StoredParagraph) -> str:
    # The same context the encoder gets (title, text, footnotes), plus the symbol,
    # so that "79/154" in a question can match lexically.
    parts = [p.symbol or "", str(p.metadata.get("title") or ""), p.text, " ".join(p.footnotes)]
    return " ".join(x for x in parts if x)


class BM25Baseline:
    """Our paragraphs, lexical only: BM25 (bm25s) over symbol, title, text and footnotes."""

    name = "bm25"

    def __init__(self, store: ParagraphStore, depth: int = 10) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG on import, which floods stderr with index chatter.
        logging.getLogger("bm25s").setLevel(logging.WARNING)

        self.depth = depth
        ok = _live(store)
        self.paragraphs = [p for p in store.iter_paragraphs() if ok(p)]
        self._bm25s = bm25s
        self.index: Any = None
        if self.paragraphs:
            tokens = bm25s.tokenize(
                [_bm25_text(p) for p in self.paragraphs], stopwords="en", show_progress=False
            )
            self.index = bm25s.BM25()
            self.index.index(tokens, show_progress=False)

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        retrieved: list[Retrieved] = []
        query = self._bm25s.tokenize(
            [history_query(question, history)],
            stopwords="en",
            show_progress=False,
            return_ids=False,
        )
        if self.index is not None and query and query[0]:
            k = min(self.depth, len(self.paragraphs))
            docs, scores = self.index.retrieve(query, k=k, show_progress=False)
            for i, s in zip(docs[0], scores[0], strict=True):
                if float(s) > 0:
                    retrieved.append(_retrieved(self.paragraphs[int(i)], float(s), "bm25"))
        return _answer(question, retrieved, [r.citation() for r in retrieved[:CITE_N]], "bm25")


# -- naive ---------------------------------------------------------------------


def load_raw_text(path: Path) -> str:
    """A file's text as a tutorial loader would read it, with no structure."""
    suffix = path.suffix.lower()
    if suffix in (".xml", ".akn"):
        import defusedxml.ElementTree as ET

        try:
            root = ET.fromstring(read_bytes(path))
        except Exception as exc:
            raise ResbotError(f"malformed XML: {exc}") from exc
        text = "".join(root.itertext())
        # The markup's indentation is not content: strip it as any XML loader does.
        lines = [line.strip() for line in text.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if suffix == ".pdf":
        import io

        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(read_bytes(path)))
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except ResbotError:
            raise
        except Exception as exc:
            raise ResbotError(f"unreadable PDF: {exc}") from exc
    if suffix == ".docx":
        import io

        import docx

        try:
            document = docx.Document(io.BytesIO(read_bytes(path)))
        except Exception as exc:
            raise ResbotError(f"unreadable Word file: {exc}") from exc
        return "\n".join(p.text for p in document.paragraphs)
    return decode_text(read_bytes(path))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


@dataclass
class _Para:
    """A parsed paragraph and where its text (and its footnotes') lies in the raw text,
    as word-index ranges; the first range is the paragraph's own text."""

    symbol: str | None
    label: str
    source: str
    doc_id: str
    spans: list[tuple[int, int]]


class ChunkMapper:
    """Maps spans of a file's raw text to the file's parsed paragraphs.

    Each paragraph is located once in the raw text: its word n-grams vote for an offset,
    so that a paragraph is found where its own text is, not where a title repeats a phrase
    of it. Page headers or footnotes inside a paragraph only split the vote.
    """

    N = 5
    COMMON = 20  # an n-gram found more often than this says nothing about position

    def __init__(
        self, raw: str, paragraphs: Sequence[tuple[str | None, str, str, str, str, Sequence[str]]]
    ) -> None:
        """paragraphs: (symbol, label, source, doc_id, text, footnotes) in document order."""
        matches = list(re.finditer(r"\w+", raw))
        self.raw = raw
        self.starts = [m.start() for m in matches]
        self.words = [m.group().casefold() for m in matches]
        self._index: dict[int, dict[tuple[str, ...], list[int]]] = {}
        self.paragraphs: list[_Para] = []
        for symbol, label, source, doc_id, text, notes in paragraphs:
            spans = [self.locate(text)] + [self.locate(n) for n in notes]
            main = spans[0] or (0, 0)
            extra = [sp for sp in spans[1:] if sp is not None]
            self.paragraphs.append(_Para(symbol, label, source, doc_id, [main, *extra]))

    def _ngrams(self, n: int) -> dict[tuple[str, ...], list[int]]:
        if n not in self._index:
            index: dict[tuple[str, ...], list[int]] = {}
            for i in range(len(self.words) - n + 1):
                index.setdefault(tuple(self.words[i : i + n]), []).append(i)
            self._index[n] = index
        return self._index[n]

    def locate(self, text: str) -> tuple[int, int] | None:
        words = _words(text)
        if not words:
            return None
        n = min(self.N, len(words))
        index = self._ngrams(n)
        votes: dict[int, int] = {}
        hits: list[tuple[int, int]] = []
        for i in range(len(words) - n + 1):
            found = index.get(tuple(words[i : i + n]))
            if not found or len(found) > self.COMMON:
                continue
            for pos in found:
                votes[pos - i] = votes.get(pos - i, 0) + 1
                hits.append((pos - i, pos))
        if not votes:
            return None
        best = max(votes, key=lambda off: (votes[off], -off))
        near = [pos for off, pos in hits if abs(off - best) <= 50]
        return (min(near), max(near) + n)

    def cover(self, start: int, text: str) -> list[_Para]:
        """The paragraphs a chunk cites (see the thresholds above), in document order."""
        if start < 0:
            start = self.raw.find(text)
            if start < 0:
                return []
        a = bisect.bisect_left(self.starts, start)
        b = bisect.bisect_left(self.starts, start + len(text))
        if b <= a:
            return []
        best: tuple[int, int] = (0, -1)
        chosen: list[int] = []
        for i, p in enumerate(self.paragraphs):
            overlaps = [max(0, min(b, e) - max(a, s)) for s, e in p.spans]
            total = sum(overlaps)
            if total > best[0]:
                best = (total, i)
            s, e = p.spans[0]
            own = overlaps[0]
            if (e > s and own >= COVER_OF_PARAGRAPH * (e - s)) or total >= SHARE_OF_CHUNK * (b - a):
                chosen.append(i)
        if not chosen and best[1] >= 0:
            chosen = [best[1]]
        return [self.paragraphs[i] for i in chosen]


class NaiveBaseline:
    """The LangChain tutorial pipeline over the raw files (see the module docstring).

    With ``cache_dir`` the chunk collection is kept on disk, keyed by the files (name, size,
    modification time), the splitter settings and the embedding model, so that a second run
    over an unchanged corpus does not embed it again; otherwise it lives in memory.
    """

    name = "naive"

    def __init__(
        self,
        paths: Iterable[Path],
        embedder: Embedder,
        depth: int = 10,
        on_progress: Callable[[int, int], None] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.depth = depth
        self.failed: list[tuple[str, str]] = []
        files = [p for p in iter_files(paths) if p.suffix.lower() in SUPPORTED_SUFFIXES]
        self.paths: dict[str, Path] = {p.name: p for p in files}
        self._client: Any = None
        self._persistent = cache_dir is not None
        self._collection = "naive-chunks"
        marker: Path | None = None
        if cache_dir is not None:
            folder = cache_dir / f"naive-{self._fingerprint(files)}"
            marker = folder / "complete.json"
            if marker.exists():
                info = json.loads(marker.read_text())
                self.n_files, self.n_chunks = int(info["files"]), int(info["chunks"])
                self.vectorstore = self._make_vectorstore(folder)
                log.info("naive baseline: reusing %d cached chunks from %s", self.n_chunks, folder)
                self._init_caches()
                return
            # Older caches are for other inputs: keep one at a time.
            for old in cache_dir.glob("naive-*"):
                shutil.rmtree(old, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
            self.vectorstore = self._make_vectorstore(folder)
        else:
            self._collection = f"naive-{uuid.uuid4().hex[:12]}"
            self.vectorstore = self._make_vectorstore(None)
        chunks = self._split(files)
        step = 512
        for start in range(0, len(chunks), step):
            self.vectorstore.add_documents(chunks[start : start + step])
            if on_progress:
                on_progress(min(start + step, len(chunks)), len(chunks))
        if marker is not None:
            marker.write_text(json.dumps({"files": self.n_files, "chunks": self.n_chunks}))
        self._init_caches()

    def _init_caches(self) -> None:
        self._mappers: dict[str, ChunkMapper | None] = {}
        self._covers: dict[tuple[str, int], list[_Para]] = {}

    def _fingerprint(self, files: Sequence[Path]) -> str:
        h = hashlib.sha256(
            f"{CHUNK_SIZE}|{CHUNK_OVERLAP}|{LOADER_VERSION}|{getattr(self.embedder, 'name', '')}".encode()
        )
        for f in files:
            st = f.stat()
            h.update(f"\0{f.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
        return h.hexdigest()[:16]

    def _split(self, files: Sequence[Path]) -> list[Any]:
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        documents: list[Document] = []
        for path in files:
            try:
                text = load_raw_text(path)
            except ResbotError as exc:
                self.failed.append((str(path), str(exc)))
                log.warning("naive baseline: %s: %s", path, exc)
                continue
            if text.strip():
                documents.append(Document(page_content=text, metadata={"source": path.name}))
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        chunks = splitter.split_documents(documents)
        self.n_files = len(documents)
        self.n_chunks = len(chunks)
        return chunks

    def _make_vectorstore(self, folder: Path | None) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if folder is None:
            self._client = chromadb.EphemeralClient(settings=settings)
        else:
            self._client = chromadb.PersistentClient(path=str(folder), settings=settings)
        return Chroma(
            collection_name=self._collection,
            embedding_function=self.embedder,  # type: ignore[arg-type]
            client=self._client,
        )

    def close(self) -> None:
        if self._persistent:
            return
        try:
            self.vectorstore.delete_collection()
        except Exception:  # a leftover in-memory collection is harmless
            log.debug("could not drop %s", self._collection, exc_info=True)

    def mapper(self, source: str) -> ChunkMapper | None:
        """Where the paragraphs of a file lie in the raw text its chunks come from."""
        if source not in self._mappers:
            mapper = None
            path = self.paths.get(source)
            if path is not None:
                try:
                    paras = [
                        (res.symbol, p.label, path.name, res.doc_id, p.text, p.footnotes)
                        for res in parse_file(path)
                        for p in res.paragraphs
                    ]
                    mapper = ChunkMapper(load_raw_text(path), paras)
                except ResbotError as exc:
                    log.warning(
                        "naive baseline: cannot map chunks of %s to paragraphs: %s", path, exc
                    )
            self._mappers[source] = mapper
        return self._mappers[source]

    def _unit(self, doc: Any, distance: float) -> Retrieved:
        source = str(doc.metadata.get("source", ""))
        start = int(doc.metadata.get("start_index", -1))
        key = (source, start)
        if key not in self._covers:
            mapper = self.mapper(source)
            self._covers[key] = mapper.cover(start, doc.page_content) if mapper else []
        covers = self._covers[key]
        head = covers[0] if covers else None
        return Retrieved(
            doc_id=head.doc_id if head else "file:" + source.rsplit(".", 1)[0],
            symbol=head.symbol if head else None,
            label=head.label if head else "?",
            source=source,
            text=doc.page_content,
            score=-float(distance),
            why=["naive-chunk"],
            metadata={
                "start_index": start,
                "covers": [
                    {"symbol": p.symbol, "label": p.label, "source": p.source} for p in covers
                ],
            },
        )

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        hits = (
            self.vectorstore.similarity_search_with_score(
                history_query(question, history), k=self.depth
            )
            if self.n_chunks
            else []
        )
        retrieved = [self._unit(doc, dist) for doc, dist in hits]
        citations: list[Citation] = []
        seen: set[tuple[str | None, str, str]] = set()
        for unit in retrieved[:CITE_N]:
            covers = unit.metadata["covers"] or [
                {"symbol": None, "label": "?", "source": unit.source}
            ]
            for c in covers:
                key = (c["symbol"], c["label"], c["source"])
                if key in seen:
                    continue
                seen.add(key)
                citations.append(
                    Citation(
                        doc_id=c["symbol"] or "file:" + c["source"].rsplit(".", 1)[0],
                        symbol=c["symbol"],
                        label=c["label"],
                        source=c["source"],
                        text=unit.text,
                    )
                )
        return _answer(question, retrieved, citations, "naive")


def build_baselines(
    names: Iterable[str],
    store: ParagraphStore,
    embedder: Embedder,
    raw_paths: Sequence[Path],
    depth: int = 10,
    on_progress: Callable[[str, int, int], None] | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Baselines by name ("all" = every one), in the table's order."""
    wanted = set(names)
    if "all" in wanted:
        wanted = set(BASELINES)
    unknown = wanted - set(BASELINES)
    if unknown:
        raise ResbotError(f"unknown baseline(s): {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for name in BASELINES:
        if name not in wanted:
            continue
        if name == "naive":
            if not raw_paths:
                raise ResbotError(
                    "the naive baseline reads the raw files: pass them with --ingest PATH "
                    "(or --corpus PATH)"
                )
            out[name] = NaiveBaseline(
                raw_paths,
                embedder,
                depth,
                on_progress=(lambda done, total: on_progress("naive", done, total))
                if on_progress
                else None,
                cache_dir=cache_dir,
            )
        elif name == "dense":
            out[name] = DenseBaseline(store, embedder, depth)
        else:
            out[name] = BM25Baseline(store, depth)
    return out
