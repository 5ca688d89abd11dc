"""Redis goes away under the production formation (the Procfile's processes: a gunicorn web
server with two workers, two RQ workers, the scheduler, on PostgreSQL) while both RQ workers
are in the middle of sending an SMS through the (fake) gateway. The web keeps answering
and filing, no process exits, and once Redis is back every accepted filing's SMS is
delivered exactly once: those in flight, those queued, and those filed during the outage.

Redis "dies" behind a relay the test cuts and restores (tests/faults/redis_proxy.py); the
shared Redis server itself is never stopped."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from redis import Redis
from sqlalchemy import select

from grievance import uow
from grievance.extensions import db
from grievance.types import utcnow
from notifications import relay
from notifications.models import Notification
from notifications.outbox import QUEUED_TIMEOUT
from tests.conftest import BACKENDS
from tests.faults.redis_proxy import RedisProxy
from tests.live import live_app_on, needs_redis
from tests.notifications.fake_twilio import FakeTwilio
from tests.production.test_topology import (
    VENV_BIN,
    Clients,
    Topology,
    file_by_form,
    free_port,
    wait_ready,
)

BEFORE, DURING = 12, 6  # filings before the outage, and while Redis is away
OUTAGE_SECONDS = 8


@pytest.fixture
def formation(
    fresh_database: str, tmp_path: Path
) -> Iterator[tuple[Topology, RedisProxy, FakeTwilio, object]]:
    needs_redis()
    redis = Redis.from_url(BACKENDS.redis_url)
    redis.flushdb()
    instance = tmp_path / "instance"
    with RedisProxy(BACKENDS.redis_url) as proxy, FakeTwilio() as gateway:
        gateway.mode = "accept_then_hang"  # each send takes a while after the gateway has it
        gateway.hang_seconds = 2.5
        env = {
            **os.environ,
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "ENV": "development",
            "SECRET_KEY": "outage-test-secret-key-long-enough-0123456789",
            "DATABASE_URL": fresh_database,
            "REDIS_URL": proxy.url,
            "INSTANCE_PATH": str(instance),
            "SLA_SWEEP_SECONDS": "2",
            "BIND_HOST": "127.0.0.1",
            "WEB_CONCURRENCY": "2",
            "FILE_LIMIT_PER_CLIENT": "100000/hour",
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": gateway.account_sid,
            "TWILIO_AUTH_TOKEN": gateway.auth_token,
            "TWILIO_FROM": "+85523900900",
            "TWILIO_API_BASE": gateway.url,
        }
        logs = tmp_path / "logs"
        logs.mkdir()
        top = Topology(env, logs)
        with live_app_on(fresh_database, instance, proxy.url) as app:
            try:
                port = free_port()
                top.ports.append(port)
                top.start("web", "web", PORT=str(port))
                top.start("worker1", "worker")
                top.start("worker2", "worker")
                top.start("scheduler", "scheduler")
                wait_ready(top, port)
                yield top, proxy, gateway, app
            finally:
                top.stop()
                redis.flushdb()


def statuses(app: object) -> Counter[str]:
    with app.app_context():  # type: ignore[attr-defined]
        rows = db.session.scalars(select(Notification.status).where(Notification.channel == "sms"))
        found = Counter(rows)
        db.session.remove()
    return found


def wait_until(check: object, seconds: float, top: Topology) -> float:
    start = time.monotonic()
    while not check():  # type: ignore[operator]
        assert time.monotonic() - start < seconds, top.tail()
        time.sleep(0.2)
    return time.monotonic() - start


def test_redis_lost_while_both_workers_send_then_every_sms_once(
    formation: tuple[Topology, RedisProxy, FakeTwilio, object],
) -> None:
    top, proxy, gateway, app = formation
    clients = Clients(top.ports)
    phones = {}
    started = time.monotonic()
    for n in range(BEFORE):
        phones[file_by_form(clients, n)] = n
    per_filing_before = (time.monotonic() - started) / BEFORE

    # Both workers are mid-send (the gateway has accepted, the answer is still coming).
    wait_until(lambda: gateway.create_requests >= 2, 60, top)
    proxy.cut()
    cut_at = time.monotonic()

    # The web keeps answering and filing; readiness says "degraded", not "down".
    filing_started = time.monotonic()
    for n in range(BEFORE, BEFORE + DURING):
        phones[file_by_form(clients, n)] = n
    per_filing = (time.monotonic() - filing_started) / DURING
    ready = httpx.get(f"http://127.0.0.1:{top.ports[0]}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["redis"] == "unavailable"
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
    for name, process in top.processes.items():
        assert process.poll() is None, f"{name} exited during the outage\n{top.tail()}"
    outage = time.monotonic() - cut_at

    gateway.mode = "ok"
    proxy.restore()
    # What was queued or in flight goes out without anyone's help ...
    took = wait_until(lambda: statuses(app)["sent"] >= BEFORE, 120, top)
    # ... and what was filed while Redis was away is handed over by the outbox sweep once
    # those rows are 5 minutes old (the sweep as the scheduler runs it then).
    with app.app_context():  # type: ignore[attr-defined]
        handed = relay.sweep(utcnow() + QUEUED_TIMEOUT + timedelta(seconds=1))
        uow.checkpoint()
        db.session.remove()
    wait_until(lambda: statuses(app) == Counter({"sent": BEFORE + DURING}), 120, top)

    for name, process in top.processes.items():
        assert process.poll() is None, f"{name} exited\n{top.tail()}"
    bodies = Counter(m["to"] for m in gateway.messages)
    assert len(bodies) == BEFORE + DURING and set(bodies.values()) == {1}, bodies
    rounds = sum(
        (top.logs / f"{w}.log").read_text(errors="replace").count("ended; starting again")
        for w in ("worker1", "worker2")
    )
    print(  # the figures, for the record (pytest -s)
        f"\noutage {outage:.1f} s; a filing (form page + post) took {per_filing:.2f} s "
        f"during it ({per_filing_before:.2f} s before); queued and in-flight SMS sent "
        f"{took:.1f} s after Redis returned; {handed} filed during the outage handed over "
        f"by the sweep; worker rounds ended by the outage: {rounds}; gateway sends: "
        f"{gateway.create_requests}"
    )
    assert rounds >= 2  # both workers lost Redis mid-job and carried on
