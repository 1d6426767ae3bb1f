"""Prototype: the MiniLM query encoder in plain numpy, to measure what a torch-free query path buys.

`resbot ask` spends most of its cold start importing sentence-transformers (torch,
transformers, scikit-learn, scipy) to embed one short question. The bundled model is
a 6-layer BERT with mean pooling; its forward pass for a 20-token question is a few
small matrix products. This module runs it with numpy, `tokenizers` and `safetensors`
only, reading the same bundled weights, so its vectors can be checked against
sentence-transformers (`python -m bench.numpy_minilm`).

Not wired into the product: a measurement for the lead (eval/reports/bench.md).
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32 resolution here).
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class NumpyMiniLM:
    """BERT encoder + mean pooling + L2 normalisation, as the sentence-transformers MiniLM."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        cfg = json.loads((model_dir / "config.json").read_text())
        st_cfg = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self.heads = int(cfg["num_attention_heads"])
        self.layers = int(cfg["num_hidden_layers"])
        self.eps = float(cfg["layer_norm_eps"])
        self.w: dict[str, Any] = load_file(str(model_dir / "model.safetensors"))
        # Linear layers as (in, out) so that x @ W needs no transpose per call.
        for key in list(self.w):
            if key.endswith(".weight") and self.w[key].ndim == 2 and "embeddings" not in key:
                self.w[key] = np.ascontiguousarray(self.w[key].T)
        self.tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tok.enable_truncation(int(st_cfg.get("max_seq_length", 256)))
        self.tok.no_padding()

    def encode_one(self, text: str) -> np.ndarray:
        w = self.w
        enc = self.tok.encode(text)
        ids = np.asarray(enc.ids)
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        d = x.shape[1]
        hd = d // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = x @ w[p + "attention.self.query.weight"] + w[p + "attention.self.query.bias"]
            k = x @ w[p + "attention.self.key.weight"] + w[p + "attention.self.key.bias"]
            v = x @ w[p + "attention.self.value.weight"] + w[p + "attention.self.value.bias"]
            q = q.reshape(n, self.heads, hd).transpose(1, 0, 2)
            k = k.reshape(n, self.heads, hd).transpose(1, 2, 0)
            v = v.reshape(n, self.heads, hd).transpose(1, 0, 2)
            scores = (q @ k) / math.sqrt(hd)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(1, 0, 2).reshape(n, d)
            attn = (
                ctx @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            )
            x = _layer_norm(
                attn + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            h = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            h = h @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(
                h + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps
            )
        pooled = x.mean(0)
        out: np.ndarray = pooled / np.linalg.norm(pooled)
        return out.astype(np.float32)


def main() -> int:
    """Startup and per-query time of this encoder, and its agreement with sentence-transformers."""
    t0 = time.perf_counter()
    from ingest.embedding import resolve_model_path

    model_dir = Path(resolve_model_path("all-MiniLM-L6-v2"))
    enc = NumpyMiniLM(model_dir)
    startup_s = time.perf_counter() - t0
    from bot.benchmark import QUESTIONS, percentile

    enc.encode_one("warm up")
    times = []
    for q in QUESTIONS * 3:
        start = time.perf_counter()
        enc.encode_one(q)
        times.append((time.perf_counter() - start) * 1000)
    result: dict[str, Any] = {
        "numpy_startup_s": round(startup_s, 3),
        "numpy_query_p50_ms": round(percentile(times, 50), 2),
        "numpy_query_p95_ms": round(percentile(times, 95), 2),
    }
    if "--compare" in sys.argv:
        import torch

        from ingest.embedding import SentenceTransformerEmbedder

        threads = torch.get_num_threads()
        ref = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
        texts = list(QUESTIONS)
        long_text = " ".join(QUESTIONS) * 3  # longer than the 256-token limit: truncation
        texts.append(long_text)
        got = np.stack([enc.encode_one(t) for t in texts])
        want = np.asarray(ref.embed_documents(texts), dtype=np.float32)
        cos = (got * want).sum(1)
        result["min_cosine_vs_sentence_transformers"] = round(float(cos.min()), 7)
        result["max_abs_diff"] = float(np.abs(got - want).max())
        for n in sorted({1, threads}):
            torch.set_num_threads(n)
            ts = []
            for q in QUESTIONS * 3:
                start = time.perf_counter()
                ref.embed_query(q)
                ts.append((time.perf_counter() - start) * 1000)
            result[f"torch_query_p50_ms_{n}_threads"] = round(percentile(ts, 50), 2)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
