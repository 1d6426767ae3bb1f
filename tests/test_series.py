"""Series: normalisation, citations, alignment and diff statuses, lineage, routing, CLI, Slack."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.series.citations import citations_in
from bot.series.diff import diff_resolutions
from bot.series.normalise import comparison_text
from bot.series.route import SeriesRouter
from bot.series.service import SeriesService
from bot.slack.blocks import BLOCK_LIMIT, SECTION_LIMIT, render_answer
from ingest.model import Paragraph, Resolution
from ingest.parsers import parse_file

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "corpus"
GA = SAMPLES / "A_RES_78_228-2325978E.xml"
ECOSOC = SAMPLES / "E_RES_2023_8_E.xml"  # UNICRI: unrelated to 78/228 (trafficking)

FILLER = [
    "Reaffirming the commitment of Member States to the purposes and principles of the Charter",
    "Noting with concern the persistent shortage of resources for technical assistance in the region",
    "Welcoming the work of the regional commissions on statistics and data collection for policy",
    "Recognizing the contribution of civil society organizations to the monitoring of implementation",
]
OPS = [
    "Urges Member States to strengthen cooperation on the prevention of trafficking in persons",
    "Calls upon Governments to provide assistance and protection to victims of trafficking",
    "Encourages the United Nations Office on Drugs and Crime to continue its technical assistance",
    "Invites donors to contribute to the voluntary trust fund for victims of trafficking in persons",
]


def doc(symbol: str, pps: list[str], ops: list[str], title: str = "Trafficking in persons",
        agenda: str | None = "27: Advancement of women", date: str = "2024-12-17") -> Resolution:  # fmt: skip
    paras = [Paragraph(f"PP{i}", "preambular", t) for i, t in enumerate(pps, 1)]
    paras += [Paragraph(f"OP{i}", "operative", t) for i, t in enumerate(ops, 1)]
    return Resolution(symbol, title, "General Assembly", f"{symbol}.xml", "akn", paras,
                      date=date, agenda_item=agenda)  # fmt: skip


def statuses(old: Resolution, new: Resolution) -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    return diff_resolutions(old, new).paragraph_status()


def test_normalisation_sets_aside_yearly_numbers() -> None:
    a = "12. Requests the Secretary-General to report at its seventy-ninth session, recalling its resolution 77/194 of 15 December 2022;1"
    b = "14. Requests the Secretary-General to report at its eighty-first session, recalling its resolution 79/154 of 17 December 2024;"
    assert comparison_text(a) == comparison_text(b)
    assert comparison_text("the first session of the Forum") != comparison_text("the Forum")


def test_citations_attributed_to_the_right_body() -> None:
    got = citations_in(
        "Recalling its resolutions 75/100 and 77/194, Economic and Social Council resolution "
        "2021/25 and Human Rights Council resolution 52/2, and CTOC/COP/2020/10, sect. I, resolution 10/1",
        "PP1",
    )
    assert [c.symbol for c in got] == ["A/RES/75/100", "A/RES/77/194", "E/RES/2021/25"]


def test_text_with_itself_is_all_unchanged() -> None:
    res = parse_file(GA)[0]
    diff = diff_resolutions(res, res)
    body = [p for p in res.paragraphs if p.label != "HEADER"]
    assert len(diff.entries) == len(body)
    assert {e.status for e in diff.entries} == {"unchanged"}


def test_unrelated_texts_are_all_new_and_dropped() -> None:
    old, new = parse_file(ECOSOC)[0], parse_file(GA)[0]
    counts = diff_resolutions(old, new).counts()["total"]
    assert counts["unchanged"] == counts["amended"] == counts["moved"] == 0
    assert counts["new"] == len([p for p in new.paragraphs if p.label != "HEADER"])
    assert counts["dropped"] == len([p for p in old.paragraphs if p.label != "HEADER"])


def test_insertion_shifts_numbering_without_changing_status() -> None:
    inserted = (
        "Decides to convene a high-level meeting on the protection of migrant workers in 2026"
    )
    old = doc("A/RES/77/1", FILLER, OPS, date="2022-12-15")
    new = doc("A/RES/79/1", FILLER, [OPS[0], inserted, *OPS[1:]])
    st = statuses(old, new)
    assert st[("new", "OP2")] == ("new", frozenset())
    assert st[("new", "OP3")] == ("unchanged", frozenset({"OP2"}))
    assert st[("new", "OP5")] == ("unchanged", frozenset({"OP4"}))


def test_amended_paragraph_lists_inserted_and_deleted_words() -> None:
    old = doc("A/RES/77/1", FILLER, OPS)
    new = doc("A/RES/79/1", FILLER, [OPS[0].replace("strengthen", "further strengthen"), *OPS[1:]])
    entry = diff_resolutions(old, new).entries[len(FILLER)]
    assert (entry.status, entry.old_label, entry.new_label) == ("amended", "OP1", "OP1")
    assert entry.inserted == ["further"]
    assert entry.deleted == []


def test_split_merge_and_move_from_preamble_to_operative_part() -> None:
    merged = OPS[1] + " and " + OPS[2][0].lower() + OPS[2][1:]
    old = doc("A/RES/77/1", FILLER, OPS)
    new = doc("A/RES/79/1", FILLER[:3], [OPS[0], merged, OPS[3], "Also recognizes the contribution of civil society organizations to the monitoring of implementation"])  # fmt: skip
    st = statuses(old, new)
    assert st[("new", "OP2")] == ("amended", frozenset({"OP2", "OP3"}))
    assert st[("old", "OP3")] == ("amended", frozenset({"OP2"}))
    assert st[("old", "PP4")] == ("moved", frozenset({"OP4"}))
    # ... and the other way round: the merged text split again.
    back = statuses(new, old)
    assert back[("old", "OP2")] == ("amended", frozenset({"OP2", "OP3"}))


def test_near_duplicates_keep_their_order() -> None:
    dup = "Urges Member States to strengthen cooperation on the prevention of trafficking in women"
    old = doc("A/RES/77/1", FILLER, [OPS[0], OPS[1], dup, OPS[3]])
    new = doc("A/RES/79/1", FILLER, [OPS[1], dup, OPS[3]])
    st = statuses(old, new)
    assert st[("old", "OP1")] == ("dropped", frozenset())
    assert st[("new", "OP2")] == ("unchanged", frozenset({"OP3"}))


def _service() -> SeriesService:
    return SeriesService.from_resolutions(
        [
            doc("A/RES/77/5", FILLER, OPS, date="2022-12-15"),
            doc(
                "A/RES/79/5",
                [*FILLER, "Recalling its resolution 77/5 of 15 December 2022"],
                [
                    OPS[0],
                    "Requests the Secretary-General to submit a report on trafficking in persons",
                    *OPS[1:],
                ],
            ),  # fmt: skip
            # Same title, nothing else in common: not a predecessor.
            doc(
                "A/RES/78/9",
                ["Noting the report on fisheries"],
                ["Decides to hold a meeting on oceans"],
                title="Trafficking in persons",
                agenda="70: Oceans",
                date="2023-12-01",
            ),  # fmt: skip
            doc(
                "A/RES/79/8",
                ["Noting the report on oceans"],
                ["Decides to hold a meeting"],
                title="Sustainable fisheries",
                agenda="70: Oceans",
            ),  # fmt: skip
        ]
    )


def test_predecessor_needs_more_than_the_title() -> None:
    lin = _service().table.lineage("A/RES/79/5")
    assert lin.predecessor is not None and lin.predecessor.symbol == "A/RES/77/5"
    assert lin.periodicity == "biennial"
    assert [m.symbol for m in lin.series] == ["A/RES/77/5", "A/RES/79/5"]
    assert _service().table.predecessor("A/RES/78/9") is None


def test_router_answers_series_questions_with_both_texts_cited() -> None:
    router = SeriesRouter(_service())
    a = router.maybe_answer("What is new in 79/5 compared with the last resolution?", [])
    assert a is not None and a.answerable and a.mode == "series"
    assert {c.symbol for c in a.citations} == {"A/RES/79/5"}  # only new paragraphs
    a = router.maybe_answer("Which paragraphs of A/RES/79/5 were amended?", [])
    assert a is not None and "A/RES/77/5" in a.text
    a = router.maybe_answer("Which resolutions recall 77/5?", [])
    assert a is not None and [c.display for c in a.citations] == ["A/RES/79/5, PP5"]
    declined = router.maybe_answer("What changed in 79/8?", [])
    assert declined is not None and not declined.answerable


def test_router_leaves_ordinary_questions_alone() -> None:
    router = SeriesRouter(_service())
    for q in (
        "What does 79/5 say about victims?",
        "What is new in the fight against trafficking?",
        "Which resolutions deal with trafficking in persons?",
        "Who must report on trafficking to the General Assembly?",
    ):
        assert router.maybe_answer(q, []) is None, q


def test_slack_diff_answer_within_limits() -> None:
    router = SeriesRouter(_service())
    a = router.maybe_answer("What changed in A/RES/79/5?", [])
    assert a is not None
    rendered = render_answer(a, feedback_id="x")
    assert len(rendered.blocks) <= BLOCK_LIMIT
    texts = [b["text"]["text"] for b in rendered.blocks if b.get("type") == "section"]
    assert all(len(t) <= SECTION_LIMIT for t in texts)
    assert "https://undocs.org/en/A/RES/77/5" in texts[0] and "2 new" in texts[0]
    assert texts[1].startswith("*new*")


def test_cli_diff_files_and_lineage_from_files(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["diff", str(GA), str(GA), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {e["status"] for e in data["entries"]} == {"unchanged"}
    assert {"status", "old_label", "new_label"} <= set(data["entries"][0])
    md = runner.invoke(cli, ["diff", str(ECOSOC), str(GA), "--markdown"])
    assert md.exit_code == 0 and "## new: - -> A/RES/78/228, PP1" in md.output
    lin = runner.invoke(cli, ["lineage", "A/RES/78/228", "--from", str(SAMPLES), "--json"])
    assert lin.exit_code == 0, lin.output
    assert json.loads(lin.output)["predecessor"] is None
    missing = runner.invoke(cli, ["diff", "A/RES/78/228", "--from", str(SAMPLES)])
    assert missing.exit_code == 1 and "no predecessor" in missing.output
