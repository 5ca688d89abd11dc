"""Khmer pages write every number in one script: Western digits (CLDR's default for Khmer,
see grievance/formats.py) in figures, dates, durations and ratings, and 24-hour times with
no Latin AM/PM. Every page without arguments is rendered in Khmer for staff of every role,
and the pages of a case, a forum and a complainant's status page with a rated answer."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Auth
from tests.factories import make_case, make_forum
from tests.tracking.helpers import act, open_case
from tests.tracking.test_actions import _proposed

KHMER_DIGIT = re.compile("[\u17e0-\u17e9]")
LATIN_MERIDIEM = re.compile(r"(?<![A-Za-z])[AP]M(?![A-Za-z0-9])")
# A case reference or secret (FU24-8AM5) may hold the letters AM or PM: not a time.
CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{4}(?:-[A-Z0-9]{4})+(?![A-Za-z0-9])")
SKIP = ("/static", "/sms/", "/api/", "/logout", "/open311", "/health", "/ready", "/metrics")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def assert_one_script_of_digits(url: str, html: str) -> None:
    text = visible_text(html)
    found = KHMER_DIGIT.search(text)
    context = text[max(0, found.start() - 60) : found.end() + 60] if found else ""
    assert found is None, f"{url}: Khmer digit in {context!r}"
    meridiem = LATIN_MERIDIEM.search(CODE.sub(" ", text))
    assert meridiem is None, f"{url}: {text[max(0, meridiem.start() - 40) : meridiem.end() + 10]!r}"


def _simple_get_routes(app: Flask) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        download = rule.rule.rsplit("/", 1)[-1].count(".") > 0  # .csv, .json, .xlsx ...
        if "GET" in (rule.methods or ()) and not rule.arguments and not download:
            if rule.rule.startswith(SKIP):
                continue
            urls.append(rule.rule)
    return sorted(set(urls))


def test_every_khmer_page_has_one_script_of_digits(
    client: FlaskClient, auth: Auth, app: Flask
) -> None:
    filed = make_case(description="ក្រុមហ៊ុនមិនបង់ប្រាក់វិភាគទាន", concerned_name="រោងចក្រ A")
    forum = make_forum("KH-21", date(2026, 3, 5), participants_total=1234, participants_female=1050)
    public = ["/", "/file", "/track", "/accountability", f"/accountability/forums/{forum.id}"]
    for url in public:
        response = client.get(url + "?lang=km")
        assert response.status_code == 200, url
        assert_one_script_of_digits(url, response.get_data(as_text=True))

    proposed = _proposed()
    open_case(client, proposed)
    client.get("/track/case?lang=km")
    act(client, "accept_resolution", rating=4, comment="")
    status_page = client.get("/track/case?lang=km").get_data(as_text=True)
    assert "4" in visible_text(status_page)  # the rating, in Western digits
    assert_one_script_of_digits("/track/case", status_page)

    auth.login("admin", "supervisor", "officer", "oversight")
    client.get("/?lang=km")
    checked = 0
    for url in [*_simple_get_routes(app), f"/cases/{filed.case.reference}", f"/forums/{forum.id}"]:
        response = client.get(url)
        if response.mimetype == "text/html" and response.status_code == 200:
            html = response.get_data(as_text=True)
            assert_one_script_of_digits(url, html)
            checked += 1
    assert checked >= 15
