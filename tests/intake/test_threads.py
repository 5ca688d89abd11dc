"""A message from someone who already has a case goes to that case, not to a new one:
the answer to our question, a case she names, or her choice from a short menu."""

from __future__ import annotations

import html

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from grievance.cases import people
from grievance.cases.models import Case, CaseEvent
from grievance.cases.services import PersonData
from grievance.extensions import db
from notifications.models import Notification
from notifications.segments import segments
from tests.conftest import Auth
from tests.factories import make_case, swapped
from tests.intake.helpers import case_count
from tests.intake.test_sms import send, twilio_token  # noqa: F401 (the signing fixture)
from tests.tracking.helpers import officer, reload, step, to_in_progress

HER = "+85512345678"


def _events(case: Case, kind: str) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)
    return list(db.session.scalars(query))


def test_her_answer_by_sms_resumes_the_case_and_tells_the_officer(client: FlaskClient) -> None:
    filed = make_case(complainant=PersonData(phone=HER, sex="female", language="en"))
    vannak = officer()
    to_in_progress(filed.case, vannak)
    step(filed.case, vannak, "request_information", comment="Which month was not paid?")
    before = case_count()

    status, reply = send(client, "March and April", sid="SM100")

    assert status == 200
    assert f"your answer was added to case {filed.case.reference}" in reply
    assert case_count() == before
    case = reload(filed.case)
    assert case.state == "in_progress" and case.paused_at is None
    told = db.session.scalar(
        select(Notification).where(
            Notification.case_id == case.id, Notification.template == "information_provided"
        )
    )
    assert told is not None and told.user_id == vannak.id


def test_with_two_open_cases_she_chooses_from_a_menu(client: FlaskClient) -> None:
    first = make_case(complainant=PersonData(phone=HER, language="en"))
    second = make_case(complainant=PersonData(phone=HER, language="en"))
    before = case_count()

    _, menu = send(client, "The manager shouted at me again", sid="SM200")
    assert "Reply with a number" in menu
    assert f"1 = {second.case.reference}" in menu  # newest first
    assert f"2 = {first.case.reference}" in menu
    assert "3 = a new complaint" in menu
    assert case_count() == before  # nothing filed while she decides

    _, done = send(client, "២", sid="SM201")  # a Khmer digit is the same choice
    assert f"added to case {first.case.reference}" in done
    added = _events(first.case, "comment")
    assert [e.data.get("text") for e in added] == ["The manager shouted at me again"]
    assert case_count() == before

    send(client, "Another problem: no maternity benefit", sid="SM202")
    _, new = send(client, "3", sid="SM203")
    assert case_count() == before + 1
    assert "Reference:" in new


def test_a_reference_in_the_message_attaches_it_and_a_stranger_is_flagged(
    client: FlaskClient, auth: Auth
) -> None:
    filed = make_case(complainant=PersonData(phone=HER, language="en"))
    make_case(complainant=PersonData(phone=HER, language="en"))  # a second open case
    before = case_count()
    ref = filed.case.reference.lower().replace("-", " ")

    _, reply = send(client, f"about {ref}: they paid half", sid="SM300")
    assert f"added to case {filed.case.reference}" in reply
    assert "Reply with a number" not in reply
    assert _events(filed.case, "comment")[-1].actor_role == "complainant"

    _, other = send(
        client, f"{filed.case.reference} she is my sister", sid="SM301", sender="+85599111222"
    )
    flagged = _events(filed.case, "comment")[-1]
    assert flagged.actor_role == "system"
    assert flagged.data["flag"] == "message_from_another_number"
    assert case_count() == before
    assert "she is my sister" not in other

    auth.login("supervisor", "officer")  # the officer sees the warning on the case
    page = client.get(f"/cases/{filed.case.reference}?lang=en").get_data(as_text=True)
    assert "from a number that is not the complainant" in page
    assert "she is my sister" in page


def test_stop_from_a_number_never_seen_and_start_lifts_it(client: FlaskClient) -> None:
    stranger = "+85570000001"
    before = case_count()
    _, reply = send(client, "stop", sid="SM400", sender=stranger)
    assert "no more messages" in reply
    assert people.opted_out("sms", stranger)
    _, khmer = send(client, "ឈប់", sid="SM401", sender="+85570000002")
    assert people.opted_out("sms", "+85570000002")
    assert _khmer(khmer) and "START" in khmer  # her language, and the word that undoes it
    _, back = send(client, "START", sid="SM402", sender=stranger)
    assert "you will get our messages again" in back
    assert not people.opted_out("sms", stranger)
    assert case_count() == before


def test_yes_from_someone_who_never_stopped_is_an_answer(client: FlaskClient) -> None:
    filed = make_case(complainant=PersonData(phone=HER, language="en"))
    vannak = officer()
    to_in_progress(filed.case, vannak)
    step(filed.case, vannak, "request_information", comment="Were you paid in cash?")
    _, reply = send(client, "YES", sid="SM500")
    assert "your answer was added" in reply
    assert reload(filed.case).state == "in_progress"


def test_status_with_the_reference_alone_works_only_from_her_number(client: FlaskClient) -> None:
    filed = make_case(complainant=PersonData(phone=HER, language="en"))
    _, own = send(client, f"STATUS {filed.case.reference}", sid="SM600")
    assert filed.case.reference in own and "We found no case" not in own
    _, other = send(client, f"STATUS {filed.case.reference}", sid="SM601", sender="+85599111222")
    assert "We found no case" in other
    typo = swapped(filed.case.reference)
    _, mistyped = send(client, f"STATUS {typo}", sid="SM602")
    assert "this reference looks mistyped" in mistyped


def test_the_reply_is_in_the_language_she_chose(client: FlaskClient) -> None:
    make_case(complainant=PersonData(phone=HER, language="km"))
    _, reply = send(client, "help", sid="SM700")  # typed in Latin letters
    assert _khmer(reply) and "1286" in reply
    assert db.session.scalar(select(func.count(Case.id))) == 1


def _khmer(text: str) -> bool:
    return any("\u1780" <= ch <= "\u17ff" for ch in text)


@pytest.mark.parametrize("language", ["km", "en"])
def test_every_reply_fits_two_sms(client: FlaskClient, language: str) -> None:
    """What a basic phone receives back: two SMS at most, in Khmer (UCS-2) or English."""
    filed = make_case(complainant=PersonData(phone=HER, language=language))
    make_case(complainant=PersonData(phone=HER, language=language))
    ref = filed.case.reference
    messages = ["help", f"STATUS {ref}", "STATUS 0000-0000", "no pay for months", "3"]
    messages += [f"{ref} more", "STOP", "START"]
    for n, text in enumerate(messages):
        _, xml = send(client, text, sid=f"SM8{language}{n}")
        reply = html.unescape(xml.split("<Message>")[1].split("</Message>")[0])
        assert segments(reply) <= 2, (text, reply)
    _, filed_reply = send(client, "ឈប់បង់ប្រាក់ខែ", sid="SM8new", sender="+85570000009")
    reply = html.unescape(filed_reply.split("<Message>")[1].split("</Message>")[0])
    assert "Reference" in reply or _khmer(reply)
    assert segments(reply) <= 2, reply
