"""Escaping, Block Kit rendering, guards and thread memory of the Slack app (no network)."""

from __future__ import annotations

import json
import re

import pytest

from bot.answer.types import Answer, Citation, Turn
from bot.slack.blocks import (
    BLOCK_LIMIT,
    QUOTE_CHARS,
    SECTION_LIMIT,
    best_quote,
    document_url,
    render_answer,
    split_text,
)
from bot.slack.escape import escape, to_plain, unescape
from bot.slack.guards import RateLimiter, SeenKeys, acquire
from bot.slack.memory import ThreadMemory, answer_metadata, turn_from_metadata


def _cite(symbol: str | None, label: str, text: str = "Requests the Secretary-General") -> Citation:
    return Citation(symbol or "file:x.pdf", symbol, label, "x.xml", text)


# -- escaping ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [
        "<!channel>",
        "<!here|here>",
        "<!everyone>",
        "<@U123>",
        "<@W123|bob>",
        "<#C123|general>",
        "<!subteam^S1|@team>",
        "<https://evil.example|undocs.org>",
        "<mailto:x@evil.example|press office>",
    ],
)
def test_escape_leaves_no_control_sequence(raw: str) -> None:
    out = escape(f"before {raw} after")
    assert "<" not in out and ">" not in out
    assert unescape(out) == f"before {raw} after"


def test_escape_ampersand_first_and_bare_broadcasts() -> None:
    assert escape("a &lt; b & c > d") == "a &amp;lt; b &amp; c &gt; d"
    out = escape("@channel, @Here and @everyone! but not email@here.org or @channels")
    assert not re.search(r"(?<![\w@])@(channel|here|everyone)\b", out, re.IGNORECASE)
    assert "email@here.org" in out and "@channels" in out
    assert unescape(out) == "@channel, @Here and @everyone! but not email@here.org or @channels"


def test_to_plain_resolves_slack_markup() -> None:
    text = "<@UBOT> what does &lt;E/RES/2021/25&gt; say &amp; <https://undocs.org/x|this> <#C1|general> <@U9|ann>?"
    assert to_plain(text, "UBOT") == "what does <E/RES/2021/25> say & this #general @ann?"
    assert to_plain("<@UBOT>", "UBOT") == ""
    assert to_plain("hi <!here>", None) == "hi @here"


# -- document links ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("symbol", "url"),
    [
        ("E/RES/2021/25", "https://undocs.org/en/E/RES/2021/25"),
        ("A/RES/79/154", "https://undocs.org/en/A/RES/79/154"),
        ("S/RES/242 (1967)", "https://undocs.org/en/S/RES/242%20%281967%29"),
        ("E/CN.15/2018/L.4/Rev.1", "https://undocs.org/en/E/CN.15/2018/L.4/Rev.1"),
        (None, None),
        ("no-slash-here", None),
        ("A/RES/1|<https://evil>", None),
    ],
)
def test_document_url(symbol: str | None, url: str | None) -> None:
    assert document_url(symbol) == url


# -- rendering -----------------------------------------------------------------------------------
def test_render_answer_with_sources_and_fallback() -> None:
    answer = Answer(
        "q",
        "UNODC is asked to report (E/RES/2021/25, OP12).",
        True,
        [
            _cite("E/RES/2021/25", "OP12"),
            _cite("S/RES/242 (1967)", "OP1"),
            _cite("E/RES/2021/25", "OP12"),
        ],
    )
    r = render_answer(answer, "f" * 32)
    assert [b["type"] for b in r.blocks] == [
        "section",
        "divider",
        "section",
        "section",
        "section",
        "actions",
    ]
    assert r.blocks[3]["text"]["text"].startswith(
        "*<https://undocs.org/en/E/RES/2021/25|E/RES/2021/25> · OP12*\n>"
    )
    assert "S/RES/242%20%281967%29|S/RES/242 (1967)" in r.blocks[4]["text"]["text"]
    assert r.text.endswith("Sources: E/RES/2021/25, OP12; S/RES/242 (1967), OP1")
    assert r.blocks[-1]["elements"][0]["value"] == "f" * 32


def test_render_decline_without_citations() -> None:
    r = render_answer(Answer("q", "The resolutions I have do not answer that.", False, []))
    assert [b["type"] for b in r.blocks] == ["section"]
    assert "Sources" not in r.text


def test_mandate_tables_use_their_compact_rendering() -> None:
    cite = Citation(
        "A/RES/79/154",
        "A/RES/79/154",
        "OP52",
        "x.xml",
        "Requests the Secretary-General to submit a report",
    )
    long_line = (
        "- requests: submit a report "
        + "with a very long task description " * 20
        + "[A/RES/79/154, OP52]"
    )
    answer = Answer(
        "q",
        "Mandates:\n" + long_line,
        True,
        [cite],
        mode="mandates",
        scope={"compact_text": "Mandates:\n- requests: submit a report [A/RES/79/154, OP52]"},
    )
    first = render_answer(answer).blocks[0]["text"]["text"]
    assert "very long task" not in first and "[A/RES/79/154, OP52]" in first


def test_render_citation_without_symbol_has_no_link() -> None:
    r = render_answer(Answer("q", "a", True, [_cite(None, "OP2")]))
    assert r.blocks[-1]["text"]["text"].startswith("*x.pdf · OP2*")
    assert "<" not in r.blocks[-1]["text"]["text"]


def test_render_respects_slack_limits() -> None:
    long_answer = ("Recalls & reaffirms <that> " * 3000).strip()  # ~80k chars, grows when escaped
    citations = [_cite(f"A/RES/79/{i}", f"OP{i}", "Long paragraph text " * 100) for i in range(120)]
    r = render_answer(Answer("q", long_answer, True, citations), "f" * 32)
    assert len(r.blocks) <= BLOCK_LIMIT
    for block in r.blocks:
        if "text" in block:
            assert len(block["text"]["text"]) <= SECTION_LIMIT
        for el in block.get("elements", []):
            if el.get("type") == "mrkdwn":
                assert len(el["text"]) <= SECTION_LIMIT
    assert r.blocks[-1]["type"] == "actions"  # the buttons survive the cut
    assert (
        r.blocks[-2]["type"] == "context"
        and "more: A/RES/79/" in r.blocks[-2]["elements"][0]["text"]
    )
    assert len(r.text) < 4000
    assert len(json.dumps(r.blocks)) < 60_000


def test_quote_is_the_part_of_a_long_paragraph_the_answer_rests_on() -> None:
    paragraph = (
        "Requests the United Nations Office on Drugs and Crime, within its mandate, in close "
        "consultation with relevant United Nations offices, to convene an intergovernmental "
        "expert group meeting, subject to the availability of extrabudgetary resources, to share "
        "good practices and case studies and identify gaps and challenges relating to children, "
        "with a view to developing principles and guidelines, and to report on the results of "
        "that meeting to the Commission on Crime Prevention and Criminal Justice at its session "
        "following the conclusion of the meeting;"
    )
    quote = best_quote(
        paragraph, "It reports to the Commission on Crime Prevention and Criminal Justice."
    )
    assert len(quote) <= QUOTE_CHARS and quote.startswith("…")
    assert "to report on the results of that meeting to the Commission" in quote
    assert best_quote(paragraph, "nothing shared").startswith("Requests the United Nations")
    assert best_quote("Short paragraph.", "x") == "Short paragraph."


def test_split_text_never_cuts_an_entity() -> None:
    text = escape("&" * 5000)
    pieces = split_text(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert all(re.fullmatch(r"(&amp;)+", p) for p in pieces)
    assert "".join(pieces) == text
    words = split_text("word " * 1000, 100)
    assert all(len(p) <= 100 for p in words) and " ".join(words).split() == ["word"] * 1000


# -- guards --------------------------------------------------------------------------------------
def test_seen_keys_expire_and_match_any_key() -> None:
    now = [0.0]
    seen = SeenKeys(ttl_s=10, clock=lambda: now[0])
    assert not seen.check_and_add("event:E1", "msg:C1:1")
    assert seen.check_and_add("event:E2", "msg:C1:1")  # same message, other event
    assert "event:E2" in seen
    now[0] = 11
    assert not seen.check_and_add("event:E1")


def test_rate_limiter_sliding_window() -> None:
    now = [0.0]
    user = RateLimiter(2, 60, clock=lambda: now[0])
    channel = RateLimiter(3, 60, clock=lambda: now[0])
    assert acquire([(user, "U1"), (channel, "C1")]) == 0
    now[0] = 10
    assert acquire([(user, "U1"), (channel, "C1")]) == 0
    assert acquire([(user, "U1"), (channel, "C1")]) == pytest.approx(50)
    assert acquire([(user, "U2"), (channel, "C1")]) == 0
    assert acquire([(user, "U3"), (channel, "C1")]) == pytest.approx(50)
    now[0] = 60
    assert acquire([(user, "U1"), (channel, "C1")]) == 0
    assert RateLimiter(0).retry_after("x") == 0  # 0 disables the limit


# -- memory --------------------------------------------------------------------------------------
def test_thread_memory_bounded() -> None:
    mem = ThreadMemory(max_threads=2, max_turns=2)
    for i in range(3):
        mem.append(("C", "1"), Turn(f"q{i}"))
    assert [t.question for t in mem.get(("C", "1"))] == ["q1", "q2"]
    mem.append(("C", "2"), Turn("x"))
    mem.append(("C", "3"), Turn("y"))
    assert mem.get(("C", "1")) == []


def test_metadata_round_trip() -> None:
    answer = Answer("q", "text", True, [_cite("E/RES/2021/25", "OP12")])
    turn = turn_from_metadata(answer_metadata("What?", answer, None))
    assert turn is not None and turn.question == "What?" and turn.answer == "text"
    assert [c.display for c in turn.citations] == ["E/RES/2021/25, OP12"]
    assert turn_from_metadata({"event_type": "other", "event_payload": {}}) is None
