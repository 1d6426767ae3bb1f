"""Adoption records kept in the same Chroma (local or server) as the paragraphs.

One collection ``<name>-records`` beside ``<name>-paragraphs``: one entry per record, its ID
``record:<symbol>``, the record as JSON in the document, a content hash in the metadata (so a
re-ingest rewrites only what changed) and a 1-d dummy vector (records are looked up, never
searched by similarity). Readers rebuild their index of records from this collection, so a bot
on a Chroma server sees what an ingest job wrote, as it does for paragraphs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.errors import ParseError
from ingest.parsers.records import is_records_file, parse_records_file
from ingest.records import Record

log = logging.getLogger(__name__)

_DUMMY = [0.0]
_PAGE = 1000


class RecordStore(Protocol):
    """Where records live; a Chroma collection in practice."""

    def hashes(self, symbols: Sequence[str]) -> dict[str, str]: ...

    def put(self, records: Sequence[Record]) -> None: ...

    def iter_records(self) -> Iterator[Record]: ...

    def count(self) -> int: ...


class ChromaRecordStore:
    def __init__(self, collection: Any) -> None:
        self._col = collection

    def hashes(self, symbols: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        ids = [f"record:{s}" for s in symbols]
        for start in range(0, len(ids), _PAGE):
            got = self._col.get(ids=ids[start : start + _PAGE], include=["metadatas"])
            for meta in got.get("metadatas") or []:
                if meta:
                    out[str(meta.get("symbol"))] = str(meta.get("hash", ""))
        return out

    def put(self, records: Sequence[Record]) -> None:
        for start in range(0, len(records), _PAGE):
            batch = records[start : start + _PAGE]
            self._col.upsert(
                ids=[f"record:{r.symbol}" for r in batch],
                embeddings=[_DUMMY for _ in batch],
                documents=[json.dumps(r.to_json(), ensure_ascii=False) for r in batch],
                metadatas=[
                    {
                        "symbol": r.symbol,
                        "hash": r.content_hash(),
                        "source": r.source,
                        "session": r.session_number or 0,
                    }
                    for r in batch
                ],
            )

    def iter_records(self) -> Iterator[Record]:
        offset = 0
        while True:
            got = self._col.get(include=["documents"], limit=_PAGE, offset=offset)
            docs = got.get("documents") or []
            for doc in docs:
                try:
                    yield Record.from_json(json.loads(doc or "{}"))
                except (ValueError, TypeError):
                    log.warning("skipped an unreadable stored record")
            if len(docs) < _PAGE:
                return
            offset += _PAGE

    def count(self) -> int:
        return int(self._col.count())


def record_store_for(store: Any) -> RecordStore | None:
    """The record collection beside a paragraph store (None for stores without one)."""
    side = getattr(store, "side_collection", None)
    if side is None:
        return None
    return ChromaRecordStore(side("records"))


@dataclass
class RecordIngest:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path:line, reason)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


def merge_records(first: Record, second: Record) -> Record:
    """`first`, with every field it leaves empty taken from `second`."""
    data = first.to_json()
    for key, value in second.to_json().items():
        if data.get(key) in (None, "", [], 0) and value not in (None, "", []):
            data[key] = value
    data["source"], data["line"] = first.source, first.line
    return Record.from_json(data)


def split_record_files(files: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(metadata record files, every other file), each in the order given."""
    records: list[Path] = []
    rest: list[Path] = []
    for f in files:
        (records if is_records_file(f) else rest).append(f)
    return records, rest


def ingest_record_files(paths: Sequence[Path], store: RecordStore) -> RecordIngest:
    """Parse metadata files and write the records that are new or changed.

    Two records of one symbol (the UN's 79.json repeats 33, one copy often lacking the
    additional sponsors or the SDGs) are merged: the first one's values, with its empty fields
    filled from the second. A bad line costs that line only; a file that cannot be read is one
    error.
    """
    result = RecordIngest()
    latest: dict[str, Record] = {}
    for path in paths:
        try:
            parsed = parse_records_file(path)
        except ParseError as exc:
            result.errors.append((str(path), str(exc)))
            continue
        for err in parsed.errors:
            result.errors.append((f"{path}:{err.line}", err.reason))
            log.warning("%s:%d: %s", path, err.line, err.reason)
        twice: list[str] = []
        for rec in parsed.records:
            first = latest.get(rec.symbol)
            if first is None:
                latest[rec.symbol] = rec
                continue
            latest[rec.symbol] = merge_records(first, rec)
            twice.append(f"{rec.symbol} (lines {first.line}, {rec.line})")
        if twice:
            more = f" and {len(twice) - 3} more" if len(twice) > 3 else ""
            result.warnings.append(
                f"{path}: {len(twice)} symbols recorded twice, merged: {', '.join(twice[:3])}{more}"
            )
    stored = store.hashes(list(latest))
    changed: list[Record] = []
    for symbol, rec in latest.items():
        old = stored.get(symbol)
        if old == rec.content_hash():
            result.unchanged += 1
            continue
        if old is None:
            result.added += 1
        else:
            result.updated += 1
        changed.append(rec)
    store.put(changed)
    return result
