"""Browser tests: a live server on its own database, driven by Debian's Chromium.

Skipped only when no Chromium is installed (CI installs it)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade

from grievance.app import create_app
from grievance.extensions import db
from grievance.uow import checkpoint as commit
from tests import backends as backends_mod
from tests.browser import harness
from tests.browser.harness import CHROMIUM, PHONE
from tests.conftest import BACKENDS, make_config, mark_folder


@pytest.hookimpl(tryfirst=True)  # before -m deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    no_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed")
    mark_folder(items, __file__, pytest.mark.browser, no_chromium)


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Browser tests talk to a live server: their data is committed for real."""
    yield


@pytest.fixture(scope="session")
def live_app() -> Iterator[Flask]:
    if BACKENDS.postgres:
        url = backends_mod.create_pg_database(BACKENDS.database_url)
    else:
        url = "sqlite:///" + tempfile.mkdtemp(prefix="samleng-browser-") + "/live.sqlite3"
    app = create_app(make_config(url, tempfile.mkdtemp(prefix="samleng-live-")))
    harness.empty_queues(app)  # jobs left by an earlier run name rows of another database
    with app.app_context():
        upgrade(revision="heads")
        from grievance.seed.reference import seed_reference

        seed_reference()
        commit()
    yield app
    with app.app_context():
        db.engine.dispose()
    if BACKENDS.postgres:
        backends_mod.drop_pg_database(url)


@pytest.fixture(autouse=True)
def _fresh_limits(live_app: Flask) -> None:
    """Every browser test starts with unspent rate limits (they all come from 127.0.0.1)."""
    from grievance.ratelimit import limiter

    with live_app.app_context():
        limiter.reset()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    with harness.live_server(live_app) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("no chromium installed")
    with harness.chromium() as instance:
        yield instance


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A small phone with JavaScript off, as many complainants have."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="km-KH")
    yield context.new_page()
    context.close()


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def in_app(live_app: Flask) -> Iterator[Flask]:
    """An app context on the live server's database, committing for real."""
    with live_app.app_context():
        yield live_app
