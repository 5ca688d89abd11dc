"""Which database and Redis the tests use, decided once from the environment.

DATABASE_URL / REDIS_URL when set (REDIS_URL set but empty: no Redis); otherwise SQLite and,
if one answers on localhost, Redis db 12. REQUIRE_SERVICES=1 turns a missing PostgreSQL or
Redis into a failure instead of a skip.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import psycopg
from sqlalchemy.engine import make_url


@dataclass
class Backends:
    database_url: str  # the server URL the tests were given (empty: SQLite)
    redis_url: str  # empty: none
    require: bool

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith("postgres")

    def describe(self) -> str:
        db = "PostgreSQL" if self.postgres else "SQLite"
        return f"backends: database={db} redis={'yes' if self.redis_url else 'no'}"


def _redis_answers(url: str) -> bool:
    try:
        from redis import Redis

        return bool(Redis.from_url(url, socket_timeout=1).ping())
    except Exception:
        return False


def detect() -> Backends:
    env = os.environ
    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/12")
    if redis_url and not _redis_answers(redis_url):
        if env.get("REQUIRE_SERVICES") == "1":
            raise RuntimeError(f"REQUIRE_SERVICES=1 but Redis does not answer at {redis_url}")
        redis_url = ""
    database_url = env.get("DATABASE_URL", "")
    require = env.get("REQUIRE_SERVICES") == "1"
    if require and not database_url.startswith("postgres"):
        raise RuntimeError("REQUIRE_SERVICES=1 needs DATABASE_URL pointing at PostgreSQL")
    return Backends(database_url=database_url, redis_url=redis_url, require=require)


def _admin_conninfo(url: str) -> str:
    u = make_url(url.replace("postgresql+psycopg://", "postgresql://"))
    return u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def create_pg_database(url: str) -> str:
    """A database of the tests' own beside the one given; returns its URL."""
    name = f"samleng_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    u = make_url(url.replace("postgresql+psycopg://", "postgresql://"))
    return u.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
