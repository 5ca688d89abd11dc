"""Fixtures for the notification tests: a job runner per mode and a fake SMS gateway."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from grievance.jobs import runtime
from notifications.channels import twilio as twilio_channel
from tests.notifications.fake_twilio import FakeTwilio


@dataclass
class Runner:
    mode: str  # "embedded" (in-process) or "redis" (RQ + a worker in burst mode)
    rq: runtime.RQRunner | None = None

    def drain(self) -> None:
        """Let a worker run whatever was queued (embedded mode has already run it)."""
        if self.rq is None:
            return
        from rq import SimpleWorker

        queue = self.rq.queue("notifications")
        SimpleWorker([queue], connection=self.rq.connection).work(burst=True)


def _use(app: Flask, runner: object) -> object:
    previous = app.extensions["samleng.jobs"]
    app.extensions["samleng.jobs"] = runner
    return previous


@pytest.fixture(autouse=True)
def _embedded(app: Flask) -> Iterator[None]:
    """By default jobs run in-process, right after the commit that released them."""
    previous = _use(app, runtime.InProcessRunner())
    yield
    app.extensions["samleng.jobs"] = previous


@pytest.fixture(params=["embedded", "redis"])
def runner(request: pytest.FixtureRequest, app: Flask, _embedded: None) -> Iterator[Runner]:
    if request.param == "embedded":
        yield Runner("embedded")
        return
    url = app.config["SAMLENG"].REDIS_URL
    if not url:
        pytest.skip("Redis not available (optional locally; CI requires it)")
    rq = runtime.RQRunner(url)
    rq.queue("notifications").empty()
    previous = _use(app, rq)
    try:
        yield Runner("redis", rq)
    finally:
        rq.queue("notifications").empty()
        app.extensions["samleng.jobs"] = previous


@pytest.fixture
def gateway(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    """The app's SMS backend pointed at a fake Twilio; short timeouts to keep tests fast."""
    with FakeTwilio() as fake:
        cfg = app.config["SAMLENG"]
        monkeypatch.setattr(cfg, "SMS_BACKEND", "twilio")
        monkeypatch.setattr(cfg, "TWILIO_ACCOUNT_SID", fake.account_sid)
        monkeypatch.setattr(cfg, "TWILIO_AUTH_TOKEN", fake.auth_token)
        monkeypatch.setattr(cfg, "TWILIO_FROM", "+85523900900")
        monkeypatch.setattr(cfg, "TWILIO_API_BASE", fake.url)
        monkeypatch.setattr(twilio_channel, "TIMEOUT_SECONDS", 0.4)
        fake.hang_seconds = 1.0
        yield fake
