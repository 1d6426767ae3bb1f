"""Country names: one canonical short name for every way a State is written.

The UN's records write "UNITED STATES", "TÜRKÝYE", "COTE D'IVOIRE"; people write "US",
"the USA", "Turkey", "Ivory Coast", "DPRK". `bot/data/countries.json` lists, per State, the
canonical short name, the UN's name, ISO 3166-1 codes and the variants (every name in the
records among them); this module only reads it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

# ISO 3166-1 alpha-3 codes that are also English words: never taken as a country in a question.
_CODE_WORDS = {"AND", "ARE", "CAN", "PER", "TON", "GIN", "BEN", "COM", "MAR", "SEN", "TUN"}


def fold(text: str) -> str:
    """Case, accents, apostrophes and spacing folded: "TÜRKÝYE" and "Türkiye" meet."""
    text = text.replace("Ý", "I").replace("ý", "i").replace("\u2019", "'").replace("`", "'")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"^the\s+", "", " ".join(text.split()).casefold())
    return text


def _is_code(variant: str) -> bool:
    """ "US", "U.S.", "DPRK": upper-case short forms, matched only as written (not "us")."""
    letters = variant.replace(".", "")
    return letters.isupper() and letters.isalpha() and len(letters) <= 5


@dataclass(frozen=True)
class Country:
    name: str
    un_name: str
    iso3: str
    iso2: str
    variants: tuple[str, ...]
    article: str = ""

    @property
    def in_text(self) -> str:
        """The name as running text writes it: "the United States", "Brazil"."""
        return f"{self.article} {self.name}" if self.article else self.name


class Countries:
    """Lookup of canonical names, and the countries a question mentions."""

    def __init__(self, countries: list[Country]) -> None:
        self.countries = countries
        self._by_key: dict[str, Country] = {}
        self._codes: dict[str, Country] = {}
        names: list[str] = []
        for c in countries:
            self._codes[c.iso3] = c
            for form in (c.name, c.un_name, *c.variants):
                if _is_code(form):
                    self._codes[form] = c
                else:
                    self._by_key.setdefault(fold(form), c)
                    names.append(fold(form))
            self._by_key.setdefault(c.iso3.casefold(), c)
        # Longest first, so "Papua New Guinea" is not read as "Guinea".
        alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
        # Not inside a longer word; a possessive "'s" may follow ("South Africa's vote").
        self._names_rx = re.compile(rf"(?<![\w'])(?:{alternatives})(?!\w)(?!'(?!s\b))")
        codes = sorted((k for k in self._codes if k not in _CODE_WORDS), key=len, reverse=True)
        self._codes_rx = re.compile(
            r"(?<![\w.])(?:" + "|".join(re.escape(k) for k in codes) + r")(?![\w])"
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Countries:
        return cls(
            [
                Country(
                    name=str(e["name"]),
                    un_name=str(e.get("un_name") or e["name"]),
                    iso3=str(e["iso3"]),
                    iso2=str(e.get("iso2") or ""),
                    variants=tuple(str(v) for v in e.get("variants") or ()),
                    article=str(e.get("article") or ""),
                )
                for e in data["countries"]
            ]
        )

    def lookup(self, name: str) -> Country | None:
        """The State a name, variant or ISO code stands for; None when it is not one."""
        name = " ".join(name.split())
        if name in self._codes:
            return self._codes[name]
        return self._by_key.get(fold(name))

    def canonical(self, name: str) -> str | None:
        c = self.lookup(name)
        return c.name if c else None

    def in_text(self, name: str) -> str:
        """ "the United States" for "US"; the name as given when it is no State we know."""
        c = self.lookup(name)
        return c.in_text if c else name

    def display(self, name: str) -> str:
        """The canonical short name, or the name as given when it is no State we know."""
        return self.canonical(name) or name

    def find(self, text: str) -> list[Country]:
        """The States a question names, in order, each once."""
        found: list[tuple[int, Country]] = []
        folded = fold(text)
        # Folding keeps positions only roughly (it may drop a leading "the "), so order is
        # taken from each mention's own position in its string.
        for m in self._names_rx.finditer(folded):
            found.append((m.start(), self._by_key[m.group(0)]))
        for m in self._codes_rx.finditer(text):
            found.append((m.start(), self._codes[m.group(0)]))
        out: list[Country] = []
        for _, c in sorted(found, key=lambda x: x[0]):
            if c not in out:
                out.append(c)
        return out


@lru_cache(maxsize=1)
def default_countries() -> Countries:
    raw = resources.files("bot").joinpath("data/countries.json").read_text(encoding="utf-8")
    return Countries.from_json(json.loads(raw))
