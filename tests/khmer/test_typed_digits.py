"""Khmer keyboards type Khmer digits (០-៩) on the number row: every identifier, number and
command typed anywhere works in either script."""

from __future__ import annotations

import re

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.auth import totp
from grievance.cases.models import Case
from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.intake.guesses import guess_category
from grievance.khmer import khmer_digits
from grievance.phones import to_e164
from grievance.queues.workspace import CaseFilters, case_list
from grievance.security import hash_secret, normalize_reference, secret_matches
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.intake.helpers import public_post
from tests.intake.test_sms import send, twilio_token  # noqa: F401 - the fixture is used
from tests.tracking.helpers import act, lookup, open_case, reload
from tests.tracking.test_actions import _proposed

PHONE_FORMS = (
    "០១២ ៣៤៥ ៦៧៨",
    "០១២៣៤៥៦៧៨",
    "+៨៥៥ ១២ ៣៤៥ ៦៧៨",
    "៨៥៥១២៣៤៥៦៧៨",
    "០១២-៣៤៥-៦៧៨",
    "012 ៣៤៥ 678",
)


def _forms_of(code: str) -> list[str]:
    """A reference or secret as people type it: Khmer digits, lower case, no dashes,
    spaces in odd places."""
    kh = khmer_digits(code)
    return [kh, kh.lower(), kh.replace("-", ""), " ".join(kh.replace("-", "")), code.lower()]


@pytest.mark.parametrize("typed", PHONE_FORMS)
def test_phone_numbers_in_khmer_digits(typed: str) -> None:
    assert to_e164(typed) == "+85512345678"


def test_references_and_secrets_in_every_form() -> None:
    filed = make_case()
    ref, secret = filed.case.reference, filed.secret
    for typed in _forms_of(ref):
        assert normalize_reference(typed) == ref, typed
    for typed in _forms_of(secret):
        assert secret_matches(typed, filed.case.secret_hash, "k") == secret_matches(
            secret, filed.case.secret_hash, "k"
        )
        assert hash_secret(typed, "k") == hash_secret(secret, "k"), typed


def test_track_with_khmer_digits(client: FlaskClient) -> None:
    filed = make_case()
    pairs = zip(_forms_of(filed.case.reference), _forms_of(filed.secret), strict=True)
    for i, (ref, secret) in enumerate(pairs):
        response = lookup(client, ref, secret, addr=f"10.9.0.{i}")
        assert response.status_code == 303, (ref, secret)


def test_sms_status_with_khmer_digits_and_command_in_any_spelling(client: FlaskClient) -> None:
    filed = make_case()
    ref, secret = khmer_digits(filed.case.reference), khmer_digits(filed.secret)
    for i, command in enumerate(("ស្ថានភាព", "សា្ថនភាព", "status", "Status")):
        _status, reply = send(client, f"{command} {ref} {secret}", sid=f"SMkd{i}")
        assert filed.case.reference in reply and "We found no case" not in reply, command


def test_sms_keywords_match_any_spelling_order() -> None:
    assert guess_category("ខ្ញុំមានផ្ទៃពោះ") == "maternity"
    assert guess_category("ខ្ញុំមានផៃ្ទពោះ") == "maternity"  # vowel typed before the subscript
    assert guess_category("MATERNITY pay") == "maternity"


def test_public_form_phone_and_worker_count_in_khmer_digits(client: FlaskClient) -> None:
    response = public_post(client, phone="០១២ ៣៤៥ ៦៧៨", affected_count="១២")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    case = db.session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
    assert case is not None and case.complainant.phone == "+85512345678"
    assert case.affected_count == 12


def test_hotline_desk_with_khmer_digits(client: FlaskClient, auth: Auth) -> None:
    auth.login("intake")
    page = client.get("/hotline?lang=km").get_data(as_text=True)
    response = client.post(
        "/hotline",
        data={
            "csrf_token": csrf_from(page),
            "phone": "០៩៧ ៧៧៧ ៨៨៨៨",
            "category": "employment_injury",
            "province": "KH-3",
            "description": "កម្មករធ្លាក់ពីលើរោងចក្រ",
            "sex": "male",
            "channel": "hotline",
            "language": "km",
            "consent_to_contact": "y",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    case = db.session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
    assert case is not None and case.complainant.phone == "+855977778888"


def test_officer_finds_cases_by_a_phone_typed_in_khmer_digits() -> None:
    case = make_case(complainant=PersonData(phone="+85512345678")).case
    reader = make_user("supervisor")
    for typed in PHONE_FORMS:
        page = case_list(reader, CaseFilters(scope="all", text=typed))
        assert [c.reference for c in page.cases] == [case.reference], typed
    page = case_list(reader, CaseFilters(scope="all", text=khmer_digits(case.reference)))
    assert [c.reference for c in page.cases] == [case.reference]


def test_nssf_number_and_rating_in_khmer_digits(client: FlaskClient) -> None:
    filed = make_case(complainant=PersonData(nssf_number="០១២៣-៤៥៦"))
    assert filed.case.complainant.nssf_number == "0123-456"
    proposed = _proposed()
    open_case(client, proposed)
    response = act(client, "accept_resolution", rating="៤", comment="")
    assert response.status_code == 303
    assert reload(proposed.case).satisfaction == 4


def test_one_time_code_in_khmer_digits() -> None:
    seed = totp.new_seed()
    code = pyotp.TOTP(seed).now()
    assert totp.matching_step(seed, khmer_digits(code)) is not None
    assert re.fullmatch(r"[០-៩]{6}", khmer_digits(code))
