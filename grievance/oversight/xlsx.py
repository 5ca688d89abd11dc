"""Writing an export to XLSX with openpyxl's write-only mode, page by page."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from grievance import uow
from grievance.extensions import db
from grievance.oversight.models import CaseExport
from grievance.sla.calendar import PHNOM_PENH
from grievance.types import utcnow

log = logging.getLogger(__name__)


def _cell(value: Any) -> Any:
    # Excel has no time zones: times are written as Phnom Penh wall-clock (the header says so).
    if isinstance(value, datetime):
        return value.astimezone(PHNOM_PENH).replace(tzinfo=None)
    if isinstance(value, float):
        return round(value, 2)
    return value


def write_export(export: CaseExport, query: Any) -> None:
    """Fill the export's file; commits progress after every page so the page can show it."""
    from grievance.oversight.exports import (
        HEADERS,
        JOB_BATCH,
        TIME_NOTE,
        Filters,
        count,
        exports_dir,
        file_path,
        named,
        names,
    )

    export_id = export.id
    export.status = "running"
    export.total = count(Filters.from_dict(export.filters))
    export.done = 0
    uow.checkpoint()
    part = exports_dir() / (export.stored_name + ".part")

    def failed() -> None:
        log.error("export failed export=%s", export_id)
        part.unlink(missing_ok=True)
        row = db.session.get(CaseExport, export_id)
        if row is not None:
            row.status = "failed"
            row.finished_at = utcnow()

    with uow.failure_recorded(failed):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("cases")
        sheet.append([f"{h} ({TIME_NOTE})" if h.endswith("_at") else h for h in HEADERS])
        maps = names(str(export.filters.get("lang") or "km"))
        after = 0
        while True:
            page = db.session.execute(query, {"after": after, "batch": JOB_BATCH}).all()
            if not page:
                break
            for row in page:
                sheet.append([_cell(v) for v in named(row[1:], maps)])
            after = page[-1][0]
            export.done = min(export.total, export.done + len(page))
            uow.checkpoint()
        # Created private first: the sheet holds names and phone numbers.
        os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        os.chmod(part, 0o600)
        workbook.save(part)
        os.replace(part, file_path(export))
        export.status = "done"
        export.done = export.total
        export.finished_at = utcnow()
