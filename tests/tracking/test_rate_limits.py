"""Guessing secrets is slowed down per client and per reference, with a friendly wait page."""

from __future__ import annotations

from flask.testing import FlaskClient

from grievance.security import new_reference
from tests.tracking.helpers import lookup, new_case


def test_a_client_gets_ten_lookups_a_minute(client: FlaskClient) -> None:
    for _ in range(10):
        assert lookup(client, new_reference(), "AAAA-BBBB-CCCC", addr="10.0.0.1").status_code == 200
    refused = lookup(client, new_reference(), "AAAA-BBBB-CCCC", addr="10.0.0.1")
    assert refused.status_code == 429
    assert "Too many tries. Please wait 1 minute and try again." in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 61
    assert refused.headers["Cache-Control"] == "no-store"
    # Another client is not affected.
    assert lookup(client, new_reference(), "AAAA-BBBB-CCCC", addr="10.0.0.2").status_code == 200


def test_a_reference_gets_five_failed_lookups_per_quarter_hour(client: FlaskClient) -> None:
    filed = new_case()
    ref = filed.case.reference
    for n in range(5):  # from five different places, so the per-client limit plays no part
        assert lookup(client, ref, "AAAA-BBBB-CCCC", addr=f"10.1.0.{n}").status_code == 200
    # Even the right secret waits now: a guesser cannot tell when they found it.
    refused = lookup(client, ref.lower(), filed.secret, addr="10.1.0.9")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many tries. Please wait 15 minutes and try again." in page
    assert filed.secret not in page
    # Other references are not locked.
    other = new_case()
    assert lookup(client, other.case.reference, other.secret, addr="10.1.0.9").status_code == 303


def test_successful_lookups_do_not_use_up_the_reference_limit(client: FlaskClient) -> None:
    filed = new_case()
    for n in range(7):
        response = lookup(client, filed.case.reference, filed.secret, addr=f"10.2.0.{n}")
        assert response.status_code == 303


def test_the_wait_page_speaks_khmer(client: FlaskClient) -> None:
    for _ in range(11):
        response = lookup(client, new_reference(), "AAAA", addr="10.3.0.1", lang="km")
    assert response.status_code == 429
    assert '<html lang="km">' in response.get_data(as_text=True)
