"""Redacted lists and exports follow the viewer's provinces, on every path (the list, one
case, the CSV, the XLSX job); forum concern lists follow the restricted-case rules."""

from __future__ import annotations

import io
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from grievance.extensions import db
from grievance.oversight import exports
from grievance.oversight.models import CaseExport
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_forum, make_user
from tests.oversight.helpers import run_job


def _cases() -> tuple[str, str]:
    here = make_case(province_code="KH-12").case.reference
    elsewhere = make_case(province_code="KH-3").case.reference
    return here, elsewhere


def test_a_province_supervisor_reads_her_provinces_only(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    here, elsewhere = _cases()
    auth.login("supervisor", province="KH-12")
    listed = client.get("/oversight/cases").get_data(as_text=True)
    assert here in listed and elsewhere not in listed
    assert client.get(f"/oversight/cases/{here}").status_code == 200
    assert client.get(f"/oversight/cases/{elsewhere}").status_code == 404
    csv = client.get("/oversight/exports/cases.csv", buffered=True).get_data(as_text=True)
    assert ",KH-12," in csv and ",KH-3," not in csv
    page = client.get("/oversight/exports").get_data(as_text=True)
    started = client.post("/oversight/exports", data={"csrf_token": csrf_from(page)})
    assert started.status_code == 302
    export = db.session.scalar(select(CaseExport).order_by(CaseExport.id.desc()))
    assert export is not None and export.filters["within"] == ["KH-12"]
    run_job(exports.run_xlsx_export, export.id)
    book = load_workbook(io.BytesIO(exports.file_path(export).read_bytes()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    column = list(rows[0]).index("province")
    provinces = {row[column] for row in rows[1:]}
    assert provinces == {"KH-12"}, provinces


def test_nationwide_oversight_reads_every_province(client: FlaskClient, auth: Auth) -> None:
    here, elsewhere = _cases()
    auth.login("oversight")
    listed = client.get("/oversight/cases").get_data(as_text=True)
    assert here in listed and elsewhere in listed


def test_restricted_concerns_are_not_listed_for_undesignated_staff(
    client: FlaskClient, auth: Auth
) -> None:
    forum = make_forum("KH-12", date(2026, 3, 8), title="Kandal garment forum")
    normal = make_case(province_code="KH-12", forum_id=forum.id).case
    restricted = make_case(province_code="KH-12", forum_id=forum.id).case
    restricted.confidentiality = "restricted"
    db.session.flush()
    auth.login("intake", province="KH-12")
    page = client.get(f"/forums/{forum.id}?lang=en").get_data(as_text=True)
    assert normal.reference in page and restricted.reference not in page
    assert "Concerns raised (2)" in page and "1 restricted concern is not listed" in page


def test_the_scope_rule_reads_every_viewer_role() -> None:
    assert exports.viewer_provinces(make_user("supervisor", province="KH-12")) == ("KH-12",)
    assert exports.viewer_provinces(make_user("oversight")) is None
    assert exports.viewer_provinces(make_user("admin", province="KH-3")) == ("KH-3",)
