"""The registry pages for administrators, and who may reach each systemic page."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.systemic.models import RegistryChange, RegistryEntry
from tests.conftest import csrf_from
from tests.systemic.helpers import employer


def test_an_admin_imports_a_sheet_and_reads_the_rows_left_out(client, auth) -> None:  # type: ignore[no-untyped-def]
    auth.login("admin")
    page = client.get("/systemic/registry").get_data(as_text=True)
    sheet = "facility_code,name_km,name_latin,province,contract_status\n"
    sheet += "HF-1,មន្ទីរពេទ្យបង្អែក,Referral Hospital,KH-12,contracted\n"
    sheet += "HF-2,,Clinic B,KH-12,closed\n"

    def send(**extra: str):  # type: ignore[no-untyped-def]
        return client.post(
            "/systemic/registry/import",
            data={
                "csrf_token": csrf_from(page),
                "kind": "health_facility",
                "sheet": (io.BytesIO(sheet.encode()), "facilities.csv"),
                **extra,
            },
            content_type="multipart/form-data",
        )

    checked = send(check="1").get_data(as_text=True)
    assert "Checked only, nothing saved: 1 rows can be imported." in checked
    assert db.session.scalar(select(RegistryEntry).where(RegistryEntry.code == "HF-1")) is None
    response = send()
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 employers or facilities created or changed." in text
    assert "Write contracted, suspended or ended, or leave empty." in text
    entry = db.session.scalar(select(RegistryEntry).where(RegistryEntry.code == "HF-1"))
    assert entry is not None and entry.contract_status == "contracted"


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
