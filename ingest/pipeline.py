"""Files in, paragraphs stored: parse, diff against the store, embed only what changed.

Idempotence rests on three things: the paragraph ID is its citation anchor, a
content hash in its metadata says whether it must be re-embedded, and a
registry record per file hash lets an unchanged file be skipped before it is
even parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ParseError, UnsupportedFormat
from ingest.embedding import Embedder
from ingest.limits import DEFAULT_LIMITS, IngestLimits
from ingest.model import Paragraph, Resolution
from ingest.parsers import SUPPORTED_SUFFIXES, parse_file
from ingest.parsers.common import MAX_FILE_BYTES
from ingest.record_store import ingest_record_files, record_store_for, split_record_files
from ingest.sandbox import IsolatedParser
from ingest.store import DocRecord, ParagraphStore
from ingest.walk import walk

log = logging.getLogger(__name__)

# When the same resolution arrives from several files, the most structured
# source wins: the UN's XML carries the true structure, the Word file is the
# official text, a PDF needs layout analysis, text converted from a PDF least.
FORMAT_RANK = {"akn": 4, "docx": 3, "pdf": 2, "markdown": 1, "text": 1}

# Paragraphs are embedded in batches that span files, so small files do not
# leave the encoder idle between them.
EMBED_FLUSH = 1024
# Raised whenever a parser change can change what a file yields (issue 16 learnt parts and
# sections): files ingested by an older parser are parsed again on the next ingest.
PARSER_VERSION = 2
PREFETCH = 4


@dataclass
class FileFailure:
    path: str
    reason: str


@dataclass
class IngestReport:
    files: int = 0
    files_unchanged: int = 0
    resolutions: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    embedded: int = 0
    failures: list[FileFailure] = field(default_factory=list)
    skipped: list[FileFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # UN metadata records (votes, sponsors, subjects): added, updated, unchanged.
    records: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "files_unchanged": self.files_unchanged,
            "resolutions": self.resolutions,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "embedded": self.embedded,
            "failures": [f.__dict__ for f in self.failures],
            "skipped": [f.__dict__ for f in self.skipped],
            "warnings": self.warnings,
            "records": self.records,
            "seconds": round(self.seconds, 3),
        }


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths, recursively, in a stable order; hidden entries skipped,
    and links that leave the named folders not followed (see `ingest.walk`)."""
    yield from walk(list(paths)).files


def parse_paths(paths: Iterable[Path]) -> Iterator[Resolution]:
    """Every resolution in the files under `paths` (derived tables built from files, with no
    store); files that do not parse are logged and skipped. The source defaults to the file."""
    for path in iter_files(paths):
        try:
            resolutions = parse_file(path)
        except ParseError as exc:
            log.warning("%s: %s", path, exc)
            continue
        for res in resolutions:
            if not res.source:
                res.source = path.name
            yield res


def embedding_text(res: Resolution, para: Paragraph) -> str:
    """What the encoder sees: a short title for context, the paragraph, then its footnotes."""
    title = " ".join((res.title or "").split()[:14])
    parts = [f"{title}: {para.text}" if title and para.label != "HEADER" else para.text]
    if para.footnotes:
        parts.append(" ".join(para.footnotes))
    return " ".join(parts)


def paragraph_metadata(res: Resolution, para: Paragraph, order: int, ver: str) -> dict[str, Any]:
    return {
        "doc_id": res.doc_id,
        "symbol": res.symbol,
        "label": para.label,
        "kind": para.kind,
        "verb": para.verb,
        "body": res.body,
        "year": res.year,
        "date": res.date,
        "session": res.session,
        "source": res.source,
        "format": res.format,
        "title": (res.title or "")[:300] or None,
        "footnotes": json.dumps(para.footnotes, ensure_ascii=False) if para.footnotes else None,
        "section": para.section,
        "hash": para.content_hash(),
        "order": order,
        "ver": ver,
    }


def document_metadata(res: Resolution) -> dict[str, Any]:
    """The registry record of a document (written after its paragraphs); no version is pending."""
    return {
        "source": res.source,
        "format": res.format,
        "symbol": res.symbol,
        "title": (res.title or "")[:300] or None,
        "body": res.body,
        "date": res.date,
        "year": res.year,
        "paragraphs": len(res.paragraphs),
        "sponsors": res.sponsors or None,
        "recommended_by": res.recommended_by,
        "session": res.session,
        "agenda_item": res.agenda_item,
        "next_ver": "",
        **completeness_metadata(res),
    }


def completeness_metadata(res: Resolution) -> dict[str, Any]:
    """What the completeness check found, kept with the document for `resbot stats`."""
    c = res.completeness
    if c is None or not c.lost:
        return {}
    return {"lost_blocks": len(c.lost), "incomplete": c.warning(f"{res.doc_id} ({res.source})")}


def document_version(res: Resolution) -> str:
    h = hashlib.sha256()
    for key in (res.symbol, res.title, res.body, res.date, res.source, res.format):
        h.update((key or "").encode())
        h.update(b"\x00")
    for p in res.paragraphs:
        h.update(p.label.encode())
        h.update(p.content_hash().encode())
        if p.section:
            h.update(p.section.encode())
    return h.hexdigest()[:16]


@dataclass
class _Pending:
    res: Resolution
    sha: str
    ver: str
    ids: list[str]
    metas: list[dict[str, Any]]
    texts: list[str]
    embed_idx: list[int]  # which paragraphs need (re-)embedding
    added: int
    updated: int
    unchanged: int
    vanished: list[str]


class Ingestor:
    """Ingests files into a `ParagraphStore` with an `Embedder`; one instance per run."""

    def __init__(
        self,
        store: ParagraphStore,
        embedder: Embedder,
        clock: Callable[[], float] = time.perf_counter,
        on_file: Callable[[Path], None] | None = None,
        max_bytes: int = MAX_FILE_BYTES,
        limits: IngestLimits = DEFAULT_LIMITS,
        parse: Callable[[Path], list[Resolution]] | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.clock = clock
        self.on_file = on_file
        self.max_bytes = max_bytes
        self.limits = limits
        # Parsing runs in a child process under the limits unless a parser is passed in.
        self.parse = parse
        self._pending: list[_Pending] = []
        self._pending_by_doc: dict[str, _Pending] = {}
        # File records wait for their documents' flush, so a killed run re-parses them.
        self._pending_files: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        self._warned: set[str] = set()

    def ingest(self, paths: Iterable[Path]) -> IngestReport:
        report = IngestReport()
        start = self.clock()
        found = walk(list(paths))
        for link, reason in found.skipped:
            report.skipped.append(FileFailure(str(link), reason))
        record_files, files = split_record_files(found.files)
        changed = self._ingest_records(record_files, report)
        with (
            contextlib.ExitStack() as stack,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse") as pool,
        ):
            parse = self.parse or stack.enter_context(IsolatedParser(self.limits))
            futures: dict[int, Future[tuple[str, list[Resolution] | None]]] = {}
            for i, path in enumerate(files):
                # Parse ahead in a worker thread while this thread embeds: the
                # encoder releases the GIL, so parsing hides behind embedding.
                for j in range(i, min(i + PREFETCH, len(files))):
                    if j not in futures:
                        futures[j] = pool.submit(self._read_and_parse, files[j], parse)
                report.files += 1
                try:
                    sha, resolutions = futures.pop(i).result()
                except UnsupportedFormat as exc:
                    report.skipped.append(FileFailure(str(path), str(exc)))
                    report.files -= 1
                except ParseError as exc:
                    # Reported once, by the caller (the CLI prints each failure).
                    report.failures.append(FileFailure(str(path), str(exc)))
                    log.info("%r: %s", str(path), exc)
                except Exception as exc:  # a parser bug must not sink the batch
                    log.exception("unexpected error parsing %s", path)
                    report.failures.append(FileFailure(str(path), f"unexpected error: {exc!r}"))
                else:
                    if resolutions is None:
                        report.files_unchanged += 1
                    else:
                        changed |= self._plan(path, sha, resolutions, report)
                        if sum(len(p.embed_idx) for p in self._pending) >= EMBED_FLUSH:
                            self._flush(report)
                if self.on_file:
                    self.on_file(path)
        self._flush(report)
        if changed or report.embedded:
            self.store.touch()
        report.seconds = self.clock() - start
        return report

    # -- steps -------------------------------------------------------------
    def _ingest_records(self, paths: list[Path], report: IngestReport) -> bool:
        """UN metadata record files, in any order with the resolution files: kept beside the
        paragraphs and joined to their documents by symbol when read."""
        if not paths:
            return False
        records = record_store_for(self.store)
        if records is None:
            for path in paths:
                report.failures.append(FileFailure(str(path), "this store cannot hold records"))
            return False
        result = ingest_record_files(paths, records)
        report.files += len(paths)
        report.records = {
            "added": result.added,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        report.failures.extend(FileFailure(where, why) for where, why in result.errors)
        report.warnings.extend(result.warnings)
        for path in paths:
            if self.on_file:
                self.on_file(path)
        return result.changed

    def _read_and_parse(
        self, path: Path, parse: Callable[[Path], list[Resolution]]
    ) -> tuple[str, list[Resolution] | None]:
        """Hash the file; parse it unless the store already holds exactly this file."""
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise UnsupportedFormat(f"skipped: unsupported file type {path.suffix or '(none)'}")
        from ingest.parsers.common import read_bytes

        data = read_bytes(path, self.max_bytes)
        sha = hashlib.sha256(data).hexdigest()
        record = self.store.file_record(sha)
        if record and self._file_is_current(record):
            return sha, None
        del data
        return sha, parse(path)

    def _file_is_current(self, record: dict[str, Any]) -> bool:
        if record.get("parser") != PARSER_VERSION:
            # Parsed by an older parser: parse again (only paragraphs whose text changed
            # are embedded again, so this costs parsing, not the encoder).
            return False
        try:
            docs = json.loads(str(record.get("docs", "[]")))
        except ValueError:
            return False
        for doc_id, ver in docs:
            current = self.store.get_doc(doc_id)
            if current is None:
                return False
            if current.ver != ver and current.metadata.get("source") == record.get("source"):
                return False
        return True

    def _warn_once(self, key: str, message: str, report: IngestReport) -> None:
        if key not in self._warned:
            self._warned.add(key)
            report.warnings.append(message)
            log.info("%s", message)

    def _plan(
        self, path: Path, sha: str, resolutions: list[Resolution], report: IngestReport
    ) -> bool:
        changed = False
        docs_for_file: list[tuple[str, str]] = []
        for res in resolutions:
            res.source = path.name
            report.resolutions += 1
            doc_id = res.doc_id
            existing = self.store.get_doc(doc_id)
            ver = document_version(res)
            if not self._outranks_batch(res, report):
                docs_for_file.append((doc_id, self._pending_by_doc[doc_id].ver))
                continue
            if existing is not None and existing.metadata.get("source") not in (None, res.source):
                old_fmt = str(existing.metadata.get("format", "text"))
                if FORMAT_RANK.get(old_fmt, 0) > FORMAT_RANK.get(res.format, 0):
                    self._warn_once(
                        doc_id,
                        f"{doc_id}: kept the copy from {existing.metadata.get('source')} ({old_fmt}); "
                        f"{res.source} ({res.format}) is the same resolution and was not stored",
                        report,
                    )
                    docs_for_file.append((doc_id, existing.ver))
                    continue
                self._warn_once(
                    doc_id,
                    f"{doc_id}: replaced the copy from {existing.metadata.get('source')} ({old_fmt}) "
                    f"with {res.source} ({res.format})",
                    report,
                )
            docs_for_file.append((doc_id, ver))
            if res.completeness is not None and res.completeness.lost:
                # Every block of the source should land in a paragraph; one that does
                # not can never be cited, so the operator hears of it.
                self._warn_once(
                    f"lost:{doc_id}", res.completeness.warning(f"{doc_id} ({res.source})"), report
                )
            stored = self.store.paragraph_meta(doc_id)
            ids, metas, texts, embed_idx = [], [], [], []
            added = updated = unchanged = 0
            for order, para in enumerate(res.paragraphs):
                pid = f"{doc_id}#{para.label}"
                meta = paragraph_metadata(res, para, order, ver)
                ids.append(pid)
                metas.append(meta)
                texts.append(para.text)
                old = stored.get(pid)
                if old is None:
                    added += 1
                    embed_idx.append(order)
                elif old.get("hash") != meta["hash"] or old.get("title") != meta.get("title"):
                    updated += 1
                    embed_idx.append(order)
                else:
                    unchanged += 1
            vanished = sorted(set(stored) - set(ids))
            if existing is not None and existing.ver == ver and not embed_idx and not vanished:
                report.unchanged += unchanged
                continue
            changed = True
            pend = _Pending(
                res, sha, ver, ids, metas, texts, embed_idx, added, updated, unchanged, vanished
            )
            self._pending.append(pend)
            self._pending_by_doc[doc_id] = pend
        if not changed:
            self.store.put_file_record(
                sha, {"source": path.name, "docs": docs_for_file, "parser": PARSER_VERSION}
            )
        else:
            self._pending_files[sha] = (path.name, docs_for_file)
        return changed

    def _outranks_batch(self, res: Resolution, report: IngestReport) -> bool:
        """Whether ``res`` may be stored, given a copy of the same resolution from another
        file of this batch still waiting to be written (the store does not show it yet);
        the more structured source wins, as it does across runs. The loser is dropped."""
        other = self._pending_by_doc.get(res.doc_id)
        if other is None or other.res.source == res.source:
            return True
        kept, dropped = (other.res, res)
        if FORMAT_RANK.get(res.format, 0) > FORMAT_RANK.get(other.res.format, 0):
            kept, dropped = res, other.res
            self._pending.remove(other)
            del self._pending_by_doc[res.doc_id]
        self._warn_once(
            res.doc_id,
            f"{res.doc_id}: kept the copy from {kept.source} ({kept.format}); "
            f"{dropped.source} ({dropped.format}) is the same resolution and was not stored",
            report,
        )
        return kept is res

    def _flush(self, report: IngestReport) -> None:
        self._pending_by_doc.clear()
        if not self._pending:
            return
        to_embed: list[str] = []
        for pend in self._pending:
            for i in pend.embed_idx:
                to_embed.append(embedding_text(pend.res, pend.res.paragraphs[i]))
        vectors = self.embedder.embed_documents(to_embed) if to_embed else []
        report.embedded += len(vectors)
        cursor = 0
        for pend in self._pending:
            previous = self.store.get_doc(pend.res.doc_id)
            if previous is not None and previous.ver != pend.ver:
                # Announce the incoming version first: while its paragraphs are
                # overwritten one by one, readers accept old and new ones alike,
                # so the document never looks half-missing.
                self.store.put_doc(
                    DocRecord(
                        previous.doc_id, previous.ver, {**previous.metadata, "next_ver": pend.ver}
                    )
                )
            n = len(pend.embed_idx)
            vecs = vectors[cursor : cursor + n]
            cursor += n
            emb_set = set(pend.embed_idx)
            self.store.upsert(
                [pend.ids[i] for i in pend.embed_idx],
                vecs,
                [pend.texts[i] for i in pend.embed_idx],
                [pend.metas[i] for i in pend.embed_idx],
            )
            rest = [i for i in range(len(pend.ids)) if i not in emb_set]
            if rest:
                self.store.update_metadata(
                    [pend.ids[i] for i in rest], [pend.metas[i] for i in rest]
                )
            # The document record goes last: readers trust paragraphs of this
            # version only from here on.
            res = pend.res
            self.store.put_doc(DocRecord(res.doc_id, pend.ver, document_metadata(res)))
            self.store.delete(pend.vanished)
            report.added += pend.added
            report.updated += pend.updated
            report.unchanged += pend.unchanged
            report.deleted += len(pend.vanished)
        self._pending.clear()
        for sha, (name, docs) in self._pending_files.items():
            self.store.put_file_record(
                sha, {"source": name, "docs": docs, "parser": PARSER_VERSION}
            )
        self._pending_files.clear()


def ingest_paths(
    paths: Iterable[Path], store: ParagraphStore, embedder: Embedder, **kwargs: Any
) -> IngestReport:
    """Convenience wrapper: ingest files or folders into a store."""
    return Ingestor(store, embedder, **kwargs).ingest(paths)
