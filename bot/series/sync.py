"""Keeps the lineage table in step with the paragraph store it is derived from.

Like the mandate table (``bot.mandates.sync``): the table records the store generation it was
built from and re-profiles only the documents whose version changed, so it works the same with a
local store and a Chroma server.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from bot.mandates.sync import resolution_from_store
from bot.series.lineage import LineageTable
from ingest.errors import ResbotError
from ingest.model import Paragraph, Resolution
from ingest.store import ParagraphStore

log = logging.getLogger(__name__)


def load_resolution(store: ParagraphStore, doc_id: str) -> Resolution:
    """A stored document rebuilt as a Resolution (its accepted version's paragraphs, in order)."""
    record = store.docs().get(doc_id)
    if record is None:
        raise ResbotError(f"{doc_id} is not in the store")
    rows = sorted(
        (
            p
            for p in store.iter_paragraphs(where={"doc_id": doc_id})
            if record.accepts(p.metadata.get("ver"))
        ),
        key=lambda p: int(p.metadata.get("order", 0)),
    )
    paragraphs = [
        Paragraph(
            label=p.label,
            kind=p.metadata.get("kind", "operative"),
            text=p.text,
            footnotes=p.footnotes,
            verb=p.metadata.get("verb") or None,
        )
        for p in rows
    ]
    return resolution_from_store(record, paragraphs)


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
    for doc_id in stale:
        table.add(load_resolution(store, doc_id))
    if stale:
        log.info("lineage table: %d documents profiled", len(stale))
    table.save(path)
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"generation": generation, "docs": {d: r.ver for d, r in docs.items()}})
    )
    tmp.replace(state_file)
    return table
