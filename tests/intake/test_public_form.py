"""The public web form, end to end: what a complainant sees and what is kept."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from grievance.cases.models import Attachment, Case
from grievance.extensions import db
from grievance.security import normalize_reference
from tests.intake.helpers import (
    attachment_count,
    case_count,
    jpeg_with_gps,
    pdf_bytes,
    png_bytes,
    public_post,
    stored_files,
)

SECRET = re.compile(r'class="secret-value" lang="en">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<')
REFERENCE = re.compile(r'class="secret-value" lang="en">([0-9A-Z]{4}-[0-9A-Z]{4})<')


def latest_case() -> Case:
    db.session.expire_all()
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case is not None
    return case


def test_form_is_khmer_first_with_an_english_switch(client: FlaskClient) -> None:
    page = client.get("/file").get_data(as_text=True)
    assert 'lang="km"' in page and "?lang=en" in page
    english = client.get("/file?lang=en").get_data(as_text=True)
    assert "What happened?" in english and "Province or city" in english
    assert "<script" not in english and "style=" not in english


def test_landing_page_links_to_the_form(client: FlaskClient) -> None:
    assert 'href="/file"' in client.get("/").get_data(as_text=True)


def test_anonymous_filing_shows_reference_and_secret_once(client: FlaskClient) -> None:
    before = case_count()
    response = public_post(client, sex="not_stated")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    assert response.headers["Cache-Control"] == "no-store"
    reference = REFERENCE.search(page)
    secret = SECRET.search(page)
    assert reference and secret
    assert normalize_reference(reference.group(1)) == reference.group(1)
    assert "only way to follow your case" in page
    assert case_count() == before + 1
    case = latest_case()
    assert case.reference == reference.group(1) and case.channel == "web"
    assert case.complainant is not None and case.complainant.phone is None
    assert secret.group(1) not in case.secret_hash  # only a hash is stored


def test_phone_in_local_form_is_stored_as_e164_and_sms_is_announced(client: FlaskClient) -> None:
    page = public_post(client, phone="012 345 678", name="Sokha", consent_to_contact="y")
    assert "by SMS to +855" in page.get_data(as_text=True)
    case = latest_case()
    assert case.complainant is not None
    assert case.complainant.phone == "+85512345678"
    assert case.complainant.consent_to_contact is True
    assert case.complainant.name == "Sokha"


def test_options_confidential_group_language_woman_officer(client: FlaskClient) -> None:
    response = public_post(
        client,
        confidential="y",
        on_behalf="y",
        affected_count="35",
        language="en",
        prefers_woman_officer="y",
    )
    assert response.status_code == 200
    case = latest_case()
    assert case.confidentiality == "confidential"
    assert case.affected_count == 35
    assert case.language == "en" and case.complainant.language == "en"  # type: ignore[union-attr]
    assert case.prefers_woman_officer is True


def test_harassment_is_restricted_even_when_not_asked(client: FlaskClient) -> None:
    public_post(client, category="harassment_retaliation")
    assert latest_case().confidentiality == "restricted"


def test_khmer_digits_count_as_numbers(client: FlaskClient) -> None:
    public_post(client, on_behalf="y", affected_count="១២")
    assert latest_case().affected_count == 12


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        (
            {"description": "   "},
            "description",
            "Please tell us what happened, in writing or in a voice note.",
        ),
        ({"description": "a" * 10_001}, "description", "too long"),
        ({"description": "bad \x00 byte"}, "description", "control characters"),
        ({"name": "x\x1b[31m"}, "name", "control characters"),
        ({"phone": "12345"}, "phone", "012 345 678"),
        ({"province": "KH-99"}, "province", "Please choose a province"),
        ({"category": "no-such-thing"}, "category", "Please choose what your complaint is about."),
        ({"on_behalf": "y", "affected_count": "many"}, "affected_count", "as a number"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_keeps_typing(
    client: FlaskClient, fields: dict[str, str], field_id: str, message: str
) -> None:
    before = case_count()
    typed = {"concerned_name": "Golden Needle Garment Co."}
    response = public_post(client, **typed, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'id="{field_id}-error" role="alert">([^<]*)<', page)
    assert error and message in error.group(1), page[:3000]
    assert 'value="Golden Needle Garment Co."' in page
    assert case_count() == before


def test_messages_are_in_the_language_of_the_form(client: FlaskClient) -> None:
    from flask_babel import force_locale, gettext

    page = public_post(client, lang="km", description="").get_data(as_text=True)
    error = re.search(r'id="description-error" role="alert">([^<]*)<', page)
    with client.application.test_request_context(), force_locale("km"):
        # Khmer once catalogues merge
        expected = gettext("Please tell us what happened, in writing or in a voice note.")
    assert error and error.group(1) == expected
    assert 'lang="km"' in page


def test_ten_megabyte_narrative_gets_a_field_message_not_an_error_page(
    client: FlaskClient,
) -> None:
    response = public_post(client, description="x" * (10 * 1024 * 1024))
    assert response.status_code == 400
    assert "too long: 10,485,760 characters" in response.get_data(as_text=True)


def test_missing_csrf_token_keeps_the_text(client: FlaskClient) -> None:
    before = case_count()
    response = client.post(
        "/file?lang=en",
        data={"description": "Typed on a slow phone", "category": "pension", "province": "KH-1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The page had expired" in page and "Typed on a slow phone" in page
    assert case_count() == before


def test_sending_the_same_form_twice_files_one_case(client: FlaskClient) -> None:
    from tests.intake.helpers import form_token

    token, nonce = form_token(client, "/file?lang=en")
    data = {
        "csrf_token": token,
        "nonce": nonce,
        "description": "Twice",
        "category": "other",
        "province": "KH-3",
    }
    first = client.post("/file", data=data, follow_redirects=True)
    before = case_count()
    second = client.post("/file", data=data, follow_redirects=True)
    assert first.status_code == second.status_code == 200
    # Sent again (a reload of the POST, a double tap): one case, and the same codes shown.
    # (The pages' CSRF tokens carry the second they were made in: compared without them.)
    token = re.compile(r'name="csrf_token"[^>]*value="[^"]+"')
    assert token.sub("", first.get_data(as_text=True)) == token.sub(
        "", second.get_data(as_text=True)
    )
    assert case_count() == before


# --- evidence -------------------------------------------------------------------------


def test_photo_and_pdf_are_stored_under_generated_names_without_exif(
    client: FlaskClient, instance_dir: Path
) -> None:
    before = stored_files(instance_dir)
    response = public_post(
        client,
        files=[
            (jpeg_with_gps(), "my photo.jpg"),
            (pdf_bytes(), "payslip.pdf"),
            (png_bytes(), "screen.png"),
        ],
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    case = latest_case()
    attachments = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
    assert sorted(a.content_type for a in attachments) == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
    new = stored_files(instance_dir) - before
    assert new == {a.stored_name for a in attachments}
    assert all("photo" not in n and "payslip" not in n for n in new)
    jpeg = next(a for a in attachments if a.content_type == "image/jpeg")
    with Image.open(instance_dir / "uploads" / jpeg.stored_name) as stored:
        assert stored.getexif().get(0x8825) is None and stored.getexif().get(0x010F) is None
    assert not (Path(client.application.static_folder or "") / jpeg.stored_name).exists()


def test_fake_pdf_is_refused_and_nothing_is_saved(client: FlaskClient, instance_dir: Path) -> None:
    before, files = case_count(), stored_files(instance_dir)
    response = public_post(client, files=[(b"MZ\x90\x00 this is a program", "report.pdf")])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“report.pdf” is not a photo (JPEG, PNG, WebP), a PDF document or a voice note" in page
    assert "please choose them again" in page
    assert case_count() == before and stored_files(instance_dir) == files


def test_pdf_without_end_marker_is_refused(client: FlaskClient) -> None:
    response = public_post(client, files=[(b"%PDF-1.4\nhalf a file", "cut.pdf")])
    assert response.status_code == 400


def test_jpeg_header_on_garbage_is_refused(client: FlaskClient) -> None:
    response = public_post(client, files=[(b"\xff\xd8\xff\xe0" + b"\x00" * 100, "x.jpg")])
    assert "could not be read as a picture" in response.get_data(as_text=True)


def test_too_many_files(client: FlaskClient) -> None:
    response = public_post(client, files=[(png_bytes(), f"p{i}.png") for i in range(6)])
    assert response.status_code == 400
    assert "at most 5 files" in response.get_data(as_text=True)


def test_too_large_file(client: FlaskClient) -> None:
    big = pdf_bytes()[:-6] + b"0" * (10 * 1024 * 1024) + b"%%EOF\n"
    response = public_post(client, files=[(big, "big.pdf")])
    assert response.status_code == 400
    assert "larger than 10 MB" in response.get_data(as_text=True)


def test_failed_upload_leaves_no_case(
    client: FlaskClient, instance_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grievance.intake import uploads

    real = uploads.write_private
    calls = []

    def disk_full_on_second(directory: Path, ext: str, data: bytes) -> str:
        calls.append(ext)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(directory, ext, data)

    monkeypatch.setattr(uploads, "write_private", disk_full_on_second)
    before, files, attached = case_count(), stored_files(instance_dir), attachment_count()
    response = public_post(client, files=[(png_bytes(), "a.png"), (pdf_bytes(), "b.pdf")])
    assert response.status_code == 503
    assert "We could not save your files" in response.get_data(as_text=True)
    assert len(calls) == 2
    assert case_count() == before and attachment_count() == attached
    assert stored_files(instance_dir) == files


def test_failed_case_leaves_no_files(
    client: FlaskClient, instance_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flask import request
    from sqlalchemy.exc import OperationalError

    from grievance import uow

    commit = uow._commit

    def commit_fails() -> None:
        if request.method != "POST":
            return commit()
        db.session.flush()
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(uow, "_commit", commit_fails)
    before, files = case_count(), stored_files(instance_dir)
    response = public_post(client, files=[(png_bytes(), "a.png"), (pdf_bytes(), "b.pdf")])
    assert response.status_code == 503  # "please try again" (tests/faults: for real)
    db.session.expire_all()
    assert case_count() == before
    assert stored_files(instance_dir) == files


def test_webp_is_accepted(client: FlaskClient) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "WEBP")
    response = public_post(client, files=[(out.getvalue(), "w.webp")])
    assert response.status_code == 200
    assert latest_case().attachments[0].content_type == "image/webp"


def test_category_switched_off_while_typing_gets_a_field_message(client: FlaskClient) -> None:
    from grievance.cases.models import Category

    client.get("/file")  # the lists are read (and kept by the process) when the form is shown
    db.session.query(Category).filter_by(code="pension").update({"active": False})
    db.session.flush()
    before = case_count()
    response = public_post(client, category="pension")
    assert response.status_code == 400
    assert re.search(
        r'id="category-error" role="alert">Please choose', response.get_data(as_text=True)
    )
    assert case_count() == before
