"""Place names (States and UN cities), shipped as data (``bot/data/places.json``).

Used to tell which paragraphs can answer a "where" question: a paragraph that names a
city or a State can say where something meets or who hosts it; one that names none cannot.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def place_pattern() -> re.Pattern[str]:
    data = json.loads(resources.files("bot").joinpath("data/places.json").read_text("utf-8"))
    names = sorted({*data["countries"], *data["cities"]}, key=lambda n: (-len(n), n))
    # Case-sensitive: "Chad" and "Niger" are places, "chad" is not; "Turkey" likewise.
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")


def places_in(text: str) -> list[str]:
    """The place names written in a text, in order, each once."""
    out: list[str] = []
    for m in place_pattern().finditer(text):
        if m.group(0) not in out:
            out.append(m.group(0))
    return out
