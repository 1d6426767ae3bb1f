"""Mandate extraction is linear in its input, and the mandate sync never holds an answer back.

Speed is compared through operation counts (Python line events), never clock times; clocks that
bound a sync are fakes that advance by a fixed step per reading.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from bot.glossary import Glossary, default_glossary
from bot.mandates.budget import ExtractionBudget, MandateBudgetExceeded
from bot.mandates.extract import extract_mandates
from bot.mandates.route import MandateRouter
from bot.mandates.sync import SyncBudget, sync_table
from ingest.model import Paragraph, Resolution
from ingest.store import DocRecord, StoredParagraph

UNIT = (
    "Requests the Executive Director of the United Nations Office on Drugs and Crime to report "
    "to the Commission on Crime Prevention and Criminal Justice at its thirty-fourth session, in "
    "consultation with the Office, and invites Member States to provide the Office with "
    "information (see the Council) on the implementation of the present resolution, "
)


def _res(ops: list[str], symbol: str = "A/RES/79/1") -> Resolution:
    return Resolution(
        symbol=symbol, title="Test", body="General Assembly", source="t.xml", format="akn",
        paragraphs=[Paragraph(f"OP{i}", "operative", t) for i, t in enumerate(ops, 1)],
        date="2024-12-17", session="Seventy-ninth session",
    )  # fmt: skip


def _line_events(res: Resolution, glossary: Glossary) -> int:
    """Python lines executed while extracting ``res``: a measure of work, unlike a clock."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        extract_mandates(res, glossary)
    finally:
        sys.settrace(None)
    return count


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    glossary = default_glossary()
    extract_mandates(_res([UNIT * 3]), glossary)  # compiles the patterns once, outside any count
    return glossary


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda n: _res([UNIT * n]), id="one long paragraph"),
        pytest.param(lambda n: _res([UNIT] * n), id="many paragraphs"),
    ],
)
def test_extraction_work_grows_linearly(make: Any, glossary: Glossary) -> None:
    small, large = _line_events(make(10), glossary), _line_events(make(40), glossary)
    # Four times the input: about four times the work when linear, sixteen when quadratic (the
    # extractor before this test had 11.7 on the long paragraph).
    assert large / small < 6, (small, large)


def test_a_paragraph_over_its_budget_is_read_up_to_the_limit(glossary: Glossary) -> None:
    budget = ExtractionBudget(paragraph_chars=len(UNIT) * 3)
    full = extract_mandates(_res([UNIT * 50]), glossary)
    clipped = extract_mandates(_res([UNIT * 50]), glossary, budget)
    assert len(clipped) < len(full)
    assert clipped and all(m.clause <= 6 for m in clipped)  # two clauses per unit, three units


def test_clip_cuts_at_a_clause_boundary() -> None:
    budget = ExtractionBudget(paragraph_chars=30)
    assert budget.clip("short") == "short"
    assert budget.clip("Requests the Secretary; and invites the States to act") == (
        "Requests the Secretary;"
    )


class StepClock:
    """A clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float = 1.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_document_over_its_time_budget_raises(glossary: Glossary) -> None:
    budget = ExtractionBudget(document_seconds=2.5, clock=StepClock())
    extract_mandates(_res([UNIT, UNIT]), glossary, budget)  # two readings: within budget
    with pytest.raises(MandateBudgetExceeded, match="OP3"):
        extract_mandates(_res([UNIT] * 3), glossary, budget)


class FakeSource:
    """The three calls a sync makes of the paragraph store."""

    def __init__(self, docs: dict[str, list[str]]) -> None:
        self.set(docs)
        self.fail: Exception | None = None

    def set(self, docs: dict[str, list[str]]) -> None:
        self.texts = docs
        self.gen = "|".join(f"{d}:{hash(tuple(t))}" for d, t in sorted(docs.items()))

    def generation(self) -> str:
        return self.gen

    def docs(self) -> dict[str, DocRecord]:
        if self.fail:
            raise self.fail
        return {
            d: DocRecord(d, str(abs(hash(tuple(t)))), {"symbol": d, "body": "General Assembly"})
            for d, t in self.texts.items()
        }

    def iter_paragraphs(self, where: dict[str, Any] | None = None) -> Iterator[StoredParagraph]:
        doc = (where or {})["doc_id"]
        ver = self.docs()[doc].ver
        for i, text in enumerate(self.texts[doc], 1):
            meta = {"doc_id": doc, "label": f"OP{i}", "kind": "operative", "ver": ver, "order": i}
            yield StoredParagraph(f"{doc}#OP{i}", text, meta)


def _docs(n: int) -> dict[str, list[str]]:
    return {f"A/RES/79/{i}": [UNIT] for i in range(1, n + 1)}


def test_sync_over_its_budget_leaves_the_rest_for_the_next(tmp_path: Path) -> None:
    source = FakeSource(_docs(5))
    db = tmp_path / "m.sqlite"
    budget = SyncBudget(seconds=2.5)  # the step clock allows two documents per sync
    table, report = sync_table(source, db, budget, clock=StepClock())
    assert (report.extracted, len(report.pending)) == (2, 3)
    assert "3 of 5 documents are still being read" in (report.note() or "")
    assert len(table.doc_ids()) == 2
    table.close()
    done: set[str] = set()
    for _ in range(3):
        table, report = sync_table(source, db, budget, clock=StepClock())
        done.update(table.doc_ids())
        table.close()
    assert report.complete and report.note() is None
    assert done == set(source.texts)
    table, report = sync_table(source, db, budget, clock=StepClock())
    assert report.extracted == 0  # the generation was recorded once everything was read
    table.close()


def test_a_failing_document_keeps_its_previous_rows_and_is_not_retried(tmp_path: Path) -> None:
    source = FakeSource(_docs(2))
    db = tmp_path / "m.sqlite"
    table, _ = sync_table(source, db)
    before = {m.key for m in table.all()}
    table.close()
    # A.../1 grows to three paragraphs, too many for a budget of two clock readings.
    source.set({"A/RES/79/1": [UNIT] * 3, "A/RES/79/2": [UNIT, UNIT]})
    tight = SyncBudget(extraction=ExtractionBudget(document_seconds=2.5, clock=StepClock()))
    table, report = sync_table(source, db, tight)
    assert list(report.skipped) == ["A/RES/79/1"]
    assert "could not be read" in (report.note() or "")
    keys = {m.key for m in table.all()}
    assert {k for k in before if k.startswith("A/RES/79/1#")} <= keys  # previous rows stay
    assert any(k.startswith("A/RES/79/2#OP2") for k in keys)  # the other one moved on
    table.close()
    table, report = sync_table(source, db, tight)
    assert report.extracted == 0 and list(report.skipped) == ["A/RES/79/1"]  # not retried
    table.close()


def test_router_answers_from_the_previous_table_when_the_sync_fails(tmp_path: Path) -> None:
    source = FakeSource(_docs(3))
    router = MandateRouter(path=tmp_path / "m.sqlite", store=source, sync_seconds=None)
    first = router.maybe_answer("What does UNODC have to report?")
    assert first is not None and "Note:" not in first.text
    source.set(_docs(4))
    source.fail = OSError("store unreachable")
    answer = router.maybe_answer("What does UNODC have to report?")
    assert answer is not None
    assert {c.label for c in answer.citations} == {c.label for c in first.citations}
    assert "could not be brought up to date" in answer.text
    source.fail = None
    answer = router.maybe_answer("What does UNODC have to report?")
    assert answer is not None and "Note:" not in answer.text
    assert len({c.doc_id for c in answer.citations}) == 4


def test_router_does_not_wait_for_a_long_sync(tmp_path: Path) -> None:
    source = FakeSource(_docs(6))
    router = MandateRouter(
        path=tmp_path / "m.sqlite", store=source, sync_seconds=1.5, clock=StepClock()
    )
    answers = [router.maybe_answer("What does UNODC have to report?") for _ in range(6)]
    first = answers[0]
    assert first is not None and "still being read" in first.text
    cited = [len({c.doc_id for c in a.citations}) for a in answers if a is not None]
    assert cited == sorted(cited) and cited[-1] == 6  # each question reads a little more
    assert "Note:" not in (answers[-1].text if answers[-1] else "")
