"""Parameters no page can use get a 400, never a 5xx, on both backends, and nothing
personal reaches the logs: a NUL byte or a control character, a huge page number, in
sign-in, search, Open311 and list parameters; an untrusted Host; a partner key in a URL.
Every answer carries the headers that keep other sites' powers out."""

from __future__ import annotations

import logging
import tempfile
from typing import Any

import pytest
from flask.testing import FlaskClient

from grievance.intake.partners import create_partner
from tests.conftest import Auth, csrf_from, make_config

NAME = "Sokunthea Meas"


@pytest.mark.parametrize(
    "path",
    [
        "/track?reference=AB%00CD",
        "/workspace/?q=%00",
        "/workspace/queues/office-kh-12?page=99999999999999999999",
        "/workspace/queues/office-kh-12?page=-1",
        "/oversight/cases?page=1e309",
        "/oversight/cases?page=99999999999999999999999",
        "/open311/v2/requests.json?status=%00open",
        "/open311/v2/requests.json?service_code=pension%01",
        "/cases/?q=Sokunthea%00",
        "/login?next=/staff%00",
    ],
)
def test_unusable_query_parameters_are_a_400(
    client: FlaskClient, auth: Auth, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    auth.login("supervisor")
    caplog.set_level(logging.DEBUG)
    assert client.get(path).status_code == 400, path
    assert all(NAME not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("path", "field"),
    [("/login", "username"), ("/login", "password"), ("/track", "reference")],
)
def test_a_nul_byte_in_a_form_is_never_a_5xx(
    client: FlaskClient, path: str, field: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    page = client.get(path).get_data(as_text=True)
    data = {"username": "sokha", "password": "x", "reference": "AB", "secret": "x"}
    data[field] = f"{NAME}\x00"
    response = client.post(path, data={**data, "csrf_token": csrf_from(page)})
    assert response.status_code < 500
    assert all(NAME not in r.getMessage() for r in caplog.records)


def test_an_untrusted_host_gets_a_plain_400() -> None:
    from grievance.app import create_app

    app = create_app(make_config("sqlite://", tempfile.mkdtemp(), TRUSTED_HOSTS="samleng.example"))
    client = app.test_client()
    for path in ("/", "/track", "/nothing-here"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert "Traceback" not in response.get_data(as_text=True)


def test_open311_takes_the_partner_key_from_the_body_only(client: FlaskClient) -> None:
    _partner, key = create_partner("open311 key in url")
    form = {"service_code": "pension", "description": "No pension paid.", "address_string": "KH-12"}
    in_url = client.post(f"/open311/v2/requests.json?api_key={key}", data=form)
    assert in_url.status_code == 400
    assert "api_key" in in_url.get_data(as_text=True)
    in_body = client.post("/open311/v2/requests.json", data={**form, "api_key": key})
    assert in_body.status_code == 201


def test_every_answer_keeps_other_sites_powers_out(client: FlaskClient) -> None:
    for path in ("/", "/track", "/nothing-here"):
        headers: Any = client.get(path).headers
        assert "camera=()" in headers["Permissions-Policy"]
        assert "geolocation=()" in headers["Permissions-Policy"]
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
