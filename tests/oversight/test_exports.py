"""Case exports: redacted CSV streamed, XLSX by a background job, only for the requester."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient
from openpyxl import load_workbook

from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.oversight import exports
from grievance.oversight.models import CaseExport
from tests.conftest import Auth, csrf_from
from tests.oversight.helpers import case_in, run_job

NAME = "Srey Mom"
PHONE = "+85516554433"


def _cases(n: int = 3) -> list[str]:
    person = PersonData(name=NAME, phone=PHONE, sex="female", nssf_number="NS-1")
    return [case_in("submitted", complainant=person).reference for _ in range(n)]


def test_csv_is_redacted_and_filtered(client: FlaskClient, auth: Auth) -> None:
    refs = _cases(3)
    case_in("submitted", province_code="KH-3")
    auth.login("oversight")
    response = client.get("/oversight/exports/cases.csv?province=KH-12", buffered=True)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert NAME not in text and PHONE not in text and "NS-1" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["reference"] for r in rows) == sorted(refs)
    assert set(rows[0]) == set(exports.HEADERS)
    assert rows[0]["complainant_sex"] == "female"
    assert not {"name", "phone", "description", "nssf_number"} & set(rows[0])


def test_exports_speak_names_in_the_readers_language_and_phnom_penh_time(
    client: FlaskClient, auth: Auth
) -> None:
    case_in("submitted", category_code="maternity", province_code="KH-8")
    auth.login("oversight")
    by_lang = {}
    for lang in ("en", "km"):
        text = client.get(f"/oversight/exports/cases.csv?lang={lang}", buffered=True).get_data(
            as_text=True
        )
        by_lang[lang] = next(csv.DictReader(io.StringIO(text)))
    en, km = by_lang["en"], by_lang["km"]
    assert en["province"] == km["province"] == "KH-8"
    assert en["province_name"] == "Kandal" and km["province_name"] == "កណ្ដាល"
    assert en["category"] == "maternity"
    assert en["category_name"] == "Maternity allowance and pregnancy protection"
    assert km["category_name"].startswith("ប្រាក់ឧបត្ថម្ភមាតុភាព")
    assert en["state_name"] == "Received" and en["complainant_sex_name"] == "Female"
    assert km["state_name"] != "Received" and km["channel_name"] != "Web form"
    # T0 is Monday 09:00 in Phnom Penh (02:00 UTC).
    assert en["created_at"] == "2026-03-02T09:00:00+07:00"


def test_csv_generator_yields_in_chunks(monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    mp.setattr(exports, "STREAM_BATCH", 2)
    try:
        _cases(5)
        chunks = list(exports.csv_chunks(exports.Filters()))
    finally:
        mp.undo()
    assert len(chunks) >= 3
    assert sum(c.count("\n") for c in chunks) == 6  # header and five rows


def test_xlsx_export_runs_as_a_job_with_progress(client: FlaskClient, auth: Auth) -> None:
    _cases(3)
    user = auth.login("oversight")
    page = client.get("/oversight/exports").get_data(as_text=True)
    response = client.post(
        "/oversight/exports", data={"csrf_token": csrf_from(page), "province": "KH-12"}
    )
    assert response.status_code == 302
    export = db.session.query(CaseExport).filter_by(user_id=user.id).one()  # type: ignore[attr-defined]
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<progress" in progress
    if export.status == "queued":  # with RQ the worker would run it: run it here
        run_job(exports.run_xlsx_export, export.id)
    db.session.expire_all()
    export = db.session.get(CaseExport, export.id)
    assert export is not None and export.status == "done" and export.done == export.total == 3
    download = client.get(f"/oversight/exports/{export.id}/download")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data), read_only=True).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "reference" and len(values) == 4
    assert values[0][values[0].index("province") + 1] == "province_name"
    assert "created_at (Asia/Phnom_Penh, UTC+07:00)" in values[0]
    created = values[1][values[0].index("created_at (Asia/Phnom_Penh, UTC+07:00)")]
    assert created.hour == 9  # type: ignore[union-attr]  # T0, 02:00 UTC
    flat = " ".join(str(v) for row in values for v in row)
    assert NAME not in flat and PHONE not in flat


def test_only_the_requester_can_download(client: FlaskClient, auth: Auth) -> None:
    _cases(1)
    owner = auth.login("oversight")
    export = exports.start_xlsx(owner.id, exports.Filters())  # type: ignore[attr-defined]
    db.session.flush()
    run_job(exports.run_xlsx_export, export.id)
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/staff").get_data(as_text=True))}
    )
    auth.login("oversight")
    assert client.get(f"/oversight/exports/{export.id}").status_code == 404
    assert client.get(f"/oversight/exports/{export.id}/download").status_code == 404


def test_old_exports_are_deleted(app: object) -> None:
    from tests.factories import make_user

    _cases(1)
    user = make_user("oversight")
    export = exports.start_xlsx(user.id, exports.Filters())
    db.session.flush()
    run_job(exports.run_xlsx_export, export.id)
    path = exports.file_path(export)
    assert Path(path).exists()
    assert exports.purge_expired(now=export.created_at + timedelta(hours=25)) == 1
    assert not Path(path).exists()
    assert db.session.get(CaseExport, export.id) is None
