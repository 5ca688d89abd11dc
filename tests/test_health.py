from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_config


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_when_everything_answers(client: FlaskClient, app: Flask) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
    if app.config["SAMLENG"].REDIS_URL:
        assert response.get_json()["redis"] == "ok"


def test_readyz_is_degraded_but_ready_when_redis_is_unreachable(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same app with Redis gone (a second app would rebind the process-wide rate limiter).
    monkeypatch.setattr(app.config["SAMLENG"], "REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 200  # the site still files: jobs wait in the database
    assert response.get_json() == {"status": "degraded", "database": "ok", "redis": "unavailable"}


def test_production_refuses_the_default_secret(tmp_path: object) -> None:

    from grievance.app import create_app

    with pytest.raises(RuntimeError):
        create_app(
            make_config(
                "sqlite://", str(tmp_path), ENV="production", SECRET_KEY="dev-only-secret-change-me"
            )
        )
