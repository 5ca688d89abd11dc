"""Registry sheets imported in the background, as forum sheets are.

The upload is kept privately under a generated name and checked by a job (`check_import`):
its row errors and what its good rows would do (new, changed, the same) are stored as the
preview. Nothing is saved until an administrator confirms; then `apply_import` saves the
good rows in committed batches (each change versioned, with who uploaded the sheet), so
the page shows how far it is and a re-run continues where the last one stopped.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app

from grievance import jobs, uow
from grievance.auth.models import User
from grievance.errors import DomainError, NotFound
from grievance.extensions import db
from grievance.intake.sheets import MAX_BYTES
from grievance.intake.uploads import write_private
from grievance.systemic import registry
from grievance.systemic.models import ENTITY_KINDS, RegistryImport
from grievance.types import utcnow

log = logging.getLogger(__name__)
BATCH = 200  # rows saved per commit
PREVIEW_ROWS = 20


def imports_dir() -> Path:
    path = Path(current_app.instance_path) / "registry-imports"
    path.mkdir(mode=0o750, parents=True, exist_ok=True)
    return path


def start(kind: str, data: bytes, filename: str, admin: User) -> RegistryImport:
    """Keep the sheet and have it checked in the background; nothing is saved yet."""
    if kind not in ENTITY_KINDS:
        raise DomainError("unknown_kind", kind)
    if len(data) > MAX_BYTES:
        raise DomainError("too_large")
    imp = RegistryImport(
        kind=kind,
        created_by_id=admin.id,
        stored_name=write_private(imports_dir(), _ext(data), data),
        original_name=filename[:200],
        status="checking",
        total=0,
        done=0,
        changed=0,
        errors=[],
        preview={},
        created_at=utcnow(),
    )
    db.session.add(imp)
    db.session.flush()
    jobs.enqueue(check_import, imp.id)
    return imp


def _ext(data: bytes) -> str:
    return "xlsx" if data.startswith(b"PK\x03\x04") else "csv"


def get(import_id: int) -> RegistryImport:
    imp = db.session.get(RegistryImport, import_id)
    if imp is None:
        raise NotFound("import_not_found")
    return imp


def _parsed(imp: RegistryImport) -> registry.ParsedSheet:
    return registry.parse((imports_dir() / imp.stored_name).read_bytes(), imp.kind)


@jobs.job(queue="imports")
def check_import(import_id: int) -> None:
    imp = db.session.get(RegistryImport, import_id)
    if imp is None or imp.status != "checking":
        return
    with uow.failure_recorded(lambda: _mark_failed(import_id)):
        parsed = _parsed(imp)
        imp.errors = parsed.sheet.errors
        imp.total = len(parsed.entries)
        imp.preview = registry.preview(parsed.entries, imp.kind, PREVIEW_ROWS)
        imp.status = "preview"


def confirm(imp: RegistryImport) -> None:
    """Save the good rows in the background; rows with errors are left out, as the preview
    said."""
    if imp.status != "preview":
        return  # confirmed twice (double click, back button), or not checked yet
    if imp.total == 0:
        raise DomainError("nothing_to_import")
    imp.status = "queued"
    jobs.enqueue(apply_import, imp.id)


@jobs.job(queue="imports")
def apply_import(import_id: int) -> None:
    imp = db.session.get(RegistryImport, import_id)
    if imp is None or imp.status not in ("queued", "running"):
        return
    imp.status = "running"
    uow.checkpoint()
    with uow.failure_recorded(lambda: _mark_failed(import_id)):
        entries = _parsed(imp).entries
        imp.total = len(entries)
        while imp.done < len(entries):
            batch = entries[imp.done : imp.done + BATCH]
            imp.changed += sum(registry.save(e, imp.created_by_id, "import") for e in batch)
            imp.done = min(len(entries), imp.done + BATCH)
            uow.checkpoint()
        imp.status = "done"
        imp.finished_at = utcnow()


def _mark_failed(import_id: int) -> None:
    log.error("registry import failed import=%s", import_id)
    imp = db.session.get(RegistryImport, import_id)
    if imp is not None:
        imp.status = "failed"
        imp.finished_at = utcnow()
