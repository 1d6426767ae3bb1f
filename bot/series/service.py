"""Lineage and diffs over one set of documents: the store, or files parsed on the fly."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.series.align import AlignParams
from bot.series.diff import DocumentDiff, diff_resolutions
from bot.series.lineage import LineageTable, Profile, parse_paths, table_from_resolutions
from core.errors import ResbotError
from ingest.model import Resolution
from ingest.store import ParagraphStore

log = logging.getLogger(__name__)

Loader = Callable[[str], Resolution]


class SeriesService:
    """The lineage table plus a way to load a listed document's paragraphs."""

    def __init__(
        self, table: LineageTable, load: Loader, params: AlignParams | None = None
    ) -> None:
        self.table = table
        self._load = load
        self.params = params or AlignParams.load()
        self._files: dict[str, Resolution] = {}

    @classmethod
    def from_resolutions(cls, resolutions: Iterable[Resolution]) -> SeriesService:
        docs = {r.doc_id: r for r in resolutions}
        return cls(table_from_resolutions(docs.values()), lambda d: docs[d])

    @classmethod
    def from_paths(cls, paths: Iterable[Path]) -> SeriesService:
        return cls.from_resolutions(parse_paths(paths))

    def profile(self, name: str) -> Profile:
        prof = self.table.resolve(name)
        if prof is None:
            raise ResbotError(f"{name}: no such resolution in the store (and not a file)")
        return prof

    def resolution(self, name: str) -> Resolution:
        """A listed document by symbol or doc id, or any file path parsed on the fly."""
        path = Path(name)
        if path.is_file():
            if name not in self._files:
                parsed = parse_paths([path])
                if not parsed:
                    raise ResbotError(f"{name}: no resolution could be read from this file")
                self._files[name] = parsed[0]
            return self._files[name]
        return self._load(self.profile(name).doc_id)

    def predecessor_of(self, name: str) -> Profile:
        prof = self.profile(name)
        pred = self.table.predecessor(prof.doc_id)
        if pred is None:
            raise ResbotError(f"{prof.name}: no predecessor in the store")
        return pred

    def diff(self, new: str, old: str | None = None) -> DocumentDiff:
        """`old` -> `new`; without `old`, the predecessor of `new` in its series."""
        if old is None:
            old = self.predecessor_of(new).doc_id
        return diff_resolutions(self.resolution(old), self.resolution(new), self.params)

    def diff_profiles(self, old: Profile, new: Profile) -> DocumentDiff:
        return diff_resolutions(self._load(old.doc_id), self._load(new.doc_id), self.params)


def store_service(store: ParagraphStore, path: Path) -> SeriesService:
    """The service over a paragraph store, its lineage table synchronised at `path`."""
    from bot.series.sync import load_resolution, sync_lineage

    table = sync_lineage(store, path)
    return SeriesService(table, lambda d: load_resolution(store, d))
