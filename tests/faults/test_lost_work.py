"""Lost work on the real services (PostgreSQL + Redis): a worker SIGKILLed mid-send, Redis
flushed with jobs waiting, the scheduler down for 15 minutes. Afterwards every
notification is delivered exactly once and every due reminder and escalation happens
exactly once: the obligations are database rows, Redis only carries the prompts, and the
scheduler's periodic sweeps re-drive whatever a prompt was lost for."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import func, select

from grievance import uow
from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db
from grievance.jobs import QUEUES, runtime
from grievance.jobs import scheduler as timer
from grievance.sla.models import SlaMark
from grievance.types import utcnow
from notifications import relay
from notifications.channels.files import _UNSAFE
from notifications.models import Notification
from tests.conftest import BACKENDS
from tests.factories import make_user
from tests.intake.helpers import public_post
from tests.live import descendants, live_app_on, needs_redis
from tests.sla.conftest import file_at, pp, take_to_work

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_app(fresh_database: str, tmp_path: Path) -> Iterator[Flask]:
    """The live app with RQ on the tests' Redis database, emptied before and after."""
    needs_redis()
    redis = Redis.from_url(BACKENDS.redis_url)
    redis.flushdb()
    try:
        with live_app_on(fresh_database, tmp_path / "instance", BACKENDS.redis_url) as app:
            yield app
    finally:
        redis.flushdb()


def drain(app: Flask) -> None:
    """A restarted worker: runs every queue until all are empty (jobs may queue more)."""
    runner = runtime.runner_of(app)
    assert isinstance(runner, runtime.RQRunner)
    queues = [runner.queue(n) for n in QUEUES]
    with app.app_context():  # else jobs.execute builds an app from the environment
        SimpleWorker(queues, connection=runner.connection).work(burst=True)
        db.session.remove()


def outbox_files(app: Flask) -> Counter[str]:
    """Delivered messages by idempotency key (the file channel names each file after it)."""
    folder = Path(app.instance_path) / "outbox"
    names = [p.name for p in folder.glob("*") if p.suffix in (".txt", ".eml")]
    return Counter(name.rsplit("-", 1)[0] for name in names)


def sent_rows(app: Flask) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.idempotency_key, Notification.status).where(
                Notification.channel.in_(("sms", "email"))
            )
        ).all()
        db.session.remove()
    return {_UNSAFE.sub("_", key): status for key, status in rows}


def worker_env(app: Flask) -> dict[str, str]:
    config = app.config["SAMLENG"]
    env = dict(os.environ)
    env.update(
        ENV="testing",
        SECRET_KEY=config.SECRET_KEY,
        DATABASE_URL=config.DATABASE_URL,
        REDIS_URL=config.REDIS_URL,
        INSTANCE_PATH=app.instance_path,
        PYTHONPATH=str(ROOT),
    )
    return env


def kill_all(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL, as a machine dying would: the worker, its work horse, everything."""
    victims = [process.pid, *descendants(process.pid)] if process.poll() is None else []
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_worker_killed_mid_send_and_redis_flushed_then_each_sms_once(
    redis_app: Flask, tmp_path: Path
) -> None:
    app = redis_app
    client = app.test_client()
    for i in range(10):  # ten complaints, each with an SMS to its complainant
        phone = f"+8551234{5600 + i}"
        response = public_post(client, phone=phone, consent_to_contact="y")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    runner = runtime.runner_of(app)
    assert runner.queue("notifications").count == 10
    assert set(sent_rows(app).values()) == {"queued"}

    # A real forking worker takes the first job, sends, and is SIGKILLed before it can
    # record "sent"; then Redis loses everything, the nine waiting jobs included.
    marker = tmp_path / "sent-one"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.stuck_worker", str(marker)],
        cwd=ROOT,
        env=worker_env(app),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the worker never sent"
            time.sleep(0.05)
    finally:
        kill_all(process)
    Redis.from_url(BACKENDS.redis_url).flushdb()
    assert sum(outbox_files(app).values()) == 1
    statuses = Counter(sent_rows(app).values())
    assert statuses == {"queued": 10}  # the first is claimed, but nobody knows it was sent

    # The scheduler ticks on, a restarted worker drains: before the outbox timeout
    # nothing is re-sent (the claim is fresh, the rest may still have jobs) ...
    timer.tick(app)
    drain(app)
    assert sum(outbox_files(app).values()) == 1
    # ... and once the claim's lease is out, every message goes exactly once: the killed
    # worker's message is found in the channel, not sent again.
    with time_machine.travel(utcnow() + relay.LEASE + timedelta(minutes=1)):
        for _ in range(3):  # repeated ticks are harmless
            timer.tick(app)
            drain(app)
    delivered = outbox_files(app)
    rows = sent_rows(app)
    assert set(rows.values()) == {"sent"}
    assert len(delivered) == 10 and set(delivered.values()) == {1}, delivered
    assert set(delivered) == set(rows)


def test_scheduler_down_for_15_minutes_then_each_reminder_and_escalation_once(
    redis_app: Flask,
) -> None:
    app = redis_app
    with app.app_context():
        user = make_user("officer", province="KH-12", email="officer@example.org")
        make_user("supervisor", province="KH-12", email="boss@example.org")
        cases = []
        for i in range(12):  # filed a minute apart: their deadlines are a minute apart
            at = pp(2025, 12, 1, 8, i)
            case = file_at(at)
            take_to_work(case, user, at)
            cases.append(case)
        uow.checkpoint()
        ids = [c.id for c in cases]
        risk0, due0 = cases[0].resolve_risk_at, cases[0].resolve_due_at
        db.session.remove()

    def counted(kind: str) -> Counter[int]:
        with app.app_context():
            query = select(CaseEvent.case_id).where(
                CaseEvent.kind == kind, CaseEvent.case_id.in_(ids)
            )
            out = Counter(db.session.scalars(query))
            db.session.remove()
            return out

    def ticks_at(moment: object, times: int = 1) -> None:
        with time_machine.travel(moment, tick=False):
            for _ in range(times):
                assert timer.tick(app) in ("queued", "already queued")
                drain(app)

    for start, kind in ((risk0, "sla_at_risk"), (due0, "sla_breach")):
        last_tick = start - timedelta(minutes=1)
        ticks_at(last_tick)  # the last tick before the outage: nothing of this kind yet
        assert counted(kind) == Counter()
        # 15 minutes without a scheduler; then it is back and ticks (twice: harmless).
        ticks_at(last_tick + timedelta(minutes=15), times=2)
        # Every case's deadline (08:00..08:11 filings) fell in the outage: each once.
        assert counted(kind) == Counter({case_id: 1 for case_id in ids}), kind

    with app.app_context():
        marks = db.session.execute(
            select(SlaMark.case_id, func.count())
            .where(SlaMark.case_id.in_(ids))
            .group_by(SlaMark.case_id)
        ).all()
        states = Counter(db.session.scalars(select(Case.state).where(Case.id.in_(ids))))
        levels = Counter(db.session.scalars(select(Case.escalation_level).where(Case.id.in_(ids))))
        db.session.remove()
    assert {case_id: n for case_id, n in marks} == {case_id: 2 for case_id in ids}
    assert states == {"escalated": 12} and levels == {1: 12}
    assert counted("sla_at_risk") == Counter({case_id: 1 for case_id in ids})
    # Every notice of those reminders and breaches: one row each, delivered once.
    with time_machine.travel(due0 + timedelta(minutes=14) + relay.QUEUED_TIMEOUT, tick=False):
        timer.tick(app)
        drain(app)
    rows = sent_rows(app)
    delivered = outbox_files(app)
    assert rows and set(rows.values()) <= {"sent", "cancelled"}
    sent = {k for k, s in rows.items() if s == "sent"}
    assert set(delivered) == sent and set(delivered.values()) == {1}
