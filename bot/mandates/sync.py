"""Keeps the mandate table in step with the paragraph store it is derived from.

Mandates are extracted from stored paragraphs, so they live alongside them in
any mode (local store or Chroma server) and need no separate ingest path: the
table records the store generation it was built from and is brought up to date
(only the documents whose version changed) when the store moves on.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from bot.mandates.table import MandateTable
from ingest.model import Paragraph, Resolution
from ingest.store import DocRecord, ParagraphStore

log = logging.getLogger(__name__)


def _state_path(db: Path) -> Path:
    return db.with_suffix(".state.json")


def resolution_from_store(record: DocRecord, paragraphs: list[Paragraph]) -> Resolution:
    meta = record.metadata
    return Resolution(
        symbol=meta.get("symbol") or None,
        title=meta.get("title") or None,
        body=meta.get("body") or None,
        source=str(meta.get("source") or ""),
        format=meta.get("format") or "text",
        paragraphs=paragraphs,
        date=meta.get("date") or None,
        session=meta.get("session") or None,
        agenda_item=meta.get("agenda_item") or None,
        recommended_by=meta.get("recommended_by") or None,
    )


def sync_mandates(store: ParagraphStore, db: Path) -> MandateTable:
    """Open the mandate table at `db`, updated to the store's current contents."""
    db.parent.mkdir(parents=True, exist_ok=True)
    state_file = _state_path(db)
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        state = {}
    table = MandateTable.open(db)
    generation = store.generation()
    if state.get("generation") == generation and db.exists():
        return table
    docs = store.docs()
    known: dict[str, str] = state.get("docs", {})
    stale = [d for d, rec in docs.items() if known.get(d) != rec.ver]
    for gone in set(known) - set(docs):
        table.remove(gone)
    for doc_id in stale:
        record = docs[doc_id]
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
        table.add(resolution_from_store(record, paragraphs))
    if stale:
        log.info("mandate table: %d documents extracted", len(stale))
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"generation": generation, "docs": {d: r.ver for d, r in docs.items()}})
    )
    tmp.replace(state_file)
    return table
