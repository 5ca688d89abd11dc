"""Delivery through a (fake) Twilio gateway: retries, failure, crashes, exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from grievance import jobs, uow
from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.integrations.twilio import signature
from grievance.types import utcnow
from notifications import relay
from notifications.models import Notification
from notifications.outbox import phone_opted_out
from tests.factories import make_case
from tests.notifications.conftest import Runner
from tests.notifications.fake_twilio import FakeTwilio

PHONE = "+85512345678"


def file_one(language: str = "km") -> tuple[Any, Notification]:
    filed = make_case(
        complainant=PersonData(phone=PHONE, language=language, consent_to_contact=True)
    )
    row = db.session.scalar(select(Notification).filter_by(case_id=filed.case.id))
    assert row is not None
    return filed, row


def reload(row: Notification) -> Notification:
    db.session.expire_all()
    fresh = db.session.get(Notification, row.id)
    assert fresh is not None
    return fresh


def test_the_gateway_receives_the_twilio_wire_format(gateway: FakeTwilio, runner: Runner) -> None:
    filed, row = file_one()
    uow.checkpoint()
    runner.drain()
    [message] = gateway.messages
    assert message["to"] == PHONE and message["from"] == "+85523900900"
    assert filed.case.reference in message["body"] and filed.secret in message["body"]
    assert message["status_callback"].endswith("/notifications/twilio/status")
    row = reload(row)
    assert (row.status, row.provider_id, row.attempts) == ("sent", message["sid"], 1)
    assert "secret_sealed" not in row.context


def test_a_failing_gateway_is_retried_on_schedule_then_the_message_fails(
    gateway: FakeTwilio, runner: Runner
) -> None:
    gateway.mode = "error500"
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        _, row = file_one()
        uow.checkpoint()
        runner.drain()
        waits = []
        for _ in relay.BACKOFF:
            row = reload(row)
            assert row.status == "pending" and row.last_error == "gateway 500"
            assert row.next_attempt_at is not None
            wait = row.next_attempt_at - utcnow()
            waits.append(wait)
            clock.shift(wait - timedelta(seconds=1))
            assert relay.sweep() == 0  # not due yet
            clock.shift(timedelta(seconds=1))
            assert relay.sweep() == 1
            uow.checkpoint()
            runner.drain()
        row = reload(row)
    assert waits == list(relay.BACKOFF)
    assert (row.status, row.attempts) == ("failed", 5)
    assert "secret_sealed" not in row.context  # given up: the secret is erased
    # Every attempt reached the gateway: the first to send, the others first asking
    # whether an earlier attempt had got through after all.
    assert gateway.requests == ["POST"] + ["GET"] * 4 and gateway.messages == []


def test_a_gateway_that_hangs_is_a_temporary_failure(gateway: FakeTwilio) -> None:
    gateway.mode = "hang"
    _, row = file_one()
    uow.checkpoint()
    row = reload(row)
    assert (row.status, row.last_error) == ("pending", "gateway timeout")
    assert row.next_attempt_at is not None
    assert row.next_attempt_at - utcnow() <= relay.BACKOFF[0]


def test_a_refused_number_fails_at_once_without_personal_data_in_the_error(
    gateway: FakeTwilio,
) -> None:
    gateway.mode = "reject400"
    _, row = file_one()
    uow.checkpoint()
    row = reload(row)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "gateway 400 code 21211"
    assert PHONE not in (row.last_error or "")


def test_accepted_then_timed_out_is_found_on_retry_not_sent_twice(
    gateway: FakeTwilio, runner: Runner
) -> None:
    gateway.mode = "accept_then_hang"
    with time_machine.travel(utcnow(), tick=False) as clock:
        _, row = file_one()
        uow.checkpoint()
        runner.drain()
        assert reload(row).status == "pending"
        gateway.mode = "ok"
        clock.shift(relay.BACKOFF[0])
        relay.sweep()
        uow.checkpoint()
        runner.drain()
    row = reload(row)
    assert len(gateway.messages) == 1
    assert (row.status, row.provider_id) == ("sent", gateway.messages[0]["sid"])


class Crash(BaseException):
    """A worker killed mid-send: nothing after this point runs, no handler catches it."""


def _crash_after_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    real = relay._finish

    def dying(row: Notification, claim: relay.Claim, **kwargs: Any) -> None:
        monkeypatch.setattr(relay, "_finish", real)
        raise Crash

    monkeypatch.setattr(relay, "_finish", dying)


def test_a_worker_killed_after_the_gateway_accepted_does_not_cause_a_second_message(
    app: Flask, gateway: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(utcnow(), tick=False) as clock:
        _, row = file_one()
        _crash_after_gateway(monkeypatch)
        with pytest.raises(Crash):
            uow.checkpoint()
        db.session.rollback()  # the dead worker's open transaction is gone
        assert len(gateway.messages) == 1
        row = reload(row)
        assert row.status == "queued" and row.claimed_at is not None  # stuck, in doubt
        clock.shift(relay.LEASE - timedelta(seconds=1))
        assert relay.sweep() == 0  # the worker might still be alive
        clock.shift(timedelta(seconds=2))
        assert relay.sweep() == 1
        uow.checkpoint()
    row = reload(row)
    assert len(gateway.messages) == 1 and gateway.create_requests == 1
    assert (row.status, row.provider_id) == ("sent", gateway.messages[0]["sid"])


def test_a_shared_phone_with_500_messages_gets_one_copy_after_a_worker_died_mid_send(
    app: Flask, gateway: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forum's phone: 200 messages before ours, 300 after it (other people's answers)
    while its worker lay dead for the real 15-minute lease. The retry finds ours."""
    start = utcnow()
    gateway.add_history(PHONE, 200, start - timedelta(days=3))
    with time_machine.travel(start, tick=False) as clock:
        _, row = file_one()
        _crash_after_gateway(monkeypatch)
        with pytest.raises(Crash):
            uow.checkpoint()
        db.session.rollback()
        [ours] = [m for m in gateway.messages if not m["body"].startswith("Earlier")]
        clock.shift(timedelta(minutes=5))
        gateway.add_history(PHONE, 300, utcnow())
        clock.shift(relay.LEASE)
        assert relay.sweep() == 1
        uow.checkpoint()
    row = reload(row)
    assert gateway.create_requests == 1  # ours, once
    assert gateway.bodies_to(PHONE).count(ours["body"]) == 1
    assert (row.status, row.provider_id) == ("sent", ours["sid"])
    assert gateway.requests.count("GET") == 2  # 300 newer: the second page holds ours


def test_the_search_stops_at_messages_older_than_the_row(
    gateway: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing of ours reached the gateway: a long history is read only back to the row's
    creation, and then the message is sent (once)."""
    start = utcnow()
    gateway.add_history(PHONE, 900, start - timedelta(days=30))
    with time_machine.travel(start, tick=False) as clock:
        _, row = file_one()
        db.session.info[uow.AFTER_COMMIT] = []  # the worker dies after its claim
        uow.checkpoint()
        assert relay._claim(row.id, utcnow()) is not None
        uow.checkpoint()
        clock.shift(relay.LEASE + timedelta(seconds=1))
        assert relay.sweep() == 1
        uow.checkpoint()
    assert (reload(row).status, gateway.create_requests) == ("sent", 1)
    assert gateway.requests.count("GET") == 1  # the first page is all older: stop


def test_a_listing_too_long_to_finish_is_asked_again_later_not_resent(
    gateway: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notifications.channels import twilio as twilio_channel

    monkeypatch.setattr(twilio_channel, "MAX_PAGES", 2)
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        _, row = file_one()
        db.session.info[uow.AFTER_COMMIT] = []
        uow.checkpoint()
        assert relay._claim(row.id, utcnow()) is not None
        uow.checkpoint()
        gateway.add_history(PHONE, 3 * twilio_channel.PAGE_SIZE, utcnow())
        clock.shift(relay.LEASE + timedelta(seconds=1))
        relay.sweep()
        uow.checkpoint()
    row = reload(row)
    assert (row.status, row.last_error) == ("pending", "gateway listing too long to search")
    assert gateway.create_requests == 0  # not sent: nobody knows yet whether it left


def test_a_worker_killed_after_its_claim_before_sending_is_replaced_and_sends_once(
    gateway: FakeTwilio, runner: Runner
) -> None:
    with time_machine.travel(utcnow(), tick=False) as clock:
        _, row = file_one()
        db.session.info[uow.AFTER_COMMIT] = []  # this test plays the worker itself
        uow.checkpoint()
        assert relay._claim(row.id, utcnow()) is not None
        uow.checkpoint()  # the claim is durable; then the worker dies before sending
        relay.send_notification(row.id)  # a duplicate job meanwhile: the row is taken
        assert gateway.messages == [] and reload(row).attempts == 1
        clock.shift(relay.LEASE + timedelta(seconds=1))
        assert relay.sweep() == 1
        uow.checkpoint()
        runner.drain()
    assert len(gateway.messages) == 1
    row = reload(row)
    assert (row.status, row.attempts) == ("sent", 2)


def test_the_same_row_sent_by_two_jobs_is_one_message(gateway: FakeTwilio, runner: Runner) -> None:
    _, row = file_one()
    jobs.enqueue(relay.send_notification, row.id)  # a duplicate hand-over
    uow.checkpoint()
    runner.drain()
    relay.send_notification(row.id)
    assert len(gateway.messages) == 1
    assert reload(row).attempts == 1


def _callback(client: Any, app: Flask, sid: str, status: str, sign_with: str | None) -> Any:
    url = app.config["SAMLENG"].PUBLIC_BASE_URL + "/notifications/twilio/status"
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC1", "SmsSid": sid}
    headers = {}
    if sign_with is not None:
        headers["X-Twilio-Signature"] = signature(sign_with, url, form.items())
    return client.post("/notifications/twilio/status", data=form, headers=headers)


def test_delivery_receipts_need_a_valid_signature(
    app: Flask, client: Any, gateway: FakeTwilio
) -> None:
    _, row = file_one()
    uow.checkpoint()
    sid = reload(row).provider_id
    assert _callback(client, app, sid, "delivered", None).status_code == 403
    assert _callback(client, app, sid, "delivered", "wrong-token").status_code == 403
    assert reload(row).status == "sent"
    assert _callback(client, app, sid, "delivered", gateway.auth_token).status_code == 204
    row = reload(row)
    assert row.status == "delivered" and row.delivered_at is not None
    # A late "sent" or "failed" receipt does not undo a delivery.
    assert _callback(client, app, sid, "undelivered", gateway.auth_token).status_code == 204
    assert reload(row).status == "delivered"
    assert _callback(client, app, "SMunknown", "delivered", gateway.auth_token).status_code == 204


def test_an_undelivered_receipt_marks_the_message_failed(
    app: Flask, client: Any, gateway: FakeTwilio
) -> None:
    _, row = file_one()
    uow.checkpoint()
    sid = reload(row).provider_id
    form = _callback(client, app, sid, "undelivered", gateway.auth_token)
    assert form.status_code == 204
    row = reload(row)
    assert (row.status, row.last_error) == ("failed", "carrier undelivered")


def test_sweep_leaves_fresh_rows_alone(gateway: FakeTwilio) -> None:
    _, row = file_one()
    assert relay.sweep(utcnow()) == 0
    assert relay.sweep(utcnow() + timedelta(minutes=6)) == 1
    assert isinstance(row.next_attempt_at, datetime)


def test_a_row_whose_workers_keep_dying_is_given_up_and_shown_to_admins(
    gateway: FakeTwilio,
) -> None:
    _, row = file_one()
    db.session.info[uow.AFTER_COMMIT] = []
    uow.checkpoint()
    now = utcnow()
    for _ in range(relay.MAX_ATTEMPTS):  # each claim dies: the lease runs out every time
        assert relay._claim(row.id, now) is not None
        uow.checkpoint()
        now += relay.LEASE + timedelta(seconds=1)
    with time_machine.travel(now, tick=False):
        relay.send_notification(row.id)
    row = reload(row)
    assert (row.status, row.last_error) == ("failed", "gave up after 5 attempts")
    assert gateway.messages == []


def test_an_unexpected_error_is_a_temporary_failure_not_a_stuck_row(
    gateway: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(row: Notification) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(relay, "compose", broken)
    _, row = file_one()
    uow.checkpoint()
    row = reload(row)
    assert (row.status, row.last_error, row.claimed_at) == ("pending", "RuntimeError", None)


def test_a_stop_the_gateway_knows_of_is_recorded_and_nothing_more_is_sent(
    gateway: FakeTwilio,
) -> None:
    gateway.mode = "unsubscribed"
    filed, row = file_one()
    uow.checkpoint()
    row = reload(row)
    assert (row.status, row.last_error) == ("cancelled", "opted_out")
    assert phone_opted_out(filed.case.complainant.phone)
    gateway.mode = "ok"
    _, later = file_one()
    uow.checkpoint()
    assert reload(later).status == "cancelled" and gateway.messages == []
