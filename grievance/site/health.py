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
    """503 only without the database. Without Redis the site still files and answers
    (jobs wait as database rows the sweeps hand out later): "degraded", but ready."""
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

            Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
    if checks["database"] != "ok":
        return {"status": "not ready", **checks}, 503
    degraded = any(v != "ok" for v in checks.values())
    return {"status": "degraded" if degraded else "ready", **checks}, 200
