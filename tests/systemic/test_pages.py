"""The registry pages for administrators, and who may reach each systemic page."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.systemic import imports, registry
from grievance.systemic.models import RegistryChange, RegistryEntry, RegistryImport
from tests.conftest import csrf_from, work_off
from tests.systemic.helpers import employer

SHEET = (
    "facility_code,name_km,name_latin,province,contract_status\n"
    "HF-1,មន្ទីរពេទ្យបង្អែក,Referral Hospital,KH-12,contracted\n"
    "HF-2,,Clinic B,KH-12,closed\n"
    "HF-3,,Health Centre C,Kandal,\n"
)


def _upload(client, page: str, sheet: str = SHEET):  # type: ignore[no-untyped-def]
    return client.post(
        "/systemic/registry/import",
        data={
            "csrf_token": csrf_from(page),
            "kind": "health_facility",
            "sheet": (io.BytesIO(sheet.encode()), "facilities.csv"),
        },
        content_type="multipart/form-data",
    )


def _entry(code: str) -> RegistryEntry | None:
    return db.session.scalar(select(RegistryEntry).where(RegistryEntry.code == code))


def test_an_admin_imports_a_sheet_after_its_preview_and_reads_the_rows_left_out(
    client,  # type: ignore[no-untyped-def]
    auth,
    jobs_in_process,
) -> None:
    registry.save(
        registry.EntryData(kind="health_facility", code="HF-3", name_latin="Health Centre C"),
        None,
        "import",
    )
    admin = auth.login("admin")
    page = client.get("/systemic/registry").get_data(as_text=True)
    uploaded = _upload(client, page)
    assert uploaded.status_code == 302
    preview = client.get(uploaded.headers["Location"] + "?lang=en").get_data(as_text=True)
    # Checked by the job: nothing saved yet, the row errors and what would change listed.
    assert "Good lines: 2. Lines with problems: 1." in preview
    assert "New: 1. Changed: 1. Unchanged: 0." in preview
    assert "Write contracted, suspended or ended, or leave empty." in preview
    assert "<td>HF-3</td><td>Health Centre C</td><td>province_code</td>" in preview
    assert _entry("HF-1") is None and _entry("HF-3").province_code is None  # type: ignore[union-attr]
    imp = db.session.scalars(select(RegistryImport)).one()
    assert imp.original_name == "facilities.csv" and "facilities" not in imp.stored_name
    assert (imports.imports_dir() / imp.stored_name).read_bytes() == SHEET.encode()

    confirm_url = uploaded.headers["Location"] + "/confirm"
    done = client.post(confirm_url, data={"csrf_token": csrf_from(preview)})
    page = client.get(done.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Finished." in page and 'http-equiv="refresh"' not in page
    assert "2 of 2 lines saved; 2 employers or facilities created or changed." in page
    db.session.expire_all()
    entry = _entry("HF-1")
    assert entry is not None and entry.contract_status == "contracted" and entry.version == 1
    changed = _entry("HF-3")
    assert changed is not None and changed.province_code == "KH-8" and changed.version == 2
    last = db.session.scalars(
        select(RegistryChange)
        .where(RegistryChange.entry_id == changed.id)
        .order_by(RegistryChange.version.desc())
    ).first()
    assert last is not None and (last.actor_id, last.source) == (admin.id, "import")
    assert last.changes == {"province_code": [None, "KH-8"]}
    # Confirming again (back button, double click) saves nothing more.
    client.post(confirm_url, data={"csrf_token": csrf_from(preview)})
    assert db.session.scalar(select(func.count(RegistryChange.id))) == 3


def test_a_sheet_without_a_good_line_cannot_be_confirmed(client, auth, jobs_in_process) -> None:  # type: ignore[no-untyped-def]
    auth.login("admin")
    page = client.get("/systemic/registry").get_data(as_text=True)
    uploaded = _upload(client, page, "name_km,name_latin\nx,y\n")
    preview = client.get(uploaded.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "This column is missing from the first line." in preview
    assert "/confirm" not in preview
    refused = client.post(
        uploaded.headers["Location"] + "/confirm", data={"csrf_token": csrf_from(preview)}
    )
    assert refused.status_code == 302
    assert db.session.scalars(select(RegistryImport)).one().status == "preview"


def test_registry_import_jobs_go_by_id_to_the_imports_queue(client, auth, app, rq_jobs) -> None:  # type: ignore[no-untyped-def]
    auth.login("admin")
    page = client.get("/systemic/registry").get_data(as_text=True)
    url = _upload(client, page).headers["Location"]
    waiting = client.get(url + "?lang=en").get_data(as_text=True)
    assert "The sheet is being checked" in waiting and 'http-equiv="refresh"' in waiting
    assert rq_jobs.queue("imports").count == 1
    with app.test_request_context():
        work_off(rq_jobs, "imports")
    preview = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Good lines: 2." in preview
    client.post(url + "/confirm", data={"csrf_token": csrf_from(preview)})
    assert rq_jobs.queue("imports").count == 1
    assert _entry("HF-1") is None
    with app.test_request_context():
        work_off(rq_jobs, "imports")
    assert "Finished." in client.get(url + "?lang=en").get_data(as_text=True)


def test_a_rerun_apply_job_continues_where_it_stopped(app, auth) -> None:  # type: ignore[no-untyped-def]
    admin = auth.login("admin")
    with app.test_request_context():
        imp = imports.start("health_facility", SHEET.encode(), "f.csv", admin)
        imports.check_import(imp.id)
        imp.status, imp.done = "running", 1  # the first row was saved before a crash
        db.session.flush()
        imports.apply_import(imp.id)
        assert _entry("HF-1") is None and _entry("HF-3") is not None
        assert imp.status == "done" and imp.done == 2


def test_an_admin_edits_an_entry_and_its_history_says_who_changed_what(client, auth) -> None:  # type: ignore[no-untyped-def]
    entry = employer()
    admin = auth.login("admin")
    page = client.get(f"/systemic/registry/{entry.id}").get_data(as_text=True)
    assert "Khmer Women Garment" in page
    response = client.post(
        f"/systemic/registry/{entry.id}",
        data={
            "csrf_token": csrf_from(page),
            "name_km": entry.name_km,
            "name_latin": "Khmer Women Garment Co., Ltd.",
            "aliases": "KWG Factory\nKWG",
            "province_code": "KH-12",
            "sector": "garment",
            "size": "1300",
            "active": "y",
        },
    )
    assert response.status_code == 302
    changes = list(db.session.scalars(select(RegistryChange).order_by(RegistryChange.version)))
    assert changes[-1].actor_id == admin.id and changes[-1].source == "admin"
    assert set(changes[-1].changes) == {"aliases", "size"}
    page = client.get(f"/systemic/registry/{entry.id}").get_data(as_text=True)
    assert "edited by an administrator" in page and "aliases, size" in page
    found = client.get("/systemic/registry?q=kwg").get_data(as_text=True)
    assert "E-000123" in found


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("officer", "/systemic/registry", 403),
        ("supervisor", "/systemic/registry", 403),
        ("oversight", "/systemic/registry", 403),
        ("officer", "/systemic/clusters", 403),
        ("officer", "/systemic/alerts", 403),
        ("intake", "/systemic/alerts", 403),
        ("representative", "/systemic/clusters", 403),
        ("supervisor", "/systemic/clusters", 200),
        ("oversight", "/systemic/alerts", 200),
        ("admin", "/systemic/registry", 200),
    ],
)
def test_who_may_open_which_page(client, auth, role: str, path: str, status: int) -> None:  # type: ignore[no-untyped-def]
    auth.login(role)
    assert client.get(path).status_code == status


def test_pages_need_a_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/systemic/registry", "/systemic/clusters", "/systemic/alerts"):
        assert client.get(path).status_code in (302, 401)


def test_a_sheet_over_5_mb_is_refused_and_nothing_is_kept(client, auth) -> None:  # type: ignore[no-untyped-def]
    auth.login("admin")
    page = client.get("/systemic/registry").get_data(as_text=True)
    kept = set(imports.imports_dir().iterdir())
    refused = _upload(client, page, "code,name_latin\n" + "x" * (5 * 1024 * 1024))
    assert refused.headers["Location"].endswith("/systemic/registry")
    assert "The file is larger than 5 MB." in client.get("/systemic/registry?lang=en").get_data(
        as_text=True
    )
    assert db.session.scalars(select(RegistryImport)).first() is None
    assert set(imports.imports_dir().iterdir()) == kept
