"""The server key, MACs by purpose, sealing keys and Twilio's request signature."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from flask import Flask

from grievance import keys
from grievance.integrations import public_url, requested_public_url, twilio
from grievance.security import hash_secret


def test_server_key_falls_back_to_the_secret_key(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = app.config["SAMLENG"]
    monkeypatch.setattr(cfg, "SERVER_KEY", "")
    assert keys.server_key() == cfg.SECRET_KEY
    monkeypatch.setattr(cfg, "SERVER_KEY", "a-server-key")
    assert keys.server_key() == "a-server-key"


def test_purposes_keep_the_tags_stored_values_were_made_with() -> None:
    def bare(message: bytes) -> bytes:
        return hmac.new(b"k", message, hashlib.sha256).digest()

    assert keys.mac("k", "tracking_secret", "ABCD") == bare(b"ABCD")
    assert keys.mac("k", "track_ref", "ABCD-2345") == bare(b"track-ref:ABCD-2345")
    assert keys.mac("k", "login", "dara") == bare(b"login:dara")
    assert keys.mac("k", "api_secret", "1|key") == bare(b"api-secret|1|key")
    assert keys.mac("k", "tracking_link", "outbox:1") == bare(b"tracking-link:outbox:1")
    assert keys.mac("k", "secret_check", "123456") == bare(b"secret-check:123456")
    assert hash_secret("abcd-efgh", "k") == bare(b"ABCDEFGH").hex()


def test_one_message_gives_another_mac_for_each_purpose() -> None:
    purposes = (
        "track_ref",
        "login",
        "api_secret",
        "tracking_link",
        "secret_check",
        "sender",
        "list_cursor",
    )
    assert len({keys.mac("k", purpose, "same") for purpose in purposes}) == len(purposes)


def test_sealing_keys_differ_by_purpose(app: Flask) -> None:
    assert keys.sealing_key("outbox") != keys.sealing_key("totp")
    assert len(keys.sealing_key("outbox")) == 32


def test_twilio_signature_matches_the_published_examples() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675310",
        "Digits": "1234",
        "From": "+14158675310",
        "To": "+18005551212",
    }
    assert twilio.signature("12345", url, params.items()) == "GvWf1cFY/Q7PnoempGyD5oXAezc="
    params = {**params, "Caller": "+14158675309", "From": "+14158675309"}
    assert twilio.signature("12345", url, params.items()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_signature_sorts_by_name_and_keeps_every_value() -> None:
    url = "https://example.org/sms"
    pairs = [("To", "+1"), ("MediaUrl", "b"), ("MediaUrl", "a")]
    payload = url + "MediaUrlaMediaUrlbTo+1"
    expected = hmac.new(b"t", payload.encode(), hashlib.sha1).digest()
    assert twilio.signature("t", url, pairs) == base64.b64encode(expected).decode()
    assert not twilio.signature_valid("", url, pairs, twilio.signature("", url, pairs))
    assert not twilio.signature_valid("t", url, pairs, None)


def test_public_urls_start_with_the_configured_base(app: Flask) -> None:
    with app.test_request_context("/sms/inbound?x=1"):
        base = app.config["SAMLENG"].PUBLIC_BASE_URL.rstrip("/")
        assert public_url("/track/l/abc") == base + "/track/l/abc"
        assert requested_public_url() == base + "/sms/inbound?x=1"
