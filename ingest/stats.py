"""A summary of what a store holds."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ingest.record_store import record_store_for
from ingest.store import ParagraphStore


def store_stats(store: ParagraphStore) -> dict[str, Any]:
    docs = store.docs()
    bodies: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for rec in docs.values():
        bodies[str(rec.metadata.get("body") or "unknown")] += 1
        formats[str(rec.metadata.get("format") or "unknown")] += 1
        years[str(rec.metadata.get("year") or "unknown")] += 1
    kinds: Counter[str] = Counter()
    n = 0
    for para in store.iter_paragraphs():
        n += 1
        kinds[str(para.metadata.get("kind", "unknown"))] += 1
    records = attached = 0
    record_store = record_store_for(store)
    if record_store is not None:
        for record in record_store.iter_records():
            records += 1
            attached += any(d in docs for d in record.doc_ids())
    return {
        "store": store.description,
        "documents": len(docs),
        "paragraphs": n,
        "bodies": dict(bodies.most_common()),
        "formats": dict(formats.most_common()),
        "years": dict(sorted(years.items())),
        "kinds": dict(kinds.most_common()),
        # UN adoption records; "attached": their resolution's text is in the store too.
        "records": records,
        "records_attached": attached,
        # Documents whose source lost text blocks at parsing (ingest/completeness.py).
        "incomplete": sorted(
            str(rec.metadata["incomplete"])
            for rec in docs.values()
            if rec.metadata.get("incomplete")
        ),
    }
