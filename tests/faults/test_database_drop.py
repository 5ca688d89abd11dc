"""The database connection dies at the commit of a public complaint (PostgreSQL, for real:
the server process behind the connection is terminated from another connection just
before COMMIT): the person sees a "please try again" page, nothing is half-kept, and the
next request works."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask, has_request_context, request
from sqlalchemy import event, func, select

from grievance.cases.models import Attachment, Case, CaseEvent, Person
from grievance.extensions import db
from notifications.models import Notification
from tests.intake.helpers import png_bytes, public_post

KHMER = "យើងមិនអាចរក្សាទុកវាបានទេនៅពេលនេះ ហើយគ្មានអ្វីត្រូវបានរក្សាទុកឡើយ។"
ENGLISH = "We could not save this just now, and nothing was kept. Please try again in a moment."


def _terminate(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(200):  # until the server process is really gone
            gone = other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,))
            if gone.fetchone() is None:
                return
            time.sleep(0.01)


@contextmanager
def connection_killed_at_next_commit(app: Flask) -> Iterator[list[int]]:
    """Arms a hook on the engine: the next COMMIT of a POST finds its connection dead (the
    GET that fetches the form ends its read-only unit of work with a COMMIT too)."""
    killed: list[int] = []
    with app.app_context():
        engine = db.engine
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def kill(conn: Any) -> None:
        if killed or (has_request_context() and request.method != "POST"):
            return
        pid = conn.connection.dbapi_connection.info.backend_pid
        _terminate(url, pid)
        killed.append(pid)

    event.listen(engine, "commit", kill)
    try:
        yield killed
    finally:
        event.remove(engine, "commit", kill)


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        tables = {"cases": Case, "events": CaseEvent, "people": Person}
        tables |= {"attachments": Attachment, "notifications": Notification}
        out = {
            k: db.session.scalar(select(func.count()).select_from(m)) or 0
            for k, m in tables.items()
        }
        db.session.remove()
        return out


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_connection_dropped_at_commit_shows_try_again_and_keeps_nothing(live_app: Flask) -> None:
    instance = Path(live_app.instance_path)
    client = live_app.test_client()
    before = counts(live_app)
    with connection_killed_at_next_commit(live_app) as killed:
        response = public_post(
            client,
            files=[(png_bytes(), "photo.png")],
            phone="+85512345678",
            consent_to_contact="y",
        )
    assert killed, "the fault was not injected"
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert response.headers["Retry-After"]
    assert ENGLISH in page
    assert "<nav" in page or "<header" in page  # the normal base template
    assert "Traceback" not in page and "psycopg" not in page

    # Nothing of the complaint was kept: no rows, no evidence file, no message sent.
    assert counts(live_app) == before
    assert files(instance / "uploads") == []
    assert files(instance / "outbox") == []

    # The pool replaced the dead connection: the same complaint now goes through, once.
    response = public_post(
        client, files=[(png_bytes(), "photo.png")], phone="+85512345678", consent_to_contact="y"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    after = counts(live_app)
    assert after["cases"] == before["cases"] + 1
    assert after["attachments"] == before["attachments"] + 1
    assert after["notifications"] >= before["notifications"] + 1
    assert len(files(instance / "uploads")) == 1
    assert len(files(instance / "outbox")) >= 1  # the complainant's SMS, in-process


def test_the_try_again_page_is_in_khmer(live_app: Flask) -> None:
    client = live_app.test_client()
    with connection_killed_at_next_commit(live_app) as killed:
        response = public_post(client, lang="km")
    assert killed
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert 'lang="km"' in page
    assert KHMER in page


def test_the_partner_api_answers_503_json(live_app: Flask) -> None:
    from grievance.intake.partners import create_partner
    from grievance.uow import checkpoint as commit

    with live_app.app_context():
        _partner, token = create_partner("fault-test")
        commit()
    client = live_app.test_client()
    body = {
        "description": "Employer did not pay contributions for three months.",
        "category": "contributions",
        "province": "KH-12",
    }
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "fault-1"}
    before = counts(live_app)
    with connection_killed_at_next_commit(live_app) as killed:
        response = client.post("/api/v1/cases", json=body, headers=headers)
    assert killed
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "unavailable"
    assert counts(live_app) == before
    response = client.post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    assert counts(live_app)["cases"] == before["cases"] + 1
