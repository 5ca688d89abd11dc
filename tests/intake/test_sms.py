"""The SMS webhook in Twilio's format: signatures, new cases, STATUS, STOP, repeats."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.cases import people
from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db
from grievance.intake.models import ReceivedMessage
from grievance.integrations.twilio import signature
from tests.factories import make_case
from tests.intake.helpers import case_count

TOKEN = "test-twilio-token"
URL = "/sms/inbound"
CODES = re.compile(
    r"Reference: ([0-9A-Z]{4}-[0-9A-Z]{4}) Secret: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})"
)


@pytest.fixture(autouse=True)
def twilio_token(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(app.config["SAMLENG"], "TWILIO_AUTH_TOKEN", TOKEN)
    yield


def send(
    client: FlaskClient,
    body: str,
    sid: str = "SM0001",
    sender: str = "+85512345678",
    sign: bool = True,
    token: str = TOKEN,
) -> tuple[int, str]:
    form = {
        "From": sender,
        "To": "+85523999999",
        "Body": body,
        "MessageSid": sid,
        "AccountSid": "AC123",
        "NumMedia": "0",
    }
    base = client.application.config["SAMLENG"].PUBLIC_BASE_URL
    headers = {"X-Twilio-Signature": signature(token, base + URL, form.items())} if sign else {}
    response = client.post(URL, data=form, headers=headers)
    return response.status_code, response.get_data(as_text=True)


def test_unsigned_or_badly_signed_requests_get_403(client: FlaskClient) -> None:
    before = case_count()
    assert send(client, "Hello", sign=False)[0] == 403
    assert send(client, "Hello", token="wrong-token")[0] == 403
    assert case_count() == before


def test_no_configured_token_refuses_everything(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.config["SAMLENG"], "TWILIO_AUTH_TOKEN", "")
    assert send(client, "Hello", token="")[0] == 403


def test_message_opens_a_case_and_reply_carries_reference_and_secret(client: FlaskClient) -> None:
    status, xml = send(client, "My employer in Kampot has not paid contributions for a year")
    assert status == 200
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    codes = CODES.search(xml)
    assert codes, xml
    case = db.session.scalar(select(Case).where(Case.reference == codes.group(1)))
    assert case is not None
    assert (case.channel, case.category.code, case.province_code) == (
        "sms",
        "contributions",
        "KH-7",
    )
    assert case.language == "en"
    assert case.complainant is not None and case.complainant.phone == "+85512345678"
    # The body lives in the case only; the inbound record keeps ids.
    record = db.session.scalar(
        select(ReceivedMessage).where(ReceivedMessage.external_id == "SM0001")
    )
    assert record is not None and record.case_id == case.id and record.channel == "sms"
    # The reply's STATUS line works as written.
    status, reply = send(client, f"STATUS {codes.group(1)} {codes.group(2)}", sid="SM0002")
    assert "Received" in reply and codes.group(1) in reply


def test_same_message_sid_twice_makes_one_case(client: FlaskClient) -> None:
    before = case_count()
    first = send(client, "Hospital refused my NSSF card", sid="SMrepeat")[1]
    second = send(client, "Hospital refused my NSSF card", sid="SMrepeat")[1]
    assert case_count() == before + 1
    reference = CODES.search(first)
    assert reference and reference.group(1) in second
    assert "Secret" not in second


def test_khmer_message_gets_a_khmer_reply_and_province_unknown_is_flagged(
    client: FlaskClient,
) -> None:
    from flask_babel import force_locale, gettext

    _status, xml = send(client, "ខ្ញុំមិនបានទទួលប្រាក់ឧបត្ថម្ភមាតុភាពទេ", sid="SMkm")
    codes = re.search(r"([0-9A-Z]{4}-[0-9A-Z]{4})", xml)
    assert codes
    case = db.session.scalar(select(Case).where(Case.reference == codes.group(1)))
    assert case is not None
    assert case.language == "km" and case.category.code == "maternity"
    assert case.province_code == "KH-12"
    flag = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "comment")
    )
    assert flag is not None and flag.data["flag"] == "province_unknown" and not flag.public
    with client.application.test_request_context(), force_locale("km"):
        expected_start = gettext(
            "Samleng received your complaint. Reference: %(reference)s Secret: %(secret)s "
            "Keep both. To check your case, send: STATUS %(reference)s"
        ).split("%(")[0]
    assert expected_start in xml


def test_status_in_khmer_and_wrong_secret(client: FlaskClient) -> None:
    from flask_babel import force_locale, gettext

    filed = make_case()  # her number is the sender's, and she reads Khmer
    _s, reply = send(client, f"ស្ថានភាព {filed.case.reference} {filed.secret}", sid="SMs1")
    with client.application.test_request_context(), force_locale("km"):
        received = gettext("Received")
    assert received in reply and filed.case.reference in reply
    # From another number, in Latin letters: the reply follows the message's script.
    stranger = "+85517000001"
    wrong = send(client, f"status {filed.case.reference} 2222-2222-2222", "SMs2", stranger)[1]
    assert "We found no case with this reference and secret" in wrong
    _s, garbled = send(client, "STATUS hello", sid="SMs3", sender=stranger)
    assert "We found no case" in garbled
    # dashes and spaces are optional, letters may be lower case
    compact = (filed.case.reference + filed.secret).replace("-", "").lower()
    assert "Received" in send(client, f"STATUS {compact}", sid="SMs4", sender=stranger)[1]


def test_stop_records_the_opt_out(client: FlaskClient) -> None:
    make_case(complainant=None)
    send(client, "Problem with my pension", sid="SMp1", sender="+85598765432")
    before = case_count()
    status, reply = send(client, "STOP", sid="SMp2", sender="+85598765432")
    assert status == 200 and "no more messages" in reply
    assert case_count() == before
    assert people.opted_out("sms", "+85598765432")


def test_empty_message_opens_nothing(client: FlaskClient) -> None:
    before = case_count()
    status, reply = send(client, "   ", sid="SMempty")
    assert status == 200 and "write your problem" in reply
    assert case_count() == before


def test_harassment_by_sms_is_restricted(client: FlaskClient) -> None:
    _s, xml = send(client, "My supervisor harasses me since I complained", sid="SMh")
    codes = CODES.search(xml)
    assert codes
    case = db.session.scalar(select(Case).where(Case.reference == codes.group(1)))
    assert case is not None and case.confidentiality == "restricted"


def test_routing_errors_under_sms_are_plain_text(client: FlaskClient) -> None:
    wrong_method = client.get(URL)
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "text/plain"
    assert "POST" in wrong_method.headers["Allow"]
    missing = client.post("/sms/elsewhere")
    assert missing.status_code == 404 and missing.mimetype == "text/plain"
    status = client.get("/notifications/twilio/status")
    assert status.status_code == 405 and status.mimetype == "text/plain"
    assert "POST" in status.headers["Allow"]
    unsigned = client.post("/notifications/twilio/status", data={"MessageSid": "SM1"})
    assert unsigned.status_code == 403 and unsigned.mimetype == "text/plain"


def test_a_message_id_with_control_characters_is_refused(client: FlaskClient) -> None:
    assert send(client, "Hello", sid="SM\x00null") == (400, "MessageSid missing")
