"""Administrators keep organisations: create one, add and remove its representatives (who
then follow, or stop following, its cases at once), and see what it filed."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.auth.models import Organisation
from grievance.extensions import db
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user


def _sign_out(client: FlaskClient) -> None:
    page = client.get("/track").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})


def _post(client: FlaskClient, url: str, **data: str) -> object:
    page = client.get("/admin/organisations?lang=en").get_data(as_text=True)
    return client.post(url + "?lang=en", data={"csrf_token": csrf_from(page), **data})


def test_an_admin_creates_an_organisation_and_manages_its_representatives(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("admin")
    created = _post(
        client,
        "/admin/organisations",
        name="Cambodian Food Workers' Union",
        name_km="សហជីពកម្មករម្ហូបអាហារ",
        kind="union",
        province="KH-12",
    )
    assert created.status_code == 303  # type: ignore[attr-defined]
    org = db.session.scalar(select(Organisation).where(Organisation.kind == "union"))
    assert org is not None and org.name_km == "សហជីពកម្មករម្ហូបអាហារ"
    again = _post(
        client,
        "/admin/organisations",
        name="cambodian food workers' union",
        kind="ngo",
        province="",
    )
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert "already exists" in again.get_data(as_text=True)  # type: ignore[attr-defined]

    rep = make_user("representative", username="sokha", name="Sokha Chea")
    officer = make_user("officer", username="vannak")
    filed = make_case(organisation_id=org.id)
    url = f"/admin/organisations/{org.id}"
    refused = _post(client, url, username="vannak")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "does not have the representative role" in refused.get_data(as_text=True)  # type: ignore[attr-defined]
    db.session.expire_all()
    assert officer.organisation_id is None
    assert _post(client, url, username="Sokha").status_code == 303  # type: ignore[attr-defined]
    db.session.expire_all()
    assert rep.organisation_id == org.id
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Sokha Chea" in page and filed.case.reference in page
    listing = client.get("/admin/organisations?lang=en").get_data(as_text=True)
    assert "Cambodian Food Workers" in listing

    removed = _post(client, f"{url}/representatives/{rep.id}/remove")
    assert removed.status_code == 303  # type: ignore[attr-defined]
    db.session.expire_all()
    assert rep.organisation_id is None
    assert _post(client, f"{url}/representatives/{officer.id}/remove").status_code == 404  # type: ignore[attr-defined]


def test_a_removed_representative_no_longer_sees_the_organisations_cases(
    client: FlaskClient, auth: Auth
) -> None:
    from grievance.auth import organisations

    org = Organisation(name="Union", kind="union")
    db.session.add(org)
    db.session.flush()
    admin = make_user("admin")
    rep = auth.login("representative")
    organisations.add_representative(admin, org, rep.username)
    case = make_case(organisation_id=org.id, consent={"by": None, "how": "verbal"}).case
    assert client.get(f"/representative/cases/{case.reference}").status_code == 200
    organisations.remove_representative(admin, org, rep.id)
    assert client.get(f"/representative/cases/{case.reference}").status_code == 404


def test_only_admins_keep_organisations(client: FlaskClient, auth: Auth) -> None:
    org = Organisation(name="Union", kind="union")
    db.session.add(org)
    db.session.flush()
    for role in ("supervisor", "representative"):
        _sign_out(client)
        auth.login(role)
        assert client.get("/admin/organisations").status_code == 403
        assert client.get(f"/admin/organisations/{org.id}").status_code == 403
        page = client.get("/track").get_data(as_text=True)
        posted = client.post(
            f"/admin/organisations/{org.id}",
            data={"csrf_token": csrf_from(page), "username": "x"},
        )
        assert posted.status_code == 403


def test_a_provincial_admin_keeps_only_the_organisations_and_representatives_of_its_provinces(
    client: FlaskClient, auth: Auth
) -> None:
    ours = Organisation(name="Phnom Penh Union", kind="union", province_code="KH-12")
    theirs = Organisation(name="Siem Reap Association", kind="association", province_code="KH-17")
    national = Organisation(name="National NGO", kind="ngo", province_code=None)
    db.session.add_all([ours, theirs, national])
    db.session.flush()
    far_rep = make_user("representative", province="KH-17", username="far.rep")
    near_rep = make_user("representative", province="KH-12", username="near.rep")
    far_rep.organisation_id = ours.id  # a Siem Reap account in the Phnom Penh union
    db.session.flush()
    auth.login("admin", province="KH-12")

    listing = client.get("/admin/organisations?lang=en").get_data(as_text=True)
    assert "Phnom Penh Union" in listing
    assert "Siem Reap Association" not in listing and "National NGO" not in listing
    assert 'value="KH-17"' not in listing and ">Nationwide<" not in listing  # nothing wider
    for org in (theirs, national):
        assert client.get(f"/admin/organisations/{org.id}").status_code == 404
        added = _post(client, f"/admin/organisations/{org.id}", username="near.rep")
        assert added.status_code == 404  # type: ignore[attr-defined]
    page = client.get(f"/admin/organisations/{ours.id}?lang=en").get_data(as_text=True)
    assert "far.rep" not in page  # an account of another province is not shown...
    removed = _post(client, f"/admin/organisations/{ours.id}/representatives/{far_rep.id}/remove")
    assert removed.status_code == 404  # type: ignore[attr-defined]
    refused = _post(client, f"/admin/organisations/{ours.id}", username="far.rep")
    assert refused.status_code == 400  # type: ignore[attr-defined]  # ...nor added
    assert far_rep.organisation_id == ours.id
    wider = _post(client, "/admin/organisations", name="Wide", kind="ngo", province="")
    assert wider.status_code == 400  # type: ignore[attr-defined]
    added = _post(client, f"/admin/organisations/{ours.id}", username="near.rep")
    assert added.status_code == 303  # type: ignore[attr-defined]
    db.session.refresh(near_rep)
    assert near_rep.organisation_id == ours.id
