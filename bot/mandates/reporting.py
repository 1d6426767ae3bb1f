"""What counts as a reporting obligation, and to whom the information goes.

**Definition.** A clause carries a reporting obligation when it asks someone to convey
information to a body or office: report, submit, inform, brief, present, transmit, keep
informed or updated, provide (a body) with information/views/data, share data with (an office),
make information available to (Member States), prepare a summary or a note for transmission to
(a body), include information in a report (to a body), or submit something "for consideration
by" a body. It holds in any clause of a paragraph (the second or third verb too) and in the
draft a resolution recommends to another body. The verbs of reporting proper (report, submit a
report, inform, brief, keep informed) count even when the text leaves the recipient implicit;
"provide information" and "share" count only with a named recipient, or "for inclusion in" a
report. It does not cover exchanging information among States, disseminating publications,
collecting data for an office's own research, or "making recommendations".

Examples (recipient in brackets):

* "requests the Secretary-General to report to the General Assembly at its eightieth session"
  [General Assembly]
* "invites Member States to provide the Office with relevant information" [the Office]
* "encourages Member States to share such data and information with the Office" [the Office]
* "to prepare a summary of the discussion for transmission to the Commission" [the Commission]
* "to provide views to the Commission, through its secretariat, for consideration during its
  thirty-third session" [the Commission; via its secretariat]
* "requests the Secretary-General in his next report to continue to update on ..." [-]
* not: "to exchange information among States", "to disseminate the guide widely",
  "to share best practices", "to make recommendations to the Council".

The word lists live in ``bot/mandates/data/reporting.json``; this module holds the rules.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol


class Span(Protocol):
    """A named actor found in a task: where it is and what kind of thing it names."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def kind(self) -> str: ...


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("bot.mandates").joinpath("data/reporting.json").read_text("utf-8")
    )
    return data


def _informing_nouns(w: dict[str, Any]) -> list[str]:
    d = w["deliverables"]
    return [*d["report"], *d["note"], *d["summary"], *d["information/data"]]


def _alt(items: list[str]) -> str:
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(items, key=len, reverse=True)
    )


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    w = words()
    return {
        "provide_before": re.compile(rf"\b(?:{_alt(w['provide_verbs'])})\s+(?:the\s+)?$", re.I),
        "with_after": re.compile(r"^\s*(?:\([^)]{0,40}\)\s*)?,?\s*with\b", re.I),
        "share_with": re.compile(
            rf"\b(?:{_alt(w['share_verbs'])})\b(?:(?!;)[^;]){{0,160}}?\bwith\s+(?:the\s+)?$", re.I
        ),
        "to_phrase": re.compile(rf"\b(?:{_alt(w['to_phrases'])})\s+(?:the\s+)?$", re.I),
        "information": re.compile(
            rf"(?:\s*(?:the|a|an|all|any|such|relevant|timely|their|its|his|her|up-to-date|"
            rf"appropriate|complete|regular|further|additional|comprehensive|concise|written|"
            rf"[a-z]+ly|[a-z\-]+(?:ed|al|ic|ive|ant|ent))\s+)*"
            rf"[\s\S]{{0,60}}?\b(?:{_alt(_informing_nouns(w))})\b",
            re.I,
        ),
        "own_report": re.compile(
            r"\bin\s+(?:his|her|its|their)\s+"
            rf"(?:(?:{_alt(w['own_report_qualifiers'])})\s+)+(?:[\w\-]+\s+){{0,3}}?reports?\b",
            re.I,
        ),
        "report_reference": re.compile(
            rf"\b(?:{_alt(w['report_reference_words'])})(?:\s+to|\s+out|\s+forth)?\s*$", re.I
        ),
        "reporting_obligations": re.compile(
            r"\bwithin\s+(?:its\s+|their\s+|his\s+|her\s+)?existing\s+reporting\s+"
            r"(?:obligations|requirements|mandates?)\b",
            re.I,
        ),
    }


def is_recipient(task: str, span: Span) -> bool:
    """Whether the actor at ``span`` is where information goes by one of the wordings that
    name a recipient without "to": "provide X with", "share ... with X", "for transmission to
    X", "for consideration by X", "make ... available to X"."""
    p = _patterns()
    before = task[max(0, span.start - 200) : span.start]
    if p["provide_before"].search(before[-40:]):
        w = p["with_after"].match(task[span.end :])
        # "provide the Office with information", not "with the resources necessary"
        return bool(w and p["information"].match(task[span.end + w.end() :]))
    share = p["share_with"].search(before)
    if share:
        return bool(p["information"].search(before[share.start() :]))
    phrase = p["to_phrase"].search(before[-60:])
    # "a summary ... for transmission to X", "views ... for consideration by X": something
    # that informs goes there (not resources, not recommendations).
    return bool(phrase and p["information"].search(before[-160:]))


def extra_positions(task: str, spans: list[Span], is_actor: Any) -> list[int]:
    """Where clause types of the definition that the older rules miss begin: a recipient named
    by "provide X with", "share with X", "for transmission to X", "for consideration by X";
    information put into the actor's own next report; a task done within existing reporting
    obligations."""
    hits: list[int] = []
    for s in spans:
        if is_actor(s.kind) and is_recipient(task, s):
            m = re.search(r"\w+(?:\s+\w+){0,3}\s*$", task[max(0, s.start - 200) : s.start])
            hits.append(max(0, s.start - 200) + (m.start() if m else 0))
            break
    p = _patterns()
    for m in p["own_report"].finditer(task):
        # "as recommended in his report" points to a report that exists; it asks for nothing.
        if not p["report_reference"].search(task[max(0, m.start() - 30) : m.start()]):
            hits.append(m.start())
            break
    m2 = p["reporting_obligations"].search(task)
    if m2:
        hits.append(m2.start())
    return hits


def deliverable(region: str) -> tuple[str | None, str | None]:
    """The first thing the reporting part asks for, and its type (report, note, summary,
    information/data, meeting or event), by the data file's nouns."""
    best: tuple[int, str, str] | None = None
    for kind, nouns in words()["deliverables"].items():
        m = re.search(rf"\b(?:{_alt(nouns)})\b", region, re.I)
        if m is None:
            continue
        # a meeting is the deliverable only when nothing written is asked for
        late = kind == "meeting or event"
        if best is None or (m.start() < best[0] and not late):
            best = (m.start(), m.group(0), kind)
    if best is None:
        return None, None
    return best[1].lower(), best[2]
