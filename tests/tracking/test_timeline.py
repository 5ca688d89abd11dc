"""The public timeline: what we told the complainant, never who did it or what we noted."""

from __future__ import annotations

from babel.dates import format_date
from flask.testing import FlaskClient

from grievance.cases import comments
from grievance.sla.status import expected_date
from tests.factories import make_user
from tests.tracking.helpers import (
    new_case,
    officer,
    open_case,
    reload,
    step,
    text_of,
    to_in_progress,
)


def test_timeline_shows_public_steps_and_hides_staff_and_notes(client: FlaskClient) -> None:
    filed = new_case()
    case = filed.case
    vannak = officer("Vannak Sopheap")
    boss = make_user("supervisor", name="Supervisor Dara Kosal")
    other = make_user("officer", name="Officer Nary Chenda")
    to_in_progress(case, vannak)
    comments.add_comment(
        case,
        actor_id=vannak.id,
        actor_role="officer",
        text="INTERNAL: employer is my cousin",
        public=False,
    )
    comments.add_comment(
        case,
        actor_id=vannak.id,
        actor_role="officer",
        text="We called your employer today.",
        public=True,
    )
    step(case, boss, "reassign", reason="REASSIGNED: Vannak is on leave", assignee_id=other.id)
    step(case, other, "propose_rejection", reason="PROPOSED-REJECTION: out of scope?")
    step(case, boss, "deny_rejection", comment="DENIED: it is in scope")
    step(case, boss, "escalate", reason="ESCALATED: slow progress")
    step(case, boss, "deescalate", comment="DEESCALATED: back to Nary")
    step(case, other, "request_information", comment="Please send a photo of your payslip.")

    page = open_case(client, filed)
    text = text_of(page)
    for hidden in (
        "Vannak",
        "Sopheap",
        "Dara",
        "Kosal",
        "Nary",
        "Chenda",
        "INTERNAL",
        "REASSIGNED",
        "PROPOSED-REJECTION",
        "DENIED",
        "ESCALATED",
        "DEESCALATED",
        "Chan Sreymom",
        "+85512345678",
    ):
        assert hidden not in text, hidden
    for shown in (
        "Complaint received",
        "Acknowledged",
        "Assigned to an officer",
        "Being looked into",
        "Message from us",
        "We called your employer today.",
        "Being reviewed",
        "Escalated",
        "Waiting for your answer",
        "Our question to you",
        "Please send a photo of your payslip.",
    ):
        assert shown in text, shown


def test_rejection_reason_is_shown_once_approved(client: FlaskClient) -> None:
    filed = new_case()
    case = filed.case
    vannak = officer()
    boss = make_user("supervisor")
    to_in_progress(case, vannak)
    step(case, vannak, "propose_rejection", reason="This is a matter for the labour court.")
    page = open_case(client, filed)
    assert "This is a matter for the labour court." not in page
    step(reload(case), boss, "approve_rejection", comment="SUPERVISOR NOTE")
    page = client.get("/track/case?lang=en").get_data(as_text=True)
    assert "Not accepted" in page
    assert "This is a matter for the labour court." in page
    assert "SUPERVISOR NOTE" not in page


def test_referral_shows_the_agency(client: FlaskClient) -> None:
    filed = new_case()
    vannak = officer()
    to_in_progress(filed.case, vannak)
    step(
        filed.case, vannak, "refer", agency="Labour inspectorate", comment="INTERNAL REFERRAL NOTE"
    )
    text = text_of(open_case(client, filed))
    assert "Sent to another office" in text and "Labour inspectorate" in text
    assert "INTERNAL REFERRAL NOTE" not in text


def test_state_label_and_dates_in_khmer(client: FlaskClient) -> None:
    filed = new_case()
    open_case(client, filed)
    page = client.get("/track/case?lang=km").get_data(as_text=True)
    assert '<html lang="km">' in page
    assert "បានទទួល" in page  # "Received"
    assert "Received" not in page
    due = expected_date(filed.case)
    assert due is not None
    # Day, Khmer month name, year, in Western digits: "7 ធ្នូ 2026".
    assert format_date(due, "d MMMM y", locale="km") in page


def test_expected_date_follows_the_state(client: FlaskClient) -> None:
    filed = new_case()
    case = filed.case
    page = open_case(client, filed)
    due = expected_date(case)
    assert due is not None
    assert f"We will answer by {due.day} {due:%B} {due.year}." in page  # day month year
    vannak = officer()
    to_in_progress(case, vannak)
    page = client.get("/track/case?lang=en").get_data(as_text=True)
    assert "We will answer by" in page
    step(case, vannak, "request_information", comment="Which factory?")
    page = client.get("/track/case?lang=en").get_data(as_text=True)
    assert "We are waiting for your answer." in page and "We will answer by" not in page
