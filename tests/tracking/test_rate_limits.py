"""Guessing secrets is bounded per client (a wait page) and per reference (failures only:
the right secret always works), and sustained guessing is reported to the supervisors."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.extensions import db
from grievance.security import new_reference
from notifications.models import Notification
from tests.factories import make_user
from tests.tracking.helpers import lookup, new_case, reload


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


def test_strangers_guessing_never_lock_the_owner_out(client: FlaskClient) -> None:
    """Twenty wrong secrets from twenty other phones: the owner's right secret still opens
    her case, wrong ones past the fifth are told "too many", the supervisors hear once."""
    boss = make_user("supervisor", province="KH-12")
    filed = new_case()
    ref = filed.case.reference
    answers = [
        lookup(client, ref, "AAAA-BBBB-CCCC", addr=f"10.1.0.{n}").status_code for n in range(20)
    ]
    assert answers == [200] * 5 + [429] * 15
    refused = lookup(client, ref, "AAAA-BBBB-CCCC", addr="10.1.1.1", lang="en")
    assert "too many wrong tries for this reference" in refused.get_data(as_text=True)
    assert "Retry-After" not in refused.headers  # nothing to wait for: the owner may go on
    # The owner, typing her reference loosely, from her own phone: in at once.
    assert lookup(client, ref.lower(), filed.secret, addr="10.1.0.99").status_code == 303
    case = reload(filed.case)
    assert [e.kind for e in case.events].count("secret_guessing") == 1
    alerts = db.session.scalars(
        select(Notification).where(
            Notification.case_id == case.id, Notification.template == "secret_guessing"
        )
    ).all()
    assert {a.user_id for a in alerts} == {boss.id}
    # Other references are not touched.
    other = new_case()
    assert (
        lookup(client, other.case.reference, "AAAA-BBBB-CCCC", addr="10.1.0.7").status_code == 200
    )


def test_an_unknown_reference_is_counted_like_a_real_one(client: FlaskClient) -> None:
    ref = new_reference()  # well formed, no case has it
    answers = [
        lookup(client, ref, "AAAA-BBBB-CCCC", addr=f"10.4.0.{n}").status_code for n in range(7)
    ]
    assert answers == [200] * 5 + [429] * 2


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
