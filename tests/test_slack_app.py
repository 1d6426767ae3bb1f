"""The real Bolt app, behind its real HTTP endpoint, against a fake Slack Web API."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_fake import (
    BOT_ID,
    BOT_USER,
    SECRET,
    TOKEN,
    FakeAnswerer,
    FakeClock,
    FakeSlack,
    Harness,
    direct_message,
    envelope,
    hostile_answerer,
    mention,
    start_harness,
    stop_harness,
    wait_for,
)

from bot.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP


@pytest.fixture
def make(fake: FakeSlack, tmp_path: Path) -> Iterator[Any]:
    started: list[Harness] = []

    def _make(**kw: Any) -> Harness:
        h = start_harness(fake, tmp_path / "data", **kw)
        started.append(h)
        return h

    yield _make
    for h in started:
        stop_harness(h)


@pytest.fixture
def h(make: Any) -> Harness:
    return make()


def _all_mrkdwn(blocks: list[dict[str, Any]]) -> list[str]:
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        for el in block.get("elements", []):
            if el.get("type") == "mrkdwn":
                texts.append(el["text"])
    return texts


def test_mention_answered_in_its_thread_with_citations(h: Harness) -> None:
    started = time.monotonic()
    status, _ = h.send(mention("What does E/RES/2021/25 ask UNODC to do?", ts="1700.000100"))
    assert status == 200
    assert time.monotonic() - started < 2.5  # acknowledged before the answer is made

    post = wait_for(lambda: h.posts())[0].body
    assert post["channel"] == "C1" and post["thread_ts"] == "1700.000100"
    assert h.answerer.calls[0] == ("What does E/RES/2021/25 ask UNODC to do?", [])
    # Both the blocks and the plain-text fallback carry the citation.
    assert "E/RES/2021/25, OP12" in post["text"]
    blob = "\n".join(_all_mrkdwn(post["blocks"]))
    assert "<https://undocs.org/en/E/RES/2021/25|E/RES/2021/25> · OP12" in blob
    assert "technical assistance" in blob
    assert any(b["type"] == "actions" for b in post["blocks"])
    assert post["metadata"]["event_type"] == "resbot_answer"
    # The 👀 reaction was added before the answer and removed after it.
    h.settle()
    methods = [c.method for c in h.fake.calls if c.method != "auth.test"]
    assert methods == ["reactions.add", "chat.postMessage", "reactions.remove"]
    assert h.fake.calls_to("reactions.add")[0].body == {
        "channel": "C1",
        "timestamp": "1700.000100",
        "name": "eyes",
    }
    assert h.fake.calls_to("auth.test")[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_follow_up_in_thread_gets_the_first_question_as_history(h: Harness) -> None:
    h.send(mention("What does E/RES/2021/25 ask UNODC to do?", ts="1700.000100"))
    wait_for(lambda: h.posts())
    h.send(mention("And by when?", ts="1700.000200", thread_ts="1700.000100"))
    posts = wait_for(lambda: len(h.posts()) == 2 and h.posts())
    assert posts[1].body["thread_ts"] == "1700.000100"
    question, history = h.answerer.calls[1]
    assert question == "And by when?"
    assert [t.question for t in history] == ["What does E/RES/2021/25 ask UNODC to do?"]
    assert history[0].citations[0].display == "E/RES/2021/25, OP12"
    assert history[0].answer.startswith("UNODC is asked")
    # A new top-level mention starts a fresh conversation.
    h.send(mention("Something else", ts="1700.000300"))
    wait_for(lambda: len(h.answerer.calls) == 3)
    assert h.answerer.calls[2][1] == []


def test_follow_up_after_restart_reads_the_thread_from_slack(make: Any, fake: FakeSlack) -> None:
    first = make()
    first.send(mention("What does E/RES/2021/25 ask UNODC to do?", ts="1700.000100"))
    wait_for(lambda: first.posts())
    first.settle()
    second = make(answerer=FakeAnswerer())  # a new app: empty memory
    second.send(mention("And by when?", ts="1700.000200", thread_ts="1700.000100"))
    wait_for(lambda: second.answerer.calls)
    second.settle()
    replies = fake.calls_to("conversations.replies")
    assert replies and replies[0].body["ts"] == "1700.000100"
    history = second.answerer.calls[0][1]
    assert [t.question for t in history] == ["What does E/RES/2021/25 ask UNODC to do?"]
    assert [c.display for c in history[0].citations] == ["E/RES/2021/25, OP12"]


def test_retries_and_duplicate_event_ids_are_answered_once(h: Harness) -> None:
    body = envelope(mention("What is OP12 about?", ts="1700.000100"), event_id="EvDUP1")
    assert h.send_body(body)[0] == 200
    # Slack's retries (same event_id, X-Slack-Retry-Num) and a plain duplicate delivery.
    assert (
        h.send_body(
            body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )[0]
        == 200
    )
    assert h.send_body(body, headers={"X-Slack-Retry-Num": "2"})[0] == 200
    again = envelope(mention("What is OP12 about?", ts="1700.000100"), event_id="EvDUP1")
    assert h.send_body(again)[0] == 200
    wait_for(lambda: h.posts())
    h.settle()
    assert len(h.posts()) == 1 and len(h.answerer.calls) == 1
    # A retry of an event never seen (its first delivery was lost) is still answered.
    fresh = envelope(mention("Another question", ts="1700.000500"), event_id="EvNEW1")
    h.send_body(fresh, headers={"X-Slack-Retry-Num": "1"})
    wait_for(lambda: len(h.posts()) == 2)


def test_same_message_as_mention_and_dm_event_is_answered_once(h: Harness) -> None:
    h.send(mention("Question in a DM", ts="1700.000100", channel="D1"))
    h.send(direct_message(f"<@{BOT_USER}> Question in a DM", ts="1700.000100", channel="D1"))
    wait_for(lambda: h.posts())
    h.settle()
    assert len(h.posts()) == 1


def test_channel_message_event_does_not_hide_its_mention(h: Harness) -> None:
    # With message.channels subscribed, the plain message event can arrive before app_mention.
    text = f"<@{BOT_USER}> What does E/RES/2021/25 ask?"
    h.send({**direct_message(text, ts="1700.000100", channel="C1"), "channel_type": "channel"})
    h.send(mention("What does E/RES/2021/25 ask?", ts="1700.000100", channel="C1"))
    wait_for(lambda: h.posts())
    h.settle()
    assert len(h.posts()) == 1


def test_bad_signature_is_rejected(h: Harness) -> None:
    body = json.dumps(envelope(mention("hello", ts="1700.000100")))
    assert h.send_body(json.loads(body), secret="wrong-secret")[0] == 401
    stale = int(time.time()) - 3600  # a replayed request: valid signature, old timestamp
    assert h.send_body(json.loads(body), timestamp=stale)[0] == 401
    h.settle()
    assert h.answerer.calls == []
    assert [c.method for c in h.fake.calls] == ["auth.test"]


def test_url_verification_and_unknown_paths(h: Harness) -> None:
    status, text = h.send_body({"type": "url_verification", "challenge": "abc123", "token": "x"})
    assert status == 200 and "abc123" in text
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(h.url.replace("/slack/events", "/other"), data=b"{}", timeout=5)
    assert err.value.code == 404
    with urllib.request.urlopen(h.url.replace("/slack/events", "/healthz"), timeout=5) as resp:
        assert resp.read() == b"ok"


def test_429_retry_after_then_success(h: Harness) -> None:
    h.fake.rate_limit_next["chat.postMessage"] = 1
    h.send(mention("What does E/RES/2021/25 ask?", ts="1700.000100"))
    wait_for(lambda: h.posts())
    attempts = [c for c in h.fake.calls if c.method == "chat.postMessage"]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0  # Retry-After: 1 was honoured
    assert "E/RES/2021/25, OP12" in attempts[1].body["text"]


def test_hostile_document_text_is_neutralised(make: Any) -> None:
    h = make(answerer=hostile_answerer())
    h.send(mention("What does A/RES/99/1 decide?", ts="1700.000100"))
    post = wait_for(lambda: h.posts())[0].body
    everything = [post["text"], *_all_mrkdwn(post["blocks"])]
    for text in everything:
        assert "<!channel>" not in text and "<!here>" not in text
        assert "<@U123>" not in text and "<https://evil.example" not in text
        assert not re.search(r"(?<![\w@])@(here|everyone|channel)\b", text)
        # The only Slack control sequences left are our own links to undocs.org.
        for token in re.findall(r"<[^<>]*>", text):
            assert token.startswith("<https://undocs.org/en/"), token
    assert "&lt;!channel&gt;" in post["text"]
    assert "link_names" not in post


def test_tokens_never_in_logs_or_repr(make: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    h = make(answerer=FakeAnswerer(error=RuntimeError("boom")))
    h.fake.rate_limit_next["chat.postMessage"] = 1
    h.send(mention("What does E/RES/2021/25 ask?", ts="1700.000100"))
    h.send_body(envelope(mention("x", ts="1700.000200")), secret="wrong")
    wait_for(lambda: h.posts())
    h.settle()
    assert "Sending a request" in caplog.text  # slack_sdk's debug logging was on
    for secret in (TOKEN, SECRET):
        assert secret not in caplog.text
        assert secret not in repr(h.settings) and secret not in str(h.settings)


def test_rate_limit_per_user_and_channel(make: Any) -> None:
    clock = FakeClock()
    h = make(clock=clock, slack_rate_per_minute=2, slack_channel_rate_per_minute=3)

    def ask(text: str, ts: str, user: str = "U1") -> None:
        h.send(mention(text, ts=ts, user=user))
        h.settle()  # one at a time, so the order of arrival is the order of counting

    for i in range(3):
        ask(f"question {i}", f"1700.00010{i}")
        clock.advance(1)
    assert len(h.posts()) == 2 and len(h.ephemerals()) == 1
    refusal = h.ephemerals()[0].body
    assert refusal["user"] == "U1" and refusal["thread_ts"] == "1700.000102"
    assert "2 questions a minute" in refusal["text"]
    assert "try again in about 58 s" in refusal["text"]
    # Another user in the same channel takes the channel's last slot; a third hits its limit.
    ask("question 3", "1700.000103", user="U2")
    ask("question 4", "1700.000104", user="U3")
    assert len(h.posts()) == 3 and len(h.ephemerals()) == 2
    assert "This channel has reached its limit of 3" in h.ephemerals()[1].body["text"]
    # A minute later the first user may ask again.
    clock.advance(60)
    ask("question 5", "1700.000105")
    assert len(h.posts()) == 4
    assert [q for q, _ in h.answerer.calls] == [
        "question 0",
        "question 1",
        "question 3",
        "question 5",
    ]


def test_oversize_question_refused(make: Any) -> None:
    h = make(slack_max_question_chars=40)
    h.send(mention("x" * 41, ts="1700.000100"))
    refusal = wait_for(lambda: h.ephemerals())[0].body
    assert "41 characters" in refusal["text"] and "up to 40" in refusal["text"]
    h.settle()
    assert h.answerer.calls == [] and h.posts() == []


def test_empty_mention_gets_help(h: Harness) -> None:
    h.send(mention("", ts="1700.000100"))
    assert "Ask me about UN resolutions" in wait_for(lambda: h.ephemerals())[0].body["text"]


def test_channel_allowlist(make: Any) -> None:
    h = make(slack_allowed_channels="C9, C1")
    h.send(mention("allowed?", ts="1700.000100", channel="C2"))
    assert "not enabled" in wait_for(lambda: h.ephemerals())[0].body["text"]
    h.send(mention("allowed?", ts="1700.000200", channel="C1"))
    wait_for(lambda: h.posts())
    h.send(direct_message("a DM is fine", ts="1700.000300"))
    wait_for(lambda: len(h.posts()) == 2)
    assert [c[0] for c in h.answerer.calls] == ["allowed?", "a DM is fine"]


def test_own_messages_bots_and_edits_are_ignored(h: Harness) -> None:
    ignored = [
        direct_message("my own answer", ts="1700.000101", user=BOT_USER),
        direct_message("from a bot", ts="1700.000102", user="U7", bot_id="B999"),
        direct_message("bot message", ts="1700.000103", subtype="bot_message", bot_id=BOT_ID),
        {
            "type": "message",
            "subtype": "message_changed",
            "channel_type": "im",
            "channel": "D1",
            "ts": "1700.000104",
            "message": {"type": "message", "user": "U1", "text": "edited", "ts": "1700.000001"},
        },
        direct_message("edited", ts="1700.000105", edited={"user": "U1", "ts": "1700.2"}),
        {**mention("from another bot", ts="1700.000106"), "bot_id": "B999"},
        # A channel message (not a DM) without a mention is none of our business.
        {**direct_message("chatter", ts="1700.000107", channel="C1"), "channel_type": "channel"},
    ]
    for event in ignored:
        assert h.send(event)[0] == 200
    h.settle()
    assert h.answerer.calls == [] and h.posts() == [] and h.ephemerals() == []
    # A person's DM is answered, in a thread of its own.
    h.send(direct_message("What does E/RES/2021/25 ask?", ts="1700.000200"))
    post = wait_for(lambda: h.posts())[0].body
    assert post["channel"] == "D1" and post["thread_ts"] == "1700.000200"


def test_answerer_failure_gets_a_friendly_reply(make: Any) -> None:
    h = make(answerer=FakeAnswerer(error=RuntimeError("secret internals /srv/x.py line 3")))
    h.send(mention("What does E/RES/2021/25 ask?", ts="1700.000100"))
    post = wait_for(lambda: h.posts())[0].body
    assert post["text"].startswith("Sorry, something went wrong")
    assert post["thread_ts"] == "1700.000100"
    assert "Traceback" not in post["text"] and "secret internals" not in post["text"]
    h.settle()
    assert h.fake.calls_to("reactions.remove")  # the 👀 goes away on failure too


def test_blocks_refused_falls_back_to_text(h: Harness) -> None:
    h.fake.fail_next["chat.postMessage"] = "invalid_blocks"
    h.send(mention("What does E/RES/2021/25 ask?", ts="1700.000100"))
    first, post = (c.body for c in wait_for(lambda: len(h.posts()) == 2 and h.posts()))
    assert "blocks" in first  # refused by the fake with invalid_blocks
    assert "blocks" not in post and "E/RES/2021/25, OP12" in post["text"]


def test_feedback_click_is_stored_and_exported(h: Harness, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    h.send(mention("What does E/RES/2021/25 ask UNODC to do?", ts="1700.000100"))
    post = wait_for(lambda: h.posts())[0]
    actions = next(b for b in post.body["blocks"] if b["type"] == "actions")
    up, down = actions["elements"]
    assert (up["action_id"], down["action_id"]) == (FEEDBACK_UP, FEEDBACK_DOWN)
    assert (
        h.click(FEEDBACK_UP, up["value"], message_ts="1700000001.000100", thread_ts="1700.000100")[
            0
        ]
        == 200
    )
    thanks = wait_for(lambda: h.ephemerals())[0].body
    assert thanks["text"] == "Thanks for the feedback!" and thanks["thread_ts"] == "1700.000100"
    h.click(FEEDBACK_DOWN, up["value"], user="U2")
    h.click(FEEDBACK_UP, "0" * 32, user="U3")  # unknown answer: not stored
    wait_for(lambda: len(h.ephemerals()) == 3)
    h.settle()
    by_user = {c.body["user"]: c.body["text"] for c in h.ephemerals()}
    assert "couldn't record" in by_user["U3"] and by_user["U2"] == "Thanks for the feedback!"

    result = CliRunner().invoke(
        cli, ["feedback", "export"], env={"RESBOT_DATA_DIR": str(tmp_path / "data")}
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["vote"] for r in rows] == ["up", "down"]
    row = rows[0]
    assert row["question"] == "What does E/RES/2021/25 ask UNODC to do?"
    assert row["answer"].startswith("UNODC is asked")
    assert row["citations"][0]["symbol"] == "E/RES/2021/25"
    assert row["citations"][0]["paragraph"] == "OP12"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", row["ts"])
    assert "user" not in row and "U1" not in json.dumps(rows)
    only_down = CliRunner().invoke(
        cli,
        ["feedback", "export", "--vote", "down"],
        env={"RESBOT_DATA_DIR": str(tmp_path / "data")},
    )
    assert [json.loads(x)["vote"] for x in only_down.output.splitlines()] == ["down"]
