"""Direct look-ups by symbol and label (`resbot show`, citation verification)."""

from __future__ import annotations

from bot.symbols import SymbolRef, find_symbol_refs, normalise_label, resolve
from ingest.store import ParagraphStore, StoredParagraph


def resolve_doc_ids(store: ParagraphStore, symbol: str) -> list[str]:
    docs = store.docs()
    if symbol in docs:
        return [symbol]
    refs = find_symbol_refs(symbol) or [SymbolRef(symbol, exact=symbol)]
    out: list[str] = []
    for ref in refs:
        for doc_id in resolve(ref, docs):
            if doc_id not in out:
                out.append(doc_id)
    if not out:
        # File-id documents (no symbol): match the stem.
        out = [
            d
            for d in docs
            if d.lower() == f"file:{symbol.lower()}" or d.lower().endswith(symbol.lower())
        ]
    return out


def find_paragraphs(store: ParagraphStore, symbol: str, label: str | None) -> list[StoredParagraph]:
    """A document's paragraph (or all its paragraphs, in order, when no label is given)."""
    docs = store.docs()
    paras: list[StoredParagraph] = []
    for doc_id in resolve_doc_ids(store, symbol):
        record = docs.get(doc_id)
        if label:
            got = store.get([f"{doc_id}#{normalise_label(label)}"])
        else:
            got = sorted(
                store.iter_paragraphs(where={"doc_id": doc_id}),
                key=lambda p: int(p.metadata.get("order", 0)),
            )
        paras.extend(p for p in got if record is None or record.accepts(p.metadata.get("ver")))
    return paras
