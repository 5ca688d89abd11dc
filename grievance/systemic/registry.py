"""The registries: entries written with a version and a record of who changed what, their
names kept under matching keys, and sheets read as NSSF keeps them (CSV or XLSX; imported
in the background through `grievance.systemic.imports`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import load_only

from grievance import reference
from grievance.errors import DomainError, NotFound
from grievance.extensions import db
from grievance.intake.checks import has_control_chars
from grievance.intake.sheets import MAX_BYTES, Sheet, records
from grievance.systemic.matching import name_key
from grievance.systemic.models import (
    CONTRACT_STATUSES,
    ENTITY_KINDS,
    RegistryChange,
    RegistryEntry,
    RegistryName,
)
from grievance.types import utcnow
from workflows.i18n import N_

FIELDS = (
    "name_km",
    "name_latin",
    "aliases",
    "province_code",
    "district",
    "sector",
    "size",
    "contract_status",
    "active",
)
HEADERS = {
    "code": "code",
    "employer_id": "code",
    "nssf_employer_id": "code",
    "facility_code": "code",
    "name_km": "name_km",
    "khmer_name": "name_km",
    "name_latin": "name_latin",
    "name_en": "name_latin",
    "latin_name": "name_latin",
    "aliases": "aliases",
    "province": "province_code",
    "district": "district",
    "sector": "sector",
    "size": "size",
    "workers": "size",
    "contract_status": "contract_status",
}
MESSAGES = {
    "missing_column": N_("This column is missing from the first line."),
    "required": N_("This cell must not be empty."),
    "no_name": N_("Give a Khmer or a Latin name."),
    "unknown_province": N_("Unknown province. Use a code such as KH-12 or the province name."),
    "bad_size": N_("Write a whole number of workers, 0 or more."),
    "bad_status": N_("Write contracted, suspended or ended, or leave empty."),
    "too_long": N_("This text is too long or contains control characters."),
    "too_large": N_("The file is larger than 5 MB."),
    "empty": N_("The sheet is empty."),
    "too_many_rows": N_("The sheet has too many lines: split it into sheets of 50,000 rows."),
}
# A registry sheet is larger than a forum's (every employer of a province), within the
# same 5 MB and unpacked-size limits (grievance.intake.sheets).
MAX_ROWS = 50_000
MAX_LINES = 2 * MAX_ROWS


@dataclass
class EntryData:
    kind: str
    code: str
    name_km: str | None = None
    name_latin: str | None = None
    aliases: list[str] = field(default_factory=list)
    province_code: str | None = None
    district: str | None = None
    sector: str | None = None
    size: int | None = None
    contract_status: str | None = None
    active: bool = True


def _names(entry: RegistryEntry) -> None:
    db.session.execute(delete(RegistryName).where(RegistryName.entry_id == entry.id))
    keys = {name_key(n) for n in entry.names()} - {""}
    db.session.add_all(RegistryName(entry_id=entry.id, kind=entry.kind, key=k) for k in keys)


def save(data: EntryData, actor_id: int | None, source: str, at: datetime | None = None) -> bool:
    """Create or update the entry of (kind, code); a change raises its version and is
    recorded. Returns False when nothing changed."""
    if data.kind not in ENTITY_KINDS:
        raise DomainError("unknown_kind", data.kind)
    at = at or utcnow()
    entry = db.session.scalar(
        select(RegistryEntry).where(
            RegistryEntry.kind == data.kind, RegistryEntry.code == data.code
        )
    )
    changes = changes_of(entry, data)
    if not changes:
        return False
    if entry is None:
        entry = RegistryEntry(kind=data.kind, code=data.code, version=0, aliases=[])
        db.session.add(entry)
    for name, (_old, value) in changes.items():
        setattr(entry, name, value)
    entry.version = (entry.version or 0) + 1
    entry.updated_at, entry.updated_by_id = at, actor_id
    db.session.flush()
    _names(entry)
    db.session.add(
        RegistryChange(
            entry_id=entry.id,
            version=entry.version,
            actor_id=actor_id,
            source=source,
            changes=changes,
            created_at=at,
        )
    )
    db.session.flush()
    return True


def changes_of(entry: RegistryEntry | None, data: EntryData) -> dict[str, list[Any]]:
    """Field -> [old, new] for what saving `data` over `entry` (None: a new one) changes."""
    if entry is None:
        return {name: [None, getattr(data, name)] for name in FIELDS}
    return {
        name: [getattr(entry, name), getattr(data, name)]
        for name in FIELDS
        if getattr(entry, name) != getattr(data, name)
    }


def preview(entries: list[EntryData], kind: str, shown: int) -> dict[str, Any]:
    """What saving `entries` would do: how many are new, changed or the same, and the
    first `shown` of them with the fields they change."""
    existing: dict[str, RegistryEntry] = {}
    codes = [e.code for e in entries]
    for start in range(0, len(codes), 500):
        query = select(RegistryEntry).where(
            RegistryEntry.kind == kind, RegistryEntry.code.in_(codes[start : start + 500])
        )
        columns = [getattr(RegistryEntry, name) for name in ("id", "code", *FIELDS)]
        existing.update((e.code, e) for e in db.session.scalars(query.options(load_only(*columns))))
    counts = {"new": 0, "changed": 0, "same": 0}
    rows: list[dict[str, Any]] = []
    for data in entries:
        entry = existing.get(data.code)
        changes = changes_of(entry, data)
        action = "new" if entry is None else "changed" if changes else "same"
        counts[action] += 1
        if len(rows) < shown:
            name = data.name_km or data.name_latin or ""
            rows.append(
                {"code": data.code, "name": name, "action": action, "fields": sorted(changes)}
            )
    return {**counts, "rows": rows}


def get(entry_id: int) -> RegistryEntry:
    entry = db.session.get(RegistryEntry, entry_id)
    if entry is None:
        raise NotFound("entry_not_found")
    return entry


def history(entry: RegistryEntry) -> list[RegistryChange]:
    query = select(RegistryChange).where(RegistryChange.entry_id == entry.id)
    return list(db.session.scalars(query.order_by(RegistryChange.version.desc())))


@dataclass
class ParsedSheet:
    entries: list[EntryData] = field(default_factory=list)
    sheet: Sheet = field(default_factory=Sheet)


def _text(sheet: Sheet, line: int, column: str, value: str, limit: int) -> str | None:
    if len(value) > limit or has_control_chars(value):
        sheet.error(line, column, "too_long", value)
        return None
    return value or None


def parse(data: bytes, kind: str) -> ParsedSheet:
    """Rows of a registry sheet as entries, and the row errors (nothing is saved)."""
    parsed = ParsedSheet()
    sheet = parsed.sheet
    if len(data) > MAX_BYTES:
        sheet.error(1, "", "too_large")
        return parsed
    provinces = _province_spellings()
    columns: list[str] | None = None
    lines = 0
    for line, cells in records(data, sheet):
        lines += 1
        if lines > MAX_LINES or len(parsed.entries) >= MAX_ROWS:
            sheet.error(line, "", "too_many_rows")
            return parsed
        if columns is None:
            raw = [c.strip().lower().replace(" ", "_").replace("-", "_") for c in cells]
            columns = [HEADERS.get(c, c) for c in raw]
            if "code" not in columns:
                sheet.error(line, "code", "missing_column")
                return parsed
            continue
        if not any(c.strip() for c in cells):
            continue
        v = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(columns)}
        entry = _row(sheet, line, v, kind, provinces)
        if entry is not None:
            parsed.entries.append(entry)
    if columns is None and not sheet.errors:
        sheet.error(1, "", "empty")
    return parsed


def _row(
    sheet: Sheet, line: int, v: dict[str, str], kind: str, provinces: dict[str, str]
) -> EntryData | None:
    before = len(sheet.errors)
    code = v.get("code", "")
    if not code:
        sheet.error(line, "code", "required")
    entry = EntryData(kind=kind, code=code[:40])
    entry.name_km = _text(sheet, line, "name_km", v.get("name_km", ""), 200)
    entry.name_latin = _text(sheet, line, "name_latin", v.get("name_latin", ""), 200)
    if not (entry.name_km or entry.name_latin) and len(sheet.errors) == before:
        sheet.error(line, "name_km", "no_name")
    aliases = [a.strip() for a in v.get("aliases", "").split(";") if a.strip()]
    entry.aliases = [a for a in aliases if _text(sheet, line, "aliases", a, 200)]
    province = v.get("province_code", "")
    if province:
        entry.province_code = provinces.get(province.lower())
        if entry.province_code is None:
            sheet.error(line, "province", "unknown_province", province)
    entry.district = _text(sheet, line, "district", v.get("district", ""), 100)
    entry.sector = _text(sheet, line, "sector", v.get("sector", ""), 100)
    size = v.get("size", "")
    if size:
        if size.isdigit():
            entry.size = int(size)
        else:
            sheet.error(line, "size", "bad_size", size)
    status = v.get("contract_status", "").lower()
    if status:
        if status in CONTRACT_STATUSES and kind == "health_facility":
            entry.contract_status = status
        else:
            sheet.error(line, "contract_status", "bad_status", status)
    return entry if len(sheet.errors) == before else None


def _province_spellings() -> dict[str, str]:
    spellings: dict[str, str] = {}
    for code, province in reference.current().provinces.items():
        for spelling in (code, province.name_en, province.name_km):
            spellings[spelling.lower()] = code
    return spellings


def import_sheet(data: bytes, kind: str, actor_id: int | None) -> tuple[int, Sheet]:
    """Save every good row (rows with errors are left out and reported). Returns how many
    entries were created or changed, and the sheet's errors."""
    parsed = parse(data, kind)
    changed = sum(save(e, actor_id, "import") for e in parsed.entries)
    return changed, parsed.sheet
