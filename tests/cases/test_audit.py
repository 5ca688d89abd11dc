"""The timeline is append-only in the database, and tampering is detected."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from grievance.cases import transitions
from grievance.cases.cli import verify_cmd
from grievance.cases.models import CaseEvent
from grievance.extensions import db
from tests.factories import make_case


def _events_trigger(enable: bool) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        state = "ENABLE" if enable else "DISABLE"
        db.session.execute(text(f"ALTER TABLE case_events {state} TRIGGER case_events_no_change"))
    elif not enable:
        db.session.execute(text("DROP TRIGGER case_events_no_update"))


def test_database_refuses_to_change_or_delete_events(app: Flask) -> None:
    case = make_case().case
    db.session.flush()
    for statement in (
        "UPDATE case_events SET kind = 'x' WHERE case_id = :id",
        "DELETE FROM case_events WHERE case_id = :id",
    ):
        with pytest.raises(DBAPIError), db.session.begin_nested():
            db.session.execute(text(statement), {"id": case.id})


def test_audit_verify_passes_then_names_the_tampered_event(app: Flask) -> None:
    case = make_case().case
    actor = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
    transitions.apply(case, "acknowledge", actor)
    transitions.apply(case, "withdraw", transitions.COMPLAINANT)
    db.session.flush()
    runner = app.test_cli_runner()
    ok = runner.invoke(verify_cmd, ["--case", case.reference])
    assert ok.exit_code == 0 and "verify" in ok.output

    second = db.session.scalar(db.select(CaseEvent).filter_by(case_id=case.id, seq=2))
    _events_trigger(False)
    db.session.execute(
        text("UPDATE case_events SET to_state = 'closed' WHERE id = :id"), {"id": second.id}
    )
    _events_trigger(True)
    db.session.expire_all()
    bad = runner.invoke(verify_cmd, ["--case", case.reference])
    assert bad.exit_code != 0
    assert f"BROKEN case {case.reference}: event #2" in bad.output
