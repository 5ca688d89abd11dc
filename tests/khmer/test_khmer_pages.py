"""Khmer pages write each number in one script, by what it is (grievance/formats.py): dates
and times in Khmer digits, day before month ("៥ មីនា ២០២៦, ១៤:០៣"), 24-hour with no Latin
AM/PM; counts, durations, ratings, references and phone numbers in Western digits. No
number mixes the two, and no date escapes the helper (a Khmer month name beside Western
digits). Every page without arguments is rendered in Khmer for staff of every role, and
the pages of a case, a forum and a complainant's status page with a rated answer."""

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
LATIN_MERIDIEM = re.compile(r"(?<![A-Za-z])[AP]M(?![A-Za-z])")
SKIP = ("/static", "/sms/", "/api/", "/logout", "/open311", "/health", "/ready", "/metrics")
# A number written with both scripts ("៥/3/2026", "១4:03").
MIXED = re.compile(r"[0-9\u17e0-\u17e9][0-9\u17e0-\u17e9/:.,]*")
MONTHS = "មករា|កុម្ភៈ|មីនា|មេសា|ឧសភា|មិថុនា|កក្កដា|សីហា|កញ្ញា|តុលា|វិច្ឆិកា|ធ្នូ"
# A date in Western digits around a Khmer month name: not written by the date helper.
WESTERN_DATE = re.compile(rf"[0-9]\s*(?:{MONTHS})|(?:{MONTHS})\s*[0-9]")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def assert_one_script_of_digits(url: str, html: str) -> None:
    text = visible_text(html)
    for number in MIXED.finditer(text):
        both = KHMER_DIGIT.search(number.group()) and re.search("[0-9]", number.group())
        where = text[max(0, number.start() - 60) : number.end() + 60]
        assert not both, f"{url}: a number in two scripts in {where!r}"
    western = WESTERN_DATE.search(text)
    assert western is None, f"{url}: {text[max(0, western.start() - 40) : western.end() + 20]!r}"
    meridiem = LATIN_MERIDIEM.search(text)
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
    assert KHMER_DIGIT.search(visible_text(status_page))  # its dates, in Khmer digits
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
