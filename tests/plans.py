"""Query plans for tests that a list reads an index in its order instead of sorting."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from grievance.extensions import db
from tests.conftest import BACKENDS


def unsorted_plan(query: Any) -> str:
    """The plan of `query` (its values inlined), checked to have no sort of its own: on
    PostgreSQL with sorting and sequential scans discouraged, so that either would show;
    on SQLite, no temporary B-tree. The caller checks which index it reads."""
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if BACKENDS.postgres:
        db.session.execute(text("SET LOCAL enable_sort = off"))
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.scalars(text("EXPLAIN " + sql)))
        assert "Sort" not in plan, plan
    else:
        rows = db.session.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
        plan = "\n".join(str(row[-1]) for row in rows)
        assert "TEMP B-TREE" not in plan, plan
    return plan
