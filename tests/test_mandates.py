"""Mandate extraction, session calendar, glossary, mandate questions, table and CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.glossary import Glossary, acronyms_in, canonical_actor, expand, find_definitions
from bot.mandates.extract import Mandate, extract_mandates
from bot.mandates.questions import MandateQuery, format_mandates, is_mandate_question
from bot.mandates.sessions import ordinal_value, ordinal_words, session_year
from bot.mandates.table import MandateTable, group_mandates, mandate_db_path, rebuild_from_paths
from bot.settings import Settings
from ingest.model import Paragraph, Resolution

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "corpus"
GOLD = REPO / "eval" / "mandates" / "gold.jsonl"


def res(
    symbol: str,
    ops: list[str],
    *,
    body: str = "General Assembly",
    pps: tuple[str, ...] = (),
    date: str = "2024-12-17",
    session: str | None = "Seventy-ninth session",
    recommended_by: str | None = None,
    labels: list[str] | None = None,
) -> Resolution:
    paras = [Paragraph(f"PP{i}", "preambular", t) for i, t in enumerate(pps, 1)]
    for i, t in enumerate(ops, 1):
        label = labels[i - 1] if labels else f"OP{i}"
        paras.append(Paragraph(label, "operative", t))
    return Resolution(
        symbol=symbol, title="Test resolution", body=body, source="test.xml", format="akn",
        paragraphs=paras, date=date, session=session, recommended_by=recommended_by,
    )  # fmt: skip


def only(mandates: list[Mandate], label: str) -> list[Mandate]:
    return [m for m in mandates if m.label == label]


# -- extraction ---------------------------------------------------------------
def test_report_to_general_assembly_at_numbered_session() -> None:
    r = res(
        "A/RES/79/154",
        [
            "Requests the Secretary-General to submit to the General Assembly at its eighty-first "
            "session a report that presents information on successful interventions and strategies."
        ],
    )
    [m] = extract_mandates(r)
    assert (m.verb, m.actors, m.reporting) == ("requests", ["Secretary-General"], True)
    assert (m.recipient, m.due_session, m.due_body, m.due_year) == (
        "General Assembly",
        81,
        "General Assembly",
        2026,
    )
    assert m.anchor == "A/RES/79/154#OP1"
    assert m.citation == "A/RES/79/154, OP1"
    data = m.to_json()
    assert data["anchor"] == "A/RES/79/154#OP1" and data["due_year"] == 2026
    assert Mandate.from_json(json.loads(json.dumps(data))) == m


def test_report_through_commission_is_due_at_the_commission_session() -> None:
    r = res(
        "A/RES/79/186",
        [
            "Requests the Secretary-General to ensure proper follow-up to the present resolution and "
            "to report thereon to the General Assembly through the Commission on Crime Prevention and "
            "Criminal Justice at its thirty-fourth session;"
        ],
    )
    [m] = extract_mandates(r)
    assert m.recipient == "General Assembly" and m.via == "CCPCJ"
    assert (m.due_session, m.due_body, m.due_year) == (34, "CCPCJ", 2025)


def test_second_clause_and_short_references_resolved_from_the_text() -> None:
    r = res(
        "A/RES/79/242",
        [
            "Commends the African Institute for the Prevention of Crime and the Treatment of "
            "Offenders for its work with the United Nations Office on Drugs and Crime;",
            "Requests the United Nations Office on Drugs and Crime to continue to work closely with "
            "the Institute, and requests the Institute to provide the annual report on its activities "
            "to the Office and to the Economic Commission for Africa;",
        ],
    )
    first, second = only(extract_mandates(r), "OP2")
    assert first.actors == ["UNODC"] and not first.reporting
    assert first.task == "to continue to work closely with the Institute"
    assert second.actors == ["UNAFRI"] and second.reporting
    assert second.recipients == ["UNODC", "ECA"] and second.frequency == "annual"


def test_two_verbs_share_one_task() -> None:
    r = res(
        "A/RES/79/154",
        [
            "Calls upon Governments, and encourages relevant intergovernmental bodies and "
            "international organizations, to ensure that peacekeeping personnel are provided with training;"
        ],
    )
    a, b = extract_mandates(r)
    assert (a.verb, a.actors) == ("calls upon", ["Member States"])
    assert b.verb == "encourages" and "international organizations" in b.actors
    assert a.task == b.task == "to ensure that peacekeeping personnel are provided with training"


def test_qualifiers_and_frequency_without_recipient() -> None:
    r = res(
        "A/RES/79/313",
        [
            "Requests, in this regard, the United Nations Office on Drugs and Crime, within its "
            "mandate and resources, in close cooperation and collaboration with Member States, to "
            "continue the collection of information on illicit trafficking in wildlife, subject to the "
            "availability of extrabudgetary resources, and to report thereon biennially;"
        ],
    )
    [m] = extract_mandates(r)
    assert m.actors == ["UNODC"] and m.reporting and m.recipient is None
    assert m.frequency == "biennial"
    assert "within its mandate and resources" in m.qualifiers
    assert any("extrabudgetary" in q for q in m.qualifiers)
    assert any(q.startswith("in close cooperation") for q in m.qualifiers)


def test_alerting_authorities_is_not_a_reporting_mandate() -> None:
    r = res(
        "A/RES/79/189",
        [
            "Encourages Member States to provide training for healthcare professionals and to report "
            "suspected or confirmed illegal practices;",
            "Invites Member States to provide voluntary contributions to the Office;",
        ],
        pps=("Noting the work of the United Nations Office on Drugs and Crime,",),
    )
    assert [m.reporting for m in extract_mandates(r)] == [False, False]


def test_council_year_session_and_commission_from_recommending_body() -> None:
    ecosoc = res(
        "E/RES/2023/29",
        [
            "Requests the Secretary-General to submit to the Council at its 2024 session a progress report;",
            "Also requests the Secretary-General to submit to the Commission at its sixty-sixth "
            "session, in 2028, a report;",
        ],
        body="Economic and Social Council",
        session="2023 session",
        date="2023-07-25",
        recommended_by="on the recommendation of the Commission for Social Development (E/2023/26)",
    )
    a, b = extract_mandates(ecosoc)
    assert (a.recipient, a.due_session, a.due_year) == ("ECOSOC", 2024, 2024)
    assert (b.recipient, b.due_body, b.due_year) == ("CSocD", "CSocD", 2028)


def test_draft_paragraphs_belong_to_the_recommended_body() -> None:
    r = res(
        "E/RES/2024/9",
        [
            "Recommends to the General Assembly the adoption of the following draft resolution:",
            "Also requests the Secretary-General to submit to the General Assembly at its eighty-first "
            "session a report on the implementation of the present resolution.",
            "Requests the Secretary-General to report thereon at its next session.",
        ],
        body="Economic and Social Council",
        session="2024 session",
        date="2024-07-23",
        labels=["OP1", "DRAFT-OP1", "DRAFT-OP2"],
    )
    ms = {m.label: m for m in extract_mandates(r)}
    assert ms["DRAFT-OP1"].due_year == 2026
    assert ms["DRAFT-OP2"].due_session == 80 and ms["DRAFT-OP2"].due_body == "General Assembly"
    assert ms["DRAFT-OP1"].anchor == "E/RES/2024/9#DRAFT-OP1"


def test_pronoun_and_human_rights_council_calendar() -> None:
    r = res(
        "A/RES/79/183",
        [
            "Takes note of the report of the Secretary-General, and requests that he submit to the "
            "General Assembly at its eighty-first session a report.",
            "Requests the Secretary-General to submit an interim report to the Human Rights Council "
            "at its fifty-ninth session;",
        ],
    )
    a, b = extract_mandates(r)
    assert a.actors == ["Secretary-General"] and a.due_year == 2026
    assert (b.recipient, b.due_session, b.due_year) == ("HRC", 59, 2025)


def test_unknown_committee_session_is_not_taken_for_the_assembly() -> None:
    r = res(
        "A/RES/79/93",
        ["Requests the Secretary-General to report to the Committee on Information at its "
         "forty-seventh session on progress achieved in this regard;"],
    )  # fmt: skip
    [m] = extract_mandates(r)
    assert m.recipient == "Committee on Information"
    assert m.due_session == 47 and m.due_year is None


def test_preambular_and_non_directive_paragraphs_give_nothing() -> None:
    r = res(
        "A/RES/79/1",
        ["Takes note of the report of the Secretary-General;"],
        pps=("Requests the Secretary-General to report (a preambular paragraph never mandates),",),
    )
    assert extract_mandates(r) == []


# -- session calendar ---------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "session", "year"),
    [
        ("General Assembly", 81, 2026),
        ("General Assembly", 79, 2024),
        ("CCPCJ", 27, 2018),
        ("CCPCJ", 34, 2025),
        ("CND", 67, 2024),
        ("CSocD", 56, 2018),
        ("CSW", 62, 2018),
        ("HRC", 55, 2024),
        ("HRC", 58, 2025),
        ("HRC", 60, 2025),
        ("HRC", 2, 2006),
        ("ECOSOC", 2024, 2024),
        ("UNTOC COP", 12, 2024),
        ("Crime Congress", 15, 2026),
        ("Sixth Committee", 80, 2025),
        ("Unknown body", 12, None),
        (None, 12, None),
    ],
)
def test_session_years(body: str | None, session: int, year: int | None) -> None:
    assert session_year(body, session) == year


def test_ordinals() -> None:
    assert ordinal_value("eighty-first") == 81
    assert ordinal_value("thirty\u2011fourth") == 34
    assert ordinal_value("eightieth") == 80
    assert ordinal_value("81st") == 81
    assert ordinal_value("session") is None
    assert ordinal_words(81) == "eighty-first" and ordinal_words(34) == "thirty-fourth"


# -- glossary -----------------------------------------------------------------
def test_glossary_api() -> None:
    g = Glossary.load()
    assert len(g.entries) >= 60
    assert all(e.name and e.kind for e in g.entries)
    assert expand("UNODC")[:2] == ["UNODC", "United Nations Office on Drugs and Crime"]
    assert "trafficking in persons" in expand("TIP")
    assert expand("no such thing") == ["no such thing"]
    assert acronyms_in("Does WHO brief the GA? who knows") == ["WHO", "GA"]
    assert canonical_actor("the United Nations Office on Drugs and Crime") == "UNODC"
    assert canonical_actor("all States") == "Member States"
    assert canonical_actor("the Secretary-General") == "Secretary-General"
    assert canonical_actor("UN Women") == "UN-Women"
    assert (
        canonical_actor("the Executive Director of the United Nations Office on Drugs and Crime")
        == "Executive Director of UNODC"
    )
    assert canonical_actor("trafficking in persons") is None  # a concept, not an actor
    assert canonical_actor("somebody else") is None


def test_learning_acronyms_a_text_defines() -> None:
    g = Glossary.load()
    text = (
        "Welcomes the Global Antibiotic Research and Development Partnership (GARDP) and recalls "
        "resolution 1086 B (XXXIX) and document A/79/459 (para. 37) and the Inter-Agency "
        "Coordination Group against Trafficking in Persons (ICAT),"
    )
    assert ("GARDP", "Global Antibiotic Research and Development Partnership") in find_definitions(
        text
    )
    learned = g.learn([text])
    assert learned == {"GARDP": "Global Antibiotic Research and Development Partnership"}
    assert g.canonical_actor("Global Antibiotic Research and Development Partnership") == "GARDP"
    assert g.learn([text]) == {}  # already known


# -- questions ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what does UNODC have to report?", {"actor": "UNODC", "reporting": True}),
        ("which reports are due at the eighty-first session?", {"due_session": 81, "reporting": True}),
        (
            "what has the Secretary-General been asked to do on trafficking since 2021?",
            {"actor": "Secretary-General", "text": "trafficking", "since_year": 2021, "reporting": None},
        ),
        ("Which reports are due to ECOSOC in 2026?", {"body": "ECOSOC", "due_year": 2026}),
        (
            'Across the GA "trafficking in women and girls" resolutions, which session was the '
            "Secretary-General asked to report to each time?",
            {"actor": "Secretary-General", "adopted_by": "General Assembly", "text": "trafficking in women and girls"},
        ),
        (
            "Which of the 79th-session GA resolutions under the crime prevention and criminal justice "
            "agenda item ask the SG for a report at the eighty-first session?",
            {"actor": "Secretary-General", "due_session": 81, "since_year": 2024,
             "text": "crime prevention and criminal justice"},
        ),
    ],
)  # fmt: skip
def test_mandate_questions(question: str, expected: dict[str, object]) -> None:
    q = is_mandate_question(question)
    assert isinstance(q, MandateQuery)
    for key, value in expected.items():
        assert getattr(q, key) == value, key


@pytest.mark.parametrize(
    "question",
    [
        "when is the SG report on trafficking in women and girls due under 79/154?",
        "What does E/RES/2024/12 ask UNODC to report on, and to whom?",
        "Under the 2025 GA resolution on wildlife trafficking, what data work is UNODC asked to do?",
        "What does the resolution ask the Secretary-General to report?",
        "Which ECOSOC resolutions are about UNICRI, and when was the institute established?",
        "Which GA resolutions take note of the Khartoum Declaration?",
        "",
    ],
)
def test_single_resolution_and_other_questions_go_to_retrieval(question: str) -> None:
    assert is_mandate_question(question) is None


# -- table ----------------------------------------------------------------------
def _sample_table(store: Path | None = None) -> MandateTable:
    table = MandateTable.open(store)
    table.add(
        res(
            "A/RES/79/186",
            [
                "Requests the Executive Director of the United Nations Office on Drugs and Crime to "
                "report to the Commission on Crime Prevention and Criminal Justice at its thirty-fourth session;",
                "Also requests the Secretary-General to submit to the General Assembly at its "
                "eighty-first session a report on trafficking in persons.",
                "Urges Member States to ratify the Convention;",
            ],
        )
    )
    table.add(
        res(
            "A/RES/76/186",
            ["Requests the Secretary-General to submit a report to the General Assembly at its "
             "seventy-eighth session, through the Economic and Social Council;"],
            date="2021-12-16",
            session="Seventy-sixth session",
        )
    )  # fmt: skip
    return table


def test_table_add_is_idempotent_and_replaces(tmp_path: Path) -> None:
    db = tmp_path / "m.sqlite3"
    table = _sample_table(db)
    n = len(table)
    assert n == 4
    table = _sample_table(db)  # the same documents again: nothing added
    assert len(table) == n
    table.add(
        res(
            "A/RES/79/186",
            ["Requests the Secretary-General to report thereon at its eightieth session;"],
        )
    )
    assert len(table) == 2
    table.close()
    reopened = MandateTable.open(db)
    assert reopened.doc_ids() == ["A/RES/76/186", "A/RES/79/186"]
    [m] = reopened.query(doc="A/RES/79/186")
    assert (m.due_year, m.recipient) == (2025, "General Assembly")
    reopened.remove("A/RES/79/186")
    assert reopened.doc_ids() == ["A/RES/76/186"]


@pytest.mark.parametrize("persistent", [False, True])
def test_table_queries(tmp_path: Path, persistent: bool) -> None:
    table = _sample_table(tmp_path / "m.sqlite3" if persistent else None)
    unodc = table.query(actor="UNODC")
    assert [m.citation for m in unodc] == ["A/RES/79/186, OP1"]  # its Executive Director
    assert [
        m.citation for m in table.query(actor="the United Nations Office on Drugs and Crime")
    ] == ["A/RES/79/186, OP1"]
    reports = table.query(reporting=True)
    assert [m.due_year for m in reports] == [2023, 2025, 2026]  # sorted by due date
    assert [m.citation for m in table.query(due_year=2026)] == ["A/RES/79/186, OP2"]
    assert [m.citation for m in table.query(body="ECOSOC")] == ["A/RES/76/186, OP1"]
    assert [m.citation for m in table.query(body="CCPCJ")] == ["A/RES/79/186, OP1"]
    assert [m.citation for m in table.query(text="TIP")] == ["A/RES/79/186, OP2"]
    assert {m.doc_id for m in table.query(since_year=2024)} == {"A/RES/79/186"}
    assert table.query(actor="Member States", reporting=True) == []
    assert [m.verb for m in table.query(actor="all States")] == ["urges"]
    groups = group_mandates(reports, by="due")
    assert list(groups) == ["2023", "2025", "2026"]
    rows = list(csv.DictReader(io.StringIO(table.to_csv(reports))))
    assert [r["citation"] for r in rows] == [m.citation for m in reports]
    assert rows[0]["due_year"] == "2023"


def test_format_mandates_cites_every_line() -> None:
    table = _sample_table()
    text = format_mandates(table.query(reporting=True))
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 3
    assert all(line.rstrip().endswith("]") and "[A/RES/" in line for line in lines)
    assert "[A/RES/79/186, OP2]" in text and "due 2026" in text
    compact = format_mandates(table.query(), compact=True, limit=2)
    assert "… and 2 more" in compact
    assert format_mandates([]) == "No mandates found."


def test_answer_from_the_table() -> None:
    from bot.mandates.questions import answer_mandate_question

    table = _sample_table()
    answer = answer_mandate_question("What does the Secretary-General have to report?", table)
    assert answer is not None and answer.mode == "mandates"
    assert [c.display for c in answer.citations] == ["A/RES/76/186, OP1", "A/RES/79/186, OP2"]
    assert answer_mandate_question("What does 79/186 ask the Secretary-General?", table) is None


def test_mandate_db_path() -> None:
    local = Settings(data_dir=Path("/d"), store=Path("/s/store"))
    assert mandate_db_path(local) == Path("/s/store/mandates.sqlite3")
    server = Settings(data_dir=Path("/d"), chroma_url="http://chroma:8000")
    path = mandate_db_path(server)
    assert path.parent == Path("/d") and path.suffix == ".sqlite3"


# -- real files -----------------------------------------------------------------
def test_rebuild_from_sample_files() -> None:
    table = rebuild_from_paths(
        [SAMPLES / "A_RES_78_228-2325978E.xml", SAMPLES / "E_RES_2024_12-2414120E.xml"]
    )
    [sg] = table.query(doc="A/RES/78/228", actor="Secretary-General", reporting=True)
    assert (sg.label, sg.due_session, sg.due_year) == ("OP33", 80, 2025)
    [unodc] = table.query(doc="E/RES/2024/12", reporting=True)
    assert (unodc.label, unodc.actors, unodc.recipient) == ("OP8", ["UNODC"], "CCPCJ")


def test_cli_from_files() -> None:
    runner = CliRunner()
    sample = str(SAMPLES / "A_RES_78_228-2325978E.xml")
    result = runner.invoke(
        cli, ["mandates", "--from", sample, "--actor", "SG", "--reporting", "--due", "2025"]
    )
    assert result.exit_code == 0, result.output
    assert "[A/RES/78/228, OP33]" in result.output and "due 2025" in result.output
    as_json = runner.invoke(cli, ["mandates", "--from", sample, "--reporting", "--json"])
    data = json.loads(as_json.stdout)
    assert {d["citation"] for d in data} >= {"A/RES/78/228, OP33"}
    assert all(d["reporting"] for d in data)
    as_csv = runner.invoke(
        cli, ["mandates", "--from", sample, "--body", "General Assembly", "--csv"]
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["citation"] for r in rows] == ["A/RES/78/228, OP33"]
    assert runner.invoke(cli, ["mandates", "--from", sample, "--json", "--csv"]).exit_code != 0


def test_cli_on_an_empty_store_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "store"), "mandates"])
    assert result.exit_code == 1
    assert "store is empty" in result.output


def test_cli_reads_a_given_table_file(tmp_path: Path) -> None:
    db = tmp_path / "m.sqlite3"
    _sample_table(db).close()
    result = CliRunner().invoke(cli, ["mandates", "--db", str(db), "--body", "CCPCJ"])
    assert result.exit_code == 0, result.output
    assert "Executive Director of UNODC" in result.output and "[A/RES/79/186, OP1]" in result.output


class _HashEmbedder:
    """Deterministic vectors seeded by SHA-256: the mandate table needs stored text, not meaning."""

    name = "all-MiniLM-L6-v2"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import hashlib

        return [[b / 255 for b in hashlib.sha256(t.encode()).digest()[:8]] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_cli_derives_the_table_from_the_store_and_follows_it(corpus: Path, tmp_path: Path) -> None:
    from ingest.pipeline import Ingestor
    from ingest.store import open_local_store

    store_dir = tmp_path / "store"
    store = open_local_store(store_dir, "resbot", "all-MiniLM-L6-v2")
    seed = next((corpus / "seed").glob("*.txt"))
    assert Ingestor(store, _HashEmbedder()).ingest([seed]).ok
    result = CliRunner().invoke(
        cli, ["--store", str(store_dir), "mandates", "--actor", "UNODC", "--reporting", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert any(r["anchor"].endswith("#OP12") for r in rows)
    # A second resolution ingested later shows up without any explicit rebuild.
    xml = corpus / "ecosoc-akn" / "2024" / "E_RES_2024_12-2414120E.xml"
    assert Ingestor(store, _HashEmbedder()).ingest([xml]).ok
    result = CliRunner().invoke(
        cli, ["--store", str(store_dir), "mandates", "--actor", "UNODC", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert any(r["anchor"].startswith("E/RES/2024/12#") for r in json.loads(result.output))


# -- gold set ---------------------------------------------------------------------
def test_gold_set_is_well_formed() -> None:
    rows = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    docs = [r for r in rows if r["type"] == "doc"]
    mandates = [r for r in rows if r["type"] == "mandate"]
    assert len(docs) >= 20 and len(mandates) >= 40
    symbols = {d["symbol"] for d in docs}
    assert all(m["symbol"] in symbols for m in mandates)
    for m in mandates:
        assert m["verb"] and m["actors"] and m["quote"]
        assert (m["due_session"] is None) == (m["due_body"] is None)


def test_gold_sample_scores(corpus: Path) -> None:
    """A few gold documents, scored through the real parser: quotes match, extraction holds."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("mandate_score", GOLD.with_name("score.py"))
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    check_quotes, load_gold, pair, predicted, score = (
        mod.check_quotes,
        mod.load_gold,
        mod.pair,
        mod.predicted,
        mod.score,
    )

    docs, gold = load_gold(GOLD)
    pick = {s: docs[s] for s in ("A/RES/79/186", "A/RES/79/242", "E/RES/2022/4", "A/RES/79/96")}
    gold = [g for g in gold if g["symbol"] in pick]
    pred, texts, problems = predicted(corpus, pick)
    assert problems == [] and check_quotes(gold, texts) == []
    figures = score(pair(gold, pred))
    assert figures["reporting"]["recall"] >= 0.9 and figures["reporting"]["precision"] >= 0.9
    assert figures["due_year"]["precision"] == 1.0


def test_sqlite_narrows_by_actor_without_changing_any_answer(corpus: Path, tmp_path: Path) -> None:
    """SQLite picks rows by actor before decoding them; every actor must get exactly what the
    full scan in memory gets, officials of an entity included."""
    from ingest.parsers.akn import parse_akn_file

    files = sorted((corpus / "ga-akn").rglob("*.xml"))[:25]
    if not files:
        pytest.skip("no GA AKN files in the corpus")
    on_disk = MandateTable.open(tmp_path / "m.sqlite3")
    in_memory = MandateTable.open()
    for path in files:
        for resolution in parse_akn_file(path):
            on_disk.add(resolution)
            in_memory.add(resolution)
    assert len(on_disk) == len(in_memory) > 50
    actors = {a for m in in_memory.all() for a in m.actors}
    asked = sorted(actors) + ["UNODC", "the Secretary-General", "all States", "WHO"]
    for actor in asked:
        for reporting in (None, True):
            expected = [m.key for m in in_memory.query(actor=actor, reporting=reporting)]
            assert [m.key for m in on_disk.query(actor=actor, reporting=reporting)] == expected
    assert on_disk.query(actor="Secretary-General")


def test_a_table_written_before_the_actor_index_gets_it_on_opening(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "m.sqlite3"
    table = _sample_table(db)
    expected = [m.key for m in table.query(actor="UNODC")]
    assert expected
    table.close()
    with sqlite3.connect(db) as raw:  # as an older resbot left it: no actor rows
        raw.execute("DELETE FROM mandate_actors")
    reopened = MandateTable.open(db)
    assert [m.key for m in reopened.query(actor="UNODC")] == expected
    assert [m.key for m in reopened.query(actor="Secretary-General", reporting=True)]
