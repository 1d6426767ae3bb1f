"""The reporting definition clause by clause (each wording, positive and negative), the actor
filter, the due-year guard and the fields beyond the registry's schema."""

from __future__ import annotations

import pytest

from bot.mandates.extract import Mandate, extract_mandates
from bot.mandates.fields import assignee_type, implied_frequency, is_actor_phrase, review_or_end
from ingest.model import Paragraph, Resolution


def _one(
    text: str, *, date: str = "2024-12-17", session: str = "Seventy-ninth session"
) -> list[Mandate]:
    res = Resolution(
        symbol="A/RES/79/1", title="Test", body="General Assembly", source="t.xml", format="akn",
        paragraphs=[Paragraph("OP1", "operative", text)], date=date, session=session,
    )  # fmt: skip
    return extract_mandates(res)


def _reporting(text: str) -> list[Mandate]:
    return [m for m in _one(text) if m.reporting]


@pytest.mark.parametrize(
    ("text", "recipient"),
    [
        ("Invites Member States to provide the United Nations Office on Drugs and Crime with "
         "relevant information on trafficking;", "UNODC"),
        ("Strongly encourages Member States to share such data and information with the United "
         "Nations Office on Drugs and Crime;", "UNODC"),
        ("Invites the President of the General Assembly to hold a high-level debate and to "
         "prepare a summary of the discussion for transmission to the Commission on Crime "
         "Prevention and Criminal Justice;", "CCPCJ"),
        ("Invites major groups to provide information regarding their coordination mechanism "
         "for consideration by the Commission on Narcotic Drugs;", "CND"),
        ("Requests the Secretary-General to report to the General Assembly at its eightieth "
         "session on the implementation of the present resolution;", "General Assembly"),
        ("Calls upon Member States to take measures, and invites Member States to provide the "
         "United Nations Office on Drugs and Crime with data;", "UNODC"),
    ],
)  # fmt: skip
def test_reporting_wordings_name_their_recipient(text: str, recipient: str) -> None:
    found = _reporting(text)
    assert found, text
    assert recipient in found[-1].recipients


@pytest.mark.parametrize(
    "text",
    [
        "Requests the Secretary-General to continue to provide the United Nations Office on "
        "Drugs and Crime with the resources necessary to discharge its functions;",
        "Encourages Member States to exchange information among themselves on best practices;",
        "Calls upon Member States to disseminate the guide as widely as possible;",
        "Requests the Committee to make recommendations to the Economic and Social Council;",
        "Urges Member States to report suspected cases to national authorities;",
        "Urges Member States to make resources available to the Board;",
    ],
)
def test_what_the_definition_leaves_out(text: str) -> None:
    assert not _reporting(text), text


def test_information_put_into_the_actors_own_next_report() -> None:
    found = _reporting(
        "Requests the Secretary-General in his next report on the present resolution to "
        "continue to update on the use of anticipatory financing;"
    )
    assert found and found[0].actors == ["Secretary-General"]
    assert not _reporting(
        "Requests the Secretary-General to implement the measures recommended in his report;"
    )


def test_transmitting_a_report_names_the_body_it_goes_to() -> None:
    found = _reporting(
        "Requests the Secretary-General to transmit to the Assembly the report of the "
        "Conference of the States Parties to the Convention on its tenth session;"
    )
    assert found and found[0].recipients == ["General Assembly"]


def test_a_list_of_tasks_keeps_sub_paragraph_text_out_of_the_actors() -> None:
    found = _one(
        "Requests the Forum secretariat: (a) To submit an information paper to the United "
        "Nations Forum on Forests; (b) To continue to use a hybrid meeting format;"
    )
    assert found and found[0].actors == ["Forum secretariat"]
    assert found[0].reporting


@pytest.mark.parametrize(
    ("phrase", "ok"),
    [
        ("respectively", False),
        ("the following issues", False),
        ("the duration of the Congress", False),
        ("until the Conference of the Parties", False),
        ("(a) To accelerate implementation", False),
        ("Member States", True),
        ("the Institute", True),
    ],
)
def test_actor_filter(phrase: str, ok: bool) -> None:
    assert is_actor_phrase(phrase) is ok


def test_a_due_year_is_never_before_adoption() -> None:
    # "its first session" of a body without a calendar, read as the Assembly's, would be 1946.
    found = _reporting(
        "Requests the Secretary-General to report to the General Assembly at its first session;"
    )
    assert found and found[0].due_year is None and found[0].due_text


def test_fields_beyond_the_registry() -> None:
    [m] = _reporting(
        "Requests the Secretary-General to submit to the General Assembly at its eighty-first "
        "session, within existing resources, a report on the implementation of the present "
        "resolution;"
    )
    assert m.assignee_types == ["Secretariat entity"]
    assert (m.deliverable, m.deliverable_type) == ("report", "report")
    assert m.within_existing_resources
    assert m.frequency is None and m.frequency_implied == "biennial"
    assert m.review_or_end is None


@pytest.mark.parametrize(
    ("actor", "kind"),
    [
        ("Secretary-General", "Secretariat entity"),
        ("UNODC", "Secretariat entity"),
        ("Member States", "Member States"),
        ("States parties to UNCAC", "Member States"),
        ("General Assembly", "intergovernmental body"),
        ("CCPCJ", "intergovernmental body"),
        ("President of the General Assembly", "intergovernmental body"),
        ("UNDP", "UN system entity"),
        ("civil society", "other"),
    ],
)
def test_assignee_type(actor: str, kind: str) -> None:
    assert assignee_type(actor) == kind


def test_implied_frequency_and_end_dates() -> None:
    assert implied_frequency("General Assembly", 79, "General Assembly", 81) == "biennial"
    assert implied_frequency("General Assembly", 79, "General Assembly", 80) == "annual"
    assert implied_frequency("General Assembly", 79, "CCPCJ", 34) is None
    assert review_or_end("to extend the mandate until 31 December 2027") == "until 31 December 2027"
    assert review_or_end("to report to the Council") is None
