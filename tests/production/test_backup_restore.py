"""The README's backup and restore, for real: `pg_dump --format=custom` of a live database,
`pg_restore` into an empty one, and the restored system still serves its complainants
(the reference and secret they kept open their case) and its timelines verify."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db
from tests import backends as backends_mod
from tests.conftest import BACKENDS, csrf_from
from tests.intake.helpers import public_post
from tests.live import live_app_on

SECRET_VALUE = re.compile(r'<p class="secret-value" lang="en">([^<]+)</p>')


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (PostgreSQL client tools)")
    return found


def _file_complaint(app: Flask) -> tuple[str, str]:
    page = public_post(app.test_client()).get_data(as_text=True)
    reference, secret = SECRET_VALUE.findall(page)
    return reference, secret


def _counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        cases = db.session.scalar(select(func.count()).select_from(Case)) or 0
        events = db.session.scalar(select(func.count()).select_from(CaseEvent)) or 0
        db.session.remove()
        return cases, events


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_a_restored_dump_serves_the_same_cases(fresh_database: str, tmp_path: Path) -> None:
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    with live_app_on(fresh_database, tmp_path / "before", "") as app:
        kept = [_file_complaint(app) for _ in range(3)]
        before = _counts(app)
    dump = tmp_path / "samleng.dump"
    subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={dump}", _libpq(fresh_database)],
        check=True,
    )

    restored = backends_mod.create_pg_database(BACKENDS.database_url)
    try:
        subprocess.run(
            [pg_restore, "--no-owner", f"--dbname={_libpq(restored)}", str(dump)], check=True
        )
        with live_app_on(restored, tmp_path / "after", "") as app:
            assert _counts(app) == before == (3, 3)
            client = app.test_client()
            for reference, secret in kept:
                token = csrf_from(client.get("/track?lang=en").get_data(as_text=True))
                answer = client.post(
                    "/track", data={"csrf_token": token, "reference": reference, "secret": secret}
                )
                assert answer.status_code == 303
                page = client.get(answer.headers["Location"]).get_data(as_text=True)
                assert reference in page
            result = app.test_cli_runner().invoke(args=["audit", "verify"])
            assert result.exit_code == 0, result.output
            assert "all case timelines verify" in result.output
    finally:
        backends_mod.drop_pg_database(restored)
