"""Resolutions in parts and nothing dropped: one small synthetic AKN file per shape, the
completeness check itself, the part labels downstream, and parsing that stays linear."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from bot.answer.types import Retrieved
from bot.answer.verify import verify
from bot.symbols import normalise_label
from ingest import completeness
from ingest.model import Paragraph, Resolution, is_valid_label
from ingest.parsers.akn import parse_akn_bytes

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
 <statement name="resolution">
  <coverPage><p><docNumber refersTo="#symbol">A/RES/85/{n}</docNumber></p></coverPage>
  <preface><p><docTitle>Synthetic</docTitle></p></preface>
"""
_TAIL = """ </statement>
</akomaNtoso>
"""


def _parse(body: str, n: int = 1) -> Resolution:
    [res] = parse_akn_bytes((_HEAD.format(n=n) + body + _TAIL).encode(), f"A_RES_85_{n}.xml")
    assert res.completeness is not None
    assert res.completeness.lost == [], res.completeness.lost
    return res


def _pp(verb: str, rest: str) -> str:
    return f'<container name="{verb}"><p><span class="italic">{verb}</span> {rest},</p></container>'


def _op(num: int | None, verb: str, rest: str, cls: str = "SingleTxt") -> str:
    n = f"<num>{num}.</num>" if num is not None else ""
    return (
        f'<paragraph class="{cls}">{n}<content><p><span class="italic">{verb}</span> '
        f"{rest};</p></content></paragraph>"
    )


def _heading(text: str) -> str:
    return f'<paragraph class="H23"><content><p>{text}</p></content></paragraph>'


def _cross(verb: str, rest: str) -> str:
    return f'<crossHeading><span class="italic">{verb}</span> {rest},</crossHeading>'


def _labels(res: Resolution) -> list[str]:
    return [p.label for p in res.paragraphs]


# ---------------------------------------------------------------- shapes


def test_several_preamble_body_pairs_keep_every_paragraph() -> None:
    """The mark-up may split a long preamble by a body: the split-off body is preambular,
    and the body after the second preamble is the operative part."""
    res = _parse(
        "<preamble>"
        + _pp("Recalling", "its resolutions on fisheries")
        + "</preamble><mainBody>"
        + _op(None, "Calling attention also", "to the role of small-scale fisheries")
        + "</mainBody><preamble>"
        + _pp("Noting", "the need to address the role of women")
        + "</preamble><mainBody>"
        + _op(1, "Reaffirms", "the importance of sustainable fisheries")
        + _op(2, "Calls upon", "all States to act")
        + "</mainBody>"
    )
    assert _labels(res) == ["HEADER", "PP1", "PP2", "PP3", "OP1", "OP2"]
    by = {p.label: p for p in res.paragraphs}
    assert by["PP2"].kind == "preambular"
    assert by["PP2"].text.startswith("Calling attention also")
    assert by["PP3"].text.startswith("Noting the need")


def test_parts_with_restarting_numbers_are_labelled_per_part() -> None:
    """The omnibus shape: sections I, II, III, each a preamble and operative paragraphs
    numbered from 1."""
    parts = [
        ("I", "Enterprise resource planning", 2),
        ("II", "Subvention to the Residual Special Court", 3),
        ("III", "Contingency fund", 1),
    ]
    body = ""
    for key, title, n_ops in parts:
        body += _heading(key) + _heading(title) + _cross("Recalling", f"its decisions on {title}")
        body += "".join(_op(i, "Requests", f"action {i} on {title}") for i in range(1, n_ops + 1))
    res = _parse("<preamble>" + _pp("Having considered", "the reports") + "</preamble>"
                 + f"<mainBody>{body}</mainBody>")  # fmt: skip
    assert _labels(res) == [
        "HEADER", "PP1",
        "I-PP1", "I-OP1", "I-OP2",
        "II-PP1", "II-OP1", "II-OP2", "II-OP3",
        "III-PP1", "III-OP1",
    ]  # fmt: skip
    by = {p.label: p for p in res.paragraphs}
    assert by["II-OP3"].section == "II. Subvention to the Residual Special Court"
    assert by["II-OP3"].text == "Requests action 3 on Subvention to the Residual Special Court;"
    assert by["PP1"].section is None
    assert all(is_valid_label(lab) for lab in _labels(res))


def test_lettered_parts_within_one_text_are_labelled_by_letter() -> None:
    body = ""
    for key in "AB":
        body += _heading(key) + _heading(f"Part {key} matters")
        body += _op(1, "Decides", f"to act on {key}") + _op(2, "Requests", f"a report on {key}")
    res = _parse(f"<preamble>{_pp('Recalling', 'its work')}</preamble><mainBody>{body}</mainBody>")
    assert _labels(res) == ["HEADER", "PP1", "A-OP1", "A-OP2", "B-OP1", "B-OP2"]
    assert res.paragraphs[-1].section == "B. Part B matters"


def test_parts_with_running_numbers_keep_printed_labels_and_sections() -> None:
    """Sustainable fisheries: sections I, II, but numbering runs on, so OPn as printed;
    a lettered sub-section under a Roman part is part of the section."""
    body = (
        _heading("I")
        + _heading("Achieving sustainable fisheries")
        + _op(1, "Reaffirms", "the Convention")
        + _heading("II")
        + _heading("Illegal fishing")
        + _heading("A")
        + _heading("Port State measures")
        + _op(2, "Urges", "States to inspect vessels")
        + _op(3, "Calls upon", "States to share data")
    )
    res = _parse(f"<preamble>{_pp('Recalling', 'its work')}</preamble><mainBody>{body}</mainBody>")
    assert _labels(res) == ["HEADER", "PP1", "OP1", "OP2", "OP3"]
    by = {p.label: p for p in res.paragraphs}
    assert by["OP1"].section == "I. Achieving sustainable fisheries"
    assert by["OP3"].section == "II. Illegal fishing / A. Port State measures"


def test_tables_lists_quotes_and_annex_parts_are_all_kept() -> None:
    body = (
        _op(1, "Decides", "to request an advisory opinion on the following question")
        + "<paragraph><content><p>\u201c(a) What are the obligations of States?\u201d</p>"
        "</content></paragraph>" + "<paragraph><num>2.</num><content><p>Adopts the scale:</p>"
        "<table><tr><td><p>Member State</p></td><td><p>Rate</p></td></tr>"
        "<tr><td><p>Ruritania</p></td><td><p>0.001</p></td></tr></table></content></paragraph>"
        + "<paragraph><num>3.</num><list><intro><p>Invites:</p></intro>"
        "<point><num>(a)</num><content><p>States;</p></content></point>"
        "<point><num>(b)</num><content><p>Agencies;</p></content></point></list></paragraph>"
    )
    annex = (
        "<attachments><attachment><doc name=\"annex\"><mainBody>"
        + _heading("Annex")
        + _heading("Declaration on clean seas")
        + _heading("I")
        + _heading("Principles")
        + '<paragraph><num>1.</num><content><p>Seas shall be clean.</p></content></paragraph>'
        + _heading("II")
        + _heading("Follow-up")
        + '<paragraph><num>1.</num><content><p>States shall report.</p></content></paragraph>'
        + "</mainBody></doc></attachment></attachments>"
    )  # fmt: skip
    res = _parse(
        f"<preamble>{_pp('Recalling', 'its work')}"
        "<blockList><item><p>An unusual preambular list item</p></item></blockList></preamble>"
        f"<mainBody>{body}</mainBody>{annex}"
    )
    by = {p.label: p for p in res.paragraphs}
    assert "What are the obligations of States?" in by["OP1"].text
    assert "Ruritania 0.001" in by["OP2"].text
    assert by["OP3"].text == "Invites: (a) States; (b) Agencies;"
    assert "An unusual preambular list item" in by["PP2"].text
    annex_paras = [p for p in res.paragraphs if p.kind == "annex"]
    assert [p.section for p in annex_paras][-1] == "II. Follow-up"
    # The heading also opens the text of the part's first paragraph, as before.
    assert annex_paras[-1].text == "II. Follow-up States shall report."


def test_five_digit_paragraph_numbers_are_numbers() -> None:
    body = _op(9999, "Decides", "to act") + _op(10000, "Requests", "a report")
    res = _parse(f"<mainBody>{body}</mainBody>")
    assert _labels(res)[-2:] == ["OP9999", "OP10000"]


# ---------------------------------------------------------------- the check itself


def test_completeness_names_what_was_lost() -> None:
    paras = [
        Paragraph("PP1", "preambular", "Recalling its resolution 84/1 on the seas,"),
        Paragraph("OP1", "operative", "Decides to act on the seas; and to report.", ["A note."]),
        Paragraph("OP2", "operative", "Requests a report.", section="II. Follow-up"),
    ]
    blocks = [
        "Recalling its resolution 84/1 on the seas,",
        "1. Decides to act on the seas;",  # a typed paragraph number does not count
        "A note.",
        "II. Follow-up",
        "Recalling its resolution",  # out of order: found through the index
        "Requests the seas to act on resolution",  # the words are there, not in this order
        "Plan of action for clean seas",
    ]
    c = completeness.check(blocks, paras)
    assert c.blocks == 7
    assert c.lost == ["Requests the seas to act on resolution", "Plan of action for clean seas"]
    assert 0 < c.share < 1
    line = c.warning("A/RES/85/9 (A_RES_85_9.txt)")
    assert line.startswith("A/RES/85/9 (A_RES_85_9.txt): 2 text blocks not placed in any paragraph")
    assert "\n" not in line


# ---------------------------------------------------------------- part labels downstream


def test_part_labels_are_valid_and_found_by_show_and_verify() -> None:
    for label in ("I-PP2", "III-OP4", "A-OP1", "ANNEX-II-OP3", "DRAFT2-OP1", "OP10000"):
        assert is_valid_label(label), label
    for label in ("IIII-OP1x", "I-XP1", "-OP1", "AB-OP1"):
        assert not is_valid_label(label), label
    assert normalise_label("iii-op4") == "III-OP4"
    assert normalise_label("ANNEX-OP1") == "ANNEX-OP1"
    assert normalise_label("operative paragraph 4") == "OP4"
    given = [
        Retrieved("A/RES/79/258", "A/RES/79/258", "II-OP3", "a.xml", "Requests ...;", 0.9),
        Retrieved("A/RES/79/258", "A/RES/79/258", "OP3", "a.xml", "Decides ...;", 0.8),
    ]
    out = verify("The Assembly requests it [A/RES/79/258, II-OP3].", given)
    assert [c.label for c in out.citations] == ["II-OP3"] and not out.removed


# ---------------------------------------------------------------- linear in the input


def _unnumbered(n: int) -> bytes:
    """One numbered paragraph followed by n unnumbered ones, each appended to the one before."""
    rest = "".join(
        f"<paragraph><content><p>and further considerations number {i} on the seas</p>"
        "</content></paragraph>"
        for i in range(n)
    )
    body = _op(1, "Decides", "to act") + rest
    return (_HEAD.format(n=3) + f"<mainBody>{body}</mainBody>" + _TAIL).encode()


def _text_work(run: Callable[[], Any]) -> int:
    """Characters of text handed to the parser's own functions: each call's str arguments.

    Re-copying a growing paragraph at each append shows up as a sum that grows with the
    square of the input; clock time is not measured.
    """
    total = 0
    ingest_dir = str(Path(completeness.__file__).parent)

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        nonlocal total
        if event == "call" and frame.f_code.co_filename.startswith(ingest_dir):
            for value in frame.f_locals.values():
                if isinstance(value, str):
                    total += len(value)

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return total


@pytest.mark.parametrize("small", [500])
def test_unnumbered_appends_are_linear(small: int) -> None:
    def parse(n: int) -> Callable[[], Any]:
        return lambda: parse_akn_bytes(_unnumbered(n), "A_RES_85_3.xml")

    [res] = parse_akn_bytes(_unnumbered(small * 4), "A_RES_85_3.xml")
    assert _labels(res) == ["HEADER", "OP1"]
    assert res.completeness is not None and res.completeness.lost == []
    ratio = _text_work(parse(small * 4)) / _text_work(parse(small))
    # Four times the input: linear work is about 4x; re-copying the paragraph is about 16x.
    assert ratio < 6, ratio
