"""Forums: creating one, recording its concerns one by one, importing them from a sheet.

The request only keeps the uploaded sheet (a private file) and queues a job by the
import's id: a sheet is never opened in a web process. A job on the "imports" queue checks
it with the limits (`sheets.parse`) and keeps the preview (good lines, row errors), which
the officer reads and confirms; then another job files the good rows in small committed
batches, so the progress page can show how far it is and a re-run continues where the
last one stopped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from grievance import jobs, uow
from grievance.auth.models import User
from grievance.cases import policy
from grievance.cases.models import Case, Category, Province
from grievance.errors import DomainError, NotFound
from grievance.extensions import db
from grievance.intake import pipeline, sheets
from grievance.intake.models import Forum, ForumImport
from grievance.intake.uploads import write_private
from grievance.types import utcnow

log = logging.getLogger(__name__)
BATCH = 20  # concerns filed per commit: progress moves, a failure loses little


@dataclass
class ForumData:
    title: str
    level: str
    province_code: str
    venue: str
    start_date: date
    end_date: date
    organisers: str = ""
    title_km: str = ""
    venue_km: str = ""
    organisers_km: str = ""
    participants_female: int | None = None
    participants_male: int | None = None
    participants_total: int | None = None
    notes: str = ""


def create_forum(data: ForumData) -> Forum:
    if db.session.scalar(select(Forum.id).where(Forum.title == data.title)):
        raise DomainError("forum_title_taken", data.title)
    if db.session.get(Province, data.province_code) is None:
        raise DomainError("unknown_province", data.province_code)
    total = data.participants_total
    if total is None and (data.participants_female or data.participants_male):
        total = (data.participants_female or 0) + (data.participants_male or 0)
    forum = Forum(**{**vars(data), "participants_total": total}, created_at=utcnow())
    db.session.add(forum)
    db.session.flush()
    return forum


def get_forum(forum_id: int) -> Forum:
    forum = db.session.get(Forum, forum_id)
    if forum is None:
        raise NotFound("forum_not_found")
    return forum


def in_scope(user: User, forum: Forum) -> bool:
    """Staff work with the forums of their provinces (nationwide roles: all of them)."""
    provinces = policy.provinces_of(user)
    return provinces is None or forum.province_code in provinces


def provinces_for_new_forum(user: User, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A forum can be recorded for the user's own provinces only (it could not be opened
    again otherwise)."""
    provinces = policy.provinces_of(user)
    if provinces is None:
        return choices
    return [(code, name) for code, name in choices if not code or code in provinces]


def forums(user: User, limit: int = 200) -> list[tuple[Forum, int]]:
    """The forums of the user's provinces, newest first, with how many concerns each
    has become."""
    concerns = select(func.count(Case.id)).where(Case.forum_id == Forum.id).scalar_subquery()
    query = select(Forum, concerns).order_by(Forum.start_date.desc()).limit(limit)
    provinces = policy.provinces_of(user)
    if provinces is not None:
        query = query.where(Forum.province_code.in_(provinces))
    return [(f, n) for f, n in db.session.execute(query)]


def concerns_of(forum: Forum, viewer: User) -> tuple[list[Case], int]:
    """The forum's concerns the viewer may see (restricted ones: designated staff and
    their officer only, as everywhere), and how many others there are."""
    of_forum = Case.forum_id == forum.id
    shown = list(
        db.session.scalars(
            select(Case).where(of_forum, policy.visible_clause(viewer)).order_by(Case.id)
        )
    )
    total = db.session.scalar(select(func.count(Case.id)).where(of_forum)) or 0
    return shown, total - len(shown)


# --- imports -----------------------------------------------------------------------------


def vocabulary(default_province: str) -> sheets.Vocabulary:
    categories: dict[str, str] = {}
    for c in db.session.scalars(select(Category).where(Category.active.is_(True))):
        for spelling in (c.code, c.name_en, c.name_km):
            categories[spelling.strip().lower()] = c.code
    provinces: dict[str, str] = {}
    for p in db.session.scalars(select(Province)):
        for spelling in (p.code, p.name_en, p.name_km):
            provinces[spelling.strip().lower()] = p.code
    return sheets.Vocabulary(categories, provinces, default_province)


def imports_dir() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(mode=0o750, parents=True, exist_ok=True)
    return path


def start_import(forum: Forum, data: bytes, filename: str, officer: User) -> ForumImport:
    """Keep the file (under a generated name) and queue its check; nothing is parsed here
    and no case is filed yet."""
    ext = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
    imp = ForumImport(
        forum_id=forum.id,
        created_by_id=officer.id,
        stored_name=write_private(imports_dir(), ext, data),
        original_name=filename[:200],
        status="checking",
        total=0,
        done=0,
        errors=[],
        created_at=utcnow(),
    )
    db.session.add(imp)
    db.session.flush()
    jobs.enqueue(check_forum_import, imp.id)
    return imp


@jobs.job(queue="imports")
def check_forum_import(import_id: int) -> None:
    """Read the kept sheet with the limits and keep its preview: how many good lines, and
    each problem by line and column. Idempotent: a checked import is left alone."""
    imp = db.session.get(ForumImport, import_id)
    if imp is None or imp.status != "checking":
        return
    with uow.failure_recorded(lambda: _mark_failed(import_id)):
        sheet = read_import(imp)
        imp.total, imp.errors, imp.status = len(sheet.rows), sheet.errors, "preview"


def get_import(import_id: int) -> ForumImport:
    imp = db.session.get(ForumImport, import_id)
    if imp is None:
        raise NotFound("import_not_found")
    return imp


def read_import(imp: ForumImport) -> sheets.Sheet:
    forum = get_forum(imp.forum_id)
    data = (imports_dir() / imp.stored_name).read_bytes()
    return sheets.parse(data, vocabulary(forum.province_code))


def confirm_import(imp: ForumImport) -> None:
    """File the good rows in the background; bad rows are left out, as the preview said."""
    if imp.status != "preview":
        return  # confirmed twice (double click, back button): one job is enough
    if imp.total == 0:
        raise DomainError("nothing_to_import")
    imp.status = "queued"
    jobs.enqueue(run_forum_import, imp.id)


@jobs.job(queue="imports")
def run_forum_import(import_id: int) -> None:
    imp = db.session.get(ForumImport, import_id)
    if imp is None or imp.status not in ("queued", "running"):
        return
    imp.status = "running"
    uow.checkpoint()
    with uow.failure_recorded(lambda: _mark_failed(import_id)):
        rows = read_import(imp).rows
        imp.total = len(rows)
        while imp.done < len(rows):
            for row in rows[imp.done : imp.done + BATCH]:
                _file_row(imp, row)
            imp.done = min(len(rows), imp.done + BATCH)
            uow.checkpoint()
        imp.status = "done"
        imp.finished_at = utcnow()


def _mark_failed(import_id: int) -> None:
    log.error("forum import failed import=%s", import_id)
    imp = db.session.get(ForumImport, import_id)
    if imp is not None:
        imp.status = "failed"
        imp.finished_at = utcnow()


def _file_row(imp: ForumImport, row: sheets.Row) -> None:
    filer = pipeline.Filer("intake", db.session.get(User, imp.created_by_id or 0))
    try:
        pipeline.file(replace(row.submission, forum_id=imp.forum_id), filer)
    except DomainError as exc:  # e.g. a category switched off since the preview
        imp.errors = [
            *imp.errors,
            {"line": row.line, "column": "", "code": "not_filed", "value": exc.code},
        ]
