"""Builders for intake tests: real image and PDF bytes, form posts, counting rows and files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from grievance.cases.models import Attachment, Case
from grievance.extensions import db
from tests.conftest import csrf_from

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (11.0, 33.0, 0.0), 3: "E", 4: (104.0, 55.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 255)).save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def case_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case)) or 0


def attachment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment)) or 0


def stored_files(instance: Path) -> set[str]:
    folder = instance / "uploads"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def form_token(client: FlaskClient, url: str) -> tuple[str, str]:
    """(csrf token, nonce) of a form page."""
    html = client.get(url).get_data(as_text=True)
    nonce = ""
    marker = 'name="nonce" type="hidden" value="'
    if marker in html:
        nonce = html.split(marker, 1)[1].split('"', 1)[0]
    return csrf_from(html), nonce


def public_post(
    client: FlaskClient,
    files: list[tuple[bytes, str]] | None = None,
    lang: str = "en",
    **fields: Any,
) -> Any:
    token, nonce = form_token(client, f"/file?lang={lang}")
    data: dict[str, Any] = {
        "csrf_token": token,
        "nonce": nonce,
        "description": "My employer deducts NSSF money from my pay but never pays it.",
        "category": "contributions",
        "province": "KH-12",
        "sex": "female",
        "language": "km",
    }
    data.update(fields)
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for content, name in files]
    # The success page is a redirect away (so a reload shows the codes again): follow it.
    return client.post(
        "/file", data=data, content_type="multipart/form-data", follow_redirects=True
    )
