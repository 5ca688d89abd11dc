"""Setting cases up in a given state and driving the status page like a complainant."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from typing import Any

from flask.testing import FlaskClient
from PIL import Image

from grievance.auth.models import User
from grievance.cases import transitions
from grievance.cases.models import Case
from grievance.cases.services import Filed, PersonData
from grievance.extensions import db
from tests.conftest import csrf_from
from tests.factories import make_case, make_user

PERSON = PersonData(
    name="Chan Sreymom", phone="+85512345678", sex="female", nssf_number="NSSF-998877"
)


def new_case(at: datetime | None = None, **fields: Any) -> Filed:
    """A case whose complainant has a name and an NSSF number (the status page shows them)."""
    fields.setdefault("complainant", PERSON)
    return make_case(at=at, **fields)


def officer(name: str = "Officer Vannak Sopheap") -> User:
    return make_user("officer", "supervisor", name=name)


def step(case: Case, user: User, name: str, at: datetime | None = None, **inputs: Any) -> None:
    transitions.apply(case, name, transitions.actor_for(user), inputs, at=at)
    db.session.flush()


def to_in_progress(case: Case, user: User, at: datetime | None = None) -> None:
    step(case, user, "acknowledge", at)
    step(case, user, "claim", at)
    step(case, user, "start_work", at)


def reload(case: Case) -> Case:
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert fresh is not None
    return fresh


def lookup(
    client: FlaskClient, reference: str, secret: str, addr: str = "127.0.0.1", lang: str = "en"
) -> Any:
    page = client.get(f"/track?lang={lang}").get_data(as_text=True)
    return client.post(
        "/track",
        data={"csrf_token": csrf_from(page), "reference": reference, "secret": secret},
        environ_base={"REMOTE_ADDR": addr},
    )


def open_case(client: FlaskClient, filed: Filed) -> str:
    response = lookup(client, filed.case.reference, filed.secret)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return client.get("/track/case?lang=en").get_data(as_text=True)


def version_of(page: str, prefix: str) -> str:
    match = re.search(rf'name="{prefix}-version"[^>]*value="(\d+)"', page)
    if match is None:
        match = re.search(rf'value="(\d+)"[^>]*name="{prefix}-version"', page)
    assert match, f"no {prefix} form on the page"
    return match.group(1)


def act(client: FlaskClient, name: str, files: Any = None, **fields: Any) -> Any:
    page = client.get("/track/case?lang=en").get_data(as_text=True)
    prefix = "rate" if name == "rate" else name
    data: dict[str, Any] = {
        "csrf_token": csrf_from(page),
        f"{prefix}-version": version_of(page, prefix),
    }
    data.update({f"{prefix}-{k}": str(v) for k, v in fields.items()})
    if files:
        data[f"{prefix}-files"] = files
    url = "/track/rate" if name == "rate" else f"/track/act/{name}"
    return client.post(url, data=data, content_type="multipart/form-data")


def png_file(name: str = "payslip.png") -> tuple[BytesIO, str]:
    out = BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(out, "PNG")
    out.seek(0)
    return out, name


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
