"""UN adoption records: hostile metadata lines, ingest in any order, idempotence, countries,
record citations (verifier, CLI, Slack), and every kind of record question.

Questions run against the real 79th-session records (parsed, no store); expected counts and
names are read from the same records, so an answer must say what the record says.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answer.types import Answer, Retrieved, Turn
from bot.answer.verify import verify
from bot.records.answers import MAX_LISTED
from bot.records.cite import retrieved
from bot.records.countries import default_countries
from bot.records.index import RecordIndex
from bot.records.route import RecordRouter
from ingest.parsers.records import is_records_file, parse_records_file
from ingest.pipeline import Ingestor
from ingest.record_store import record_store_for
from ingest.records import Record
from ingest.store import open_local_store

MODEL = "all-MiniLM-L6-v2"

GOOD = {
    "symbol": "A/RES/79/6",
    "pv": "A/79/PV.29",
    "title": "Report of the International Criminal Court",
    "session": "Seventy-ninth session",
    "adoption_meeting": "29th plenary meeting",
    "adoption_date": "29\u00a0October 2024",
    "originating_document": "A/79/L.8",
    "report_paragraph": "N.A.",
    "committee": "Without reference to a Main Committee",
    "sponsors": ["ALBANIA", "AUSTRIA"],
    "additional_sponsors": [],
    "voting_type": "adoptedRecordedVote",
    "adoption_type": "By a recorded vote",
    "MS_in_favour": ["BRAZIL", "CANADA", "BRAZIL"],
    "MS_against": ["UNITED STATES"],
    "MS_abstaining": ["TÜRKÝYE"],
    "MS_in_favour_count": "2",
    "MS_against_count": "1",
    "MS_abstaining_count": "1",
    "SDGs": ["16", " 4.a"],
    "subjects": [["ARTIFICIAL INTELLIGENCE", "UNBIS Thesaurus"], ["123a", "A/79/251"]],
}


class HashEmbedder:
    name = MODEL

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[b / 255 for b in hashlib.sha256(t.encode()).digest()[:16]] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _line(**changes: object) -> str:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False)


@pytest.fixture(scope="module")
def ga79(corpus: Path) -> RecordIndex:
    parsed = parse_records_file(corpus / "ga-metadata" / "79.json")
    assert not parsed.errors
    return RecordIndex(parsed.records)


@pytest.fixture(scope="module")
def router(ga79: RecordIndex) -> RecordRouter:
    return RecordRouter(index=ga79)


def _ask(router: RecordRouter, question: str, history: list[Turn] | None = None) -> Answer:
    answer = router.maybe_answer(question, history or [])
    assert answer is not None, question
    return answer


def _rec(index: RecordIndex, symbol: str) -> Record:
    return index.records[symbol]


# -- parsing ---------------------------------------------------------------------------
def test_a_real_line_is_cleaned_as_written(tmp_path: Path) -> None:
    path = tmp_path / "79.json"
    path.write_text(_line() + "\n", encoding="utf-8")
    assert is_records_file(path)
    rec = parse_records_file(path).records[0]
    assert rec.adoption_date == "29 October 2024"  # non-breaking space gone
    assert rec.report_paragraph is None  # "N.A."
    assert (rec.in_favour_count, rec.against_count, rec.abstaining_count) == (2, 1, 1)
    assert rec.in_favour == ["BRAZIL", "CANADA"]  # a repeated name counts once
    assert rec.vote == "recorded" and rec.meeting_record == "A/79/PV.29"
    assert rec.subjects == ["ARTIFICIAL INTELLIGENCE"]  # the agenda pair is no subject
    assert rec.sdgs == ["16", "4.a"]


def test_hostile_lines_cost_one_error_each_and_nothing_else(tmp_path: Path) -> None:
    lines = [
        _line(symbol="A/RES/79/1"),
        "{not json",
        _line(symbol="A/RES/79/2", MS_against="CHINA"),  # wrong type
        _line(symbol="A/RES/79/3", MS_against_count="ten"),
        _line(symbol="A/RES/79/4", title=5),
        '{"symbol": "A/RES/79/5", "x": "' + "x" * 10_000_000 + '"}',  # a 10 MB line
        _line(symbol="not a symbol"),
        _line(symbol="A/79/L.8"),
        "[1, 2]",
        _line(symbol="A/RES/79/7"),
        _line(symbol="A/RES/79/8", MS_in_favour_count=True),
    ]
    path = tmp_path / "hostile.json"
    path.write_bytes(
        ("\n".join(lines) + "\n").encode() + b"\xff\xfe\n" + _line(symbol="A/RES/79/9").encode()
    )
    parsed = parse_records_file(path)
    assert [r.symbol for r in parsed.records] == ["A/RES/79/1", "A/RES/79/7", "A/RES/79/9"]
    errors = {e.line: e.reason for e in parsed.errors}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8, 9, 11, 12]
    assert "invalid JSON" in errors[2]
    assert "MS_against" in errors[3] and "count" in errors[4] and "title" in errors[5]
    assert "longer than" in errors[6]
    assert "not a GA or ECOSOC resolution symbol" in errors[7] and errors[8].startswith(
        "'A/79/L.8'"
    )
    assert "UTF-8" in errors[12]

    store = open_local_store(tmp_path / "store", "resbot", MODEL)
    report = Ingestor(store, HashEmbedder()).ingest([path])
    assert report.records == {"added": 3, "updated": 0, "unchanged": 0}
    assert {f.path for f in report.failures} == {f"{path}:{n}" for n in errors}
    records = record_store_for(store)
    assert records is not None and records.count() == 3


def test_a_json_file_that_is_no_record_file_is_skipped(tmp_path: Path) -> None:
    other = tmp_path / "config.json"
    other.write_text('{"name": "x"}\n')
    assert not is_records_file(other)
    report = Ingestor(open_local_store(tmp_path / "s", "resbot", MODEL), HashEmbedder()).ingest(
        [other]
    )
    assert report.skipped and not report.failures and not report.records


# -- ingest: any order, attach by symbol, idempotent --------------------------------------
@pytest.mark.parametrize("records_first", [True, False])
def test_records_attach_whichever_arrives_first(
    corpus: Path, tmp_path: Path, records_first: bool
) -> None:
    from ingest.stats import store_stats

    text = next((corpus / "ga-akn" / "79session").glob("A_RES_79_6-*.xml"))
    meta = tmp_path / "79.json"
    meta.write_text(_line() + "\n" + _line(symbol="A/RES/79/999") + "\n", encoding="utf-8")
    store = open_local_store(tmp_path / "store", "resbot", MODEL)
    ingest = Ingestor(store, HashEmbedder()).ingest
    first, second = ([meta], [text]) if records_first else ([text], [meta])
    ingest(first)
    before = store_stats(store)
    ingest(second)
    stats = store_stats(store)
    assert stats["records"] == 2 and stats["records_attached"] == 1  # 79/999 kept, unattached
    assert before["records_attached"] == 0
    generation = store.generation()
    again = ingest([text, meta])  # mixed, again: nothing changes
    assert again.records == {"added": 0, "updated": 0, "unchanged": 2}
    assert again.embedded == 0 and store.generation() == generation
    meta.write_text(_line(MS_against_count="3") + "\n", encoding="utf-8")
    assert ingest([meta]).records == {"added": 0, "updated": 1, "unchanged": 0}
    assert store.generation() != generation


def test_duplicate_symbols_in_one_file_are_merged(tmp_path: Path) -> None:
    from ingest.record_store import ingest_record_files

    path = tmp_path / "79.json"
    path.write_text(
        _line(additional_sponsors=[]) + "\n" + _line(additional_sponsors=["CHILE"], SDGs=[]) + "\n",
        encoding="utf-8",
    )
    store = record_store_for(open_local_store(tmp_path / "s", "resbot", MODEL))
    assert store is not None
    result = ingest_record_files([path], store)
    assert result.added == 1 and "recorded twice" in result.warnings[0]
    (rec,) = list(store.iter_records())
    assert rec.additional_sponsors == ["CHILE"] and rec.sdgs == ["16", "4.a"]


def test_records_on_a_chroma_server(chroma_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bot.records.index import build_index
    from ingest.store import open_server_store

    path = tmp_path / "79.json"
    path.write_text(_line() + "\n", encoding="utf-8")
    store = open_server_store(chroma_server.url, "records-test", MODEL)
    Ingestor(store, HashEmbedder()).ingest([path])
    index = build_index(open_server_store(chroma_server.url, "records-test", MODEL))
    assert list(index.records) == ["A/RES/79/6"]


# -- countries -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("variants", "canonical"),
    [
        (
            ["US", "USA", "United States", "United States of America", "UNITED STATES"],
            "United States",
        ),
        (["UK", "United Kingdom", "Great Britain"], "United Kingdom"),
        (["Türkiye", "Turkey", "TURKIYE", "TÜRKÝYE", "TÜRKİYE", "TUR"], "Türkiye"),
        (["Côte d'Ivoire", "Ivory Coast", "COTE D'IVOIRE", "Côte d’Ivoire"], "Côte d'Ivoire"),
        (
            ["DPRK", "North Korea", "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"],
            "Democratic People's Republic of Korea",
        ),
        (["NETHERLANDS (KINGDOM OF THE)", "Netherlands", "Holland"], "Netherlands"),
    ],
)
def test_country_variants_and_codes(variants: list[str], canonical: str) -> None:
    countries = default_countries()
    assert {countries.canonical(v) for v in variants} == {canonical}


def test_every_name_in_the_records_is_a_known_country(corpus: Path) -> None:
    countries = default_countries()
    unknown = set()
    for path in [
        *(corpus / "ga-metadata").glob("*.json"),
        *(corpus / "ecosoc-metadata").glob("*.json"),
    ]:
        for rec in parse_records_file(path).records:
            unknown |= {
                n for n in rec.in_favour + rec.against + rec.abstaining if not countries.lookup(n)
            }
    assert not unknown


def test_countries_found_in_questions() -> None:
    find = default_countries().find
    assert [c.name for c in find("How did Papua New Guinea vote?")] == ["Papua New Guinea"]
    assert [c.name for c in find("did the US and Niger vote")] == ["United States", "Niger"]
    assert find("tell us what it says about Nigerian courts") == []


# -- record citations: verifier, CLI, Slack ------------------------------------------------
def test_the_verifier_accepts_record_citations_like_paragraph_ones(ga79: RecordIndex) -> None:
    rec = _rec(ga79, "A/RES/79/6")
    given = [
        retrieved(rec, "vote"),
        Retrieved("A/RES/79/6", "A/RES/79/6", "OP1", "x.xml", "t", 1.0),
    ]
    text = (
        "Adopted by a vote [A/RES/79/6, vote (A/79/PV.29)]. It welcomes the report [A/RES/79/6, OP1]. "
        "Invented [A/RES/79/6, vote (A/79/PV.30)]. See [draft resolution A/79/L.8]."
    )
    checked = verify(text, given)
    assert [c.display for c in checked.citations] == [
        "A/RES/79/6, vote (A/79/PV.29)",
        "A/RES/79/6, OP1",
    ]
    assert checked.removed == ["A/RES/79/6, vote (A/79/PV.30)"]
    assert "[draft resolution A/79/L.8]" in checked.text


def test_slack_and_cli_link_a_record_citation_to_its_meeting_record(router: RecordRouter) -> None:
    from bot.commands.ask import render
    from bot.slack.blocks import render_answer

    answer = _ask(router, "Was 79/6 adopted by a vote?")
    blocks = json.dumps(render_answer(answer).blocks)
    assert "<https://undocs.org/en/A/79/PV.29|vote (A/79/PV.29)>" in blocks
    assert "<https://undocs.org/en/A/RES/79/6|A/RES/79/6>" in blocks
    assert "https://undocs.org/en/A/79/PV.29" in render(answer)


# -- questions ---------------------------------------------------------------------------
def test_adopted_by_a_vote(router: RecordRouter, ga79: RecordIndex) -> None:
    rec = _rec(ga79, "A/RES/79/6")
    answer = _ask(router, "Was 79/6 adopted by a vote?")
    assert answer.text.startswith("Yes")
    assert f"{rec.in_favour_count} in favour to {rec.against_count} against" in answer.text
    assert [c.display for c in answer.citations] == ["A/RES/79/6, vote (A/79/PV.29)"]
    assert _ask(router, "Was 79/154 adopted by consensus?").text.startswith("Yes")
    assert _ask(router, "Was 79/154 adopted by a vote?").text.startswith("No")


def test_count_against_a_resolution_named_by_its_subject(
    router: RecordRouter, ga79: RecordIndex
) -> None:
    answer = _ask(
        router, "How many voted against the resolution on the International Criminal Court?"
    )
    rec = _rec(ga79, "A/RES/79/6")  # the latest of the annual "Report of the ICC"
    assert answer.text.startswith(f"{rec.against_count} Member States voted against A/RES/79/6")
    assert answer.citations[0].symbol == "A/RES/79/6"


def test_which_countries_abstained(router: RecordRouter, ga79: RecordIndex) -> None:
    rec = _rec(ga79, "A/RES/79/179")
    answer = _ask(router, "Which countries abstained on 79/179?")
    assert answer.text.startswith(f"{rec.abstaining_count} Member States abstained")
    countries = default_countries()
    for name in rec.abstaining:
        assert countries.display(name) in answer.text


def test_how_a_country_voted_and_follow_ups(router: RecordRouter, ga79: RecordIndex) -> None:
    rec = _rec(ga79, "A/RES/79/179")
    answer = _ask(router, "How did Brazil vote on the moratorium on the death penalty?")
    assert "BRAZIL" in rec.in_favour and answer.text.startswith(
        "Brazil voted in favour of A/RES/79/179"
    )
    history = [Turn(answer.question, answer.text, answer.citations, answer.scope)]
    us = _ask(router, "and the USA?", history)
    assert us.text.startswith("The United States voted against A/RES/79/179")
    assert us.citations[0].display == "A/RES/79/179, vote (A/79/PV.53)"


def test_a_country_on_no_list_is_not_inferred(router: RecordRouter, ga79: RecordIndex) -> None:
    countries = default_countries()
    rec = _rec(ga79, "A/RES/79/6")
    listed = {countries.canonical(n) for n in rec.in_favour + rec.against + rec.abstaining}
    absent = next(
        c.name
        for c in countries.countries
        if c.name not in listed and c.iso3 != "VAT" and c.iso3 != "PSE"
    )
    answer = _ask(router, f"How did {absent} vote on 79/6?")
    assert "did not vote, or its vote was not recorded" in answer.text
    assert "voted in favour" not in answer.text and "voted against" not in answer.text


def test_a_countrys_votes_in_a_session_list_twelve_then_the_command(
    router: RecordRouter, ga79: RecordIndex
) -> None:
    answer = _ask(router, "Which 79th-session resolutions did the United States vote against?")
    hits = [
        r for r in ga79.records.values() if r.vote == "recorded" and "UNITED STATES" in r.against
    ]
    assert f"The United States voted against {len(hits)} resolutions" in answer.text
    assert len(hits) > MAX_LISTED and len(answer.citations) == MAX_LISTED
    assert (
        f"…and {len(hits) - MAX_LISTED} more: resbot votes --country 'United States' --session 79 --against"
        in answer.text
    )


def test_how_many_without_a_vote(router: RecordRouter, ga79: RecordIndex) -> None:
    answer = _ask(router, "How many resolutions of the 79th session were adopted without a vote?")
    n = sum(1 for r in ga79.records.values() if r.vote == "without vote")
    assert f"Of the {len(ga79)} resolutions of the seventy-ninth session" in answer.text
    assert f", {n} were adopted without a vote" in answer.text
    assert "resbot votes --session 79 --without-vote" in answer.text


def test_sponsors_and_draft(router: RecordRouter, ga79: RecordIndex) -> None:
    rec = _rec(ga79, "A/RES/79/154")
    answer = _ask(router, "Who sponsored A/RES/79/154?")
    assert f"{len(rec.additional_sponsors)} further sponsors joined" in answer.text
    assert answer.citations[0].display == "A/RES/79/154, sponsors (A/79/PV.53)"
    draft = _ask(router, "Which draft did 79/243 come from?")
    assert "Third Committee, in its report A/79/460" in draft.text
    assert draft.citations[0].label == "draft (A/79/PV.55)"


@pytest.mark.parametrize(
    ("question", "test"),
    [
        (
            "Which resolutions of the 79th session concern SDG 16?",
            lambda r: any(s.split(".")[0] == "16" for s in r.sdgs),
        ),
        (
            "Which resolutions of the 79th session concern artificial intelligence?",
            lambda r: "ARTIFICIAL INTELLIGENCE" in r.subjects,
        ),
    ],
)
def test_subjects(router: RecordRouter, ga79: RecordIndex, question: str, test) -> None:  # type: ignore[no-untyped-def]
    n = sum(1 for r in ga79.records.values() if test(r))
    answer = _ask(router, question)
    assert answer.text.startswith(f"{n} resolutions of the seventy-ninth session")
    assert len(answer.citations) == min(n, MAX_LISTED)


def test_a_resolution_without_a_record_is_declined_plainly(router: RecordRouter) -> None:
    answer = _ask(router, "How many Member States voted against GA resolution 78/228?")
    assert not answer.answerable and not answer.citations
    assert answer.text.startswith("I have no UN adoption record for 78/228")
    empty = RecordRouter(index=RecordIndex([]))
    assert not _ask(empty, "Was 79/6 adopted by a vote?").answerable


@pytest.mark.parametrize(
    "question",
    [
        "What does 79/154 say about the right to vote?",
        "What does UNODC have to report?",
        "Which GA resolutions take note of the Khartoum Declaration?",
        "Which ECOSOC resolutions adopted in 2024 came on the recommendation of the CCPCJ?",
        "When was E/RES/2021/25 adopted, and which commission recommended it?",
        "Under which agenda item was 79/154 adopted?",
        "What does the resolution on the death penalty say about juveniles?",
        "Which resolutions request UNODC to report on SDG 16?",
        "What are Member States encouraged to do against trafficking in persons?",
    ],
)
def test_ordinary_text_questions_are_not_captured(router: RecordRouter, question: str) -> None:
    assert router.maybe_answer(question, []) is None


# -- CLI ---------------------------------------------------------------------------------
def test_votes_command(tmp_path: Path) -> None:
    from bot.cli import cli

    meta = tmp_path / "79.json"
    meta.write_text(
        _line() + "\n" + _line(symbol="A/RES/79/7", MS_against=[], MS_against_count="0") + "\n",
        encoding="utf-8",
    )
    store = open_local_store(tmp_path / "store", "resbot", MODEL)
    Ingestor(store, HashEmbedder()).ingest([meta])
    del store
    runner = CliRunner()
    base = ["--store", str(tmp_path / "store"), "votes"]
    one = runner.invoke(cli, [*base, "79/6"])
    assert one.exit_code == 0, one.output
    assert "Against (1): United States" in one.output and "Abstaining (1): Türkiye" in one.output
    lines = runner.invoke(cli, [*base, "--country", "USA", "--session", "79", "--against"])
    assert lines.stdout.strip() == (
        "A/RES/79/6           against       Report of the International Criminal Court "
        "[A/RES/79/6, vote (A/79/PV.29)]"
    )
    rows = json.loads(runner.invoke(cli, [*base, "--country", "Turkey", "--json"]).stdout)
    assert [r["position"] for r in rows] == ["abstaining", "abstaining"]
    csv = runner.invoke(cli, [*base, "--session", "79", "--recorded", "--csv"]).stdout
    assert (
        csv.splitlines()[0].startswith("symbol,title,session,adopted")
        and len(csv.splitlines()) == 3
    )
    stats = runner.invoke(cli, ["--store", str(tmp_path / "store"), "stats"])
    assert "records: 2 (0 with their text)" in stats.output


# -- through the answering engine ---------------------------------------------------------
def test_the_engine_routes_record_questions_and_their_follow_ups(
    corpus: Path, tmp_path: Path, embedder: object
) -> None:
    from bot.settings import Settings
    from bot.wiring import make_answerer

    lines = (corpus / "ga-metadata" / "79.json").read_text(encoding="utf-8").splitlines()
    meta = tmp_path / "79.json"
    meta.write_text("\n".join(ln for ln in lines if '"A/RES/79/17' in ln) + "\n", encoding="utf-8")
    text = next((corpus / "ga-akn" / "79session").glob("A_RES_79_179-*.xml"))
    settings = Settings(store=tmp_path / "store", data_dir=tmp_path / "data")
    store = open_local_store(settings.store_path, settings.collection, settings.embedding_model)
    assert Ingestor(store, embedder).ingest([meta, text]).ok  # type: ignore[arg-type]
    answerer = make_answerer(settings, store, embedder)
    first = answerer.answer("How did Brazil vote on the moratorium on the death penalty?")
    assert first.mode == "records" and first.citations[0].symbol == "A/RES/79/179"
    history = [Turn(first.question, first.text, first.citations, first.scope)]
    follow = answerer.answer("and Canada?", history)
    assert follow.mode == "records" and follow.text.startswith("Canada voted")
    prose = answerer.answer("What does the resolution on the death penalty call upon States to do?")
    assert prose.mode != "records"
    assert all(c.label.startswith(("OP", "PP", "HEADER")) for c in prose.citations)
