"""Forum sheets read safely: a workbook that unpacks to far more than it holds is refused
before it is opened, every line counts against the limit (blank ones too), and CSV quoting
follows the standard whatever the header line looks like."""

from __future__ import annotations

import io
import resource
import zipfile

from openpyxl import Workbook

from grievance.intake import sheets

VOCABULARY = sheets.Vocabulary(
    categories={"contributions": "contributions"},
    provinces={"kh-12": "KH-12"},
    default_province="KH-12",
)


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["description", "category"])
    sheet.append(["Our employer keeps the contributions.", "contributions"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_part(xlsx: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one part replaced (or added), deflated."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info.filename))
        target.writestr(name, content)
    return out.getvalue()


def test_a_plain_workbook_is_read() -> None:
    parsed = sheets.parse(_workbook(), VOCABULARY)
    assert parsed.errors == [] and len(parsed.rows) == 1


def test_a_shared_strings_bomb_is_refused_before_it_is_opened() -> None:
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings += b"<si><t>" + b"A" * (60 * 1024 * 1024) + b"</t></si></sst>"
    bomb = _with_part(_workbook(), "xl/sharedStrings.xml", strings)
    assert len(bomb) < sheets.MAX_BYTES  # small on the wire
    before = _cpu_seconds()
    parsed = sheets.parse(bomb, VOCABULARY)
    assert [e["code"] for e in parsed.errors] == ["bomb"]
    assert _cpu_seconds() - before < 1.0  # processor time: never unpacked, never parsed


def test_one_part_compressed_a_thousand_times_is_refused() -> None:
    bomb = _with_part(_workbook(), "xl/sharedStrings.xml", b" " * (5 * 1024 * 1024))
    assert [e["code"] for e in sheets.parse(bomb, VOCABULARY).errors] == ["bomb"]


def test_blank_lines_count_against_the_limit() -> None:
    csv = "description,category\n" + "\n" * sheets.MAX_LINES + "Unpaid,contributions\n"
    parsed = sheets.parse(csv.encode(), VOCABULARY)
    assert [e["code"] for e in parsed.errors] == ["too_many_lines"]
    book = Workbook()
    sheet = book.active
    sheet.append(["description", "category"])
    sheet.cell(row=sheets.MAX_LINES + 5, column=1, value="Unpaid")
    out = io.BytesIO()
    book.save(out)
    parsed = sheets.parse(out.getvalue(), VOCABULARY)
    assert [e["code"] for e in parsed.errors] == ["too_many_lines"]


def test_quotes_inside_quoted_cells() -> None:
    csv = (
        "description,category\n"
        '"The manager said ""no card, no pay"", then left",contributions\n'
        '"Two lines,\nin one cell",contributions\n'
    )
    parsed = sheets.parse(csv.encode(), VOCABULARY)
    assert parsed.errors == []
    assert [r.submission.description for r in parsed.rows] == [
        'The manager said "no card, no pay", then left',
        "Two lines,\nin one cell",
    ]
