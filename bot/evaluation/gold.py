"""Gold question sets: JSONL, one question per line (format in docs and `../shared/gold`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ResbotError

log = logging.getLogger(__name__)


class GoldError(ResbotError):
    """A gold file that cannot be read or a line that does not follow the format."""


@dataclass(frozen=True)
class Expected:
    """A paragraph a correct answer rests on."""

    source: str
    paragraph: str
    symbol: str | None = None
    quote: str | None = None

    @property
    def display(self) -> str:
        return f"{self.symbol or self.source}, {self.paragraph}"


@dataclass
class GoldItem:
    id: str
    question: str
    expected: list[Expected] = field(default_factory=list)
    answer_contains: list[str] = field(default_factory=list)
    answerable: bool = True
    category: str = "general"
    history: list[str] = field(default_factory=list)


def _expected(raw: Any, where: str) -> Expected:
    if not isinstance(raw, dict):
        raise GoldError(f"{where}: each 'expected' entry must be an object")
    source = raw.get("source")
    label = raw.get("paragraph")
    if not isinstance(source, str) or not source or not isinstance(label, str) or not label:
        raise GoldError(f"{where}: an 'expected' entry needs 'source' and 'paragraph'")
    symbol = raw.get("symbol")
    quote = raw.get("quote")
    return Expected(
        source=source.rsplit("/", 1)[-1],
        paragraph=label.strip(),
        symbol=symbol.strip() if isinstance(symbol, str) and symbol.strip() else None,
        quote=quote if isinstance(quote, str) and quote.strip() else None,
    )


def _str_list(raw: Any, key: str, where: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise GoldError(f"{where}: '{key}' must be a list of strings")
    return list(raw)


def parse_item(raw: Any, where: str = "gold") -> GoldItem:
    if not isinstance(raw, dict):
        raise GoldError(f"{where}: not a JSON object")
    qid, question = raw.get("id"), raw.get("question")
    if not isinstance(qid, str | int) or not isinstance(question, str) or not question.strip():
        raise GoldError(f"{where}: needs 'id' and a non-empty 'question'")
    expected_raw = raw.get("expected") or []
    if not isinstance(expected_raw, list):
        raise GoldError(f"{where}: 'expected' must be a list")
    expected = [_expected(e, where) for e in expected_raw]
    answerable = raw.get("answerable", bool(expected))
    if not isinstance(answerable, bool):
        raise GoldError(f"{where}: 'answerable' must be true or false")
    return GoldItem(
        id=str(qid),
        question=question.strip(),
        expected=expected,
        answer_contains=_str_list(raw.get("answer_contains"), "answer_contains", where),
        answerable=answerable,
        category=str(raw.get("category") or "general"),
        history=_str_list(raw.get("history"), "history", where),
    )


def load_gold(paths: Iterable[Path]) -> list[GoldItem]:
    """Read one or more JSONL gold files; question IDs must be unique across them."""
    items: list[GoldItem] = []
    seen: set[str] = set()
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise GoldError(f"{path}: cannot read gold file: {exc.strerror or exc}") from exc
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = f"{path.name}:{n}"
            try:
                raw = json.loads(line)
            except ValueError as exc:
                raise GoldError(f"{where}: invalid JSON: {exc}") from exc
            item = parse_item(raw, where)
            if item.id in seen:
                raise GoldError(f"{where}: duplicate question id {item.id!r}")
            seen.add(item.id)
            items.append(item)
    if not items:
        raise GoldError("no gold questions found")
    return items


def gold_sources(items: Sequence[GoldItem]) -> set[str]:
    """File names the expected paragraphs come from."""
    return {e.source for item in items for e in item.expected}
