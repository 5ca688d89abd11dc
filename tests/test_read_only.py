"""A read-only unit of work (the status page): on PostgreSQL it runs its statements outside
a transaction (no BEGIN, no COMMIT sent), the next unit of work on the same pooled
connection is a transaction again, and a write in it raises before it reaches the database.
These tests use real sessions on the engine (no outer test transaction)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import func, select, update

from grievance import uow
from grievance.cases.models import Person
from grievance.extensions import db
from tests.conftest import BACKENDS

pytestmark = pytest.mark.skipif(not BACKENDS.postgres, reason="PostgreSQL only")


@pytest.fixture(autouse=True)
def _transaction(app: Flask) -> Iterator[None]:
    original = db.session
    db.session = db._make_scoped_session({})
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original


def _status() -> TransactionStatus:
    return db.session.connection().connection.dbapi_connection.info.transaction_status  # type: ignore[union-attr]


def _persons() -> int:
    return int(db.session.scalar(select(func.count()).select_from(Person)) or 0)


def test_a_read_only_unit_of_work_opens_no_transaction_and_the_next_one_does(app: Flask) -> None:
    with app.app_context():
        uow.read_only()
        _persons()
        assert _status() == TransactionStatus.IDLE  # no BEGIN was sent
        uow.finish_request(200)
        _persons()  # the same pooled connection, a normal unit of work again
        assert _status() == TransactionStatus.INTRANS
        uow.finish_request(200)


def test_a_write_in_a_read_only_unit_of_work_raises_and_keeps_nothing(app: Flask) -> None:
    with app.app_context():
        before = _persons()
        uow.finish_request(200)
        uow.read_only()
        db.session.add(Person(name="Sok Dara", language="km"))
        with pytest.raises(uow.WriteInReadOnly):
            db.session.flush()
        uow.discard()
        uow.read_only()
        with pytest.raises(uow.WriteInReadOnly):
            db.session.execute(update(Person).where(Person.id == -1).values(name="x"))
        uow.discard()
        assert _persons() == before
        uow.finish_request(200)
