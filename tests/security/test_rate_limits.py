"""Sign-in, one-time codes, the public form, the SMS webhook and the partner API are each
slowed down past a limit, and answer 429 in their own format. Limits are made small here
so the tests stay quick; the counters are reset by the `client` fixture."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from grievance.auth import backoff
from grievance.auth.views import _account_key
from grievance.intake import partners
from grievance.integrations.twilio import signature
from grievance.ratelimit import limiter
from tests.conftest import Auth, csrf_from
from tests.factories import make_user
from tests.intake.helpers import public_post

SMS_TOKEN = "rate-limit-test-token"


@pytest.fixture
def small(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Any:
    def set_limit(name: str, value: str) -> None:
        monkeypatch.setattr(app.config["SAMLENG"], name, value)

    return set_limit


def sign_in(client: FlaskClient, username: str, password: str, addr: str = "10.9.0.1") -> Any:
    page = client.get("/login", environ_base={"REMOTE_ADDR": addr}).get_data(as_text=True)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page)},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_sign_in_is_limited_per_client_address(client: FlaskClient, small: Any) -> None:
    small("LOGIN_LIMIT_PER_CLIENT", "3/minute")
    for n in range(3):
        assert sign_in(client, f"nobody{n}", "wrong").status_code == 401
    refused = sign_in(client, "nobody9", "wrong")
    assert refused.status_code == 429
    assert '<html lang="km">' in refused.get_data(as_text=True)  # the friendly wait page
    assert 0 < int(refused.headers["Retry-After"]) <= 61
    assert sign_in(client, "nobody9", "wrong", addr="10.9.0.2").status_code == 401
    limiter.reset()
    assert sign_in(client, "nobody9", "wrong").status_code == 401


def test_failed_sign_ins_slow_the_guesser_without_locking_the_owner_out(
    client: FlaskClient,
) -> None:
    user = make_user("representative", username="sokha.limit")
    assert sign_in(client, user.username, "wrong", addr="10.8.0.1").status_code == 401
    # The guesser's next try waits 2 seconds, even with the right password, whatever the case.
    refused = sign_in(client, "Sokha.Limit", "correct horse battery", addr="10.8.0.1")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 2
    page = refused.get_data(as_text=True)
    assert '<html lang="km">' in page and 'id="username"' in page  # her sign-in page, in Khmer
    assert "វិនាទី" in page  # "seconds": when to try again
    # The owner, elsewhere, signs in as usual; another account is not slowed either.
    owner = client.application.test_client()
    assert sign_in(owner, user.username, "correct horse battery", "10.8.0.9").status_code == 302
    assert sign_in(client, "someone.else", "wrong", addr="10.8.0.1").status_code == 401
    limiter.reset()
    assert sign_in(client, user.username, "correct horse battery", "10.8.0.1").status_code == 302


def test_the_wait_doubles_with_each_failure_up_to_the_cap(app: Flask) -> None:
    """Counted in Redis when REDIS_URL is set, else in memory (the limiter's storage)."""
    with app.test_request_context("/login", method="POST", data={"username": "dara"}):
        pair = _account_key()
        waits = [backoff.failed(pair, cap=900) for _ in range(12)]
        assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
        assert 890 < backoff.wait_left(pair) <= 900
        backoff.succeeded(pair)
        assert backoff.wait_left(pair) == 0
        assert backoff.failed(pair, cap=900) == 2  # the right password started it again


def test_the_wait_is_said_in_her_language(client: FlaskClient) -> None:
    make_user("officer", username="dara.wait")
    client.get("/login?lang=en", environ_base={"REMOTE_ADDR": "10.6.0.1"})
    for _ in range(8):  # eight failures, each wait skipped; the ninth: 2^9 = 512 s
        assert sign_in(client, "dara.wait", "wrong", addr="10.6.0.1").status_code == 401
        limiter.storage.clear("samleng/login-wait/" + _pair("dara.wait", "10.6.0.1", client))
    assert sign_in(client, "dara.wait", "wrong", addr="10.6.0.1").status_code == 401
    refused = sign_in(client, "dara.wait", "correct horse battery", addr="10.6.0.1")
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Too many wrong passwords for this account from this device." in text
    assert "Try again in 9 minutes." in text  # 2^9 = 512 s
    assert 500 < int(refused.headers["Retry-After"]) <= 512


def _pair(username: str, addr: str, client: FlaskClient) -> str:
    app = client.application
    form = {"username": username}
    with app.test_request_context(
        "/login", method="POST", data=form, environ_base={"REMOTE_ADDR": addr}
    ):
        return _account_key()


def test_successful_sign_ins_do_not_count_against_the_account(client: FlaskClient) -> None:
    user = make_user("officer", username="dara.limit")
    for n in range(4):  # a fresh browser each time, so each one really signs in
        fresh = client.application.test_client()
        assert (
            sign_in(fresh, user.username, "correct horse battery", f"10.7.0.{n}").status_code == 302
        )


def test_the_account_key_never_holds_the_username(app: Flask) -> None:
    form = {"username": "Sokha.Limit"}
    with app.test_request_context("/login", method="POST", data=form):
        key = _account_key()
    with app.test_request_context("/login", method="POST", data={"username": " sokha.limit "}):
        assert _account_key() == key
    assert "sokha" not in key.lower()
    elsewhere = {"REMOTE_ADDR": "10.1.2.3"}
    with app.test_request_context("/login", method="POST", data=form, environ_base=elsewhere):
        assert _account_key() != key  # counted per account and client pair


def test_one_time_codes_are_limited_per_client(client: FlaskClient, auth: Auth, small: Any) -> None:
    small("LOGIN_CODE_LIMIT_PER_CLIENT", "3/minute")
    user = make_user("admin", username="vanna.limit")
    from grievance.auth import totp
    from grievance.crypto import seal
    from grievance.extensions import db

    user.totp_secret = seal(totp.new_seed(), totp.PURPOSE)
    db.session.flush()
    assert sign_in(client, user.username, "correct horse battery").status_code == 302
    token = csrf_from(client.get("/login/code").get_data(as_text=True))
    for _ in range(3):
        wrong = client.post("/login/code", data={"code": "000000", "csrf_token": token})
        assert wrong.status_code == 401
    refused = client.post("/login/code", data={"code": "000000", "csrf_token": token})
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"


def test_the_public_form_is_limited_per_client(client: FlaskClient, small: Any) -> None:
    small("FILE_LIMIT_PER_CLIENT", "2/hour")
    for _ in range(2):
        assert public_post(client).status_code == 200
    refused = public_post(client)
    assert refused.status_code == 429
    assert "Please wait 60 minutes" in refused.get_data(as_text=True)
    limiter.reset()
    assert public_post(client).status_code == 200


def sms(client: FlaskClient, sid: str) -> Any:
    form = {"From": "+85512345678", "Body": "STATUS", "MessageSid": sid}
    base = client.application.config["SAMLENG"].PUBLIC_BASE_URL
    sig = signature(SMS_TOKEN, base + "/sms/inbound", form.items())
    return client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": sig})


def test_the_sms_webhook_answers_a_plain_429(client: FlaskClient, small: Any) -> None:
    small("TWILIO_AUTH_TOKEN", SMS_TOKEN)
    small("SMS_LIMIT_PER_CLIENT", "2/minute")
    for n in range(2):
        assert sms(client, f"SMRL{n}").status_code == 200
    refused = sms(client, "SMRL9")
    assert refused.status_code == 429
    assert refused.mimetype == "text/plain"
    assert int(refused.headers["Retry-After"]) > 0
    limiter.reset()
    assert sms(client, "SMRL9").status_code == 200


def test_the_partner_api_is_limited_per_token_with_a_json_error(
    client: FlaskClient, small: Any
) -> None:
    small("API_LIMIT_PER_PARTNER", "3/minute")
    _, one = partners.create_partner("Rate One")
    _, two = partners.create_partner("Rate Two")
    for url in ("/api/v1/cases", "/api/v1/cases/AAAA-BBBB", "/api/v1/cases"):
        response = client.get(url, headers={"Authorization": f"Bearer {one}"})
        assert response.status_code in (200, 404)  # one budget across all API routes
    refused = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {one}"})
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0
    assert (
        client.get("/api/v1/cases", headers={"Authorization": f"Bearer {two}"}).status_code == 200
    )
    limiter.reset()
    assert (
        client.get("/api/v1/cases", headers={"Authorization": f"Bearer {one}"}).status_code == 200
    )
