"""`resbot ask`, `chat`, `show`, `ingest`, `stats` and `parse` through click's CliRunner.

Each `ask`, `chat` and `ingest` run builds its own embedder from settings (as a user's run
does), so this file loads the model three times; everything else goes through the library
tests with the shared fixture.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli

pytestmark = pytest.mark.model

SEED_CITE = "ccpcj-2018-trafficking-in-persons-rev-draft, OP12"
GOOD = """United Nations                                                A/RES/98/2

General Assembly

Distr.: General
2 December 2043

Ninety-eighth session
Agenda item 9

Resolution adopted by the General Assembly on 2 December 2043

98/2. Safety of lighthouse keepers

The General Assembly,

Recalling its resolution 98/1 on the maintenance of lighthouses,

1. Requests the Secretary-General to report on the safety of lighthouse keepers at its ninety-ninth session;

2. Decides to remain seized of the matter.
"""


def run(*args: str, input: str | None = None) -> Result:  # noqa: A002 (click's name)
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def store_dir(small_store: tuple[Any, Any]) -> str:
    return str(small_store[0].store_path)


# -- ask and chat -------------------------------------------------------------------
def test_ask_json(store_dir: str) -> None:
    result = run("--store", store_dir, "ask", "What does 79/154 say about sex tourism?", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert set(out) == {"question", "answer", "answerable", "citations", "retrieved"}
    assert out["question"] == "What does 79/154 say about sex tourism?"
    assert out["answerable"] is True
    assert out["citations"]
    for c in out["citations"]:
        assert set(c) == {"source", "symbol", "paragraph", "text"}
        assert c["symbol"] == "A/RES/79/154"
        assert f"[A/RES/79/154, {c['paragraph']}]" in out["answer"]
    assert "sex tourism" in out["answer"]
    assert out["retrieved"]
    for r in out["retrieved"]:
        assert {"source", "symbol", "paragraph", "score"} <= set(r)


def test_ask_empty_question_is_one_clear_error(store_dir: str) -> None:
    result = run("--store", store_dir, "ask", "  ")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: the question is empty"
    assert "Traceback" not in result.output


def test_chat_scripted(store_dir: str) -> None:
    script = (
        "What does UNODC have to report?\n"
        "and by when?\n"
        "/sources\n"
        "/reset\n"
        "/sources\n"
        "quit\n"
        "What does 79/154 say about sex tourism?\n"  # after quit: never answered
    )
    result = run("--store", store_dir, "chat", input=script)
    assert result.exit_code == 0, result.output
    out = result.stdout
    # Two answers, each echoed and cited.
    assert out.count("? ") >= 2
    first, _, rest = out.partition("? and by when?")
    assert first.startswith("? What does UNODC have to report?")
    assert SEED_CITE in first and "Sources:" in first
    answer2, _, after = rest.partition("(conversation reset)")
    assert "twenty-eighth session" in answer2
    assert SEED_CITE in answer2
    # /sources prints the full text of the last citation with its file.
    assert f"{SEED_CITE}  [ccpcj-2018-trafficking-in-persons-rev-draft.txt]" in answer2
    assert (
        "Requests the United Nations Office on Drugs and Crime to inform the Commission, at its "
        "twenty-eighth session, within existing reporting obligations, about the implementation "
        "of the present resolution;"
    ) in answer2
    # After /reset there is nothing to show; nothing after quit is read.
    assert "(no sources yet)" in after
    assert "sex tourism" not in out


# -- show, stats, parse: no model needed --------------------------------------------
def test_show_paragraph_with_footnotes(store_dir: str) -> None:
    result = run("--store", store_dir, "show", "A/RES/79/154", "OP14")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "A/RES/79/154, OP14  [A_RES_79_154-2424145E.xml]"
    assert lines[1].startswith("Recalls the basic principles on the right to an effective remedy")
    assert "  [1] A/69/269, annex." in lines


def test_show_seed_paragraph_by_file_name_and_short_label(store_dir: str) -> None:
    result = run(
        "show", "ccpcj-2018-trafficking-in-persons-rev-draft", "op12", "--store", store_dir
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(SEED_CITE)
    assert "twenty-eighth session" in result.stdout


def test_show_unknown_paragraph_fails_cleanly(store_dir: str) -> None:
    result = run("--store", store_dir, "show", "A/RES/79/154", "OP999")
    assert result.exit_code == 1
    assert "error: no paragraph A/RES/79/154 OP999" in result.stderr


def test_stats(store_dir: str) -> None:
    result = run("--store", store_dir, "stats", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["documents"] == 4
    assert summary["paragraphs"] > 100
    assert summary["formats"] == {"akn": 3, "text": 1}
    assert summary["bodies"]["Economic and Social Council"] == 2
    plain = run("--store", store_dir, "stats")
    assert plain.exit_code == 0
    assert f"documents: 4  paragraphs: {summary['paragraphs']}" in plain.stdout


def test_parse_json(corpus: Path) -> None:
    path = corpus / "ecosoc-akn/2021/E_RES_2021_25-2110321E.xml"
    result = run("parse", str(path), "--json")
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert len(docs) == 1
    doc = docs[0]
    assert {"symbol", "title", "body", "date", "source", "format", "paragraphs"} <= set(doc)
    assert doc["symbol"] == "E/RES/2021/25"
    assert doc["body"] == "Economic and Social Council"
    assert doc["source"] == path.name and doc["format"] == "akn"
    assert doc["date"] and len(doc["date"]) == 10
    for p in doc["paragraphs"]:
        assert {"label", "kind", "text", "footnotes", "verb"} <= set(p)
    by_label = {p["label"]: p for p in doc["paragraphs"]}
    op12 = by_label["OP12"]
    assert op12["kind"] == "operative" and op12["verb"] == "Requests"
    assert op12["text"].startswith("Requests the United Nations Office on Drugs and Crime")
    assert any(p["footnotes"] for p in doc["paragraphs"])


# -- ingest with bad files ---------------------------------------------------------------
def test_ingest_folder_with_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "A_RES_98_2.txt").write_text(GOOD, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "random.pdf").write_bytes(os.urandom(3000))
    (folder / "notes.xyz").write_text("not a resolution", encoding="utf-8")
    store = str(tmp_path / "store")

    first = run("--store", store, "ingest", str(folder))
    assert first.exit_code == 1
    errors = [line for line in first.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, first.stderr
    assert any("empty.txt" in e and "empty file" in e for e in errors)
    assert any("random.pdf" in e and "PDF" in e for e in errors)
    notes = [line for line in first.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and "notes.xyz" in notes[0] and ".xyz" in notes[0]
    assert "A_RES_98_2.txt" not in first.stderr
    assert "Traceback" not in first.output
    assert "3 files (0 unchanged, 2 failed), 1 resolutions" in first.stdout

    shown = run("--store", store, "show", "A/RES/98/2", "OP1")
    assert shown.exit_code == 0, shown.output
    assert "Requests the Secretary-General to report on the safety of lighthouse keepers" in (
        shown.stdout
    )

    again = run("--store", store, "ingest", str(folder), "--json")
    assert again.exit_code == 1  # the bad files are still bad
    report = json.loads(again.stdout)
    assert report["files_unchanged"] == 1
    assert report["added"] == report["updated"] == report["deleted"] == report["embedded"] == 0
    assert [Path(f["path"]).name for f in report["failures"]] == ["empty.txt", "random.pdf"]

    good_only = run("--store", store, "ingest", str(folder / "A_RES_98_2.txt"))
    assert good_only.exit_code == 0, good_only.output
    assert "1 files (1 unchanged, 0 failed)" in good_only.stdout
    assert "0 added, 0 updated" in good_only.stdout
