"""Partner JSON API: token auth, idempotent creation, reading and listing, and an OpenAPI
document that real answers are validated against."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec

from grievance.extensions import db
from grievance.intake.partners import create_partner
from grievance.security import secret_matches
from tests.intake.helpers import case_count

BODY = {
    "description": "Worker injured by a cutting machine; employer did not report it.",
    "category": "employment_injury",
    "province": "KH-3",
    "external_id": "UNION-2026-0042",
    "affected_count": 1,
    "complainant": {
        "name": "Dara",
        "phone": "012 345 678",
        "sex": "male",
        "consent_to_contact": True,
    },
}


@pytest.fixture
def token(app: Flask) -> str:
    with app.test_request_context():
        _partner, value = create_partner("Union case system")
        db.session.flush()
    return value


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    document = app.test_client().get("/api/openapi.json").get_json()
    validate_spec(document)
    return document


def check(spec: dict[str, Any], path: str, method: str, response: Any) -> Any:
    """The answer's status is documented for this operation and its body fits the schema."""
    operation = spec["paths"][path][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented, f"{method.upper()} {path} -> {response.status_code} is not documented"
    body = response.get_json()
    schema = documented["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": spec["components"]}).validate(body)
    return body


def call(client: FlaskClient, method: str, url: str, token: str | None, **kw: Any) -> Any:
    headers = kw.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.open(url, method=method, headers=headers, **kw)


def test_openapi_document_is_valid_and_covers_every_api_route(
    app: Flask, spec: dict[str, Any]
) -> None:
    assert spec["openapi"].startswith("3.1")
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("intake.api."):
            path = rule.rule.replace("<reference>", "{reference}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:  # type: ignore[operator]
                routes.add((path, method.lower()))
    documented = {(p, m) for p, ops in spec["paths"].items() for m in ops}
    assert routes == documented


def test_create_get_and_list_with_the_documented_shapes(
    client: FlaskClient, token: str, spec: dict[str, Any]
) -> None:
    created = call(client, "POST", "/api/v1/cases", token, json=BODY)
    body = check(spec, "/api/v1/cases", "post", created)
    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v1/cases/{body['reference']}"
    assert body["channel"] == "api" and body["status"]["en"] == "Received"
    assert body["external_id"] == "UNION-2026-0042"
    from grievance.cases.models import Case
    from grievance.keys import server_key

    with client.application.test_request_context():
        case = db.session.query(Case).filter_by(reference=body["reference"]).one()
        assert secret_matches(body["secret"], case.secret_hash, server_key())
        assert case.complainant is not None and case.complainant.phone == "+85512345678"

    one = call(client, "GET", f"/api/v1/cases/{body['reference']}", token)
    assert check(spec, "/api/v1/cases/{reference}", "get", one)["reference"] == body["reference"]
    assert "secret" not in one.get_json()

    listing = call(
        client,
        "GET",
        "/api/v1/cases?province=KH-3&category=employment_injury"
        "&state=submitted&since=2000-01-01T00:00:00Z&per_page=5",
        token,
    )
    page = check(spec, "/api/v1/cases", "get", listing)
    assert [c["reference"] for c in page["items"]] == [body["reference"]]
    assert page["total"] == 1 and page["per_page"] == 5
    empty = call(client, "GET", "/api/v1/cases?province=KH-1", token).get_json()
    assert empty["items"] == [] and empty["total"] == 0


def test_pagination(client: FlaskClient, token: str, spec: dict[str, Any]) -> None:
    for i in range(5):
        call(client, "POST", "/api/v1/cases", token, json={**BODY, "external_id": f"E{i}"})
    first = check(
        spec, "/api/v1/cases", "get", call(client, "GET", "/api/v1/cases?per_page=2&page=1", token)
    )
    third = check(
        spec, "/api/v1/cases", "get", call(client, "GET", "/api/v1/cases?per_page=2&page=3", token)
    )
    assert first["total"] == 5 and len(first["items"]) == 2 and len(third["items"]) == 1
    assert first["items"][0]["external_id"] == "E4"  # newest first


def test_idempotency_key_makes_retries_safe(
    client: FlaskClient, token: str, spec: dict[str, Any]
) -> None:
    before = case_count()
    headers = {"Idempotency-Key": "union-42-attempt"}
    first = call(client, "POST", "/api/v1/cases", token, json=BODY, headers=dict(headers))
    # Same body in another key order and spacing: still the same request.
    same = json.dumps(dict(reversed(list(BODY.items()))), indent=2)
    again = call(
        client,
        "POST",
        "/api/v1/cases",
        token,
        data=same,
        content_type="application/json",
        headers=dict(headers),
    )
    assert first.status_code == again.status_code == 201
    assert check(spec, "/api/v1/cases", "post", again) == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert case_count() == before + 1

    other = call(
        client,
        "POST",
        "/api/v1/cases",
        token,
        json={**BODY, "province": "KH-1"},
        headers=dict(headers),
    )
    assert other.status_code == 422
    assert check(spec, "/api/v1/cases", "post", other)["error"] == "idempotency_key_reused"
    assert case_count() == before + 1


def test_stored_idempotency_answer_holds_no_secret(client: FlaskClient, token: str) -> None:
    from sqlalchemy import select

    from grievance.intake.models import IdempotencyRecord

    created = call(
        client, "POST", "/api/v1/cases", token, json=BODY, headers={"Idempotency-Key": "k1"}
    ).get_json()
    record = db.session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == "k1"))
    assert record is not None and record.response is not None
    assert created["secret"] not in json.dumps(record.response)


def test_validation_errors_name_the_fields(
    client: FlaskClient, token: str, spec: dict[str, Any]
) -> None:
    bad = {
        "description": "ok\x07",
        "category": "nope",
        "province": "KH-99",
        "affected_count": 0,
        "complainant": {"phone": "12", "sex": "robot"},
    }
    response = call(client, "POST", "/api/v1/cases", token, json=bad)
    body = check(spec, "/api/v1/cases", "post", response)
    assert response.status_code == 422
    assert set(body["fields"]) == {
        "description",
        "category",
        "province",
        "affected_count",
        "complainant.phone",
        "complainant.sex",
    }
    not_json = call(
        client, "POST", "/api/v1/cases", token, data="{oops", content_type="application/json"
    )
    assert check(spec, "/api/v1/cases", "post", not_json)["error"] == "invalid_json"
    bad_filter = call(client, "GET", "/api/v1/cases?since=yesterday&per_page=1000", token)
    assert set(check(spec, "/api/v1/cases", "get", bad_filter)["fields"]) == {"since", "per_page"}


def test_tokens_and_partner_isolation(
    client: FlaskClient, token: str, app: Flask, spec: dict[str, Any]
) -> None:
    missing = call(client, "GET", "/api/v1/cases", None)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    check(spec, "/api/v1/cases", "get", missing)
    assert call(client, "GET", "/api/v1/cases", "spk_wrong").status_code == 401
    mine = call(client, "POST", "/api/v1/cases", token, json=BODY).get_json()
    with app.test_request_context():
        _other, other_token = create_partner("NGO system")
        db.session.flush()
    hidden = call(client, "GET", f"/api/v1/cases/{mine['reference']}", other_token)
    assert hidden.status_code == 404
    check(spec, "/api/v1/cases/{reference}", "get", hidden)
    assert call(client, "GET", "/api/v1/cases", other_token).get_json()["total"] == 0


def test_api_needs_no_csrf_token_but_web_forms_do(client: FlaskClient, token: str) -> None:
    assert call(client, "POST", "/api/v1/cases", token, json=BODY).status_code == 201
    assert client.post("/hotline", data={}).status_code in (302, 400)


def test_cli_registers_a_partner_and_prints_its_token_once(app: Flask) -> None:
    from sqlalchemy import select

    from grievance.intake.models import PartnerClient
    from grievance.intake.partners import token_hash

    result = app.test_cli_runner().invoke(args=["intake", "create-partner", "Labour NGO"])
    assert result.exit_code == 0, result.output
    token = result.output.split("token ", 1)[1].split()[0]
    partner = db.session.scalar(select(PartnerClient).where(PartnerClient.name == "Labour NGO"))
    assert partner is not None and partner.token_hash == token_hash(token)
    assert token not in partner.token_hash


def test_routing_errors_under_api_answer_json(client: FlaskClient, spec: dict[str, Any]) -> None:
    wrong_method = client.delete("/api/v1/cases")
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "application/json"
    assert set(wrong_method.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert wrong_method.get_json()["error"] == "method_not_allowed"
    Draft202012Validator(
        {**spec["components"]["schemas"]["Error"], "components": spec["components"]}
    ).validate(wrong_method.get_json())
    missing = client.get("/api/v2/nothing")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert client.post("/api/openapi.json").headers["Allow"]


def test_requests_are_checked_with_the_documented_schema(
    client: FlaskClient, token: str, spec: dict[str, Any]
) -> None:
    from grievance.intake import api_schema, partners

    with client.application.test_request_context():
        same = api_schema.new_case(partners.category_codes(), partners.province_codes())
    assert spec["components"]["schemas"]["NewCase"] == same
    # Nullable where the document says so: null means "not given".
    nulls = {
        **BODY,
        "external_id": None,
        "concerned_name": None,
        "complainant": {"name": None, "phone": None},
    }
    assert call(client, "POST", "/api/v1/cases", token, json=nulls).status_code == 201
    no_person = call(client, "POST", "/api/v1/cases", token, json={**BODY, "complainant": None})
    assert no_person.status_code == 201
    # ... and nowhere else; types are the document's, not guessed.
    wrong = {**BODY, "confidential": None, "affected_count": "3", "language": None}
    response = call(client, "POST", "/api/v1/cases", token, json=wrong)
    fields = check(spec, "/api/v1/cases", "post", response)["fields"]
    assert response.status_code == 422
    assert fields == {
        "confidential": "Must be true or false.",
        "affected_count": "Must be a whole number.",
        "language": "Must be a string.",
    }
    missing = call(client, "POST", "/api/v1/cases", token, json={"complainant": {"sex": 1}})
    assert set(missing.get_json()["fields"]) == {
        "description",
        "category",
        "province",
        "complainant.sex",
    }


def _walk(client: FlaskClient, token: str, spec: dict[str, Any], url: str) -> list[str]:
    """Every page through next_cursor; the external ids in the order they came."""
    seen: list[str] = []
    while url:
        page = check(spec, "/api/v1/cases", "get", call(client, "GET", url, token))
        seen += [c["external_id"] for c in page["items"]]
        url = (
            f"/api/v1/cases?per_page=3&cursor={page['next_cursor']}" if page["next_cursor"] else ""
        )
    return seen


def test_cursor_pages_walk_every_case_once_newest_first(
    client: FlaskClient, token: str, spec: dict[str, Any]
) -> None:
    for i in range(7):
        call(client, "POST", "/api/v1/cases", token, json={**BODY, "external_id": f"C{i}"})
    assert _walk(client, token, spec, "/api/v1/cases?per_page=3") == [
        f"C{i}" for i in reversed(range(7))
    ]
    last = call(client, "GET", "/api/v1/cases?per_page=7", token).get_json()
    assert last["next_cursor"] is None and last["total"] == 7 and not last["total_capped"]
    first = call(client, "GET", "/api/v1/cases?per_page=3", token).get_json()
    assert str(first["next_cursor"]) not in {str(i) for i in range(1, 100)}  # no bare ids
    forged = call(client, "GET", "/api/v1/cases?cursor=not-ours", token)
    assert check(spec, "/api/v1/cases", "get", forged)["error"] == "validation_failed"
    assert set(forged.get_json()["fields"]) == {"cursor"}


def test_the_count_stops_at_its_cap_and_says_so(
    client: FlaskClient, token: str, spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from grievance.intake import partners

    monkeypatch.setattr(partners, "COUNT_CAP", 3)
    for i in range(5):
        call(client, "POST", "/api/v1/cases", token, json={**BODY, "external_id": f"K{i}"})
    page = check(spec, "/api/v1/cases", "get", call(client, "GET", "/api/v1/cases", token))
    assert (page["total"], page["total_capped"], len(page["items"])) == (3, True, 5)


def test_the_count_is_of_the_partners_cases_that_match(
    client: FlaskClient, token: str, spec: dict[str, Any]
) -> None:
    """Without a filter the count is of the partner's links alone; with one, of the cases
    that match it: both are counts of what the list would walk through."""
    for i in range(4):
        call(client, "POST", "/api/v1/cases", token, json={**BODY, "external_id": f"N{i}"})
    everything = call(client, "GET", "/api/v1/cases?per_page=2", token).get_json()
    state = everything["items"][0]["state"]
    same = call(client, "GET", f"/api/v1/cases?per_page=2&state={state}", token).get_json()
    none = call(client, "GET", "/api/v1/cases?state=closed", token).get_json()
    assert (everything["total"], same["total"], none["total"]) == (4, 4, 0)
    after = call(client, "GET", f"/api/v1/cases?cursor={everything['next_cursor']}", token)
    assert check(spec, "/api/v1/cases", "get", after)["total"] == 4  # of the list, not the rest


def test_a_partners_page_is_read_in_index_order_not_sorted(app: Flask) -> None:
    """The plan of a page reads the (partner, case) index and never sorts all of the
    partner's cases (on PostgreSQL with sorting discouraged, so that any sort shows)."""
    from grievance.intake import partners
    from tests.plans import unsorted_plan

    f = partners.Filters(state="submitted")
    plan = unsorted_plan(partners.page_query(partners.matching(1, f), f, before=10**9))
    assert "ix_partner_cases_partner_case" in plan, plan
