"""Liveness and readiness probes for load balancers and process managers."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from grievance.extensions import csrf, db

bp = Blueprint("health", __name__)
csrf.exempt(bp)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200


@bp.get("/readyz")
def readyz() -> tuple[dict[str, str], int]:
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"  # the 503 ends the unit of work with a rollback
    redis_url = current_app.config["SAMLENG"].REDIS_URL
    if redis_url:
        try:
            from redis import Redis

            Redis.from_url(redis_url, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return {"status": "ready" if ready else "not ready", **checks}, 200 if ready else 503
