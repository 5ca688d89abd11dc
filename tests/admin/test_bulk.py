"""New staff from a sheet: every account or none, through the same scope rule and log."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from grievance.admin.models import AdminAudit
from grievance.auth.models import User
from grievance.extensions import db
from tests.conftest import Auth, csrf_from

GOOD = (
    "username,name,sex,roles,province,language,queues\n"
    "sreymom,Sreymom Keo,female,officer,KH-12,km,\n"
    "vanna,Vanna Chea,male,officer intake,KH-12,en,office-kh-12\n"
)


def _send(client: FlaskClient, text: str) -> Any:
    page = client.get("/admin/users/import").get_data(as_text=True)
    return client.post(
        "/admin/users/import?lang=en",
        data={"csrf_token": csrf_from(page), "sheet": (io.BytesIO(text.encode()), "staff.csv")},
        content_type="multipart/form-data",
    )


def _users(*names: str) -> int:
    return db.session.scalar(select(func.count()).where(User.username.in_(names))) or 0


def test_a_sheet_of_new_staff_with_their_links(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin", province="KH-12")
    response = _send(client, GOOD)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("/account/setup/") == 2 and "office-kh-12" in page
    sreymom = db.session.scalar(select(User).where(User.username == "sreymom"))
    assert sreymom is not None and sreymom.sex == "female"
    assert db.session.scalar(select(func.count()).where(AdminAudit.action == "create")) == 2


def test_one_bad_line_creates_nobody(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin", province="KH-12")
    sheet = GOOD + "boss,Big Boss,male,admin,KH-12,km,\n"  # a provincial admin cannot
    response = _send(client, sheet)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "No account was created" in page and "Line 4:" in page
    assert _users("sreymom", "vanna", "boss") == 0
