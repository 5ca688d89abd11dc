"""Tracking tests start with empty rate-limit counters, so no test pays for another."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from grievance.ratelimit import limiter


@pytest.fixture(autouse=True)
def _fresh_limits(app: Flask) -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()
