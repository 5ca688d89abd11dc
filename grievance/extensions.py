"""Extension objects, created unbound and initialised in create_app."""

from __future__ import annotations

import functools
import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic produces the same schema on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()


def insert_unless_present(entity: Any) -> Any:
    """The database's own INSERT, which has ON CONFLICT DO NOTHING (both backends do):
    a row whose unique key exists already is skipped in the same statement, so two
    transactions writing the same row at once cannot fail one another."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(entity)


def insert_one(
    table: Table,
    values: dict[str, Any],
    *,
    unless_present: Sequence[str] = (),
    returning: str | None = None,
) -> Any:
    """INSERT one row (skipped when its `unless_present` key exists); the `returning`
    column's value, or None. The statement is built once per table, backend and shape and
    reused: building it from the values each time cost more than sending it."""
    dialect = db.session.get_bind().dialect.name
    stmt = _one_row(table, dialect, tuple(unless_present), returning)
    result = db.session.execute(stmt, values)
    return result.scalar() if returning else None


@functools.cache
def _one_row(
    table: Table, dialect: str, unless_present: tuple[str, ...], returning: str | None
) -> Any:
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    if unless_present:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(unless_present))
    return stmt.returning(table.c[returning]) if returning else stmt


def insert_many(
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    unless_present: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT many rows (dicts with the same keys) in one statement, skipping those whose
    `unless_present` key exists when given; the `returning` columns of the rows inserted.

    On PostgreSQL the rows travel as one JSON parameter that `json_populate_recordset`
    turns back into rows: a statement with a parameter per value is re-parsed by the
    driver every time (it caches only short ones), which cost more than the insert
    itself. Elsewhere, an executemany of the ordinary INSERT. One row alone (without
    `returning`) goes as the plain statement of `insert_one`."""
    if not rows:
        return []
    if len(rows) == 1 and not returning:  # a case's first event, say
        insert_one(table, rows[0], unless_present=unless_present)
        return []
    if db.session.get_bind().dialect.name != "postgresql":
        stmt = sqlite.insert(table)
        if unless_present:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(unless_present))
        if not returning:
            db.session.execute(stmt, list(rows))
            return []
        result = db.session.execute(stmt.returning(*(table.c[c] for c in returning)), list(rows))
        return [tuple(r) for r in result]
    # Names from the table's own metadata, never from input.
    names = ", ".join(table.c[name].name for name in rows[0])
    source = f"json_populate_recordset(NULL::{table.name}, CAST(:rows AS json))"
    sql = f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {source}"  # noqa: S608
    if unless_present:
        sql += f" ON CONFLICT ({', '.join(unless_present)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(table.c[c].name for c in returning)}"
    payload = json.dumps(list(rows), default=_json_value, ensure_ascii=False)
    result = db.session.execute(text(sql), {"rows": payload})
    return [tuple(r) for r in result] if returning else []


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.isoformat()
    raise TypeError(f"cannot insert {type(value).__name__} as JSON")


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; take it over,
    # and turn on what SQLite leaves off by default (foreign keys, concurrent readers).
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# A connection used this recently is not pinged again when it is checked out: a busy
# process saves a round trip on every request. One idle longer (or new) is pinged, and a
# dead one replaced, as `pool_pre_ping` would. Should the database go away within that
# window, the next statement fails instead: the request answers "please try again" (see
# grievance/site/errors.py) and SQLAlchemy drops every connection older than the failure.
PING_AFTER_IDLE_SECONDS = 5.0
_IDLE_SINCE = "samleng.idle_since"


def ping_after_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure: a fresh connection
            raise DisconnectionError() from error
