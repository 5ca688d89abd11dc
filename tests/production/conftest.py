"""Fixtures for tests on the real services: see tests/live.py."""

from tests.live import fresh_database, live_app  # noqa: F401
