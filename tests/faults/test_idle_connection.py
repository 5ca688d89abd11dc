"""A pooled connection whose server process died (a restart, a failover, an idle timeout)
while it sat in the pool (PostgreSQL, for real): when it has been idle for a while it is
pinged and replaced before the request uses it; when it was used a moment ago (no ping,
see grievance.extensions.ping_after_idle) that one request answers "please try again" and
the next one works."""

from __future__ import annotations

import pytest
from flask import Flask

from grievance import extensions
from grievance.extensions import db
from tests.faults.test_database_drop import ENGLISH, _terminate


def _kill_the_pooled_connection(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        pid = db.session.connection().connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        db.session.remove()  # back to the pool, alive as far as the pool knows
    _terminate(url, pid)


def test_an_idle_dead_connection_is_replaced_before_use(
    live_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = live_app.test_client()
    assert client.get("/file?lang=en").status_code == 200  # the form reads the rules
    _kill_the_pooled_connection(live_app)
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0.0)  # idle long enough
    assert client.get("/file?lang=en").status_code == 200


def test_a_dead_connection_used_a_moment_ago_fails_one_request_only(
    live_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = live_app.test_client()
    assert client.get("/file?lang=en").status_code == 200
    _kill_the_pooled_connection(live_app)
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 3600.0)  # not pinged
    response = client.get("/file?lang=en")
    assert response.status_code == 503
    assert ENGLISH in response.get_data(as_text=True)
    assert client.get("/file?lang=en").status_code == 200
