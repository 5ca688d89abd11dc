"""Fixtures for the notification tests: a job runner per mode and a fake SMS gateway."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from grievance.jobs import runtime
from notifications.channels import twilio as twilio_channel
from tests.conftest import work_off
from tests.notifications.fake_twilio import FakeTwilio


@dataclass
class Runner:
    mode: str  # "embedded" (in-process) or "redis" (RQ + a worker in burst mode)
    rq: runtime.RQRunner | None = None

    def drain(self) -> None:
        """Let a worker run whatever was queued (embedded mode has already run it)."""
        if self.rq is not None:
            work_off(self.rq, "notifications")


@pytest.fixture(autouse=True)
def _embedded(jobs_in_process: runtime.InProcessRunner) -> None:
    """By default jobs run in-process, right after the commit that released them."""


@pytest.fixture(params=["embedded", "redis"])
def runner(request: pytest.FixtureRequest, _embedded: None) -> Runner:
    if request.param == "embedded":
        return Runner("embedded")
    return Runner("redis", request.getfixturevalue("rq_jobs"))


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
