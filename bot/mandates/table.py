"""The mandate table: every mandate of every ingested resolution, queryable across the corpus.

Storage is a small protocol (``MandateStore``) with two implementations: ``MemoryStore`` and
``SQLiteStore`` (one file, for the embedded/local case). ``MandateTable.add(resolution)``
re-extracts a document and replaces its rows, so adding the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.glossary import Glossary, default_glossary, normalise
from bot.mandates.budget import ExtractionBudget
from bot.mandates.extract import Mandate, extract_mandates
from ingest.model import Resolution

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


class MandateStore(Protocol):
    """Where mandate rows live; replaced per document."""

    def replace(self, doc_id: str, mandates: list[Mandate]) -> None: ...

    def delete(self, doc_id: str) -> None: ...

    def rows(
        self,
        *,
        reporting: bool | None = None,
        due_year: int | None = None,
        since_year: int | None = None,
        actor_keys: list[str] | None = None,
    ) -> list[Mandate]: ...

    def doc_ids(self) -> list[str]: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._docs: dict[str, list[Mandate]] = {}

    def replace(self, doc_id: str, mandates: list[Mandate]) -> None:
        self._docs[doc_id] = list(mandates)

    def delete(self, doc_id: str) -> None:
        self._docs.pop(doc_id, None)

    def rows(
        self,
        *,
        reporting: bool | None = None,
        due_year: int | None = None,
        since_year: int | None = None,
        actor_keys: list[str] | None = None,
    ) -> list[Mandate]:
        # actor_keys only narrows what a store reads; MandateTable.query matches actors itself.
        out = [m for ms in self._docs.values() for m in ms]
        return [m for m in out if _prefilter(m, reporting, due_year, since_year)]

    def doc_ids(self) -> list[str]:
        return sorted(self._docs)

    def count(self) -> int:
        return sum(len(ms) for ms in self._docs.values())

    def close(self) -> None:
        return None


def _prefilter(
    m: Mandate, reporting: bool | None, due_year: int | None, since_year: int | None
) -> bool:
    if reporting is not None and m.reporting != reporting:
        return False
    if due_year is not None and m.due_year != due_year:
        return False
    return not (since_year is not None and (m.year is None or m.year < since_year))


class SQLiteStore:
    """One SQLite file; the simple columns are indexed, the whole mandate is kept as JSON."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        with self._lock, self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS mandates ("
                " key TEXT PRIMARY KEY, doc_id TEXT NOT NULL, anchor TEXT NOT NULL,"
                " reporting INTEGER NOT NULL, due_year INTEGER, year INTEGER,"
                " recipient TEXT, actors TEXT, data TEXT NOT NULL)"
            )
            self._db.execute("CREATE INDEX IF NOT EXISTS mandates_doc ON mandates(doc_id)")
            self._db.execute("CREATE INDEX IF NOT EXISTS mandates_due ON mandates(due_year)")
            # Who each mandate addresses, one row per name it answers to: "what does UNODC
            # have to report?" reads a few index entries instead of decoding every mandate.
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS mandate_actors ("
                " key TEXT NOT NULL, doc_id TEXT NOT NULL, name TEXT NOT NULL)"
            )
            self._db.execute("CREATE INDEX IF NOT EXISTS actors_name ON mandate_actors(name)")
            self._db.execute("CREATE INDEX IF NOT EXISTS actors_doc ON mandate_actors(doc_id)")
            self._backfill_actors()
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )

    def _backfill_actors(self) -> None:
        """Tables written before the actor index existed get it once, from their own rows."""
        if self._db.execute("SELECT 1 FROM mandate_actors LIMIT 1").fetchone() is not None:
            return
        fetched = self._db.execute("SELECT doc_id, data FROM mandates").fetchall()
        if fetched:
            log.info("indexing the actors of %d mandates", len(fetched))
            self._db.executemany(
                "INSERT INTO mandate_actors VALUES (?,?,?)",
                [
                    row
                    for doc_id, data in fetched
                    for row in _actor_rows(Mandate.from_json(json.loads(data)), doc_id)
                ],
            )

    def replace(self, doc_id: str, mandates: list[Mandate]) -> None:
        rows = [
            (
                m.key, doc_id, m.anchor, int(m.reporting), m.due_year, m.year, m.recipient,
                json.dumps(m.actors, ensure_ascii=False), json.dumps(m.to_json(), ensure_ascii=False),
            )
            for m in mandates
        ]  # fmt: skip
        with self._lock, self._db:  # one transaction: a reader never sees half a document
            self._db.execute("DELETE FROM mandates WHERE doc_id = ?", (doc_id,))
            self._db.execute("DELETE FROM mandate_actors WHERE doc_id = ?", (doc_id,))
            self._db.executemany("INSERT OR REPLACE INTO mandates VALUES (?,?,?,?,?,?,?,?,?)", rows)
            self._db.executemany(
                "INSERT INTO mandate_actors VALUES (?,?,?)",
                [row for m in mandates for row in _actor_rows(m, doc_id)],
            )

    def delete(self, doc_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM mandates WHERE doc_id = ?", (doc_id,))
            self._db.execute("DELETE FROM mandate_actors WHERE doc_id = ?", (doc_id,))

    def rows(
        self,
        *,
        reporting: bool | None = None,
        due_year: int | None = None,
        since_year: int | None = None,
        actor_keys: list[str] | None = None,
    ) -> list[Mandate]:
        where: list[str] = []
        args: list[object] = []
        if actor_keys is not None:
            where.append(
                "key IN (SELECT key FROM mandate_actors WHERE name IN ("
                + ",".join("?" * len(actor_keys))
                + "))"
            )
            args.extend(actor_keys)
        if reporting is not None:
            where.append("reporting = ?")
            args.append(int(reporting))
        if due_year is not None:
            where.append("due_year = ?")
            args.append(due_year)
        if since_year is not None:
            where.append("year >= ?")
            args.append(since_year)
        sql = "SELECT data FROM mandates" + (" WHERE " + " AND ".join(where) if where else "")
        with self._lock:
            fetched = self._db.execute(sql, args).fetchall()
        return [Mandate.from_json(json.loads(row[0])) for row in fetched]

    def doc_ids(self) -> list[str]:
        with self._lock:
            return [
                r[0]
                for r in self._db.execute("SELECT DISTINCT doc_id FROM mandates ORDER BY doc_id")
            ]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM mandates").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


_STOP = {
    "the", "a", "an", "of", "on", "in", "and", "or", "to", "for", "by", "with", "about", "its",
    "their", "has", "have", "been", "be", "is", "are", "was", "were", "what", "which", "who",
    "that", "this", "these", "those", "at", "as", "from", "into", "all", "any", "does", "do",
}  # fmt: skip


class MandateTable:
    """Mandates across resolutions, with the queries the CLI and chat need."""

    def __init__(self, store: MandateStore | None = None, glossary: Glossary | None = None) -> None:
        self.store: MandateStore = store if store is not None else MemoryStore()
        self.glossary = glossary or default_glossary()

    @classmethod
    def open(cls, path: Path | None = None) -> MandateTable:
        """A table in the SQLite file ``path``, or in memory when ``path`` is None."""
        return cls(SQLiteStore(path) if path is not None else MemoryStore())

    def add(self, res: Resolution, budget: ExtractionBudget | None = None) -> list[Mandate]:
        """Extract ``res`` and replace its rows (idempotent); returns its mandates. Over
        ``budget``, raises ``MandateBudgetExceeded`` and leaves the previous rows."""
        mandates = extract_mandates(res, self.glossary, budget)
        self.store.replace(res.doc_id, mandates)
        return mandates

    def remove(self, doc_id: str) -> None:
        self.store.delete(doc_id)

    def doc_ids(self) -> list[str]:
        return self.store.doc_ids()

    def all(self) -> list[Mandate]:
        return sorted(self.store.rows(), key=Mandate.sort_key)

    def close(self) -> None:
        self.store.close()

    def __len__(self) -> int:
        return self.store.count()

    def query(
        self,
        actor: str | None = None,
        reporting: bool | None = None,
        due_year: int | None = None,
        body: str | None = None,
        text: str | None = None,
        since_year: int | None = None,
        *,
        until_year: int | None = None,
        due_session: int | None = None,
        adopted_by: str | None = None,
        doc: str | None = None,
        docs: list[str] | None = None,
        recipient: str | None = None,
        deliverable: str | None = None,
        frequency: str | None = None,
    ) -> list[Mandate]:
        """Mandates matching every given filter, sorted by due date (undated last).

        actor: who is addressed ("UNODC", "the Secretary-General", "Member States"); also
            matches officials of that entity ("Executive Director of UNODC").
        reporting: only reporting (True) or only other (False) mandates.
        due_year / due_session: when the report is due (session numbers as in the text: 81).
        body: the body a report goes to, directly or "through" (recipient, via, session body).
        text: words that must all occur in the task, paragraph, title or agenda item
            (acronyms expanded: "TIP" finds "trafficking in persons").
        since_year / until_year: year the resolution was adopted.
        adopted_by: the adopting body ("General Assembly", "ECOSOC").
        doc / docs: one document, or several (symbol or doc id).
        recipient: the body or office a report goes to (recipients only, not "through").
        deliverable: the deliverable's type (report, note, summary, information/data, meeting
            or event) or its word.
        frequency: stated or implied ("annual", "biennial", ...).
        """
        actor_keys = self._actor_keys(actor) if actor else None
        rows = self.store.rows(
            reporting=reporting, due_year=due_year, since_year=since_year, actor_keys=actor_keys
        )
        body_key = self._canonical(body) if body else None
        recipient_key = self._canonical(recipient) if recipient else None
        adopted_key = self._canonical(adopted_by) if adopted_by else None
        terms = _terms(text, self.glossary) if text else []
        out: list[Mandate] = []
        for m in rows:
            if until_year is not None and (m.year is None or m.year > until_year):
                continue
            if due_session is not None and m.due_session != due_session:
                continue
            if doc and doc not in (m.doc_id, m.symbol):
                continue
            if docs and not any(_same_doc(m, d) for d in docs):
                continue
            if recipient_key and not any(_same(recipient_key, x) for x in m.recipients):
                continue
            if deliverable and deliverable.lower() not in (
                (m.deliverable_type or "").lower(),
                (m.deliverable or "").lower(),
            ):
                continue
            if frequency and frequency.lower() not in (
                (m.frequency or "").lower(),
                (m.frequency_implied or "").lower(),
            ):
                continue
            if actor_keys is not None and not _actor_match(m, actor_keys):
                continue
            if body_key and not any(
                _same(body_key, x) for x in (*m.recipients, m.recipient, m.via, m.due_body) if x
            ):
                continue
            if adopted_key and not (m.body and _same(adopted_key, self._canonical(m.body))):
                continue
            if terms and not _text_match(m, terms):
                continue
            out.append(m)
        out.sort(key=Mandate.sort_key)
        return out

    def _canonical(self, phrase: str) -> str:
        return self.glossary.canonical_actor(phrase) or " ".join(phrase.split())

    def _actor_keys(self, actor: str) -> list[str]:
        canon = self._canonical(actor)
        keys = {canon.casefold()}
        entry = self.glossary.lookup(canon) or self.glossary.lookup(actor)
        if entry is not None:
            keys.update(f.casefold() for f in entry.forms)
        return sorted(keys)

    def to_csv(self, mandates: Iterable[Mandate] | None = None) -> str:
        return mandates_to_csv(self.all() if mandates is None else mandates)


def actor_names(actor: str) -> list[str]:
    """The names an addressee answers to, casefolded: itself, and for an official the entity
    after each "of" ("Executive Director of UNODC" also answers to "unodc")."""
    a = actor.casefold()
    names = [a]
    for m in re.finditer(r"\bof\s+", a):
        tail = a[m.end() :]
        if tail and tail not in names:
            names.append(tail)
    return names


def _actor_rows(m: Mandate, doc_id: str) -> list[tuple[str, str, str]]:
    return [(m.key, doc_id, name) for name in {n for a in m.actors for n in actor_names(a)}]


def _same_doc(m: Mandate, ref: str) -> bool:
    """``ref`` names ``m``'s resolution: its id, its symbol, or the symbol's tail ("79/154")."""
    symbol = m.symbol or ""
    return ref in (m.doc_id, symbol) or symbol.endswith("/" + ref.lstrip("/"))


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _actor_match(m: Mandate, keys: list[str]) -> bool:
    # exact, or the entity inside an official's title: "Executive Director of UNODC"
    wanted = set(keys)
    return any(name in wanted for actor in m.actors for name in actor_names(actor))


def _stem(word: str) -> str:
    w = word.casefold()
    for suffix in ("ies", "es", "s"):
        if w.endswith(suffix) and len(w) > len(suffix) + 3:
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


def _terms(text: str, glossary: Glossary) -> list[list[str]]:
    """Each term with its alternatives: acronyms expand to their names ("TIP" -> trafficking ...)."""
    found: list[list[str]] = []
    rest = normalise(text)
    for mention in reversed(glossary.mentions(rest)):
        forms = [f.casefold() for f in mention.entry.forms]
        found.append(forms)
        rest = rest[: mention.start] + " " + rest[mention.end :]
    for word in re.findall(r"[\w\-]+", rest):
        if len(word) < 3 or word.casefold() in _STOP:
            continue
        found.append([_stem(word)])
    return found


def _text_match(m: Mandate, terms: list[list[str]]) -> bool:
    hay = " ".join(
        normalise(x) for x in (m.task, m.paragraph_text, m.title or "", m.agenda_item or "")
    ).casefold()
    for alternatives in terms:
        if not any(re.search(r"(?<!\w)" + re.escape(alt), hay) for alt in alternatives):
            return False
    return True


def group_mandates(mandates: Iterable[Mandate], by: str = "actor") -> dict[str, list[Mandate]]:
    """Group for display: by "actor" (each mandate under each of its actors), "due"
    ("2026", "no date"), "recipient" or "document"; groups keep the mandates' order."""
    groups: dict[str, list[Mandate]] = {}
    for m in mandates:
        if by == "actor":
            keys = m.actors or ["(unspecified)"]
        elif by == "due":
            keys = [str(m.due_year) if m.due_year else "no date"]
        elif by == "recipient":
            keys = [m.recipient or "(unspecified)"]
        elif by == "document":
            keys = [m.symbol or m.doc_id]
        else:
            raise ValueError(f"unknown grouping {by!r}")
        for k in keys:
            groups.setdefault(k, []).append(m)
    return groups


CSV_COLUMNS = (
    "citation", "symbol", "label", "clause", "verb", "actors", "reporting", "recipient", "via",
    "due_session", "due_body", "due_year", "frequency", "qualifiers", "task", "date", "title",
    "assignee_types", "deliverable", "deliverable_type", "frequency_implied",
    "within_existing_resources", "review_or_end",
)  # fmt: skip


def mandates_to_csv(mandates: Iterable[Mandate]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for m in mandates:
        data = m.to_json()
        writer.writerow(
            ["; ".join(v) if isinstance(v, list) else ("" if v is None else v)
             for v in (data[c] for c in CSV_COLUMNS)]
        )  # fmt: skip
    return buf.getvalue()


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The ingest pipeline's file walk (one definition of which files a folder holds)."""
    from ingest.pipeline import iter_files as walk

    return walk(paths)


def rebuild_from_paths(paths: Iterable[Path], table: MandateTable | None = None) -> MandateTable:
    """Parse resolution files (folders recursively) and add their mandates to ``table``
    (a new in-memory table by default). Files that do not parse are logged and skipped."""
    from ingest.pipeline import parse_paths

    table = table if table is not None else MandateTable()
    for res in parse_paths(paths):
        table.add(res)
    return table


def mandate_db_path(settings: Settings) -> Path:
    """Where the mandate table of these settings lives: inside the local store folder (so a
    store and its mandates travel and are deleted together), or under the data folder in
    server mode, keyed like the lexical cache by server and collection."""
    if settings.chroma_url:
        import hashlib

        key = hashlib.sha256(f"{settings.chroma_url}|{settings.collection}".encode()).hexdigest()[
            :12
        ]
        return settings.data_dir / f"mandates-{key}.sqlite3"
    return settings.store_path / "mandates.sqlite3"
