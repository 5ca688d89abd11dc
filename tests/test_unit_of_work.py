"""The unit of work: one commit point for requests, jobs and commands.

A view writes and answers; the boundary keeps its writes for a success or a redirect and
drops them (and the jobs they queued) for an error status or an exception. Nothing else in
the code base commits or rolls back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask, abort, redirect
from sqlalchemy import select

from grievance import jobs, uow
from grievance.app import create_app
from grievance.auth.models import Organisation
from grievance.extensions import csrf, db
from tests.conftest import Released, job_runner, make_config

ROOT = Path(__file__).resolve().parent.parent
BOUNDARY = {ROOT / "grievance" / "uow.py"}
CALLED: list[tuple[str, tuple[object, ...]]] = []


def _calls_named(tree: ast.AST, names: set[str]) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in names:
                lines.append(node.lineno)
    return lines


def test_only_the_boundary_commits_or_rolls_back() -> None:
    offenders = []
    for package in ("grievance", "workflows", "notifications"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path in BOUNDARY:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line in _calls_named(tree, {"commit", "rollback"}):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == [], "commit()/rollback() outside grievance/uow.py: " + ", ".join(offenders)


@jobs.job(queue="default")
def probe_job(name: str) -> None:
    CALLED.append(("probe_job", (name,)))


@pytest.fixture(scope="module")
def probe_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An app of its own with routes that write and answer in each way."""
    app = create_app(make_config(database_url, str(tmp_path_factory.mktemp("uow"))))

    def write(name: str) -> None:
        db.session.add(Organisation(name=name, kind="union"))
        db.session.flush()
        jobs.enqueue(probe_job, name)

    @app.post("/probe/<name>/<outcome>")
    @csrf.exempt
    def probe(name: str, outcome: str) -> object:
        write(name)
        if outcome == "ok":
            return "written"
        if outcome == "redirect":
            return redirect("/")
        if outcome == "refused":
            return "refused", 400
        if outcome == "abort":
            abort(403)
        raise RuntimeError("a bug in the view")

    return app


def _exists(name: str) -> bool:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None


@pytest.mark.parametrize(
    ("outcome", "status", "kept"),
    [("ok", 200, True), ("redirect", 302, True), ("refused", 400, False), ("abort", 403, False)],
)
def test_a_view_that_writes_never_commits_itself(
    probe_app: Flask, recorded_jobs: Released, outcome: str, status: int, kept: bool
) -> None:
    with job_runner(probe_app, lambda name, ids: recorded_jobs.append((name, ids))):
        response = probe_app.test_client().post(f"/probe/uow-{outcome}/{outcome}")
    assert response.status_code == status
    assert _exists(f"uow-{outcome}") is kept
    released = [ids for name, ids in recorded_jobs if name.endswith("probe_job")]
    assert released == ([(f"uow-{outcome}",)] if kept else [])


def test_an_exception_in_a_view_keeps_nothing(probe_app: Flask, recorded_jobs: Released) -> None:
    probe_app.testing = False  # answer with the 500 page, as in production
    try:
        with job_runner(probe_app, lambda name, ids: recorded_jobs.append((name, ids))):
            response = probe_app.test_client().post("/probe/uow-bug/bug")
    finally:
        probe_app.testing = True
    assert response.status_code == 500
    assert not _exists("uow-bug")
    assert recorded_jobs == []


def test_a_job_is_one_unit_of_work(app: Flask) -> None:
    def failing() -> None:
        db.session.add(Organisation(name="uow-job", kind="union"))
        db.session.flush()
        raise RuntimeError("half-way")

    with pytest.raises(RuntimeError):
        uow.run(failing)
    assert not _exists("uow-job")
    uow.run(lambda: db.session.add(Organisation(name="uow-job-ok", kind="ngo")))
    assert _exists("uow-job-ok")
