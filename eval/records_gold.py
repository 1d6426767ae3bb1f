"""Writes the gold sets of vote, sponsor, draft and subject questions from the UN's records.

    .venv/bin/python eval/records_gold.py [--corpus ../shared/corpus] [--seed 19]

The wording of each kind of question is written by hand below (several phrasings per kind,
country names in the forms people type: "the US", "Turkey", "Ivory Coast"); the resolutions,
countries and the figures an answer must contain are drawn from the GA 79th-session records
with a seeded generator, so the counts are the records' own. A seeded third of the questions
goes to `records-heldout.jsonl`; the rest to `records.jsonl`. Score them with

    resbot --store DIR eval eval/gold/records.jsonl --ingest ../shared/corpus/ga-metadata/79.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.records.answers import MAX_LISTED  # noqa: E402
from bot.records.cite import record_label  # noqa: E402
from bot.records.countries import default_countries  # noqa: E402
from bot.records.index import sort_key  # noqa: E402
from ingest.parsers.records import parse_records_file  # noqa: E402
from ingest.record_store import merge_records  # noqa: E402
from ingest.records import Record  # noqa: E402

COUNTRY_FORMS = ["Brazil", "the US", "Turkey", "Ivory Coast", "India", "the UK", "Japan",
                 "South Africa", "Mexico", "China", "Russia", "Nigeria", "Indonesia", "Canada"]  # fmt: skip
POSITION_WORDS = {
    "in favour": "voted in favour of",
    "against": "voted against",
    "abstaining": "abstained on",
}


def expected(recs: list[Record], facet: str) -> list[dict[str, str]]:
    return [
        {"source": r.source, "symbol": r.symbol, "paragraph": record_label(r, facet)} for r in recs
    ]


def short(rec: Record) -> str:
    return rec.symbol.removeprefix("A/RES/")


def build(records: list[Record], rng: random.Random) -> list[dict[str, Any]]:
    countries = default_countries()
    plain = [r for r in records if " " not in r.symbol and r.meeting_record and r.title]
    voted = [r for r in plain if r.vote == "recorded" and r.against_count]
    without = [r for r in plain if r.vote == "without vote"]
    items: list[dict[str, Any]] = []

    def add(
        kind: str,
        question: str,
        rec: Record | list[Record] | None,
        facet: str,
        contains: list[str],
        **extra: Any,
    ) -> None:
        # A list answer cites the first twelve resolutions, in the UN's order.
        recs = rec[:MAX_LISTED] if isinstance(rec, list) else [rec] if rec else []
        item = {
            "id": f"rec-{kind}-{len(items) + 1:03d}",
            "question": question,
            "expected": expected(recs, facet),
            "answer_contains": contains,
            "answerable": rec is not None,
            "category": f"records-{kind}",
        }
        item.update(extra)
        items.append(item)

    for rec, phrasing in zip(rng.sample(voted, 4) + rng.sample(without, 3), [
        "Was {s} adopted by a vote?", "Was resolution {s} put to a recorded vote?",
        "Did the General Assembly vote on {s}?", "Was {s} adopted by a vote?",
        "Was {s} adopted by consensus?", "Was {s} adopted without a vote?",
        "Was resolution {s} adopted by a vote?",
    ], strict=True):  # fmt: skip
        want = (
            [f"{rec.in_favour_count} in favour"] if rec.vote == "recorded" else ["without a vote"]
        )
        add("adopted", phrasing.format(s=short(rec)), rec, "vote", want)
    for rec, phrasing in zip(rng.sample(voted, 6), [
        "How many countries voted against {s}?", "How many Member States voted against resolution {s}?",
        "How many abstentions were there on {s}?", "How many voted in favour of {s}?",
        "How many States abstained on A/RES/{s}?", "How many countries voted against A/RES/{s}?",
    ], strict=True):  # fmt: skip
        n = (
            rec.abstaining_count
            if "abst" in phrasing
            else rec.in_favour_count
            if "favour" in phrasing
            else rec.against_count
        )
        add("count", phrasing.format(s=short(rec)), rec, "vote", [str(n)])
    unique_titles = [
        r
        for r in voted
        if sum(1 for x in plain if x.title == r.title) == 1 and len(r.title or "") < 70
    ]
    for rec, phrasing in zip(rng.sample(unique_titles, 4), [
        "How many voted against the resolution on {t}?", "Which countries voted against the resolution entitled \"{t}\"?",
        "How many countries abstained on the resolution on {t}?", "Was the resolution on {t} adopted by a vote?",
    ], strict=True):  # fmt: skip
        n = rec.abstaining_count if "abst" in phrasing else rec.against_count
        add(
            "by-title",
            phrasing.format(t=(rec.title or "").rstrip(".")),
            rec,
            "vote",
            [str(n)] if "adopted" not in phrasing else [f"{rec.in_favour_count} in favour"],
        )
    for rec in rng.sample([r for r in voted if r.abstaining], 4):
        first = countries.display(rec.abstaining[0])
        add(
            "list",
            rng.choice(
                ["Which countries abstained on {s}?", "Who abstained on resolution {s}?"]
            ).format(s=short(rec)),
            rec,
            "vote",
            [str(rec.abstaining_count), first],
        )
    for rec in rng.sample(voted, 8):
        form = rng.choice(COUNTRY_FORMS)
        country = countries.canonical(form.removeprefix("the ")) or form
        votes = {
            countries.display(n): p
            for p, names in (
                ("in favour", rec.in_favour),
                ("against", rec.against),
                ("abstaining", rec.abstaining),
            )
            for n in names
        }
        position = votes.get(country)
        want = (
            [POSITION_WORDS[position]]
            if position
            else ["did not vote, or its vote was not recorded"]
        )
        add(
            "country",
            rng.choice(
                [
                    "How did {c} vote on {s}?",
                    "What was {c}'s vote on resolution {s}?",
                    "Did {c} vote for {s}?",
                ]
            ).format(c=form, s=short(rec)),
            rec,
            "vote",
            want,
        )
    for rec in rng.sample(voted, 3):
        first, second = rng.sample(COUNTRY_FORMS, 2)
        country = countries.canonical(second.removeprefix("the ")) or second
        votes = {
            countries.display(n): p
            for p, names in (
                ("in favour", rec.in_favour),
                ("against", rec.against),
                ("abstaining", rec.abstaining),
            )
            for n in names
        }
        position = votes.get(country)
        want = (
            [POSITION_WORDS[position]]
            if position
            else ["did not vote, or its vote was not recorded"]
        )
        add(
            "follow-up",
            f"and {second}?",
            rec,
            "vote",
            want,
            history=[f"How did {first} vote on {short(rec)}?"],
        )
    for rec in rng.sample([r for r in plain if r.sponsors and r.sponsors[0].isupper()], 5):
        add(
            "sponsors",
            rng.choice(
                [
                    "Who sponsored {S}?",
                    "Who were the sponsors of resolution {s}?",
                    "Which countries sponsored {s}?",
                ]
            ).format(S=rec.symbol, s=short(rec)),
            rec,
            "sponsors",
            [countries.display(rec.sponsors[0])],
        )
    for rec in rng.sample([r for r in plain if r.originating_document], 5):
        doc = (rec.originating_document or "").split(",")[0]
        add(
            "draft",
            rng.choice(
                [
                    "Which draft did {s} come from?",
                    "What was the originating document of {s}?",
                    "From which draft was resolution {s} adopted?",
                ]
            ).format(s=short(rec)),
            rec,
            "draft",
            [doc],
        )
    session = [r for r in records if r.session_number == 79]
    n_without = sum(1 for r in session if r.vote == "without vote")
    n_recorded = sum(1 for r in session if r.vote == "recorded")
    session.sort(key=sort_key)
    add(
        "session",
        "How many resolutions of the 79th session were adopted without a vote?",
        [r for r in session if r.vote == "without vote"],
        "vote",
        [str(n_without)],
    )
    add(
        "session",
        "How many resolutions of the seventy-ninth session were adopted by a recorded vote?",
        [r for r in session if r.vote == "recorded"],
        "vote",
        [str(n_recorded)],
    )
    for form, position in (
        ("the United States", "against"),
        ("Russia", "against"),
        ("Brazil", "abstaining"),
        ("Israel", "against"),
    ):
        country = countries.canonical(form.removeprefix("the ")) or form
        hits = sorted(
            (
                r
                for r in session
                if r.vote == "recorded"
                and any(countries.display(n) == country for n in getattr(r, position))
            ),
            key=sort_key,
        )
        verb = "vote against" if position == "against" else "abstain on"
        if hits:
            add(
                "country-list",
                f"Which 79th-session resolutions did {form} {verb}?",
                hits,
                "vote",
                [str(len(hits))],
            )
    for term, phrase in (
        ("ARTIFICIAL INTELLIGENCE", "artificial intelligence"),
        ("HUMAN TRAFFICKING", "human trafficking"),
        ("CLIMATE CHANGE", "climate change"),
        ("NUCLEAR DISARMAMENT", "nuclear disarmament"),
    ):
        hits = sorted((r for r in session if term in r.subjects), key=sort_key)
        if hits:
            add(
                "subjects",
                f"Which resolutions of the 79th session concern {phrase}?",
                hits,
                "subjects",
                [str(len(hits))],
            )
    for goal in ("16", "5", "13"):
        hits = sorted(
            (r for r in session if any(s.split(".")[0] == goal for s in r.sdgs)), key=sort_key
        )
        if hits:
            add(
                "subjects",
                f"Which resolutions of the 79th session are linked to SDG {goal}?",
                hits,
                "subjects",
                [str(len(hits))],
            )
    for question in (
        "How did Brazil vote on resolution 74/5?",
        "Was 76/300 adopted by a vote?",
        "How many countries voted against 78/228?",
    ):
        add("absent", question, None, "vote", [])
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--out", type=Path, default=REPO / "eval" / "gold")
    args = parser.parse_args()
    # Duplicated symbols merged the way ingest merges them.
    merged: dict[str, Record] = {}
    for rec in parse_records_file(args.corpus / "ga-metadata" / "79.json").records:
        merged[rec.symbol] = merge_records(merged[rec.symbol], rec) if rec.symbol in merged else rec
    records = list(merged.values())
    rng = random.Random(args.seed)
    items = build(records, rng)
    heldout = set(rng.sample(range(len(items)), len(items) // 3))
    for name, keep in (("records.jsonl", False), ("records-heldout.jsonl", True)):
        lines = [
            json.dumps(it, ensure_ascii=False)
            for i, it in enumerate(items)
            if (i in heldout) == keep
        ]
        (args.out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{name}: {len(lines)} questions")


if __name__ == "__main__":
    main()
