"""Evidence on the case page: listed with what it is, when and from whom, opened and
downloaded through an authorised route, and only by those who may see it."""

from __future__ import annotations

from io import BytesIO

from flask.testing import FlaskClient
from PIL import Image

from grievance.cases import transitions
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.intake import uploads
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_user
from tests.queues.helpers import SUPERVISOR

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def photo() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def filed_with_files(**overrides: object) -> Case:
    case = make_case(**overrides).case
    uploads.store(
        case,
        [uploads.Evidence("image/jpeg", photo()), uploads.Evidence("application/pdf", PDF)],
    )
    db.session.flush()
    return case


def sign_out(client: FlaskClient) -> None:
    token = csrf_from(client.get("/staff").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})


def _urls(page: str, case: Case) -> list[str]:
    import re

    return sorted(set(re.findall(rf'href="(/cases/{case.reference}/files/\d+)"', page)))


def test_officer_sees_and_opens_the_photo_and_the_pdf(client: FlaskClient, auth: Auth) -> None:
    case = filed_with_files()
    auth.login("officer")
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert "Photo 1" in page and "PDF document 2" in page
    assert "Sent with the complaint" in page
    urls = _urls(page, case)
    assert len(urls) == 2
    kinds = set()
    for url in urls:
        opened = client.get(url)
        assert opened.status_code == 200
        assert opened.headers["Cache-Control"] == "no-store"
        assert "sandbox" in opened.headers["Content-Security-Policy"]
        kinds.add(opened.mimetype)
        assert opened.data[:4] in (b"\xff\xd8\xff\xe0"[:4], b"%PDF") or opened.data[:3] == (
            b"\xff\xd8\xff"
        )
        download = client.get(url + "?download=1")
        assert "attachment" in download.headers["Content-Disposition"]
        assert case.reference in download.headers["Content-Disposition"]
    assert kinds == {"image/jpeg", "application/pdf"}


def test_files_are_not_reachable_through_another_case_or_out_of_scope(
    client: FlaskClient, auth: Auth
) -> None:
    case = filed_with_files()
    other = make_case().case
    auth.login("officer", province="KH-17")  # Siem Reap: the Phnom Penh case is not hers
    attachment_id = case.attachments[0].id
    assert client.get(f"/cases/{case.reference}/files/{attachment_id}").status_code == 404
    sign_out(client)
    auth.login("officer")
    assert client.get(f"/cases/{other.reference}/files/{attachment_id}").status_code == 404


def test_files_of_a_confidential_case_only_for_its_officer(client: FlaskClient, auth: Auth) -> None:
    case = filed_with_files(confidentiality="confidential")
    holder = make_user("officer", sex="female", username="holder")
    transitions.apply(case, "acknowledge", SUPERVISOR)
    transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": holder.id})
    db.session.flush()
    attachment_id = case.attachments[0].id

    auth.login("officer")
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert not _urls(page, case) and "Only the assigned officer sees the files" in page
    assert client.get(f"/cases/{case.reference}/files/{attachment_id}").status_code == 404

    sign_out(client)
    auth.as_user("holder")
    page = client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    assert len(_urls(page, case)) == 2
