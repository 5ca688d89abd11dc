"""Evidence on the case page: listed with what it is, when and from whom, opened and
downloaded through an authorised route, and only by those who may see it."""

from __future__ import annotations

import re
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
from tests.tracking.helpers import text_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def photo() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def filed_with_files(**overrides: object) -> Case:
    case = make_case(**overrides).case
    uploads.store(
        case,
        [
            uploads.Evidence("image/jpeg", photo(), name="payslip march.jpg"),
            uploads.Evidence("application/pdf", PDF, name="NSSF card.pdf"),
        ],
        uploads.Sender("complainant", "filing", "web"),
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
    assert "Sent by the complainant with the complaint" in page
    assert "payslip march.jpg" in page and "NSSF card.pdf" in page  # staff see the names
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
        assert "payslip" not in download.headers["Content-Disposition"]  # never sent out
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


def test_original_names_are_made_safe_to_show() -> None:
    assert uploads.original_name("C:\\Users\\Srey\\payslip.jpg") == "payslip.jpg"
    assert uploads.original_name("../../etc/<script>x.pdf") == "scriptx.pdf"
    assert uploads.original_name("a\u202eb  \u200bc.pdf") == "ab c.pdf"  # no hidden turns
    assert uploads.original_name("  ") is None and uploads.original_name(None) is None
    assert len(uploads.original_name("x" * 300 + ".pdf") or "") == uploads.MAX_NAME


def test_the_panel_says_who_sent_each_file_and_when(client: FlaskClient, auth: Auth) -> None:
    rep = make_user("representative", name="Sokha Rep")
    case = make_case().case
    pdf = uploads.Evidence("application/pdf", PDF, name="letter.pdf")
    uploads.store(case, [pdf], uploads.Sender("representative", "filing", "web", rep.id, 1))
    uploads.store(
        case,
        [uploads.Evidence("image/jpeg", photo())],
        uploads.Sender("complainant", "answer", "telegram"),
    )
    db.session.flush()
    auth.login("officer")
    page = text_of(client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True))
    assert "letter.pdf Sent by Sokha Rep (representative) with the complaint · Web form" in page
    assert "Sent by the complainant in answer to a question · Telegram" in page
    # On the timeline, beside the filing they came with, linked to the panel.
    timeline = page[page.index("Timeline") :]
    assert re.search(r"Filed Queue: [^:]+ Files sent: File 1 \(\s*letter\.pdf\s*\)", timeline)
    assert 'href="#file-1"' in client.get(f"/cases/{case.reference}?lang=en").get_data(as_text=True)
    khmer = client.get(f"/cases/{case.reference}?lang=km").get_data(as_text=True)
    assert "Sent by" not in khmer and "Sokha Rep" in khmer


def test_the_complainant_files_her_answer_with_its_name_kept_for_staff_only(
    client: FlaskClient,
) -> None:
    from tests.tracking.helpers import (
        act,
        new_case,
        officer,
        open_case,
        png_file,
        step,
        to_in_progress,
    )

    filed = new_case()
    holder = officer()
    to_in_progress(filed.case, holder)
    step(filed.case, holder, "request_information", comment="Your payslip, please.")
    open_case(client, filed)
    answered = act(client, "provide_information", files=png_file("IMG_2041.png"), answer="Here")
    assert answered.status_code == 303
    (attachment,) = filed.case.attachments
    assert (attachment.original_name, attachment.sender_role, attachment.occasion) == (
        "IMG_2041.png",
        "complainant",
        "answer",
    )
    assert attachment.channel == "web" and attachment.sender_id is None
    (answer,) = [e for e in filed.case.events if e.data.get("transition") == "provide_information"]
    assert attachment.event_seq == answer.seq  # on the timeline beside the answer
    status = client.get("/track/case?lang=en").get_data(as_text=True)
    assert "IMG_2041" not in status  # the name is for staff only
