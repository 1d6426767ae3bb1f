"""The records, indexed for questions: by symbol, by title, by session, by country.

Rebuilt from the store (records collection + document registry) whenever the store's
generation changes, like the lexical index and the mandate table, so a bot on a Chroma
server and one on a local store see the same records.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.glossary import default_glossary
from bot.records.countries import Countries, default_countries
from bot.symbols import SymbolRef, resolve
from ingest.record_store import RecordStore, record_store_for
from ingest.records import Record
from ingest.store import ParagraphStore

log = logging.getLogger(__name__)

_WORD = re.compile(r"[a-z0-9]+")
_STOP = {
    "the", "of", "on", "in", "and", "a", "an", "to", "for", "its", "with", "by", "at", "from",
    "resolution", "resolutions", "un", "united", "nations", "ga", "general", "assembly",
    "ecosoc", "this", "that", "year", "years", "session", "about", "regarding", "concerning",
}  # fmt: skip


def title_terms(text: str) -> list[str]:
    """Content words, crudely stemmed (plural "s" dropped), for matching a subject to titles."""
    out = []
    for w in _WORD.findall(text.lower().replace("’", "'")):
        if w in _STOP:
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


@dataclass
class TitleMatch:
    record: Record | None  # None: the best match is a stored text without a record
    doc_id: str
    title: str
    earlier: list[Record] = field(default_factory=list)  # the same title in earlier sessions


class RecordIndex:
    """All records, plus which stored documents they attach to."""

    def __init__(
        self,
        records: Iterable[Record],
        doc_titles: dict[str, str] | None = None,
        countries: Countries | None = None,
    ) -> None:
        self.countries = countries or default_countries()
        self.records: dict[str, Record] = {}
        self.by_key: dict[str, Record] = {}
        for rec in sorted(records, key=sort_key):
            self.records[rec.symbol] = rec
            for key in (rec.symbol, *rec.doc_ids()):
                self.by_key.setdefault(key, rec)
        self.doc_titles = doc_titles or {}
        self._votes: dict[str, dict[str, str]] = {}

    def __len__(self) -> int:
        return len(self.records)

    def resolve(self, refs: list[SymbolRef]) -> tuple[list[Record], list[str]]:
        """(records named, symbols named that have no record: stored texts or unknown)."""
        found: list[Record] = []
        missing: list[str] = []
        known = [*self.by_key, *self.doc_titles]
        for ref in refs:
            hits = resolve(ref, known)
            recs = [self.by_key[h] for h in hits if h in self.by_key]
            if recs:
                for r in recs:
                    if r not in found:
                        found.append(r)
            else:
                missing.append(hits[0] if hits else (ref.exact or ref.short or ref.text))
        return found, missing

    def in_session(self, session: int | None) -> list[Record]:
        return [r for r in self.records.values() if session is None or r.session_number == session]

    def sessions(self) -> list[int]:
        return sorted({r.session_number for r in self.records.values() if r.session_number})

    def vote_of(self, record: Record, country: str) -> str | None:
        """ "in favour", "against", "abstaining", or None when the country is on no list."""
        votes = self._votes.get(record.symbol)
        if votes is None:
            votes = {}
            for position, names in (
                ("in favour", record.in_favour),
                ("against", record.against),
                ("abstaining", record.abstaining),
            ):
                for name in names:
                    votes.setdefault(self.countries.display(name), position)
            self._votes[record.symbol] = votes
        return votes.get(country)

    def match_title(self, topic: str, session: int | None = None) -> TitleMatch | None:
        """The resolution a subject names ("the moratorium on the death penalty"): every content
        word of the subject occurs in its title; the closest title wins, then the latest session."""
        for form in _spelt_out(topic):
            found = self._match_title(form, session)
            if found is not None:
                return found
        return None

    def _match_title(self, topic: str, session: int | None) -> TitleMatch | None:
        want = set(title_terms(topic))
        if not want:
            return None
        best: tuple[float, int, str] | None = None
        candidates: dict[str, tuple[str, Record | None]] = {}
        for one in self.in_session(session):
            if one.title:
                candidates[one.symbol] = (one.title, one)
        for doc_id, title in self.doc_titles.items():
            if doc_id not in self.by_key and title and session is None:
                candidates[doc_id] = (title, None)
        for key, (title, cand) in candidates.items():
            have = set(title_terms(title))
            if not want <= have:
                continue
            score = len(want) / max(len(have), 1)
            order = (cand.session_number or 0) if cand else 0
            if best is None or (score, order) > best[:2]:
                best = (score, order, key)
        if best is None:
            return None
        title, rec = candidates[best[2]]
        if rec is None:
            return TitleMatch(None, best[2], title)
        same = [
            r
            for r in self.records.values()
            if r is not rec and r.title and r.title.casefold() == title.casefold()
        ]
        return TitleMatch(rec, rec.symbol, title, sorted(same, key=sort_key, reverse=True))

    def subject_terms(self) -> set[str]:
        return {s.casefold() for r in self.records.values() for s in r.subjects}


def _spelt_out(topic: str) -> list[str]:
    """The subject as written, then with acronyms spelt out ("ICC" -> "International Criminal
    Court") from the UN glossary, since titles spell names out."""
    glossary = default_glossary()
    out = topic
    for m in reversed(glossary.mentions(topic)):
        name = getattr(m.entry, "name", None)
        if m.text.isupper() and name:
            out = out[: m.start] + str(name) + out[m.end :]
    return [topic, out] if out != topic else [topic]


def sort_key(rec: Record) -> tuple[int, int, str]:
    """Session, then resolution number, then part: the order the UN numbers them."""
    m = re.match(r"\d+", rec.symbol.rsplit("/", 1)[-1])
    return (rec.session_number or 0, int(m.group(0)) if m else 0, rec.symbol)


def build_index(store: ParagraphStore, records: RecordStore | None = None) -> RecordIndex:
    records = records or record_store_for(store)
    recs = list(records.iter_records()) if records is not None else []
    titles = {d: str(r.metadata.get("title") or "") for d, r in store.docs().items()}
    log.info("record index: %d records, %d documents", len(recs), len(titles))
    return RecordIndex(recs, titles)
