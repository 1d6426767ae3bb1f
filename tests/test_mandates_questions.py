"""Obligation questions: routed by their structure, restricted to the resolutions they name,
answered with at most twelve citations and the command that lists the rest; and the new
`resbot mandates` filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.mandates.questions import (
    MAX_CITATIONS,
    answer_mandate_question,
    command_for,
    is_mandate_question,
)
from bot.mandates.table import MandateTable
from ingest.model import Paragraph, Resolution


def _res(n: int, ops: list[str]) -> Resolution:
    return Resolution(
        symbol=f"A/RES/79/{n}", title=f"Resolution {n}", body="General Assembly", source="t.xml",
        format="akn", paragraphs=[Paragraph(f"OP{i}", "operative", t) for i, t in enumerate(ops, 1)],
        date="2024-12-17", session="Seventy-ninth session",
    )  # fmt: skip


REPORT = (
    "Requests the United Nations Office on Drugs and Crime to report to the Commission on Crime "
    "Prevention and Criminal Justice at its thirty-fourth session on the implementation of the "
    "present resolution;"
)
INFO = (
    "Invites Member States to provide the United Nations Office on Drugs and Crime with "
    "information on trafficking;"
)


@pytest.fixture
def table() -> MandateTable:
    t = MandateTable()
    for n in range(1, 21):
        t.add(_res(n, [REPORT, INFO]))
    return t


@pytest.mark.parametrize(
    "question",
    [
        "What does UNODC have to report, to whom and when?",
        "Which reports are due at the eighty-second session?",
        "What are Member States asked to submit to the Commission?",
        "What is the President of the General Assembly asked to do?",
    ],
)
def test_obligation_questions_are_routed(question: str) -> None:
    assert is_mandate_question(question) is not None


@pytest.mark.parametrize(
    "question",
    [
        # one word of reporting vocabulary is not an obligation question
        "What did the report of the Secretary-General say about UNODC?",
        "Summarize the reporting on trafficking in persons by UNODC.",
        "Who briefed the Commission on corruption?",
    ],
)
def test_a_reporting_word_alone_does_not_route(question: str) -> None:
    assert is_mandate_question(question) is None


def test_no_answer_carries_more_than_twelve_citations(table: MandateTable) -> None:
    answer = answer_mandate_question("What does UNODC have to report?", table)
    assert answer is not None
    assert len(answer.citations) == MAX_CITATIONS
    cited = {f"{c.symbol}, {c.label}" for c in answer.citations}
    assert all(f"[{c}]" in answer.text for c in cited)  # every line cited, every citation shown
    assert "… and 8 more paragraphs" in answer.text
    assert "resbot mandates --actor UNODC --reporting" in answer.text
    # grouped by recipient: the question is what UNODC reports, to whom
    assert "CCPCJ:" in answer.text


def test_a_question_naming_several_resolutions_is_kept_to_them(table: MandateTable) -> None:
    answer = answer_mandate_question(
        "What do A/RES/79/3 and A/RES/79/4 ask Member States to provide?", table
    )
    assert answer is not None
    assert {c.symbol for c in answer.citations} == {"A/RES/79/3", "A/RES/79/4"}
    query = is_mandate_question("What do A/RES/79/3 and A/RES/79/4 ask Member States to provide?")
    assert query is not None and "--doc A/RES/79/3" in command_for(query)


def test_cli_filters_and_json_fields(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "r.txt").write_text(
        "United Nations A/RES/79/7\n\nGeneral Assembly\n\nResolution adopted by the General "
        "Assembly on 17 December 2024\n\n79/7. Test\n\nThe General Assembly,\n\n"
        f"1. {REPORT}\n\n2. {INFO}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    out = runner.invoke(cli, ["mandates", "--from", str(folder), "--recipient", "UNODC", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [r["label"] for r in rows] == ["OP2"]
    for key in ("assignee_types", "deliverable", "deliverable_type", "frequency_implied",
                "within_existing_resources", "review_or_end", "due_text", "actors_text"):  # fmt: skip
        assert key in rows[0]
    out = runner.invoke(
        cli, ["mandates", "--from", str(folder), "--deliverable", "information/data", "--json"]
    )
    assert [r["label"] for r in json.loads(out.output)] == ["OP2"]
    out = runner.invoke(cli, ["mandates", "--from", str(folder), "--frequency", "annual", "--json"])
    assert json.loads(out.output) == []
