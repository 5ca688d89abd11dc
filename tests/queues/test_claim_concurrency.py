"""50 officers press "take next" 20 times each over 1,000 waiting cases, all at once:
every case is claimed exactly once and nobody gets an error. Runs on the suite's backend
(PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; SQLite: compare-and-set), in a database
of its own so the committed rows never meet other tests."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.orm import scoped_session, sessionmaker

from grievance.app import create_app
from grievance.auth.models import User
from grievance.cases import events
from grievance.cases.models import Case, CaseEvent, Category
from grievance.extensions import db
from grievance.queues.assignment import claim_next
from grievance.queues.models import Queue
from grievance.security import new_reference
from grievance.seed.reference import seed_reference
from tests import backends as backends_mod
from tests.conftest import BACKENDS, make_config
from tests.factories import make_user

THREADS, CALLS = 50, 20
CASES = THREADS * CALLS


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    if BACKENDS.postgres:
        url = backends_mod.create_pg_database(BACKENDS.database_url)
        yield url
        backends_mod.drop_pg_database(url)
    else:
        yield f"sqlite:///{tmp_path}/claims.sqlite3"


@pytest.fixture
def sessions(own_database: str) -> Iterator[tuple[Flask, scoped_session]]:  # type: ignore[type-arg]
    """A migrated app on its own database, and committing sessions, one per thread."""
    app = create_app(make_config(own_database, tempfile.mkdtemp(prefix="samleng-claims-")))
    url = own_database.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url, pool_size=THREADS, max_overflow=0, pool_timeout=120)
    if engine.dialect.name == "sqlite":
        # SQLite lets one writer at a time in (BEGIN IMMEDIATE), so the 50 claimers queue
        # behind each other: the last one waits for nearly all 1,000 claims, longer than
        # the app's 10 s busy timeout on a slow machine. Waiting is the expected behaviour
        # here, so this engine waits up to two minutes instead of giving up.
        event.listen(engine, "connect", _patient)
    per_thread = scoped_session(sessionmaker(bind=engine))
    original, db.session = db.session, per_thread
    try:
        with app.app_context():
            upgrade(revision="heads")
            seed_reference()
            per_thread.commit()
        yield app, per_thread
    finally:
        db.session = original
        per_thread.remove()
        engine.dispose()
        with app.app_context():
            db.engine.dispose()


def _patient(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=120000")
    cursor.close()


def _waiting_cases(queue: Queue, at: datetime) -> None:
    """1,000 valid acknowledged cases (rows and their two timeline events), in bulk."""
    category = db.session.scalar(select(Category).where(Category.code == "contributions"))
    references: set[str] = set()
    while len(references) < CASES:
        references.add(new_reference())
    rows = [
        {
            "reference": ref,
            "secret_hash": "0" * 64,
            "kind": "grievance",
            "workflow": "grievance",
            "state": "acknowledged",
            "channel": "hotline",
            "category_id": category.id,
            "province_code": "KH-12",
            "description": f"Contributions not paid ({i})",
            "priority": "normal",
            "queue_id": queue.id,
            "resolve_due_at": at + timedelta(minutes=i % 97),
            "acknowledged_at": at,
            "event_count": 2,
            "version": 1,
            "created_at": at,
            "updated_at": at,
        }
        for i, ref in enumerate(sorted(references))
    ]
    db.session.execute(insert(Case), rows)
    ids = db.session.execute(select(Case.id, Case.reference)).all()
    db.session.execute(insert(CaseEvent), [e for case_id, _ in ids for e in _events(case_id, at)])


def _events(case_id: int, at: datetime) -> list[dict[str, object]]:
    filed = CaseEvent(
        case_id=case_id,
        seq=1,
        kind="filed",
        actor_id=None,
        actor_role="intake",
        from_state=None,
        to_state="submitted",
        public=True,
        data={"channel": "hotline"},
        created_at=at,
        prev_hash=events.GENESIS,
    )
    filed.hash = events.event_hash(filed)
    ack = CaseEvent(
        case_id=case_id,
        seq=2,
        kind="transition",
        actor_id=None,
        actor_role="intake",
        from_state="submitted",
        to_state="acknowledged",
        public=True,
        data={"transition": "acknowledge"},
        created_at=at,
        prev_hash=filed.hash,
    )
    ack.hash = events.event_hash(ack)
    keys = (
        "case_id",
        "seq",
        "kind",
        "actor_id",
        "actor_role",
        "from_state",
        "to_state",
        "public",
        "data",
        "created_at",
        "prev_hash",
        "hash",
    )
    return [{k: getattr(e, k) for k in keys} for e in (filed, ack)]


@pytest.mark.slow
def test_fifty_officers_claim_a_thousand_cases_each_exactly_once(
    sessions: tuple[Flask, scoped_session],  # type: ignore[type-arg]
) -> None:
    app, session = sessions
    with app.app_context():
        officers = [make_user("officer", name=f"Claimer {i}") for i in range(THREADS)]
        queue = Queue(
            code="claims", name_en="Claims", name_km="Claims", position=1, members=officers
        )
        session.add(queue)
        session.flush()
        _waiting_cases(queue, datetime.now(UTC).replace(microsecond=0))
        session.commit()
        officer_ids = [o.id for o in officers]
        session.remove()

    start = threading.Barrier(THREADS)
    claims: list[tuple[int, int | None]] = []
    errors: list[str] = []

    def officer(user_id: int) -> None:
        with app.app_context():
            start.wait()
            for _ in range(CALLS):
                try:
                    case = claim_next(session.get(User, user_id))
                    claims.append((user_id, case.id if case else None))
                    session.commit()
                except Exception as error:  # every error fails the test below
                    errors.append(repr(error))
                    session.rollback()
            session.remove()

    began = time.monotonic()
    threads = [threading.Thread(target=officer, args=(uid,)) for uid in officer_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began

    assert errors == []
    claimed = [case_id for _, case_id in claims]
    assert None not in claimed, "a claimer came back empty while cases were waiting"
    assert len(claimed) == len(set(claimed)) == CASES
    with app.app_context():
        rows = session.execute(select(Case.id, Case.state, Case.assignee_id)).all()
        assert {state for _, state, _ in rows} == {"assigned"}
        assert {(uid, cid) for uid, cid in claims} == {(a, cid) for cid, _, a in rows}
        per_case = session.execute(
            select(CaseEvent.case_id, func.count())
            .where(
                CaseEvent.kind == "transition", CaseEvent.data["transition"].as_string() == "claim"
            )
            .group_by(CaseEvent.case_id)
        ).all()
        assert len(per_case) == CASES and {n for _, n in per_case} == {1}
        session.remove()
    with app.app_context():
        if session.get_bind().dialect.name == "sqlite":
            timeout = session.execute(text("PRAGMA busy_timeout")).scalar()
            assert timeout == 120000  # the patient engine really is in use
        session.remove()
    print(f"{CASES} claims by {THREADS} threads in {elapsed:.1f} s")  # noqa: T201
