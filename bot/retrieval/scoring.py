"""Fitted linear models over named signals, read from data files that `eval/fit.py` writes.

A model file names its features, so a file fitted for an older list of signals still loads:
a signal it does not know counts zero, one it names that no longer exists is ignored (and
logged). Nothing here holds a weight: the defaults a fresh checkout uses are the committed
files under ``bot/data/``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ResbotError

log = logging.getLogger(__name__)


class ModelFileError(ResbotError):
    """A weights file that cannot be read or does not describe a linear model."""


@dataclass
class LinearModel:
    """score = bias + sum(weight[name] * feature[name]); `probability` squashes it (logistic).

    Features are standardised with the means and scales stored beside the weights, so the
    weights of a fitted file are comparable with each other.
    """

    features: tuple[str, ...]
    weights: np.ndarray
    bias: float = 0.0
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    threshold: float | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], names: Sequence[str]) -> LinearModel:
        """Aligns the file's features with `names` (the signals the code computes now)."""
        try:
            stored = list(data["features"])
            w = dict(zip(stored, map(float, data["weights"]), strict=True))
            mean = dict(zip(stored, map(float, data.get("mean", [0.0] * len(stored))), strict=True))
            scale = dict(
                zip(stored, map(float, data.get("scale", [1.0] * len(stored))), strict=True)
            )
            bias = float(data.get("bias", 0.0))
            threshold = data.get("threshold")
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"not a linear model file: {exc}") from exc
        unknown = [f for f in stored if f not in names]
        if unknown:
            log.warning("model file names signals the code no longer has: %s", ", ".join(unknown))
        return cls(
            features=tuple(names),
            weights=np.array([w.get(n, 0.0) for n in names], dtype=np.float64),
            bias=bias,
            mean=np.array([mean.get(n, 0.0) for n in names], dtype=np.float64),
            scale=np.array([scale.get(n, 1.0) or 1.0 for n in names], dtype=np.float64),
            threshold=None if threshold is None else float(threshold),
            info={
                k: v for k, v in data.items() if k not in ("features", "weights", "mean", "scale")
            },
        )

    @classmethod
    def load(cls, source: str | Path, names: Sequence[str]) -> LinearModel:
        """From a path, or from a file name under the package's ``bot/data``."""
        try:
            if isinstance(source, Path):
                raw = source.read_text("utf-8")
            else:
                raw = resources.files("bot").joinpath("data", source).read_text("utf-8")
            data = json.loads(raw)
        except (OSError, ValueError) as exc:
            raise ModelFileError(f"cannot read model file {source}: {exc}") from exc
        return cls.from_json(data, names)

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Linear scores of a (n, features) matrix."""
        if x.size == 0:
            return np.zeros(len(x))
        z = (x - self.mean) / self.scale if self.mean is not None and self.scale is not None else x
        return np.asarray(z @ self.weights + self.bias, dtype=np.float64)

    def score(self, x: Sequence[float]) -> float:
        return float(self.scores(np.asarray([x], dtype=np.float64))[0])

    def probability(self, x: Sequence[float]) -> float:
        s = self.score(x)
        return 1.0 / (1.0 + math.exp(-s)) if s > -700 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            **self.info,
            "features": list(self.features),
            "weights": [round(float(v), 6) for v in self.weights],
            "bias": round(self.bias, 6),
            "mean": [round(float(v), 6) for v in (self.mean if self.mean is not None else [])],
            "scale": [round(float(v), 6) for v in (self.scale if self.scale is not None else [])],
            "threshold": self.threshold,
        }
