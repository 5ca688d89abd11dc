"""Open311 GeoReport v2: services, requests with the standard filters, POST with api_key,
JSON and XML, the specification's field names and error format; only public cases."""

from __future__ import annotations

import time
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient

from grievance.cases.models import Case
from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.intake.partners import create_partner
from tests.oversight.helpers import T0, case_in, refresh

FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "lat", "long", "media_url",
}  # fmt: skip


@pytest.fixture
def api_key(app: Flask) -> str:
    _partner, token = create_partner("Open311 client")
    db.session.flush()
    return token


def test_services_list_and_definition(client: FlaskClient) -> None:
    services = client.get("/open311/v2/services.json?lang=en").get_json()
    codes = {s["service_code"] for s in services}
    assert "maternity" in codes
    first = services[0]
    assert {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    } <= set(first)
    root = ElementTree.fromstring(client.get("/open311/v2/services.xml").data)
    assert root.tag == "services" and root[0].tag == "service"
    definition = client.get("/open311/v2/services/maternity.json").get_json()
    assert definition == {"service_code": "maternity", "attributes": []}
    missing = client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404
    assert missing.get_json()[0]["code"] == 404 and missing.get_json()[0]["description"]
    xml_error = ElementTree.fromstring(client.get("/open311/v2/services/nope.xml").data)
    assert xml_error.tag == "errors" and xml_error[0].tag == "error"
    assert xml_error[0].find("code").text == "404"  # type: ignore[union-attr]


SPAN = "start_date=2026-02-20T00:00:00%2B07:00&end_date=2026-04-01T00:00:00%2B07:00"


def _population() -> list[Case]:
    """KH-12, contributions, March: 6 open and 6 closed (listable); KH-3, maternity: 3 open
    (hidden on the dashboard, so never listed); 5 confidential ones (never listed)."""
    person = PersonData(name="Chea Dara", phone="+85512111222", sex="male")
    cases = [case_in("in_progress", complainant=person, description="Dara's boss refuses")]
    cases += [case_in("in_progress", at=T0 + timedelta(days=i)) for i in range(5)]
    cases += [case_in("closed", at=T0 + timedelta(days=i)) for i in range(6)]
    cases += [
        case_in("submitted", province_code="KH-3", category_code="maternity") for _ in range(3)
    ]
    cases += [case_in("closed", confidentiality="confidential") for _ in range(5)]
    refresh()
    return cases


def _list(client: FlaskClient, query: str = "") -> list[dict[str, object]]:
    body = client.get(f"/open311/v2/requests.json?{SPAN}&{query}").get_json()
    assert isinstance(body, list)
    return body


def test_the_public_list_shows_only_cells_the_disclosure_rules_allow(client: FlaskClient) -> None:
    cases = _population()
    items = _list(client, "lang=en")
    assert len(items) == 12  # the two cells of KH-12 with 6 each
    for item in items:
        assert set(item) >= FIELDS
        assert item["service_request_id"] is None and item["description"] is None
        assert item["address_id"] == "KH-12" and item["service_code"] == "contributions"
        # The month filed, not the moment: no single case can be picked out by its time.
        assert item["requested_datetime"] == "2026-03-01T00:00:00+07:00"
        assert item["updated_datetime"] is None and item["expected_datetime"] is None
        assert item["lat"] is None and item["address"] == "Phnom Penh"
    assert sorted(i["status"] for i in items) == ["closed"] * 6 + ["open"] * 6
    text = client.get(f"/open311/v2/requests.json?{SPAN}").get_data(as_text=True)
    assert not any(c.reference in text for c in cases)
    assert "Dara" not in text and "111222" not in text


def test_filters_select_whole_cells(client: FlaskClient) -> None:
    _population()
    assert [i["status"] for i in _list(client, "status=open")] == ["open"] * 6
    assert [i["status"] for i in _list(client, "status=closed")] == ["closed"] * 6
    assert _list(client, "service_code=maternity") == []  # hidden on the dashboard
    assert len(_list(client, "service_code=contributions")) == 12
    # A window that cuts March in two still answers with all of March or nothing.
    half = "start_date=2026-03-04T00:00:00Z&end_date=2026-03-20T00:00:00Z"
    assert len(client.get(f"/open311/v2/requests.json?{half}").get_json()) == 12
    before = "start_date=2026-01-01T00:00:00Z&end_date=2026-02-20T00:00:00Z"
    assert client.get(f"/open311/v2/requests.json?{before}").get_json() == []
    bad = client.get("/open311/v2/requests.json?status=maybe")
    assert bad.status_code == 400 and bad.get_json()[0]["code"] == 400
    wide = client.get(
        "/open311/v2/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"
    )
    assert wide.status_code == 400


def test_requests_in_xml(client: FlaskClient) -> None:
    _population()
    root = ElementTree.fromstring(client.get(f"/open311/v2/requests.xml?{SPAN}").data)
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert root[0].find("service_request_id").text is None  # type: ignore[union-attr]
    assert root[0].find("status").text in ("open", "closed")  # type: ignore[union-attr]
    assert root[0].find("lat") is None


def test_a_request_by_id_answers_only_its_own_partner_or_complainant(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    form = {
        "api_key": api_key,
        "service_code": "maternity",
        "address_id": "KH-3",
        "description": "My maternity allowance was never paid.",
    }
    made = client.post("/open311/v2/requests.json", data=form)
    reference = made.get_json()[0]["service_request_id"]
    _other, other_key = create_partner("Another client")
    db.session.flush()
    someone_else = case_in("in_progress")

    def status(path: str) -> int:
        return client.get(path).status_code

    own = client.get(f"/open311/v2/requests/{reference}.json?api_key={api_key}").get_json()
    assert own[0]["service_request_id"] == reference and own[0]["address_id"] == "KH-3"
    listed = client.get(
        f"/open311/v2/requests.json?service_request_id={reference}&api_key={api_key}"
    )
    assert [r["service_request_id"] for r in listed.get_json()] == [reference]
    assert status(f"/open311/v2/requests/{reference}.json") == 404
    assert status(f"/open311/v2/requests/{reference}.json?api_key={other_key}") == 404
    assert status(f"/open311/v2/requests/{someone_else.reference}.json?api_key={api_key}") == 404
    assert status(f"/open311/v2/requests/{reference}.json?api_key=nope") == 403
    assert client.get(f"/open311/v2/requests.json?service_request_id={reference}").get_json() == []
    # The complainant whose status page is open in this browser reads her own.
    with client.session_transaction() as session:
        session["tracked_case"] = {"id": someone_else.id, "until": int(time.time()) + 600}
    mine = client.get(f"/open311/v2/requests/{someone_else.reference}.xml")
    assert mine.status_code == 200 and someone_else.reference in mine.get_data(as_text=True)
    assert status(f"/open311/v2/requests/{reference}.json") == 404


def test_no_public_open311_answer_contains_another_complainants_reference(
    client: FlaskClient,
) -> None:
    cases = _population()
    answers = [
        f"/open311/v2/requests.{fmt}?{SPAN}{extra}"
        for fmt in ("json", "xml")
        for extra in ("", "&status=open", "&status=closed", "&service_code=contributions")
    ]
    answers += [
        f"/open311/v2/requests/{c.reference}.{fmt}" for c in cases for fmt in ("json", "xml")
    ]
    answers += [f"/open311/v2/requests.json?service_request_id={c.reference}" for c in cases]
    answers += ["/open311/v2/services.json", "/open311/v2/services.xml"]
    for path in answers:
        text = client.get(path).get_data(as_text=True)
        assert not any(c.reference in text for c in cases), path


def test_post_request_needs_an_api_key_and_files_a_case(client: FlaskClient, api_key: str) -> None:
    form = {
        "service_code": "contributions",
        "address_string": "Phnom Penh",
        "description": "My employer deducts contributions but does not pay NSSF.",
        "first_name": "Sok",
        "phone": "012 345 678",
    }
    refused = client.post("/open311/v2/requests.json", data=form)
    assert refused.status_code == 403 and refused.get_json()[0]["code"] == 403
    wrong = client.post("/open311/v2/requests.xml", data={**form, "api_key": "nope"})
    assert ElementTree.fromstring(wrong.data).tag == "errors"
    made = client.post("/open311/v2/requests.json", data={**form, "api_key": api_key})
    assert made.status_code == 201
    answer = made.get_json()[0]
    assert set(answer) >= {"service_request_id", "service_notice"}
    case = db.session.query(Case).filter_by(reference=answer["service_request_id"]).one()  # type: ignore[attr-defined]
    assert case.channel == "open311" and case.province_code == "KH-12"
    assert "secret" not in made.get_data(as_text=True)
    unknown = client.post(
        "/open311/v2/requests.json", data={**form, "api_key": api_key, "service_code": "x"}
    )
    assert unknown.status_code == 400
    nowhere = client.post(
        "/open311/v2/requests.json", data={**form, "api_key": api_key, "address_string": ""}
    )
    assert nowhere.status_code == 400  # neither a place nor a point


def test_a_request_with_only_a_point_is_placed_in_its_province_and_flagged(
    client: FlaskClient, api_key: str
) -> None:
    from grievance.cases.models import CaseEvent

    form = {
        "api_key": api_key,
        "service_code": "contributions",
        "description": "My employer deducts contributions but does not pay NSSF.",
    }
    for (lat, long), province in {
        ("11.5564", "104.9282"): "KH-12",  # Phnom Penh
        ("13.3633", "103.8564"): "KH-17",  # Siem Reap
        ("10.6093", "103.5296"): "KH-18",  # Sihanoukville
        ("13.2", "107.4"): "KH-16",  # somewhere in the north-east hills
    }.items():
        made = client.post("/open311/v2/requests.json", data={**form, "lat": lat, "long": long})
        assert made.status_code == 201, made.get_data(as_text=True)
        reference = made.get_json()[0]["service_request_id"]
        case = db.session.query(Case).filter_by(reference=reference).one()  # type: ignore[attr-defined]
        assert case.province_code == province
        notes = db.session.query(CaseEvent).filter_by(case_id=case.id, kind="comment").all()  # type: ignore[attr-defined]
        assert len(notes) == 1 and not notes[0].public
        assert "please confirm the province" in notes[0].data["text"]
    bad = client.post("/open311/v2/requests.json", data={**form, "lat": "north", "long": "1"})
    assert bad.status_code == 400 and "lat" in bad.get_json()[0]["description"]


def test_unknown_resource_answers_in_the_error_format(client: FlaskClient) -> None:
    response = client.get("/open311/v2/nothing.json")
    assert response.status_code == 404 and response.get_json()[0]["code"] == 404
    xml = client.delete("/open311/v2/nothing/else.xml")
    assert xml.status_code == 404 and ElementTree.fromstring(xml.data).tag == "errors"


def test_a_wrong_method_answers_in_the_error_format_with_allow(client: FlaskClient) -> None:
    response = client.put("/open311/v2/services.json")
    assert response.status_code == 405 and response.headers["Allow"]
    assert response.get_json()[0]["code"] == 405
    xml = client.delete("/open311/v2/requests.xml")
    assert xml.status_code == 405 and set(xml.headers["Allow"].split(", ")) >= {"GET", "POST"}
    root = ElementTree.fromstring(xml.data)
    assert root.tag == "errors" and root[0].find("code").text == "405"  # type: ignore[union-attr]


def test_post_request_is_checked_by_the_intake_rules(client: FlaskClient, api_key: str) -> None:
    form = {
        "api_key": api_key,
        "service_code": "maternity",
        "address_id": "KH-3",
        "description": "My maternity allowance was never paid.",
    }

    def refused(**changes: str) -> str:
        response = client.post("/open311/v2/requests.json", data={**form, **changes})
        assert response.status_code == 400
        return str(response.get_json()[0]["description"])

    assert "phone" in refused(phone="12")
    assert "description" in refused(description="x" * 10_001)
    assert "description" in refused(description="   ")
    assert "first_name" in refused(first_name="Sok\x00")
    assert refused(address_id="KH\x00-12")  # no province: a 400, never a database error
    made = client.post("/open311/v2/requests.json", data={**form, "phone": "012 345 678"})
    case = (
        db.session.query(Case).filter_by(reference=made.get_json()[0]["service_request_id"]).one()
    )  # type: ignore[attr-defined]
    assert case.complainant is not None and case.complainant.phone == "+85512345678"
    assert case.complainant.consent_to_contact and case.province_code == "KH-3"
