"""A real app on a fresh PostgreSQL database of its own, with real commits (no wrapping
transaction): for faults that kill connections, workers and Redis, and the production
topology. The fixtures are re-exported by the conftest of tests/faults and tests/production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from grievance.app import create_app
from grievance.extensions import db
from tests import backends as backends_mod
from tests.conftest import BACKENDS, IsolatedClient, make_config


def needs_postgres() -> None:
    if not BACKENDS.postgres:
        pytest.skip("needs PostgreSQL (DATABASE_URL); CI requires it")


def needs_redis() -> None:
    if not BACKENDS.redis_url:
        pytest.skip("needs Redis (REDIS_URL); CI requires it")


@pytest.fixture
def fresh_database() -> Iterator[str]:
    needs_postgres()
    url = backends_mod.create_pg_database(BACKENDS.database_url)
    try:
        yield url
    finally:
        backends_mod.drop_pg_database(url)


@contextmanager
def live_app_on(url: str, instance: Path, redis_url: str) -> Iterator[Flask]:
    """The app on `url`, migrated and seeded, with Flask-SQLAlchemy's own session (the
    per-test transaction of tests/conftest.py is set aside for the test's length)."""
    original = db.session
    db.session = db._make_scoped_session({})
    app = create_app(make_config(url, str(instance), REDIS_URL=redis_url))
    app.test_client_class = IsolatedClient
    try:
        with app.app_context():
            upgrade(revision="heads")
            from grievance.seed.reference import seed_reference
            from grievance.uow import checkpoint as commit

            seed_reference()
            commit()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        db.session = original


@pytest.fixture
def live_app(fresh_database: str, tmp_path: Path) -> Iterator[Flask]:
    """Embedded jobs (in-process, right after the commit)."""
    with live_app_on(fresh_database, tmp_path / "instance", "") as app:
        yield app


def descendants(pid: int) -> list[int]:
    """Child processes, recursively (RQ's work horse puts itself in a session of its own,
    so killing the worker's process group would leave it running)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found
