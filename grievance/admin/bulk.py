"""Staff accounts from a sheet (CSV or XLSX): one account per line, created through the
same `create_account` as the form (so the same scope rule, audit log and set-up links),
all or nothing: a sheet with one bad line creates no account and says which lines to fix.

Columns (first line): username, name, sex, roles, province, language, queues; roles and
queues are lists of codes separated by spaces, commas or semicolons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from grievance.admin.accounts import AccountData, Saved, create_account
from grievance.auth.models import User
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.intake import sheets
from grievance.queues.models import Queue

MAX_ACCOUNTS = 200
COLUMNS = ("username", "name", "sex", "roles", "province", "language", "queues")
SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class LineError:
    line: int
    code: str  # a refusal code (grievance.refusals) or a sheet code (sheets.MESSAGES)
    detail: str = ""


@dataclass
class Imported:
    saved: list[Saved]
    errors: list[LineError]


def _split(value: str) -> list[str]:
    return [v for v in SEPARATORS.split(value.strip()) if v]


def _data(values: dict[str, str]) -> AccountData:
    queue_codes = _split(values.get("queues", ""))
    queue_ids: list[int] | None = None
    if queue_codes:
        rows = db.session.execute(select(Queue.code, Queue.id).where(Queue.code.in_(queue_codes)))
        found: dict[str, int] = {code: queue_id for code, queue_id in rows}
        if missing := [c for c in queue_codes if c not in found]:
            raise DomainError("unknown_queue", ",".join(missing))
        queue_ids = [found[c] for c in queue_codes]
    return AccountData(
        username=values.get("username", ""),
        name=values.get("name", ""),
        sex=(values.get("sex") or "not_stated").lower(),
        roles=[r.lower() for r in _split(values.get("roles", ""))],
        province=values.get("province", "").upper() or None,
        language=(values.get("language") or "km").lower(),
        queue_ids=queue_ids,
    )


def import_accounts(actor: User, data: bytes) -> Imported:
    """Create every account of the sheet, or none: the caller discards the unit of work
    when `errors` is not empty."""
    sheet = sheets.Sheet()
    errors: list[LineError] = []
    saved: list[Saved] = []
    columns: list[str] | None = None
    if len(data) > sheets.MAX_BYTES:
        return Imported([], [LineError(1, "too_large")])
    for line, cells in sheets.records(data, sheet):
        if columns is None:
            columns = [c.strip().lower() for c in cells]
            if missing := [c for c in ("username", "name", "roles") if c not in columns]:
                return Imported([], [LineError(line, "missing_column", ", ".join(missing))])
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(saved) + len(errors) >= MAX_ACCOUNTS:
            return Imported([], [LineError(line, "too_many_accounts")])
        values = {
            name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(columns)
        }
        try:
            with db.session.begin_nested():
                saved.append(create_account(actor, _data(values)))
        except DomainError as refused:
            errors.append(LineError(line, refused.code, refused.detail))
    errors += [LineError(e["line"], e["code"]) for e in sheet.errors]
    if columns is None and not errors:
        errors.append(LineError(1, "empty"))
    return Imported([] if errors else saved, errors)
