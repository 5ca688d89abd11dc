"""One-time links sent by SMS: they open the case once, then ask for reference and secret."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.extensions import db
from grievance.tracking.links import create_tracking_link
from grievance.tracking.models import TrackingLink
from grievance.types import utcnow
from tests.conftest import csrf_from
from tests.tracking.helpers import new_case


def _path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:5000")


def test_a_link_opens_the_case_once(app: Flask, client: FlaskClient) -> None:
    filed = new_case()
    url = create_tracking_link(filed.case)
    assert url.startswith("http://127.0.0.1:5000/t/")  # short: it travels by SMS
    token = url.rsplit("/", 1)[1]
    assert len(token) == 16  # 96 bits in URL-safe base64
    stored = db.session.scalar(select(TrackingLink).where(TrackingLink.case_id == filed.case.id))
    assert stored is not None and token not in stored.token_hash  # only a hash is kept

    # Opening shows a button; a link preview fetching the page does not spend the link.
    page = client.get(_path(url) + "?lang=en")
    assert page.status_code == 200 and "Show my case" in page.get_data(as_text=True)
    assert client.get(_path(url)).status_code == 200
    opened = client.post(_path(url), data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/track/case")
    case_page = client.get("/track/case?lang=en").get_data(as_text=True)
    assert filed.case.reference in case_page

    # The same phone tapping the link again simply gets its case back.
    assert client.get(_path(url)).headers["Location"].endswith("/track/case")

    # Anyone else (or the same phone after closing the page) is told to type the codes.
    other = app.test_client()
    again = other.get(_path(url) + "?lang=en")
    assert again.status_code == 410
    assert "This link was already used. Please type your tracking reference and secret." in (
        again.get_data(as_text=True)
    )
    token_form = csrf_from(again.get_data(as_text=True))
    assert other.post(_path(url), data={"csrf_token": token_form}).status_code == 410
    assert other.get("/track/case").status_code == 303


def test_old_and_unknown_links_do_not_open_anything(client: FlaskClient) -> None:
    filed = new_case()
    old = create_tracking_link(filed.case, at=utcnow() - timedelta(days=8))
    for path in (_path(old), "/track/l/not-a-real-token", "/track/l/" + "x" * 500):
        response = client.get(path + "?lang=en")
        assert response.status_code == 410
        assert "This link no longer works." in response.get_data(as_text=True)
    assert client.get("/track/case").status_code == 303
