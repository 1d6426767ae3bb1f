"""UN acronyms and short names, shipped as data (``bot/data/glossary.json``).

The small public API, used by query expansion and by mandate extraction:

* ``expand(term) -> list[str]``: every surface form of a known term, the term first
  ("UNODC" -> ["UNODC", "United Nations Office on Drugs and Crime", ...]); an unknown
  term comes back alone.
* ``acronyms_in(text) -> list[str]``: the known acronyms written in a text (case-sensitive,
  so "WHO" is found and "who" is not), in order of first appearance.
* ``canonical_actor(phrase) -> str | None``: the display name of an addressee
  ("the United Nations Office on Drugs and Crime" -> "UNODC", "all States" -> "Member States",
  "the Executive Director of the United Nations Office on Drugs and Crime" ->
  "Executive Director of UNODC"); None when the phrase is not a known actor.
* ``learn_from_corpus(texts) -> dict[str, str]``: acronyms the texts define themselves
  ("... Coordination Group against Trafficking in Persons (ICAT)") are added to the default
  glossary; returns the new ``{acronym: long form}``.

``Glossary`` holds the same operations for a private instance (tests, per-document learning),
plus ``mentions(text)`` (spans of known names) and ``lookup(term)``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

# Same-length replacements only, so spans found in the normalised text index the original.
_CHAR_MAP = str.maketrans({"\u2011": "-", "\u2010": "-", "\u2019": "'", "\u00a0": " "})
_LEADING = re.compile(
    r"^(?:(?:the|all|relevant|other|interested|concerned|respective|appropriate|competent)\s+)+",
    re.I,
)
_ACRONYM_LIKE = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Za-z0-9][A-Za-z0-9&/\-.]*$")
_OFFICIAL = re.compile(
    r"^(?P<title>Executive Director|Executive Secretary|Director-General|Director General|"
    r"Administrator|High Commissioner|Special Rapporteur|Special Representative|Special Envoy|"
    r"Secretary-General|President|Chair|Chairperson|Director|Head|Coordinator|Registrar|"
    r"Prosecutor|Commissioner)s?\s+of\s+(?P<org>.+)$",
    re.I,
)
# "(UNODC)" after a spelt-out name; roman numerals and lettered items are not acronyms.
_DEFINITION = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9&\-]{1,11})\s*\)")
_ROMAN = re.compile(r"^[IVXLCDM]+$")


def normalise(text: str) -> str:
    """Typographic hyphens and apostrophes made plain; same length as the input."""
    return text.translate(_CHAR_MAP)


def _key(text: str) -> str:
    return " ".join(normalise(text).split()).casefold()


@dataclass(frozen=True)
class Entry:
    """One glossary term: ``canonical`` is how it is displayed and stored."""

    canonical: str
    name: str
    kind: str  # body | entity | official | group | instrument | concept
    acronym: str | None = None
    variants: tuple[str, ...] = ()
    short: tuple[str, ...] = ()  # head words that refer back to it: "Office", "Commission"
    learned: bool = False

    @property
    def forms(self) -> list[str]:
        seen: dict[str, str] = {}
        for form in (self.acronym, self.canonical, self.name, *self.variants):
            if form and _key(form) not in seen:
                seen[_key(form)] = form
        return list(seen.values())


@dataclass(frozen=True)
class Mention:
    """A known name found in a text: ``text[start:end]`` names ``entry``."""

    start: int
    end: int
    text: str
    entry: Entry


@dataclass
class Glossary:
    entries: list[Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index()

    # -- construction --------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None) -> Glossary:
        if path is None:
            raw = resources.files("bot").joinpath("data/glossary.json").read_text("utf-8")
        else:
            raw = path.read_text("utf-8")
        data = json.loads(raw)
        entries = [
            Entry(
                canonical=item.get("canonical") or item.get("acronym") or item["name"],
                name=item["name"],
                kind=item.get("kind", "entity"),
                acronym=item.get("acronym"),
                variants=tuple(item.get("variants", ())),
                short=tuple(item.get("short", ())),
            )
            for item in data["entries"]
        ]
        return cls(entries)

    def _index(self) -> None:
        self._by_exact: dict[str, Entry] = {}  # acronym-like forms, case-sensitive
        self._by_key: dict[str, Entry] = {}  # names, case-insensitive
        exact_forms: list[str] = []
        name_forms: list[str] = []
        self._form_entry: dict[str, Entry] = {}
        for entry in self.entries:
            for form in entry.forms:
                if _ACRONYM_LIKE.match(form) and " " not in form:
                    self._by_exact.setdefault(form, entry)
                    exact_forms.append(form)
                else:
                    self._by_key.setdefault(_key(form), entry)
                    # One-word group words ("States", "Governments") are too common to scan for.
                    if " " in form or (
                        entry.kind not in ("group", "concept") and form[:1].isupper()
                    ):
                        name_forms.append(form)
        self._exact_rx = _alternation(exact_forms, ignore_case=False)
        multi = [f for f in name_forms if " " in f]
        single = [f for f in name_forms if " " not in f]
        self._name_rx = _alternation(multi, ignore_case=True)
        # Single capitalised words ("Secretariat", "Interpol") only match as written.
        self._single_rx = _alternation(single, ignore_case=False)

    def extended(self, definitions: dict[str, str], names: Iterable[Entry] = ()) -> Glossary:
        """A copy with extra acronym definitions and names (learned from one document, say)."""
        extra = [
            Entry(canonical=acr, name=long, kind="entity", acronym=acr, learned=True)
            for acr, long in definitions.items()
            if acr not in self._by_exact and _key(long) not in self._by_key
        ]
        extra += [e for e in names if _key(e.name) not in self._by_key]
        return Glossary([*self.entries, *extra]) if extra else self

    # -- look-ups -------------------------------------------------------------
    def lookup(self, term: str) -> Entry | None:
        """The entry one of whose forms is ``term`` (a leading "the" ignored)."""
        term = " ".join(normalise(term).split()).strip(" ,;:.")
        if not term:
            return None
        if term in self._by_exact:
            return self._by_exact[term]
        key = _key(term)
        if key in self._by_key:
            return self._by_key[key]
        stripped = re.sub(r"^the\s+", "", term, flags=re.I)
        if stripped != term:
            return self.lookup(stripped)
        return None

    def expand(self, term: str) -> list[str]:
        entry = self.lookup(term)
        if entry is None:
            return [term]
        forms = [term] + [f for f in entry.forms if _key(f) != _key(term)]
        return forms

    def mentions(self, text: str, kinds: Iterable[str] | None = None) -> list[Mention]:
        """Known names in ``text``, longest first where they overlap, in text order."""
        norm = normalise(text)
        found: list[tuple[int, int, Entry]] = []
        for rx, by_key in (
            (self._name_rx, True),
            (self._exact_rx, False),
            (self._single_rx, False),
        ):
            if rx is None:
                continue
            for m in rx.finditer(norm):
                form = m.group(0)
                entry = self._by_key.get(_key(form)) if by_key else None
                if entry is None:
                    entry = self._by_exact.get(form) or self._by_key.get(_key(form))
                if entry is not None:
                    found.append((m.start(), m.end(), entry))
        wanted = set(kinds) if kinds is not None else None
        found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
        out: list[Mention] = []
        last_end = -1
        for start, end, entry in found:
            if start < last_end:
                continue
            last_end = end
            if wanted is None or entry.kind in wanted:
                out.append(Mention(start, end, text[start:end], entry))
        return out

    def acronyms_in(self, text: str) -> list[str]:
        seen: list[str] = []
        if self._exact_rx is None:
            return seen
        for m in self._exact_rx.finditer(normalise(text)):
            entry = self._by_exact.get(m.group(0))
            label = entry.acronym if entry and entry.acronym else m.group(0)
            if label not in seen:
                seen.append(label)
        return seen

    def canonical_actor(self, phrase: str) -> str | None:
        text = " ".join(normalise(phrase).split()).strip(" ,;:.")
        if not text:
            return None
        for candidate in (text, _LEADING.sub("", text)):
            entry = self.lookup(candidate)
            if entry is not None and entry.kind not in ("concept", "instrument"):
                return entry.canonical
        m = _OFFICIAL.match(_LEADING.sub("", text))
        if m:
            org = self.lookup(m.group("org"))
            if org is not None and org.kind in ("entity", "body", "group"):
                title = m.group("title")
                title = title[:1].upper() + title[1:]
                return f"{title} of {org.canonical}"
        return None

    # -- learning -------------------------------------------------------------
    def learn(self, texts: Iterable[str]) -> dict[str, str]:
        """Add the acronyms the texts define; returns the new ``{acronym: long form}``."""
        new: dict[str, str] = {}
        for text in texts:
            for acr, long in find_definitions(text):
                if acr in self._by_exact or acr in new:
                    continue
                new[acr] = long
        if new:
            for acr, long in new.items():
                self.entries.append(
                    Entry(canonical=acr, name=long, kind="entity", acronym=acr, learned=True)
                )
            self._index()
            log.info("learned %d acronyms: %s", len(new), ", ".join(sorted(new)))
        return new


def _alternation(forms: list[str], *, ignore_case: bool) -> re.Pattern[str] | None:
    if not forms:
        return None
    unique = sorted(set(forms), key=lambda f: (-len(f), f))
    parts = [re.escape(f).replace(r"\ ", r"\s+") for f in unique]
    flags = re.I if ignore_case else 0
    return re.compile(r"(?<![\w\-])(?:" + "|".join(parts) + r")(?![\w\-])", flags)


def _long_form(short: str, words_before: str) -> str | None:
    """Schwartz & Hearst (2003): the shortest tail of ``words_before`` that spells ``short``."""
    s = len(short) - 1
    i = len(words_before) - 1
    long = words_before
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        # The first letter of the acronym must start a word.
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = long.rfind(" ", 0, i + 1) + 1
    return long[start:].strip()


def find_definitions(text: str) -> list[tuple[str, str]]:
    """``(acronym, long form)`` pairs a text defines: "... Office on Drugs and Crime (UNODC)"."""
    norm = normalise(text)
    out: list[tuple[str, str]] = []
    for m in _DEFINITION.finditer(norm):
        acr = m.group(1)
        letters = sum(ch.isupper() for ch in acr)
        if letters < 2 or _ROMAN.match(acr) or len(acr) < 2:
            continue
        before = norm[: m.start()].rstrip()
        # Only the words since the last clause break can belong to the name.
        cut = max(before.rfind(ch) for ch in ",;:()")
        words = before[cut + 1 :].split()
        limit = min(len(acr) + 5, len(acr) * 2)
        window = " ".join(words[-limit:])
        long = _long_form(acr, window)
        if not long:
            continue
        long = re.sub(r"^(?:the|a|an|and|of|by|to|with|for|in)\s+", "", long, flags=re.I)
        # "Urges the Inter-Agency Meeting ... (UN-Space)": the operative verb is not part of it.
        long = re.sub(r"^[A-Z][a-z]+s\s+the\s+(?=[A-Z])", "", long)
        if len(long.split()) < 2 or not long[:1].isupper() or len(long) <= len(acr):
            continue
        out.append((acr, long))
    return out


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return Glossary.load()


def expand(term: str) -> list[str]:
    return default_glossary().expand(term)


def acronyms_in(text: str) -> list[str]:
    return default_glossary().acronyms_in(text)


def canonical_actor(phrase: str) -> str | None:
    return default_glossary().canonical_actor(phrase)


def learn_from_corpus(texts: Iterable[str], base: Glossary | None = None) -> dict[str, str]:
    """The acronyms `texts` define that `base` (the shipped glossary) does not know.

    Nothing is changed: a store's own acronyms belong to that store, so two stores in one
    process (tests, a server with two collections) never leak into each other. Use
    `Glossary.extended` to build a glossary that knows them.
    """
    known = base or default_glossary()
    new: dict[str, str] = {}
    for text in texts:
        for acr, long in find_definitions(text):
            if acr not in new and known.lookup(acr) is None:
                new[acr] = long
    return new
