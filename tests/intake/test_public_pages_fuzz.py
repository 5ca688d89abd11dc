"""Whatever reaches the other public entry points, the answer is never a server error:
the case lookup, the status page's actions (answer a question, accept, appeal, follow up,
withdraw, rate), the staff sign-in and one-time code, the SMS webhook (correctly signed,
random fields) and Open311 POST requests. Random Unicode with Khmer, control characters,
huge and missing fields, with and without a CSRF token. (`/file` is fuzzed in
test_public_form_fuzz.py; representatives file through the staff desk, not a public form.)"""

from __future__ import annotations

import io
import itertools
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grievance.auth import totp
from grievance.crypto import seal
from grievance.extensions import db
from grievance.intake.partners import create_partner
from grievance.integrations.twilio import signature
from grievance.ratelimit import limiter
from grievance.tracking.forms import STEP_FORMS
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user
from tests.tracking.helpers import new_case, officer, open_case, step, to_in_progress

pytestmark = pytest.mark.slow  # Hypothesis on every public entry point

KHMER = st.characters(min_codepoint=0x1780, max_codepoint=0x17FF)
ANY_TEXT = st.text(alphabet=st.one_of(KHMER, st.characters(codec="utf-8")), max_size=200)
HUGE = st.sampled_from(["x" * 20_000, "ក" * 10_001, "\x00" * 3000, "9" * 500])
VALUE = st.one_of(
    ANY_TEXT,
    HUGE,
    st.sampled_from(["", "0", "-1", "5", "99999999999999999999", "y", "on", "KH-12"]),
)
FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fields(*names: str) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(names), VALUE, max_size=len(names))


def never_500(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:1000]


def post_form(
    client: FlaskClient, url: str, data: dict[str, Any], with_token: bool, page: str = ""
) -> Any:
    """POST `data` to `url` as a browser would, with the CSRF token of `page` (default:
    `url`) or without one; never a server error."""
    limiter.reset()
    if with_token:
        data = {**data, "csrf_token": csrf_from(client.get(page or url).get_data(as_text=True))}
    response = client.post(url, data=data)
    never_500(response)
    return response


@FUZZ
@given(values=fields("reference", "secret", "lang"), with_token=st.booleans())
def test_case_lookup(client: FlaskClient, values: dict[str, str], with_token: bool) -> None:
    response = post_form(client, "/track", values, with_token)
    assert response.status_code in (200, 303, 400, 429)


@pytest.fixture
def opened(client: FlaskClient) -> str:
    """A case awaiting the complainant's answer to a proposed resolution, open in the
    client's session (the state where most of the status page's actions apply)."""
    filed = new_case()
    vannak = officer()
    to_in_progress(filed.case, vannak)
    step(filed.case, vannak, "propose_resolution", resolution="Arrears paid in full.")
    return open_case(client, filed)


ACTIONS = [*sorted(STEP_FORMS), "rate"]
STEP_FIELDS = ("version", "answer", "rating", "comment", "reason", "confirm")
FILE = st.tuples(st.binary(max_size=200), st.text(st.characters(codec="utf-8"), max_size=30))


@FUZZ
@given(
    action=st.sampled_from([*ACTIONS, "no_such_step"]),
    values=fields(*STEP_FIELDS),
    files=st.lists(FILE, max_size=4),
    with_token=st.booleans(),
)
def test_status_page_actions(
    client: FlaskClient,
    opened: str,
    action: str,
    values: dict[str, str],
    files: list[tuple[bytes, str]],
    with_token: bool,
) -> None:
    prefix = "rate" if action == "rate" else action
    data: dict[str, Any] = {f"{prefix}-{k}": v for k, v in values.items()}
    if with_token:
        data["csrf_token"] = csrf_from(client.get("/track/case").get_data(as_text=True))
    if files:
        data[f"{prefix}-files"] = [(io.BytesIO(b), n or "f") for b, n in files]
    url = "/track/rate" if action == "rate" else f"/track/act/{action}"
    response = client.post(url, data=data, content_type="multipart/form-data")
    never_500(response)


@FUZZ
@given(values=fields("username", "password", "next"), with_token=st.booleans())
def test_sign_in(client: FlaskClient, values: dict[str, str], with_token: bool) -> None:
    response = post_form(client, "/login", values, with_token)
    assert response.status_code in (200, 302, 400, 401, 429)


@pytest.fixture
def admin_with_code() -> tuple[str, str]:
    user = make_user("admin")
    seed = totp.new_seed()
    user.totp_secret = seal(seed, totp.PURPOSE)
    db.session.flush()
    return user.username, seed


def past_the_password(client: FlaskClient, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 302


@FUZZ
@given(code=VALUE, with_token=st.booleans(), real=st.booleans())
def test_one_time_code(
    app: Flask, admin_with_code: tuple[str, str], code: str, with_token: bool, real: bool
) -> None:
    limiter.reset()
    username, seed = admin_with_code
    client = app.test_client()  # a browser of its own: each example signs in afresh
    past_the_password(client, username)
    data = {"code": pyotp.TOTP(seed).now() if real else code}
    response = post_form(client, "/login/code", data, with_token)
    assert response.status_code in (200, 302, 400, 401, 429)


SMS_TOKEN = "fuzz-twilio-token"
SMS_FIELDS = ("From", "To", "Body", "MessageSid", "AccountSid", "NumMedia", "MediaUrl0")


@FUZZ
@given(
    values=fields(*SMS_FIELDS),
    body=st.one_of(ANY_TEXT, st.sampled_from(["STATUS", "STOP", "ស្ថានភាព ABCD-EFGH 1234"])),
)
def test_sms_webhook_correctly_signed(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    values: dict[str, str],
    body: str,
) -> None:
    monkeypatch.setattr(app.config["SAMLENG"], "TWILIO_AUTH_TOKEN", SMS_TOKEN)
    limiter.reset()
    form = {"Body": body, **values}
    base = app.config["SAMLENG"].PUBLIC_BASE_URL
    headers = {"X-Twilio-Signature": signature(SMS_TOKEN, base + "/sms/inbound", form.items())}
    response = client.post("/sms/inbound", data=form, headers=headers)
    never_500(response)
    assert response.status_code in (200, 400, 403, 413, 429)


OPEN311_FIELDS = (
    "service_code",
    "description",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "device_id",
    "account_id",
    "media_url",
    "attribute[province]",
    "jurisdiction_id",
)


NAMES = itertools.count()


@FUZZ
@given(
    values=fields(*OPEN311_FIELDS),
    with_key=st.booleans(),
    fmt=st.sampled_from(["json", "xml"]),
)
def test_open311_post_requests(
    client: FlaskClient, values: dict[str, str], with_key: bool, fmt: str
) -> None:
    limiter.reset()
    data = dict(values)
    if with_key:
        _partner, data["api_key"] = create_partner(f"open311 fuzz {next(NAMES)}")
        db.session.flush()
    response = client.post(f"/open311/v2/requests.{fmt}", data=data)
    never_500(response)
