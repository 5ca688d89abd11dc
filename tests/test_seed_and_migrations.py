from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from grievance.app import create_app
from grievance.extensions import db
from grievance.search.schema import include_name
from tests import backends as backends_mod
from tests.conftest import BACKENDS, make_config


@pytest.fixture
def empty_app(tmp_path: object) -> Iterator[Flask]:
    """An app on a brand-new empty database of the current backend."""
    if BACKENDS.postgres:
        url = backends_mod.create_pg_database(BACKENDS.database_url)
    else:
        url = f"sqlite:///{tmp_path}/empty.sqlite3"
    application = create_app(make_config(url, str(tmp_path)))
    yield application
    with application.app_context():
        db.engine.dispose()
    if BACKENDS.postgres:
        backends_mod.drop_pg_database(url)


def _diff(app: Flask) -> list[object]:
    with app.app_context(), db.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": include_name}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, db.metadata))


def test_upgrade_head_gives_exactly_the_models_schema(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade(revision="heads")
    assert _diff(empty_app) == []


def test_downgrade_to_base_and_upgrade_again(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade(revision="heads")
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade(revision="heads")
    assert _diff(empty_app) == []


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
    assert after_first["Case"] == 300 and after_first["Forum"] == 4
    assert after_first["Organisation"] == 3 and after_first["User"] >= 7
