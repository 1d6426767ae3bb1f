"""Keeps the lineage table in step with the paragraph store it is derived from.

Like the mandate table (``bot.mandates.sync``): the table records the store generation it was
built from and re-profiles only the documents whose version changed, so it works the same with a
local store and a Chroma server.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from bot.mandates.sync import paragraphs_from_stored, resolution_from_store
from bot.series.lineage import LineageTable
from core.errors import ResbotError
from ingest.model import Resolution
from ingest.store import DocRecord, ParagraphStore, StoredParagraph

log = logging.getLogger(__name__)


def load_resolution(
    store: ParagraphStore, doc_id: str, record: DocRecord | None = None
) -> Resolution:
    """A stored document rebuilt as a Resolution (its accepted version's paragraphs, in order)."""
    record = record or store.get_doc(doc_id)
    if record is None:
        raise ResbotError(f"{doc_id} is not in the store")
    return _rebuild(record, list(store.iter_paragraphs(where={"doc_id": doc_id})))


def load_resolutions(store: ParagraphStore, records: dict[str, DocRecord]) -> Iterator[Resolution]:
    """Many stored documents in one pass over the store (one read, not one per document)."""
    by_doc: dict[str, list[StoredParagraph]] = defaultdict(list)
    for p in store.iter_paragraphs():
        if p.doc_id in records:
            by_doc[p.doc_id].append(p)
    for doc_id, record in records.items():
        yield _rebuild(record, by_doc.get(doc_id, []))


def _rebuild(record: DocRecord, stored: list[StoredParagraph]) -> Resolution:
    return resolution_from_store(record, paragraphs_from_stored(record, stored))


def sync_lineage(store: ParagraphStore, path: Path) -> LineageTable:
    """The lineage table at `path`, updated to the store's current contents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state_file = path.with_suffix(".state.json")
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        state = {}
    table = LineageTable.load(path)
    generation = store.generation()
    if state.get("generation") == generation and path.exists():
        return table
    docs = store.docs()
    known: dict[str, str] = state.get("docs", {}) if len(table) else {}
    stale = [d for d, rec in docs.items() if known.get(d) != rec.ver]
    for gone in set(table.profiles) - set(docs):
        table.remove(gone)
    if len(stale) > 20:
        for res in load_resolutions(store, {d: docs[d] for d in stale}):
            table.add(res)
    else:
        for doc_id in stale:
            table.add(load_resolution(store, doc_id, docs[doc_id]))
    if stale:
        log.info("lineage table: %d documents profiled", len(stale))
    table.save(path)
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"generation": generation, "docs": {d: r.ver for d, r in docs.items()}})
    )
    tmp.replace(state_file)
    return table
