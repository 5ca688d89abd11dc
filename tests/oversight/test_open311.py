"""Open311 GeoReport v2: services, requests with the standard filters, POST with api_key,
JSON and XML, the specification's field names and error format; only public cases."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient

from grievance.cases.models import Case
from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.intake.partners import create_partner
from tests.oversight.helpers import case_in

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


def test_requests_use_the_specification_fields_and_hide_private_cases(client: FlaskClient) -> None:
    person = PersonData(name="Chea Dara", phone="+85512111222", sex="male")
    public = case_in("in_progress", complainant=person, description="Dara's boss refuses")
    closed = case_in("closed", category_code="maternity")
    confidential = case_in("submitted", confidentiality="confidential")
    restricted = case_in("submitted", confidentiality="restricted")
    body = client.get(
        "/open311/v2/requests.json?start_date=2026-02-20T00:00:00%2B07:00"
        "&end_date=2026-04-01T00:00:00%2B07:00"
    ).get_json()
    ids = {r["service_request_id"] for r in body}
    assert {public.reference, closed.reference} <= ids
    assert confidential.reference not in ids and restricted.reference not in ids
    record = next(r for r in body if r["service_request_id"] == public.reference)
    assert set(record) >= FIELDS
    assert record["status"] == "open" and record["lat"] is None and record["description"] is None
    assert record["address"] and record["requested_datetime"].endswith("+07:00")
    text = client.get(f"/open311/v2/requests/{public.reference}.json").get_data(as_text=True)
    assert "Dara" not in text and "111222" not in text
    for ref in (confidential.reference, restricted.reference):
        assert client.get(f"/open311/v2/requests/{ref}.json").status_code == 404


def test_request_filters(client: FlaskClient) -> None:
    open_case = case_in("in_progress")
    closed = case_in("closed", category_code="maternity")
    span = "start_date=2026-02-20T00:00:00Z&end_date=2026-04-01T00:00:00Z"

    def ids(query: str) -> set[str]:
        return {
            r["service_request_id"]
            for r in client.get(f"/open311/v2/requests.json?{span}&{query}").get_json()
        }

    assert open_case.reference in ids("status=open") and closed.reference not in ids("status=open")
    assert ids("status=closed") >= {closed.reference} and open_case.reference not in ids(
        "status=closed"
    )
    assert ids("service_code=maternity") == {closed.reference}
    assert ids(f"service_request_id={closed.reference}") == {closed.reference}
    bad = client.get("/open311/v2/requests.json?status=maybe")
    assert bad.status_code == 400 and bad.get_json()[0]["code"] == 400
    wide = client.get(
        "/open311/v2/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"
    )
    assert wide.status_code == 400


def test_requests_in_xml(client: FlaskClient) -> None:
    case = case_in("in_progress")
    data = client.get(f"/open311/v2/requests/{case.reference}.xml").data
    root = ElementTree.fromstring(data)
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert root[0].find("service_request_id").text == case.reference  # type: ignore[union-attr]
    assert root[0].find("status").text == "open"  # type: ignore[union-attr]
    assert root[0].find("lat") is None


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
        "/open311/v2/requests.json",
        data={**form, "api_key": api_key, "address_string": "", "lat": "11.5", "long": "104.9"},
    )
    assert nowhere.status_code == 400


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
