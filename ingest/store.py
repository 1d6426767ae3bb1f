"""The paragraph store: Chroma, embedded (persistent directory) or a Chroma server.

Two collections:

* ``<name>-paragraphs``: one record per citable paragraph; the ID is the citation
  anchor ``<doc_id>#<label>``; metadata carries symbol, label, kind, verb, body,
  year, source, title, content hash and the document version ``ver``.
* ``<name>-registry``: bookkeeping with a 1-d dummy vector: one ``doc:<doc_id>``
  record per document (its live version, format, source) written *after* its
  paragraphs, one ``file:<sha256>`` record per ingested file (to skip unchanged
  files before parsing them), and ``meta:generation``, which changes whenever the
  store changes so that readers know when to rebuild their lexical index.

Readers only trust paragraphs whose ``ver`` equals their document's live version,
so a document that is being written (or was half-written by a killed ingest) is
never seen half-written: readers see the old version or the new one.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from core.errors import StoreError, StoreLocked

log = logging.getLogger(__name__)

_DUMMY = [0.0]
_PAGE = 2000


@dataclass
class StoredParagraph:
    """A paragraph as read back from the store."""

    id: str
    text: str
    metadata: dict[str, Any]
    score: float = 0.0

    @property
    def doc_id(self) -> str:
        return str(self.metadata.get("doc_id", self.id.split("#", 1)[0]))

    @property
    def label(self) -> str:
        return str(self.metadata.get("label", self.id.rsplit("#", 1)[-1]))

    @property
    def symbol(self) -> str | None:
        s = self.metadata.get("symbol")
        return str(s) if s else None

    @property
    def source(self) -> str:
        return str(self.metadata.get("source", ""))

    @property
    def footnotes(self) -> list[str]:
        raw = self.metadata.get("footnotes")
        if not raw:
            return []
        try:
            notes = json.loads(str(raw))
        except ValueError:
            return []
        return [str(n) for n in notes]

    @property
    def text_with_notes(self) -> str:
        return " ".join([self.text, *self.footnotes])

    @property
    def citation(self) -> str:
        return f"{self.symbol or self.doc_id}, {self.label}"


@dataclass
class DocRecord:
    doc_id: str
    ver: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def accepts(self, ver: object) -> bool:
        """Whether a paragraph of version `ver` is readable: the live one, or the one being written."""
        return ver == self.ver or (bool(ver) and ver == self.metadata.get("next_ver"))


class ParagraphStore(Protocol):
    """What ingest, retrieval and answering need from a store."""

    description: str

    def generation(self) -> str: ...

    def paragraph_meta(self, doc_id: str) -> dict[str, dict[str, Any]]: ...

    def upsert(
        self,
        ids: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None: ...

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def get_doc(self, doc_id: str) -> DocRecord | None: ...

    def put_doc(self, record: DocRecord) -> None: ...

    def delete_doc(self, doc_id: str) -> None: ...

    def docs(self) -> dict[str, DocRecord]: ...

    def file_record(self, sha: str) -> dict[str, Any] | None: ...

    def put_file_record(self, sha: str, metadata: dict[str, Any]) -> None: ...

    def touch(self) -> None: ...

    def query(
        self, embedding: Sequence[float], n: int, where: dict[str, Any] | None = None
    ) -> list[StoredParagraph]: ...

    def get(self, ids: Sequence[str]) -> list[StoredParagraph]: ...

    def vectors(self, ids: Sequence[str]) -> dict[str, Any]: ...

    def iter_paragraphs(self, where: dict[str, Any] | None = None) -> Iterator[StoredParagraph]: ...

    def count(self) -> int: ...


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    # Chroma metadata values must be scalars; None is dropped rather than stored.
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, list | dict | tuple):
            value = json.dumps(value, ensure_ascii=False)
        out[key] = value
    return out


class ChromaStore:
    """A `ParagraphStore` on a Chroma client (persistent or HTTP)."""

    def __init__(self, client: Any, name: str, embedding_model: str, description: str) -> None:
        self.client = client
        self.name = name
        self.description = description
        self.embedding_model = embedding_model
        try:
            self._paras = client.get_or_create_collection(
                f"{name}-paragraphs",
                metadata={"hnsw:space": "cosine", "embedding_model": embedding_model},
                embedding_function=None,
            )
            self._reg = client.get_or_create_collection(
                f"{name}-registry", metadata={"hnsw:space": "l2"}, embedding_function=None
            )
        except Exception as exc:
            raise StoreError(f"cannot open the Chroma collections at {description}: {exc}") from exc
        stored = (self._paras.metadata or {}).get("embedding_model")
        if stored and stored != embedding_model:
            raise StoreError(
                f"the store at {description} was built with embedding model {stored!r}, "
                f"not {embedding_model!r}: use that model or a new store"
            )

    def __repr__(self) -> str:
        return f"ChromaStore({self.description})"

    def side_collection(self, suffix: str) -> Any:
        """Another collection on the same client, for data kept beside the paragraphs (records)."""
        try:
            return self.client.get_or_create_collection(
                f"{self.name}-{suffix}", metadata={"hnsw:space": "l2"}, embedding_function=None
            )
        except Exception as exc:
            raise StoreError(
                f"cannot open the {suffix} collection at {self.description}: {exc}"
            ) from exc

    # -- bookkeeping -------------------------------------------------------
    def generation(self) -> str:
        got = self._reg.get(ids=["meta:generation"], include=["metadatas"])
        metas = got.get("metadatas") or []
        return str(metas[0].get("value", "")) if metas and metas[0] else ""

    def touch(self) -> None:
        self._reg.upsert(
            ids=["meta:generation"],
            embeddings=[_DUMMY],
            metadatas=[{"value": uuid.uuid4().hex}],
            documents=[""],
        )

    def get_doc(self, doc_id: str) -> DocRecord | None:
        got = self._reg.get(ids=[f"doc:{doc_id}"], include=["metadatas"])
        metas = got.get("metadatas") or []
        if not metas or not metas[0]:
            return None
        meta = dict(metas[0])
        return DocRecord(doc_id=doc_id, ver=str(meta.pop("ver", "")), metadata=meta)

    def put_doc(self, record: DocRecord) -> None:
        meta = _clean_meta(
            {**record.metadata, "ver": record.ver, "doc_id": record.doc_id, "type": "doc"}
        )
        self._reg.upsert(
            ids=[f"doc:{record.doc_id}"], embeddings=[_DUMMY], metadatas=[meta], documents=[""]
        )

    def delete_doc(self, doc_id: str) -> None:
        self._reg.delete(ids=[f"doc:{doc_id}"])

    def docs(self) -> dict[str, DocRecord]:
        out: dict[str, DocRecord] = {}
        offset = 0
        while True:
            got = self._reg.get(
                where={"type": "doc"}, include=["metadatas"], limit=_PAGE, offset=offset
            )
            metas = got.get("metadatas") or []
            for meta in metas:
                meta = dict(meta or {})
                doc_id = str(meta.pop("doc_id", ""))
                out[doc_id] = DocRecord(doc_id, str(meta.pop("ver", "")), meta)
            if len(metas) < _PAGE:
                return out
            offset += _PAGE

    def file_record(self, sha: str) -> dict[str, Any] | None:
        got = self._reg.get(ids=[f"file:{sha}"], include=["metadatas"])
        metas = got.get("metadatas") or []
        return dict(metas[0]) if metas and metas[0] else None

    def put_file_record(self, sha: str, metadata: dict[str, Any]) -> None:
        meta = _clean_meta({**metadata, "type": "file"})
        self._reg.upsert(ids=[f"file:{sha}"], embeddings=[_DUMMY], metadatas=[meta], documents=[""])

    # -- paragraphs --------------------------------------------------------
    def paragraph_meta(self, doc_id: str) -> dict[str, dict[str, Any]]:
        got = self._paras.get(where={"doc_id": doc_id}, include=["metadatas"])
        return {
            i: dict(m or {}) for i, m in zip(got["ids"], got.get("metadatas") or [], strict=False)
        }

    def upsert(
        self,
        ids: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        if not ids:
            return
        for start in range(0, len(ids), _PAGE):
            end = start + _PAGE
            self._paras.upsert(
                ids=list(ids[start:end]),
                embeddings=[list(e) for e in embeddings[start:end]],
                documents=list(texts[start:end]),
                metadatas=[_clean_meta(m) for m in metadatas[start:end]],
            )

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(ids), _PAGE):
            end = start + _PAGE
            self._paras.update(
                ids=list(ids[start:end]), metadatas=[_clean_meta(m) for m in metadatas[start:end]]
            )

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._paras.delete(ids=list(ids))

    @staticmethod
    def _rows(got: dict[str, Any], scores: list[float] | None = None) -> list[StoredParagraph]:
        ids = got.get("ids") or []
        docs = got.get("documents") or [""] * len(ids)
        metas = got.get("metadatas") or [{}] * len(ids)
        return [
            StoredParagraph(
                id=i, text=d or "", metadata=dict(m or {}), score=scores[n] if scores else 0.0
            )
            for n, (i, d, m) in enumerate(zip(ids, docs, metas, strict=False))
        ]

    def query(
        self, embedding: Sequence[float], n: int, where: dict[str, Any] | None = None
    ) -> list[StoredParagraph]:
        # Chroma returns fewer hits when the collection is smaller than n, so no
        # count() round trip is needed (it cost 10 ms an answer at 100k paragraphs).
        got = self._paras.query(
            query_embeddings=[list(embedding)],
            n_results=n,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        flat = {
            "ids": got["ids"][0],
            "documents": (got.get("documents") or [[]])[0],
            "metadatas": (got.get("metadatas") or [[]])[0],
        }
        # Cosine distance -> similarity in [-1, 1].
        scores = [1.0 - float(d) for d in (got.get("distances") or [[]])[0]]
        return self._rows(flat, scores)

    def get(self, ids: Sequence[str]) -> list[StoredParagraph]:
        if not ids:
            return []
        got = self._paras.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {r.id: r for r in self._rows(got)}
        return [by_id[i] for i in ids if i in by_id]

    def iter_paragraphs(self, where: dict[str, Any] | None = None) -> Iterator[StoredParagraph]:
        offset = 0
        while True:
            got = self._paras.get(
                where=where or None,
                include=["documents", "metadatas"],
                limit=_PAGE,
                offset=offset,
            )
            rows = self._rows(got)
            yield from rows
            if len(rows) < _PAGE:
                return
            offset += _PAGE

    def count(self) -> int:
        return int(self._paras.count())

    def vectors(self, ids: Sequence[str]) -> dict[str, Any]:
        """Stored embeddings by id (to score candidates that only the lexical ranker found)."""
        if not ids:
            return {}
        got = self._paras.get(ids=list(ids), include=["embeddings"])
        embs = got.get("embeddings")
        if embs is None:
            return {}
        return {i: e for i, e in zip(got["ids"], embs, strict=False)}


class WriteLock:
    """One writer at a time on a local store; a Chroma server handles its own concurrency."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> WriteLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StoreLocked(
                f"the store at {self.path.parent} is being written by another resbot process "
                f"(pid {holder}); wait for it to finish, or use a Chroma server for concurrent writers"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def open_local_store(path: Path, name: str, embedding_model: str) -> ChromaStore:
    import chromadb

    path.mkdir(parents=True, exist_ok=True)
    try:
        client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        raise StoreError(f"cannot open the local store at {path}: {exc}") from exc
    return ChromaStore(client, name, embedding_model, description=str(path))


def open_server_store(url: str, name: str, embedding_model: str) -> ChromaStore:
    import chromadb

    parsed = urlparse(url if "://" in url else f"http://{url}")
    host = parsed.hostname or "localhost"
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        client = chromadb.HttpClient(
            host=host, port=port, ssl=parsed.scheme == "https", settings=_chroma_settings()
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreError(f"cannot reach the Chroma server at {url}: {exc}") from exc
    return ChromaStore(client, name, embedding_model, description=url)
