"""The fields a mandate carries beyond who/what/whom/when: the addressee's type, whether it is
to be done within existing resources, whether it has a review or end date, the frequency implied
by the due session, and the filter that keeps non-actors out of the actor list.

Word lists live in ``bot/mandates/data/assignees.json`` and ``reporting.json``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from bot.mandates.reporting import words

ASSIGNEE_TYPES = (
    "Secretariat entity",
    "intergovernmental body",
    "Member States",
    "UN system entity",
    "other",
)


@lru_cache(maxsize=1)
def _assignee_rules() -> list[tuple[str, re.Pattern[str]]]:
    data: dict[str, Any] = json.loads(
        resources.files("bot.mandates").joinpath("data/assignees.json").read_text("utf-8")
    )
    out: list[tuple[str, re.Pattern[str]]] = []
    for kind, names in data["rules"]:
        alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        out.append((kind, re.compile(rf"(?:^|\b)(?:{alt})(?:\b|$)", re.I)))
    return out


def assignee_type(actor: str) -> str:
    """One of ``ASSIGNEE_TYPES`` for a normalised actor name."""
    for kind, rx in _assignee_rules():
        if rx.search(actor):
            return kind
    return "other"


def is_actor_phrase(phrase: str) -> bool:
    """False for what the addressee span may hold that is no actor: list words
    ("respectively"), objects ("the following issues"), time phrases ("until the Conference
    ..."), sub-paragraph text ("(a) To ...")."""
    w = words()
    p = phrase.strip(" ,;:.")
    low = p.lower()
    if not p or low in w["non_actors"] or not re.search(r"[A-Za-z]", p):
        return False
    if any(low.startswith(s) for s in w["non_actor_starts"]):
        return False
    return not (re.search(r"\(\w{1,4}\)\s", p) or len(p) > 160)


def _phrase_rx(key: str) -> re.Pattern[str]:
    alt = "|".join(
        re.escape(x).replace(r"\ ", r"\s+") for x in sorted(words()[key], key=len, reverse=True)
    )
    return re.compile(rf"\b(?:{alt})\b", re.I)


def within_existing_resources(text: str) -> bool:
    return bool(_phrase_rx("within_existing_resources").search(text))


def review_or_end(text: str) -> str | None:
    """The words that give a mandate a review or end date ("until 2027", "for a period of three
    years"), or None: most mandates carry none."""
    m = re.search(
        r"\b(?:until|through)\s+(?:the\s+end\s+of\s+)?(?:\d{1,2}\s+\w+\s+)?(?:19|20)\d\d\b"
        r"|\bfor\s+(?:a|an\s+additional|a\s+further)\s+period\s+of\s+[\w\-]+\s+(?:years?|months?)\b"
        r"|\b(?:final|midterm|mid-term|comprehensive)\s+review\b"
        r"|\breview\s+(?:the\s+)?(?:implementation|mandate|functioning|work)\b[^;]{0,80}?\b(?:19|20)\d\d\b",
        text,
        re.I,
    )
    return m.group(0) if m else None


def implied_frequency(
    adopting_body: str | None, own_session: int | None, due_body: str | None, due: int | None
) -> str | None:
    """A General Assembly resolution that asks for a report two sessions on ("at its eighty-first
    session" in a 79th-session resolution) is taken up every other year: biennial; one session
    on: annual. Only for the adopting body's own sessions, where the gap means something."""
    if adopting_body is None or due_body != adopting_body or own_session is None or due is None:
        return None
    if due >= 1900 or own_session >= 1900:  # a session named by its year (ECOSOC)
        gap = due - own_session if due >= 1900 and own_session >= 1900 else None
    else:
        gap = due - own_session
    return {1: "annual", 2: "biennial", 3: "triennial"}.get(gap or 0)
