"""Reading a sheet of forum concerns (CSV or XLSX) into checked rows and row errors.

No database and no Flask here: the caller passes the vocabularies to check against, so the
same parse serves the preview (nothing saved) and the import job (which re-reads the file).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from grievance.intake.checks import parse_count
from grievance.intake.submission import Known, Problem, Submission, check
from workflows.i18n import N_

MAX_ROWS = 2000
MAX_LINES = 2 * MAX_ROWS  # every line counts, blank ones too: a sheet of empty rows is work
MAX_BYTES = 5 * 1024 * 1024
# An XLSX file is a zip archive: its parts are measured before it is opened. A sheet of
# 2000 concerns is a few MB of XML; a "shared strings bomb" is hundreds of MB from 400 kB.
MAX_UNPACKED = 40 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per part
MAX_PARTS = 200
COLUMNS = ("description", "category", "province", "sex", "affected_count", "name", "phone")
REQUIRED = ("description", "category")
ALIASES = {
    "narrative": "description",
    "concern": "description",
    "workers_affected": "affected_count",
    "affected": "affected_count",
    "workers": "affected_count",
    "gender": "sex",
}
SEX_WORDS = {
    "female": "female",
    "f": "female",
    "woman": "female",
    "ស្រី": "female",
    "male": "male",
    "m": "male",
    "man": "male",
    "ប្រុស": "male",
    "other": "other",
    "ផ្សេងៗ": "other",
    "not_stated": "not_stated",
    "not stated": "not_stated",
}

# What each error code means, for the preview (msgids, translated when shown).
MESSAGES = {
    "not_utf8": N_("The file is not UTF-8 text. Save the sheet as “CSV UTF-8” or as XLSX."),
    "bad_csv": N_("This line cannot be read as CSV."),
    "bad_xlsx": N_("The file is not a readable XLSX workbook."),
    "too_large": N_("The file is larger than 5 MB."),
    "too_many_rows": N_("The sheet has more than 2000 concerns. Split it into smaller sheets."),
    "too_many_lines": N_(
        "The sheet has more than 4000 lines, empty ones included. Delete the empty lines or "
        "split it into smaller sheets."
    ),
    "bomb": N_(
        "The workbook unpacks to far more than it holds. Save it again as a plain XLSX or CSV."
    ),
    "empty": N_("The sheet is empty."),
    "missing_column": N_("This column is missing from the first line."),
    "required": N_("This cell must not be empty."),
    "too_long": N_("This text is longer than 10,000 characters."),
    "control_chars": N_("This text contains invisible control characters."),
    "unknown_category": N_("Unknown category. Use a category code or its name."),
    "unknown_province": N_("Unknown province. Use a code such as KH-12 or the province name."),
    "unknown_sex": N_("Write female, male, other or leave empty."),
    "bad_count": N_("Write a whole number of workers, 1 or more."),
    "bad_name": N_("The name is too long or contains control characters."),
    "bad_phone": N_("Not a Cambodian phone number, e.g. 012 345 678 or +855 12 345 678."),
    "not_filed": N_("This concern could not be filed."),
}


@dataclass(frozen=True)
class Row:
    line: int
    submission: Submission  # checked: it passed the intake rules


@dataclass
class Sheet:
    rows: list[Row] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # line, column, code, value

    def error(self, line: int, column: str, code: str, value: str = "") -> None:
        self.errors.append({"line": line, "column": column, "code": code, "value": value[:40]})

    @property
    def bad_lines(self) -> int:
        return len({e["line"] for e in self.errors})


@dataclass(frozen=True)
class Vocabulary:
    categories: Mapping[str, str]  # any accepted spelling (lower case) -> code
    provinces: Mapping[str, str]  # any accepted spelling (lower case) -> code
    default_province: str

    @property
    def known(self) -> Known:
        return Known(set(self.categories.values()), set(self.provinces.values()))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_name(raw: str) -> str:
    name = raw.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(name, name)


def _csv_records(data: bytes, sheet: Sheet) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        sheet.error(1, "", "not_utf8")
        return
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is guessed (from the header line); quoting is the standard one, with
    # "" for a quote inside quotes, whatever the header happened to look like.
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error:
        sheet.error(start, "", "bad_csv")


def unpacks_safely(data: bytes) -> bool:
    """Whether every part of the zip archive is small once unpacked, by its directory (the
    sizes a bomb lies about are checked again while reading, by zipfile itself)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return True  # not a zip we can read: openpyxl will say so
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED:
        return False
    return all(p.file_size <= MAX_RATIO * max(p.compress_size, 1) for p in parts)


def _xlsx_records(data: bytes, sheet: Sheet) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    if not unpacks_safely(data):
        sheet.error(1, "", "bomb")
        return
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        sheet.error(1, "", "bad_xlsx")
        return
    try:
        worksheet = book.worksheets[0]
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        book.close()


def records(data: bytes, sheet: Sheet) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) by content: an XLSX file is a zip archive, anything else is read as CSV."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_records(data, sheet)
    return _csv_records(data, sheet)


def parse(data: bytes, vocabulary: Vocabulary) -> Sheet:
    sheet = Sheet()
    if len(data) > MAX_BYTES:
        sheet.error(1, "", "too_large")
        return sheet
    columns: list[str] | None = None
    count = lines = 0
    for line, cells in records(data, sheet):
        lines += 1
        if lines > MAX_LINES:
            sheet.error(line, "", "too_many_lines")
            return sheet
        if columns is None:
            columns = [_header_name(c) for c in cells]
            missing = [c for c in REQUIRED if c not in columns]
            for name in missing:
                sheet.error(line, name, "missing_column")
            if missing:
                return sheet
            continue
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            sheet.error(line, "", "too_many_rows")
            return sheet
        values = {
            name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(columns)
        }
        _check_row(sheet, line, values, vocabulary)
    if columns is None and not sheet.errors:
        sheet.error(1, "", "empty")
    return sheet


# The sheet's error code for a rule broken in a column (description keeps the rule's own).
COLUMN_CODES = {
    "category": "unknown_category",
    "province": "unknown_province",
    "sex": "unknown_sex",
    "affected_count": "bad_count",
    "name": "bad_name",
    "phone": "bad_phone",
}


def _check_row(sheet: Sheet, line: int, v: dict[str, str], vocabulary: Vocabulary) -> None:
    """A row is a Submission of the forum channel, checked by the intake rules."""
    raw_category, raw_province = v.get("category", ""), v.get("province", "")
    raw_sex, raw_count = v.get("sex", "").lower(), v.get("affected_count", "")
    sub = Submission(
        description=v.get("description", ""),
        category=vocabulary.categories.get(raw_category.lower(), raw_category),
        province=(
            vocabulary.provinces.get(raw_province.lower(), raw_province)
            if raw_province
            else vocabulary.default_province
        ),
        channel="forum",
        sex=SEX_WORDS.get(raw_sex, raw_sex) if raw_sex else "not_stated",
        affected_count=(parse_count(raw_count) or 0) if raw_count else 1,
        name=v.get("name", ""),
        phone=v.get("phone", ""),
    )
    checked, problems = check(sub, vocabulary.known)
    for problem in problems:
        sheet.error(line, problem.field, _code(problem), _shown(problem, v))
    if not problems:
        sheet.rows.append(Row(line, checked))


def _code(problem: Problem) -> str:
    if problem.field in COLUMN_CODES:
        return COLUMN_CODES[problem.field]
    return problem.code  # required, too_long, control_chars


def _shown(problem: Problem, values: dict[str, str]) -> str:
    """The cell quoted back in the preview, for the codes the sheet is expected to use."""
    if problem.field in ("category", "province", "sex", "affected_count"):
        return values.get(problem.field, "")
    return ""
