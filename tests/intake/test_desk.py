"""Representatives filing for members, and the hotline desk."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.auth.models import Organisation
from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.intake.helpers import case_count, png_bytes

REFERENCE = re.compile(r'class="secret-value" lang="en">([0-9A-Z]{4}-[0-9A-Z]{4})<')


def _org(name: str = "Garment Workers' Union") -> Organisation:
    org = Organisation(name=name, kind="union", province_code="KH-12")
    db.session.add(org)
    db.session.flush()
    return org


def _rep(auth: Auth, org: Organisation | None = None) -> object:
    user = auth.login("representative")
    if org is not None:
        user.organisation_id = org.id  # type: ignore[attr-defined]
        db.session.flush()
    return user


def _file_for_member(client: FlaskClient, **fields: object) -> object:
    import io

    token = csrf_from(client.get("/representative/file?lang=en").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "consent_given": "y",
        "consent_how": "thumbprint",
        "description": "Our member was refused maternity allowance.",
        "category": "maternity",
        "province": "KH-17",
        "affected_count": "1",
        "name": "Srey Mom",
        "phone": "+855 12 345 678",
        "sex": "female",
        "language": "km",
        "evidence": [(io.BytesIO(png_bytes()), "letter.png")],
    }
    data.update(fields)  # type: ignore[arg-type]
    return client.post("/representative/file", data=data, content_type="multipart/form-data")


def test_representative_files_for_a_member_with_consent(client: FlaskClient, auth: Auth) -> None:
    org = _org()
    rep = _rep(auth, org)
    response = _file_for_member(client)
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 200, page[:2000]  # type: ignore[attr-defined]
    reference = REFERENCE.search(page)
    assert reference
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.reference == reference.group(1)))
    assert case is not None
    assert case.filed_by_id == rep.id and case.organisation_id == org.id  # type: ignore[attr-defined]
    assert case.consent is not None
    assert case.consent["by"] == rep.id and case.consent["how"] == "thumbprint"  # type: ignore[attr-defined]
    assert case.consent["at"].startswith("20")
    assert case.complainant is not None and case.complainant.phone == "+85512345678"
    assert len(case.attachments) == 1
    filed = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id))
    assert filed is not None and filed.actor_role == "representative"


def test_no_consent_no_filing(client: FlaskClient, auth: Auth) -> None:
    _rep(auth)
    before = case_count()
    response = _file_for_member(client, consent_given="", consent_how="")
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "only when the member has agreed" in page
    assert "Please choose how the member agreed." in page
    assert case_count() == before


def test_representative_sees_own_and_organisation_cases_only(
    client: FlaskClient, auth: Auth
) -> None:
    org = _org()
    colleague = make_user("representative", organisation_id=org.id)
    theirs = make_case(organisation_id=org.id)
    theirs.case.filed_by_id = colleague.id
    stranger = make_case(description="Someone else's case")
    _rep(auth, org)
    _file_for_member(client)
    page = client.get("/representative/cases?lang=en").get_data(as_text=True)
    assert theirs.case.reference in page
    assert stranger.case.reference not in page
    assert "Received" in page  # the status in plain words
    assert client.get(f"/representative/cases/{stranger.case.reference}").status_code == 404


def test_only_representatives_use_the_representative_pages(client: FlaskClient, auth: Auth) -> None:
    auth.login("officer")
    assert client.get("/representative/file").status_code == 403
    assert client.get("/representative/cases").status_code == 403


# --- hotline --------------------------------------------------------------------------


def test_hotline_quick_entry_files_and_shows_codes_to_read_back(
    client: FlaskClient, auth: Auth
) -> None:
    officer = auth.login("intake")
    page = client.get("/hotline?lang=en").get_data(as_text=True)
    # Keyboard only: the first field has focus, the order follows the call, no tab tricks.
    assert re.search(
        r'<input[^>]*autofocus[^>]*name="phone"|<input[^>]*name="phone"[^>]*autofocus', page
    )
    order = [
        page.index(f'name="{n}"') for n in ("phone", "category", "province", "description", "sex")
    ]
    assert order == sorted(order)
    assert "tabindex" not in page
    response = client.post(
        "/hotline",
        data={
            "csrf_token": csrf_from(page),
            "phone": "012 345 678",
            "category": "employment_injury",
            "province": "KH-3",
            "description": "Caller lost two fingers at work; employer refuses to report it.",
            "sex": "male",
            "channel": "hotline",
            "language": "km",
            "consent_to_contact": "y",
        },
    )
    done = response.get_data(as_text=True)
    assert response.status_code == 200, done[:2000]
    reference = REFERENCE.search(done)
    assert reference and "Next call" in done and "autofocus" in done
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.reference == reference.group(1)))
    assert case is not None and case.channel == "hotline"
    assert case.filed_by_id == officer.id  # type: ignore[attr-defined]
    assert case.complainant is not None and case.complainant.sex == "male"


def test_hotline_walk_in_and_errors(client: FlaskClient, auth: Auth) -> None:
    auth.login("intake")
    page = client.get("/hotline?lang=en").get_data(as_text=True)
    bad = client.post(
        "/hotline",
        data={
            "csrf_token": csrf_from(page),
            "phone": "99",
            "description": "x",
            "category": "",
            "province": "",
        },
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Please choose a province" in text and "012 345 678" in text
    ok = client.post(
        "/hotline",
        data={
            "csrf_token": csrf_from(page),
            "category": "pension",
            "province": "KH-1",
            "description": "Came to the office",
            "channel": "walk_in",
        },
    )
    assert ok.status_code == 200
    db.session.expire_all()
    latest = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert latest is not None and latest.channel == "walk_in"


def test_hotline_is_for_staff_only(client: FlaskClient, auth: Auth) -> None:
    assert client.get("/hotline").status_code == 302
    auth.login("representative")
    assert client.get("/hotline").status_code == 403
