"""A whole journey at DEBUG level leaves no personal data in the logs: not the name, the
phone number in any spelling, the story, the tracking secret nor the client's address.

Werkzeug's access log ("203.0.113.7 - - [date] GET /track ...") is written only by the
development server (`flask run`), never under gunicorn in production, and the test client
does not produce it; so it is not part of what is checked here."""

from __future__ import annotations

import logging
import re

import pytest
from flask.testing import FlaskClient

from grievance.extensions import db
from notifications.models import Notification
from notifications.relay import send_notification, sweep_job
from tests.conftest import Auth, csrf_from
from tests.intake.helpers import public_post
from tests.oversight.helpers import run_job

ADDR = "203.0.113.77"
NAME = "Sokunthea Meas"
WORD = "Zephyrquill"
CODES = re.compile(
    r"\b([0-9A-Z]{4}-[0-9A-Z]{4})\b.*?\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b", re.S
)


def test_a_full_journey_logs_no_personal_data(
    client: FlaskClient, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.environ_base["REMOTE_ADDR"] = ADDR
    filed = public_post(
        client,
        name=NAME,
        phone="012 777 889",
        consent_to_contact="y",
        description=f"The {WORD} factory keeps back our NSSF money every month.",
    )
    assert filed.status_code == 200
    found = CODES.search(filed.get_data(as_text=True))
    assert found, "the filed page shows the reference and the secret"
    reference, secret = found.groups()

    page = client.get("/track?lang=en").get_data(as_text=True)
    tracked = client.post(
        "/track", data={"csrf_token": csrf_from(page), "reference": reference, "secret": secret}
    )
    assert tracked.status_code == 303
    assert reference in client.get("/track/case").get_data(as_text=True)

    auth.login("officer", province="KH-12")
    shown = client.get(f"/cases/{reference}")
    assert shown.status_code == 200
    commented = client.post(
        f"/cases/{reference}/comment",
        data={
            "csrf_token": csrf_from(shown.get_data(as_text=True)),
            "text": "Called the employer.",
        },
    )
    assert commented.status_code in (302, 303)
    run_job(sweep_job)
    # With Redis the sweep hands sending to workers: send here, as a worker would.
    for note_id in db.session.scalars(db.select(Notification.id)).all():
        run_job(send_notification, note_id)

    # A positive control: capture works even when the embedded journey logs nothing itself.
    logging.getLogger("grievance").info("journey finished")
    assert any(r.getMessage() == "journey finished" for r in caplog.records)
    forbidden = [NAME, "Sokunthea", WORD, secret, ADDR, "777889", "777 889", "12777889"]
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        for value in forbidden:
            assert value not in text, f"{value!r} in a {record.name} log line"
