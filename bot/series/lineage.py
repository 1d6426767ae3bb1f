"""The lineage table: for every resolution, what it cites, what cites it, and the series it
continues (its predecessor, the series' periodicity and first year in the store).

A predecessor is an earlier resolution of the same body that the text continues: a similar title
*and* some other evidence (the same agenda item, a citation of it, or paragraphs carried over),
never the title alone, since different series share generic titles. The rules' thresholds are data
(``bot/data/series_links.json``).

Each document is reduced to a small profile (title, agenda item, session, citations, hashes of its
paragraphs' comparison forms); links between profiles are recomputed when documents change, which
is cheap, so the table is kept as one JSON file beside the store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.series.citations import citations_of
from bot.series.normalise import comparison_text
from ingest.model import Resolution

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_STOP = frozenset(
    [
        "the",
        "of",
        "and",
        "in",
        "on",
        "to",
        "for",
        "a",
        "an",
        "its",
        "by",
        "with",
        "at",
        "from",
        "as",
        "against",
        "all",
        "including",
        "united",
        "nations",
    ]
)
PERIODS = {1: "annual", 2: "biennial", 3: "triennial"}


@dataclass
class Profile:
    """What series detection needs of one document."""

    doc_id: str
    symbol: str | None
    title: str | None
    body: str | None
    date: str | None
    year: int | None
    period: int | None  # GA session number, ECOSOC year
    series_key: str  # "A", "E" ...: documents of one numbering
    agenda: str | None
    paragraphs: int
    source: str
    citations: list[tuple[str, str, str]] = field(default_factory=list)  # symbol, label, words
    hashes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, res: Resolution) -> Profile:
        body_paras = [p for p in res.paragraphs if p.label != "HEADER"]
        period, key = _period(res)
        return cls(
            doc_id=res.doc_id,
            symbol=res.symbol,
            title=res.title,
            body=res.body,
            date=res.date,
            year=res.year,
            period=period,
            series_key=key,
            agenda=_agenda(res.agenda_item),
            paragraphs=len(body_paras),
            source=res.source,
            citations=[(c.symbol, c.label, c.text) for c in citations_of(res)],
            hashes=[_hash(p.text) for p in body_paras],
        )

    @property
    def name(self) -> str:
        return self.symbol or self.doc_id.removeprefix("file:")


def _hash(text: str) -> str:
    return hashlib.sha1(comparison_text(text).encode()).hexdigest()[:12]


def _period(res: Resolution) -> tuple[int | None, str]:
    m = re.match(r"^([AE])/RES/(\d+)/\d+", res.symbol or "")
    if m:
        return int(m.group(2)), m.group(1)
    body = (res.body or "").lower()
    key = "A" if "general assembly" in body else "E" if "economic and social" in body else "?"
    if key == "A" and res.session:
        m2 = re.search(r"\b(\d{1,2})\b", res.session)
        if m2:
            return int(m2.group(1)), key
    return res.year, key


def _agenda(item: str | None) -> str | None:
    if not item:
        return None
    text = re.sub(r"^[\s\d()a-z]*[:.]\s*", "", item.strip(), flags=re.I)
    return " ".join(text.lower().split()) or None


def title_words(title: str | None) -> frozenset[str]:
    words = re.findall(r"[a-z]+", comparison_text(title or ""))
    return frozenset(w for w in words if w not in _STOP)


def title_similarity(a: str | None, b: str | None) -> float:
    wa, wb = title_words(a), title_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def carried_share(new: Profile, old: Profile) -> float:
    """Share of the new text's paragraphs whose comparison form is in the old text."""
    if not new.hashes:
        return 0.0
    olds = set(old.hashes)
    return sum(1 for h in new.hashes if h in olds) / len(new.hashes)


@dataclass(frozen=True)
class LinkRules:
    title: float = 0.75  # title similarity that needs one more piece of evidence
    carried: float = 0.2  # paragraphs carried over that count as evidence
    weak_title: float = 0.4  # a weaker title with strong evidence (cited and carried over)
    strong_carried: float = 0.4

    @classmethod
    def load(cls) -> LinkRules:
        data = json.loads(resources.files("bot").joinpath("data/series_links.json").read_text())
        return cls(**{k: float(v) for k, v in data["rules"].items()})


@dataclass
class SeriesMember:
    symbol: str
    doc_id: str
    date: str | None
    paragraphs: int
    carried_over: float | None  # share of its paragraphs found in its predecessor

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Lineage:
    """One resolution's place among the others."""

    doc_id: str
    symbol: str | None
    title: str | None
    predecessor: SeriesMember | None
    similarity: float | None  # share of its paragraphs carried over from the predecessor
    series: list[SeriesMember]  # oldest first, the resolution itself included
    periodicity: str  # annual, biennial, triennial, one-off, every N sessions
    first_year: int | None
    cites: list[dict[str, Any]]
    cited_by: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "symbol": self.symbol,
            "title": self.title,
            "predecessor": self.predecessor.to_json() if self.predecessor else None,
            "similarity": self.similarity,
            "periodicity": self.periodicity,
            "first_year": self.first_year,
            "series": [m.to_json() for m in self.series],
            "cites": self.cites,
            "cited_by": self.cited_by,
        }


class LineageTable:
    """Profiles of the stored documents and the links between them."""

    def __init__(self, rules: LinkRules | None = None) -> None:
        self.rules = rules or LinkRules.load()
        self.profiles: dict[str, Profile] = {}
        self._links: dict[str, tuple[str, float]] | None = None

    # -- contents ---------------------------------------------------------------------------
    def add(self, res: Resolution) -> None:
        self.profiles[res.doc_id] = Profile.of(res)
        self._links = None

    def remove(self, doc_id: str) -> None:
        self.profiles.pop(doc_id, None)
        self._links = None

    def __len__(self) -> int:
        return len(self.profiles)

    def save(self, path: Path) -> None:
        data = {"schema": SCHEMA_VERSION, "profiles": [asdict(p) for p in self.profiles.values()]}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> LineageTable:
        table = cls()
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return table
        if data.get("schema") != SCHEMA_VERSION:
            return table
        for p in data["profiles"]:
            p["citations"] = [tuple(c) for c in p["citations"]]
            table.profiles[p["doc_id"]] = Profile(**p)
        return table

    # -- look-ups ---------------------------------------------------------------------------
    def resolve(self, name: str) -> Profile | None:
        """A document by doc id, full symbol or short form ("79/154", "2021/25")."""
        from bot.symbols import SymbolRef, find_symbol_refs, resolve

        if name in self.profiles:
            return self.profiles[name]
        by_symbol = {p.symbol: p for p in self.profiles.values() if p.symbol}
        for ref in find_symbol_refs(name) or [SymbolRef(name, exact=name)]:
            hits = resolve(ref, list(by_symbol))
            if hits:
                return by_symbol[hits[0]]
        stem = name.lower()
        for p in self.profiles.values():
            if p.doc_id.lower() == f"file:{stem}":
                return p
        return None

    def links(self) -> dict[str, tuple[str, float]]:
        """doc id -> (predecessor doc id, evidence score)."""
        if self._links is None:
            self._links = self._compute_links()
        return self._links

    def predecessor(self, doc_id: str) -> Profile | None:
        link = self.links().get(doc_id)
        return self.profiles[link[0]] if link else None

    def successors(self, doc_id: str) -> list[Profile]:
        return [self.profiles[d] for d, (p, _) in self.links().items() if p == doc_id]

    def chain(self, doc_id: str) -> list[Profile]:
        """The series up to and including `doc_id`, oldest first, then its later members."""
        out = [self.profiles[doc_id]]
        seen = {doc_id}
        cur = self.predecessor(doc_id)
        while cur is not None and cur.doc_id not in seen:
            out.insert(0, cur)
            seen.add(cur.doc_id)
            cur = self.predecessor(cur.doc_id)
        nxt = self.successors(doc_id)
        while nxt:
            best = max(nxt, key=lambda p: self.links()[p.doc_id][1])
            if best.doc_id in seen:
                break
            out.append(best)
            seen.add(best.doc_id)
            nxt = self.successors(best.doc_id)
        return out

    def cited_by(self, symbol: str) -> list[tuple[Profile, str, str]]:
        """Documents citing `symbol`, with the citing paragraph label and words, oldest first."""
        out = [
            (p, label, words)
            for p in self.profiles.values()
            for sym, label, words in p.citations
            if sym == symbol
        ]
        return sorted(out, key=lambda t: (t[0].date or "", t[0].name))

    def lineage(self, doc_id: str) -> Lineage:
        me = self.profiles[doc_id]
        chain = self.chain(doc_id)
        members: list[SeriesMember] = []
        for k, p in enumerate(chain):
            carried = carried_share(p, chain[k - 1]) if k else None
            members.append(
                SeriesMember(
                    p.name,
                    p.doc_id,
                    p.date,
                    p.paragraphs,
                    round(carried, 3) if carried is not None else None,
                )
            )
        pred = self.predecessor(doc_id)
        pred_member = next((m for m in members if pred and m.doc_id == pred.doc_id), None)
        return Lineage(
            doc_id=doc_id,
            symbol=me.symbol,
            title=me.title,
            predecessor=pred_member,
            similarity=round(carried_share(me, pred), 3) if pred else None,
            series=members,
            periodicity=periodicity(chain),
            first_year=chain[0].year,
            cites=[{"symbol": s, "label": lab, "text": w} for s, lab, w in me.citations],
            cited_by=[
                {"symbol": p.name, "doc_id": p.doc_id, "label": lab, "text": w}
                for p, lab, w in (self.cited_by(me.symbol) if me.symbol else [])
            ],
        )

    # -- series detection -------------------------------------------------------------------
    def _compute_links(self) -> dict[str, tuple[str, float]]:
        rules = self.rules
        by_key: dict[str, list[Profile]] = {}
        for p in self.profiles.values():
            if p.period is not None:
                by_key.setdefault(p.series_key, []).append(p)
        titles = {d: title_words(p.title) for d, p in self.profiles.items()}
        hashes = {d: set(p.hashes) for d, p in self.profiles.items()}

        def tsim(a: str, b: str) -> float:
            wa, wb = titles[a], titles[b]
            return len(wa & wb) / len(wa | wb) if wa and wb else 0.0

        def carried(new: Profile, old: Profile) -> float:
            olds = hashes[old.doc_id]
            return sum(1 for h in new.hashes if h in olds) / len(new.hashes) if new.hashes else 0.0

        links: dict[str, tuple[str, float]] = {}
        for group in by_key.values():
            for new in group:
                cited = {s for s, _, _ in new.citations}
                best: tuple[int, float, str] | None = None
                for old in group:
                    if old.period is None or new.period is None or old.period >= new.period:
                        continue
                    ts = tsim(new.doc_id, old.doc_id)
                    if ts < rules.weak_title:
                        continue
                    cites = bool(old.symbol and old.symbol in cited)
                    agenda = bool(new.agenda and new.agenda == old.agenda)
                    share = carried(new, old)
                    ok = (ts >= rules.title and (agenda or cites or share >= rules.carried)) or (
                        share >= rules.strong_carried and (cites or agenda)
                    )
                    if not ok:
                        continue
                    score = ts + share + (0.5 if cites else 0.0) + (0.25 if agenda else 0.0)
                    key = (old.period, score, old.doc_id)
                    if best is None or key[:2] > best[:2]:
                        best = key
                if best is not None:
                    links[new.doc_id] = (best[2], best[1])
        return links


def periodicity(chain: list[Profile]) -> str:
    gaps = [
        b.period - a.period
        for a, b in zip(chain, chain[1:], strict=False)
        if a.period is not None and b.period is not None
    ]
    if not gaps:
        return "one-off"
    gap = Counter(gaps).most_common(1)[0][0]
    return PERIODS.get(gap, f"every {gap} sessions")


def lineage_path(settings: Settings) -> Path:
    """Beside the store, like the mandate table (keyed by server and collection in server mode)."""
    if settings.chroma_url:
        key = hashlib.sha256(f"{settings.chroma_url}|{settings.collection}".encode()).hexdigest()[
            :12
        ]
        return settings.data_dir / f"lineage-{key}.json"
    return settings.store_path / "lineage.json"


def parse_paths(paths: Iterable[Path]) -> list[Resolution]:
    """Parse files (folders recursively); files that do not parse are logged and skipped."""
    from ingest.pipeline import parse_paths as each_resolution

    return list(each_resolution(paths))


def table_from_resolutions(resolutions: Iterable[Resolution]) -> LineageTable:
    table = LineageTable()
    for res in resolutions:
        table.add(res)
    return table
