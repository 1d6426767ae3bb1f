"""The CLI with hostile documents and names: nothing reaches the terminal that drives it."""

from __future__ import annotations

import json
from pathlib import Path

import hostile_files as H
import pytest
from click.testing import CliRunner, Result

from bot.cli import cli

pytestmark = pytest.mark.model

CONTROLS = ("\x1b", "\x07", "\x08", "\r", "\u202e", "\u2066", "\x9b")
NASTY = H.text_good("A/RES/99/31", "harbours").replace(
    "Decides to keep harbours",
    "Decides\x1b]0;pwned\x07 to keep\x08\x08 \u202eharbours\u202c \x1b[2J\x9b31m harbours",
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Result]:
    folder = tmp_path_factory.mktemp("in")
    H.write(folder, "nasty.txt", NASTY)
    H.write(folder, "bad\nerror: fake line \u202etxt.pdf", b"%PDF-1.4 no end")
    store = str(tmp_path_factory.mktemp("store"))
    return store, run("--store", store, "ingest", str(folder))


def test_bad_file_named_once_on_one_escaped_line(ingested: tuple[str, Result]) -> None:
    _, result = ingested
    assert result.exit_code == 1
    lines = [ln for ln in result.stderr.splitlines() if "bad" in ln]
    assert len(lines) == 1
    assert lines[0].startswith("error: ") and "bad\\nerror: fake line \\u202etxt.pdf" in lines[0]
    assert not any(ln.startswith("error: fake line") for ln in result.stderr.splitlines())


def test_show_and_ask_print_no_control_characters(ingested: tuple[str, Result]) -> None:
    store, _ = ingested
    shown = run("--store", store, "show", "A/RES/99/31", "OP1")
    assert shown.exit_code == 0 and "harbours" in shown.stdout
    asked = run("--store", store, "ask", "What does A/RES/99/31 decide about harbours?")
    as_json = run("--store", store, "ask", "What does A/RES/99/31 decide about harbours?", "--json")
    json.loads(as_json.stdout)
    for out in (shown.stdout, asked.stdout, as_json.stdout):
        for bad in CONTROLS:
            assert bad not in out, (bad, out)


def test_show_without_a_symbol_is_an_error(ingested: tuple[str, Result]) -> None:
    store, _ = ingested
    result = run("--store", store, "show", "", "OP1")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: no document symbol given")


def test_ask_json_prints_an_object_for_a_refused_question(
    ingested: tuple[str, Result], tmp_path: Path
) -> None:
    store, _ = ingested
    result = run("--store", store, "ask", "   ", "--json")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["error"] == "the question is empty" and out["citations"] == []
