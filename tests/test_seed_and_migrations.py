"""The migrations build exactly the models' schema, CHECK constraints and vocabularies
included, on the backend of the run; they go down and up again; the demo seed is repeatable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Engine, create_engine, func, inspect, select, text

from grievance.app import create_app
from grievance.extensions import db
from grievance.search.schema import include_name
from tests import backends as backends_mod
from tests.conftest import BACKENDS, make_config
from tests.schema import allowed_values, check_constraints, model_check_constraints


def _empty_database(tmp_path: Path, name: str) -> str:
    if BACKENDS.postgres:
        return backends_mod.create_pg_database(BACKENDS.database_url)
    return f"sqlite:///{tmp_path}/{name}.sqlite3"


def _drop(url: str) -> None:
    if BACKENDS.postgres:
        backends_mod.drop_pg_database(url)


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a brand-new empty database of the current backend."""
    url = _empty_database(tmp_path, "empty")
    application = create_app(make_config(url, str(tmp_path)))
    yield application
    with application.app_context():
        db.engine.dispose()
    _drop(url)


@pytest.fixture
def modelled(app: Flask, tmp_path: Path) -> Iterator[Engine]:
    """A brand-new database of the current backend made from the models alone
    (`metadata.create_all`), so that the server renders both schemas' SQL alike."""
    url = _empty_database(tmp_path, "modelled")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        if BACKENDS.postgres:  # the search indexes' operator class (a migration adds it too)
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        db.metadata.create_all(connection)
    yield engine
    engine.dispose()
    _drop(url)


def _diff(app: Flask) -> list[object]:
    with app.app_context(), db.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": include_name}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, db.metadata))


def test_upgrade_head_gives_exactly_the_models_schema(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade(revision="heads")
    assert _diff(empty_app) == []


def test_upgrade_head_has_exactly_the_models_check_constraints(
    empty_app: Flask, modelled: Engine
) -> None:
    """Autogenerate does not compare CHECK constraints: a vocabulary change (a channel, a
    workflow state) without its migration would pass it and fail at INSERT in production."""
    with empty_app.app_context():
        upgrade(revision="heads")
        migrated = check_constraints(db.engine)
    expected = check_constraints(modelled)
    missing = sorted(set(expected) - set(migrated))
    extra = sorted(set(migrated) - set(expected))
    assert not missing, f"CHECK constraints of the models that no migration creates: {missing}"
    assert not extra, f"CHECK constraints the migrations leave that no model has: {extra}"
    differ = {
        key: (migrated[key], expected[key]) for key in expected if migrated[key] != expected[key]
    }
    assert not differ, f"CHECK constraints whose SQL differs (migrated, models): {differ}"


def test_upgrade_head_allows_exactly_the_vocabularies_of_the_code(empty_app: Flask) -> None:
    """Each `column IN (...)` CHECK of the migrated database allows exactly the values the
    code's vocabulary has now (grievance.domain, the workflows' states, notification
    statuses...): a new value needs a migration that changes the constraint."""
    with empty_app.app_context():
        upgrade(revision="heads")
        migrated = check_constraints(db.engine, normalise=False)
    vocabularies = {
        key: allowed_values(sql) for key, sql in model_check_constraints(db.metadata).items()
    }
    vocabularies = {key: values for key, values in vocabularies.items() if values}
    assert ("cases", "ck_cases_channel") in vocabularies  # the parsing found the lists
    problems = []
    for key, values in sorted(vocabularies.items()):
        allowed = allowed_values(migrated.get(key, ""))
        if allowed != values:
            problems.append(
                f"{key[1]}: the code has {sorted(values - allowed)} that the migrated "
                f"database refuses, and the database still allows {sorted(allowed - values)}"
            )
    assert not problems, "vocabulary changed without a migration:\n" + "\n".join(problems)


def test_downgrade_to_base_and_upgrade_again(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade(revision="heads")
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade(revision="heads")
    assert _diff(empty_app) == []


@pytest.mark.slow  # seeds the 300-case demo twice
def test_seed_demo_twice_gives_the_same_counts(empty_app: Flask) -> None:
    from grievance.models import Case, CaseEvent, Forum, Organisation, User
    from grievance.seed.cli import seed_demo_cmd

    with empty_app.app_context():
        upgrade(revision="heads")
    runner = empty_app.test_cli_runner()

    def counts() -> dict[str, int]:
        with empty_app.app_context():
            return {
                m.__name__: db.session.scalar(select(func.count()).select_from(m)) or 0
                for m in (Case, CaseEvent, Forum, Organisation, User)
            }

    first = runner.invoke(seed_demo_cmd)
    assert first.exit_code == 0, first.output
    assert "demo login: admin /" in first.output
    after_first = counts()
    second = runner.invoke(seed_demo_cmd)
    assert second.exit_code == 0, second.output
    assert "demo login" not in second.output  # passwords are printed once
    assert counts() == after_first
    assert after_first["Case"] == 301 and after_first["Forum"] == 4  # 300 and the voice note
    assert after_first["Organisation"] == 3 and after_first["User"] >= 7


def test_inbound_sms_records_are_kept_as_sms_messages(empty_app: Flask) -> None:
    from sqlalchemy import text

    with empty_app.app_context():
        upgrade(revision="c7d8e9f0a1b2")  # the last revision with inbound_sms
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO inbound_sms (message_sid, kind, received_at) "
                    "VALUES ('SMold', 'stop', '2026-01-01 00:00:00+00:00')"
                )
            )
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT channel, external_id, kind FROM inbound_messages")
            ).all()
    assert [tuple(r) for r in rows] == [("sms", "SMold", "stop")]


def test_policies_keep_their_escalation_times_under_the_labelled_ladder(
    empty_app: Flask,
) -> None:
    """The old form saved [national, oversight]; the seed wrote [province, national,
    oversight]. After the migration every ladder is the labelled three, and the national
    unit and oversight body keep the times an admin gave them."""
    from sqlalchemy import text

    insert = (
        "INSERT INTO sla_policies (kind, priority, version, unit, acknowledge, resolve, "
        "escalation, active, created_at) VALUES ('grievance', :p, 1, 'days', 2, 20, :e, "
        "true, '2026-01-01 00:00:00+00:00')"
    )
    with empty_app.app_context():
        upgrade(revision="5c6d7e8f9a01")
        with db.engine.begin() as connection:
            for priority, ladder in (("low", "[4, 3]"), ("high", "[5, 6, 7]"), ("urgent", "[]")):
                connection.execute(text(insert), {"p": priority, "e": ladder})
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT priority, escalation FROM sla_policies ORDER BY priority")
            ).all()
        found = {p: json.loads(e) if isinstance(e, str) else e for p, e in rows}
        downgrade(revision="5c6d7e8f9a01")
        with db.engine.connect() as connection:
            back = dict(
                connection.execute(text("SELECT priority, escalation FROM sla_policies")).all()
            )
    assert found == {"high": [5, 6, 7], "low": [4, 4, 3], "urgent": []}
    back = {p: json.loads(e) if isinstance(e, str) else e for p, e in back.items()}
    assert back == {"high": [6, 7], "low": [4, 3], "urgent": []}
