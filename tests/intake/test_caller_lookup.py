"""The hotline desk: a caller's earlier cases by phone (scoped, recorded on each case shown),
the fields of the public form, choices typeable in Khmer, and a link to the new case."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.cases.models import Case, CaseEvent
from grievance.cases.services import PersonData
from grievance.extensions import db
from tests.conftest import Auth, csrf_from
from tests.factories import make_case

PHONE = "+85512777888"


def _lookup(client: FlaskClient, typed: str) -> tuple[int, str]:
    page = client.get("/hotline?lang=en").get_data(as_text=True)
    response = client.post(
        "/hotline/lookup?lang=en", data={"csrf_token": csrf_from(page), "caller": typed}
    )
    return response.status_code, response.get_data(as_text=True)


def test_caller_found_by_phone_in_any_form_scoped_and_recorded(
    client: FlaskClient, auth: Auth
) -> None:
    caller = PersonData(phone=PHONE, sex="male")
    earlier = make_case(complainant=caller, province_code="KH-12").case
    confidential = make_case(complainant=caller, confidentiality="confidential").case
    elsewhere = make_case(complainant=caller, province_code="KH-17").case
    someone_else = make_case(complainant=PersonData(phone="+85512000111")).case
    auth.login("intake", province="KH-12")

    status, page = _lookup(client, "012 777 888")

    assert status == 200
    listed = re.findall(r'href="/cases/([A-Z0-9-]+)"', page)
    assert earlier.reference in listed
    for hidden in (confidential, elsewhere, someone_else):
        assert hidden.reference not in listed
    assert "012 777 888" not in client.get("/hotline?lang=en").request.url
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == earlier.id))
    assert "caller_lookup" in list(kinds)
    untouched = db.session.scalars(
        select(CaseEvent.kind).where(CaseEvent.case_id == someone_else.id)
    )
    assert "caller_lookup" not in list(untouched)
    opened = client.get(f"/cases/{earlier.reference}?lang=en").get_data(as_text=True)
    assert "Found by the hotline desk from the caller&#39;s phone number" in opened


def test_a_number_we_cannot_use_is_said_beside_the_field(client: FlaskClient, auth: Auth) -> None:
    auth.login("intake")
    status, page = _lookup(client, "not a phone")
    assert status == 400 and "That is not a phone number we can use." in page


def test_hotline_files_with_employer_confidential_and_woman_officer_and_links_the_case(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("intake")
    page = client.get("/hotline?lang=en").get_data(as_text=True)
    response = client.post(
        "/hotline?lang=en",
        data={
            "csrf_token": csrf_from(page),
            "phone": "012 345 678",
            "category": "maternity",
            "province": "KH-12",
            "description": "My supervisor told me to resign when I said I was pregnant.",
            "sex": "female",
            "language": "km",
            "channel": "hotline",
            "concerned_name": "Factory B",
            "confidential": "y",
            "prefers_woman_officer": "y",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    case = db.session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
    assert case is not None
    assert (case.concerned_name, case.confidentiality, case.prefers_woman_officer) == (
        "Factory B",
        "confidential",
        True,
    )
    assert f'href="/cases/{case.reference}"' in response.get_data(as_text=True)


def test_khmer_choices_start_with_something_a_latin_keyboard_types(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("intake")
    page = client.get("/hotline?lang=km").get_data(as_text=True)
    categories = re.search(r'<select[^>]*id="category".*?</select>', page, re.S)
    provinces = re.search(r'<select[^>]*id="province".*?</select>', page, re.S)
    assert categories is not None and provinces is not None
    labels = re.findall(r'<option value="[^"]+">([^<]+)</option>', categories.group(0))
    assert labels and all(re.match(r"\d+\. ", label) for label in labels)
    provinces_shown = re.findall(r'<option value="([^"]+)">([^<]+)</option>', provinces.group(0))
    assert ("KH-21", "Takeo · តាកែវ") in provinces_shown
