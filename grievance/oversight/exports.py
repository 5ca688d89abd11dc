"""Redacted case exports for oversight bodies and supervisors: CSV streamed, XLSX by a job.

Redaction: no name, phone, NSSF number, narrative, resolution text, comments, employer or
facility name, agency text, officer or filer identity. Restricted cases are left out
entirely (oversight sees them only as counts). One redacted export serves every role that
may export (oversight, supervisor, admin): identities are worked with inside the case
pages, never exported in bulk.

Memory stays flat whatever the number of rows: the CSV generator reads a server-side
cursor in partitions (`yield_per`) and yields text as it goes; the XLSX job pages by id
(keyset) so it can commit its progress between pages, and openpyxl's write-only mode
streams rows to disk.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import (
    Float,
    Integer,
    String,
    TextualSelect,
    bindparam,
    column,
    delete,
    select,
    text,
)

from grievance import jobs
from grievance.cases.models import Category, Province
from grievance.domain import CHANNELS, KINDS, SEXES
from grievance.errors import NotFound
from grievance.extensions import db
from grievance.i18n import label
from grievance.oversight.models import CaseExport
from grievance.oversight.workdays import LocalTime
from grievance.sla.calendar import PHNOM_PENH
from grievance.sla.clocks import working_calendar
from grievance.types import UTCDateTime, utcnow
from workflows import WORKFLOWS

KEEP_FOR = timedelta(hours=24)
STREAM_BATCH = 2000
JOB_BATCH = 5000

# (header, SQL expression, type); every column is a non-identifying field.
COLUMNS: tuple[tuple[str, str, Any], ...] = (
    ("reference", "c.reference", String()),
    ("kind", "c.kind", String()),
    ("category", "cat.code", String()),
    ("province", "c.province_code", String()),
    ("channel", "c.channel", String()),
    ("priority", "c.priority", String()),
    ("confidentiality", "c.confidentiality", String()),
    ("state", "c.state", String()),
    ("created_at", "c.created_at", UTCDateTime()),
    ("acknowledged_at", "c.acknowledged_at", UTCDateTime()),
    ("resolution_proposed_at", "c.resolution_proposed_at", UTCDateTime()),
    ("closed_at", "c.closed_at", UTCDateTime()),
    ("ack_due_at", "c.ack_due_at", UTCDateTime()),
    ("resolve_due_at", "c.resolve_due_at", UTCDateTime()),
    ("overdue", "CASE WHEN c.overdue THEN 1 ELSE 0 END", Integer()),
    ("escalation_level", "c.escalation_level", Integer()),
    ("working_days_to_acknowledge", "{ack_days}", Float()),
    ("working_days_to_resolve", "{resolve_days}", Float()),
    ("satisfaction", "c.satisfaction", Integer()),
    ("complainant_sex", "COALESCE(p.sex, 'not_stated')", String()),
    ("complainant_age_band", "COALESCE(p.age_band, 'not_stated')", String()),
    ("complainant_worker_type", "COALESCE(p.worker_type, 'other')", String()),
    ("affected_count", "c.affected_count", Integer()),
    ("concerned_type", "c.concerned_type", String()),
    ("forum_id", "c.forum_id", Integer()),
)
CODES = [name for name, _sql, _type in COLUMNS]
# Codes the reader gets a name for, in her language, in a column right beside the code.
NAMED = ("kind", "category", "province", "channel", "state", "complainant_sex")
HEADERS = [h for code in CODES for h in ((code, f"{code}_name") if code in NAMED else (code,))]
TIME_NOTE = "Asia/Phnom_Penh, UTC+07:00"


def names(lang: str) -> dict[str, dict[str, str]]:
    """Code -> name in `lang` for each NAMED column."""
    with force_locale(lang):
        found = {
            "kind": {k: label(v) for k, v in KINDS.items()},
            "channel": {k: label(v) for k, v in CHANNELS.items()},
            "complainant_sex": {k: label(v) for k, v in SEXES.items()},
            "state": {s.name: label(s.label) for wf in WORKFLOWS.values() for s in wf.states},
        }
    found["category"] = {c.code: c.name(lang) for c in db.session.scalars(select(Category))}
    found["province"] = {p.code: p.name(lang) for p in db.session.scalars(select(Province))}
    return found


def named(row: Sequence[Any], maps: dict[str, dict[str, str]]) -> list[Any]:
    """An exported row with each NAMED code followed by its name."""
    out: list[Any] = []
    for code, value in zip(CODES, row, strict=True):
        out.append(value)
        if code in maps:
            out.append(maps[code].get(value, value))
    return out


VIEWER_ROLES = ("oversight", "supervisor", "admin")  # who reads redacted lists and exports


def viewer_provinces(user: Any) -> tuple[str, ...] | None:
    """The one rule for redacted lists and exports: the provinces the viewer's roles cover
    (None: nationwide). A province's supervisor reads her provinces' cases only."""
    scopes: set[str | None] = set()
    for role in VIEWER_ROLES:
        scopes |= user.provinces_for(role)
    if None in scopes:
        return None
    return tuple(sorted(p for p in scopes if p))


@dataclass(frozen=True)
class Filters:
    province: str | None = None
    category: str | None = None
    start: date | None = None  # filed on or after (Phnom Penh date)
    end: date | None = None  # filed on or before
    within: tuple[str, ...] | None = None  # the viewer's provinces (None: nationwide)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Filters:
        return cls(
            province=data.get("province") or None,
            category=data.get("category") or None,
            start=date.fromisoformat(data["start"]) if data.get("start") else None,
            end=date.fromisoformat(data["end"]) if data.get("end") else None,
            within=tuple(data["within"]) if data.get("within") is not None else None,
        )

    def seen_by(self, user: Any) -> Filters:
        return replace(self, within=viewer_provinces(user))

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


def _query(filters: Filters, keyset: bool = False, as_text: bool = False) -> TextualSelect:
    """The export SELECT. `as_text`: times and numbers formatted by the database, so the
    CSV writer gets ready strings (per-row Python conversions were most of the cost)."""
    cal = working_calendar()
    lt = LocalTime(db.session.get_bind().dialect.name, cal)
    formats = {
        "ack_days": lt.ack_days(),
        "resolve_days": f"CASE WHEN c.state = 'closed' THEN {lt.answer_days()} END",
    }

    def expression(sql: str, type_: Any) -> str:
        sql = sql.format(**formats)
        if as_text and isinstance(type_, UTCDateTime):
            return lt.iso_local(sql)
        if as_text and isinstance(type_, Float):
            return lt.rounded_text(sql)
        return sql

    select_list = ",\n  ".join(f"{expression(sql, t)} AS {name}" for name, sql, t in COLUMNS)
    where, params = _where(filters)
    if keyset:
        where.append("c.id > :after")
    # Constant fragments only: filter values travel as bound parameters.
    sql = f"""
    SELECT c.id AS id,
      {select_list}
    {lt.case_rows()}
    WHERE {" AND ".join(where)}
    ORDER BY c.id
    {"LIMIT :batch" if keyset else ""}
    """  # noqa: S608
    types = [String() if as_text else t for _name, _sql, t in COLUMNS]
    typed = [
        column("id", Integer()),
        *(column(c[0], t) for c, t in zip(COLUMNS, types, strict=True)),
    ]
    return text(sql).bindparams(*params).columns(*typed)


def _where(filters: Filters) -> tuple[list[str], list[Any]]:
    where = ["c.confidentiality <> 'restricted'"]
    params: list[Any] = []
    if filters.within is not None:
        where.append("c.province_code IN :within")
        params.append(bindparam("within", list(filters.within), expanding=True))
    if filters.province:
        where.append("c.province_code = :province")
        params.append(bindparam("province", filters.province))
    if filters.category:
        where.append("cat.code = :category")
        params.append(bindparam("category", filters.category))
    if filters.start:
        where.append("c.created_at >= :start")
        params.append(bindparam("start", _local_midnight(filters.start), type_=UTCDateTime()))
    if filters.end:
        where.append("c.created_at < :end")
        end = _local_midnight(filters.end + timedelta(days=1))
        params.append(bindparam("end", end, type_=UTCDateTime()))
    return where, params


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=PHNOM_PENH)


def rows(filters: Filters) -> Iterator[Sequence[Any]]:
    """Every exported row (typed values), read through a server-side cursor in partitions."""
    result = db.session.execute(_query(filters).execution_options(yield_per=STREAM_BATCH))
    for partition in result.partitions():
        for row in partition:
            yield row[1:]


def csv_chunks(filters: Filters, lang: str = "km") -> Iterator[str]:
    """The CSV file as text chunks of STREAM_BATCH rows, from a server-side cursor: codes
    with their names in `lang` beside them, times in Phnom Penh time with the offset."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    maps = names(lang)
    statement = _query(filters, as_text=True).execution_options(yield_per=STREAM_BATCH)
    for partition in db.session.execute(statement).partitions():
        writer.writerows(named(row[1:], maps) for row in partition)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def count(filters: Filters) -> int:
    where, params = _where(filters)
    sql = (
        "SELECT COUNT(*) FROM cases c JOIN categories cat ON cat.id = c.category_id "  # noqa: S608
        f"WHERE {' AND '.join(where)}"
    )
    return int(db.session.scalar(text(sql).bindparams(*params)) or 0)


# -- XLSX in the background ---------------------------------------------------------


def exports_dir() -> Path:
    path = Path(current_app.instance_path) / "exports"
    path.mkdir(mode=0o750, parents=True, exist_ok=True)
    return path


def start_xlsx(user_id: int, filters: Filters, lang: str = "km") -> CaseExport:
    export = CaseExport(
        user_id=user_id,
        filters={**filters.as_dict(), "lang": lang},
        status="queued",
        stored_name=secrets.token_hex(16) + ".xlsx",
        created_at=utcnow(),
    )
    db.session.add(export)
    db.session.flush()
    jobs.enqueue(run_xlsx_export, export.id)
    return export


def get_export(export_id: int, user_id: int, now: datetime | None = None) -> CaseExport:
    """The user's own export, while it is kept. Anyone else's is 'not found'."""
    export = db.session.get(CaseExport, export_id)
    now = now or utcnow()
    if export is None or export.user_id != user_id or now - export.created_at > KEEP_FOR:
        raise NotFound("export_not_found")
    return export


def recent_exports(user_id: int) -> list[CaseExport]:
    since = utcnow() - KEEP_FOR
    query = (
        select(CaseExport)
        .where(CaseExport.user_id == user_id, CaseExport.created_at >= since)
        .order_by(CaseExport.id.desc())
    )
    return list(db.session.scalars(query))


def file_path(export: CaseExport) -> Path:
    return exports_dir() / export.stored_name


def purge_expired(now: datetime | None = None) -> int:
    """Delete exports (files and rows) older than KEEP_FOR."""
    cutoff = (now or utcnow()) - KEEP_FOR
    old = list(db.session.scalars(select(CaseExport).where(CaseExport.created_at < cutoff)))
    for export in old:
        file_path(export).unlink(missing_ok=True)
        (exports_dir() / (export.stored_name + ".part")).unlink(missing_ok=True)
    if old:
        db.session.execute(delete(CaseExport).where(CaseExport.id.in_([e.id for e in old])))
    return len(old)


@jobs.job(queue="exports")
def run_xlsx_export(export_id: int) -> None:
    from grievance.oversight.xlsx import write_export

    export = db.session.get(CaseExport, export_id)
    if export is None or export.status not in ("queued", "running"):
        return  # done, failed or purged: a repeated delivery does nothing
    purge_expired()
    write_export(export, _query(Filters.from_dict(export.filters), keyset=True))
