"""The rules snapshot: a change to categories, queues, policies or closures reaches the next
filing however it was made, and a change that was rolled back is never used."""

from __future__ import annotations

from datetime import date, datetime

import psycopg
import pytest
from flask import Flask
from sqlalchemy.orm import scoped_session

from grievance import reference
from grievance.cases.models import Category
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.sla.admin import add_closure
from grievance.sla.calendar import PHNOM_PENH
from tests.conftest import BACKENDS
from tests.factories import make_case

MONDAY_8AM = datetime(2027, 3, 1, 8, 0, tzinfo=PHNOM_PENH)


def test_a_closure_declared_between_two_filings_moves_only_the_second_deadline() -> None:
    first = make_case(at=MONDAY_8AM, category_code="pension", complainant=None).case
    add_closure(date(2027, 3, 1), date(2027, 3, 5), [], "Flood", actor_id=None)
    second = make_case(at=MONDAY_8AM, category_code="pension", complainant=None).case
    # The first case's deadline is moved by the recompute job; the second starts after it.
    assert second.ack_due_at.astimezone(PHNOM_PENH).date() >= date(2027, 3, 8)
    assert first.ack_due_at < second.ack_due_at


def test_a_category_switched_off_in_a_bulk_update_is_refused_at_once() -> None:
    make_case(category_code="pension")  # the snapshot is loaded and in use
    db.session.query(Category).filter_by(code="pension").update({"active": False})
    with pytest.raises(DomainError) as refused:
        make_case(category_code="pension")
    assert refused.value.code == "unknown_category"


def test_a_rolled_back_change_is_forgotten() -> None:
    make_case()
    savepoint = db.session.begin_nested()
    db.session.add(
        Category(code="tmp_rollback", name_en="Temp", name_km="Temp", kind="grievance",
                 default_priority="normal")
    )  # fmt: skip
    db.session.flush()
    assert make_case(category_code="tmp_rollback").case.category_id is not None
    savepoint.rollback()
    assert "tmp_rollback" not in reference.current().categories
    with pytest.raises(DomainError):
        make_case(category_code="tmp_rollback")


@pytest.mark.skipif(not BACKENDS.postgres, reason="needs PostgreSQL (CI has it)")
def test_a_change_committed_by_another_process_reaches_the_next_transaction(
    app: Flask,
    committed_sessions: scoped_session,  # type: ignore[type-arg]
) -> None:
    url = committed_sessions.get_bind().engine.url.set(drivername="postgresql")
    with app.test_request_context():
        make_case(category_code="pension")
        committed_sessions.commit()

        def switch(active: bool) -> None:  # psql, another process: no ORM, no event here
            with psycopg.connect(url.render_as_string(hide_password=False)) as other:
                other.execute("UPDATE categories SET active = %s WHERE code = 'pension'", (active,))

        switch(False)
        with pytest.raises(DomainError):
            make_case(category_code="pension")
        committed_sessions.rollback()
        switch(True)
        assert make_case(category_code="pension").case.id is not None
        committed_sessions.rollback()
