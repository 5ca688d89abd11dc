"""Redis stopped during 200 intakes: every case saved, no error, then every SMS exactly once."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from grievance import uow
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.jobs import runtime
from grievance.ratelimit import limiter
from grievance.types import utcnow
from notifications import relay
from notifications.models import Notification
from tests.conftest import job_runner
from tests.intake.helpers import public_post
from tests.notifications.conftest import Runner
from tests.notifications.fake_twilio import FakeTwilio

INTAKES = 200
REFUSING = "redis://127.0.0.1:1/0"  # nothing listens there: every enqueue is refused


@pytest.mark.slow
def test_redis_down_during_200_intakes_then_every_sms_delivered_exactly_once(
    app: Flask,
    client: FlaskClient,
    gateway: FakeTwilio,
    caplog: pytest.LogCaptureFixture,
    rq_jobs: runtime.RQRunner,
) -> None:
    live = rq_jobs
    phones = [f"+8551{2 + i % 7}{100000 + i:06d}" for i in range(INTAKES)]
    references = []
    with time_machine.travel(utcnow(), tick=False) as clock:
        down = runtime.RQRunner(REFUSING)
        with job_runner(app, down), caplog.at_level(logging.WARNING, logger="grievance.jobs"):
            for phone in phones:  # through the public web form, as a worker would
                limiter.reset()  # one test address filing 200 times would pass the form limit
                response = public_post(client, phone=phone, consent_to_contact="y")
                page = response.get_data(as_text=True)
                assert response.status_code == 200, page[:500]
                newest = select(Case.reference).order_by(Case.id.desc()).limit(1)
                reference = db.session.scalar(newest)
                assert reference and reference in page  # the worker sees the reference
                references.append(reference)
        assert len(set(references)) == INTAKES
        assert sum("could not enqueue" in r.message for r in caplog.records) == INTAKES
        saved = select(func.count()).select_from(Case).where(Case.reference.in_(references))
        assert db.session.scalar(saved) == INTAKES
        queued = select(func.count(Notification.id)).where(Notification.status == "queued")
        assert db.session.scalar(queued) == INTAKES
        assert gateway.messages == []

        # Redis is back. The sweep re-finds the rows whose jobs were lost.
        clock.shift(timedelta(minutes=6))
        assert relay.sweep() == INTAKES
        uow.checkpoint()
        assert live.queue("notifications").count == INTAKES
        Runner("redis", live).drain()
        # A second sweep and a second worker run change nothing.
        clock.shift(timedelta(minutes=6))
        assert relay.sweep() == 0
        uow.checkpoint()
        Runner("redis", live).drain()

    per_phone = Counter(m["to"] for m in gateway.messages)
    assert len(gateway.messages) == INTAKES
    assert set(per_phone) == set(phones) and set(per_phone.values()) == {1}
    db.session.expire_all()
    statuses = db.session.execute(
        select(Notification.status, func.count()).group_by(Notification.status)
    ).all()
    assert dict(statuses).get("sent") == INTAKES
