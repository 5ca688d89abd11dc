from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

CATALOG = Path(__file__).resolve().parent.parent / "grievance" / "translations"


def test_landing_in_khmer_by_default_and_english_on_request(client: FlaskClient) -> None:
    khmer = client.get("/?lang=km").get_data(as_text=True)
    assert 'lang="km"' in khmer
    assert "ប្តឹង" in khmer  # "file a complaint" in Khmer
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "File a complaint" in english
    # The choice sticks for the next page.
    assert "File a complaint" in client.get("/").get_data(as_text=True)


def test_public_side_speaks_khmer_first(client: FlaskClient) -> None:
    assert 'lang="km"' in client.get("/").get_data(as_text=True)


def test_landing_links_never_lead_to_404(client: FlaskClient) -> None:
    import re

    page = client.get("/?lang=en").get_data(as_text=True)
    for href in re.findall(r'href="(/[^"]*)"', page):
        assert client.get(href).status_code in (200, 302), href


@pytest.mark.parametrize("locale", ["km"])
def test_catalogue_is_complete(locale: str) -> None:
    with (CATALOG / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    missing = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_catalogue_covers_every_string_in_the_code() -> None:
    """Every msgid in the code is in the Khmer catalogue (run `make messages` after edits)."""
    from babel.messages.extract import extract_from_dir

    root = CATALOG.parent.parent
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "N_": None,
        "lazy_gettext": None,
    }
    found = set()
    for sub in ("grievance", "workflows", "notifications", "templates"):
        method = (
            [("**.html", "jinja2"), ("**.txt", "jinja2")]
            if sub == "templates"
            else [("**.py", "python")]
        )
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            root / sub, method_map=method, keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    with (CATALOG / "km" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="km")
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert not sorted(found - known), f"not in the catalogue: {sorted(found - known)[:10]}"


def test_dates_and_numbers_follow_the_language_of_the_page(client: FlaskClient) -> None:
    """A forum's page: its date with the month's name, its participants with grouping."""
    from datetime import date

    from tests.factories import make_forum

    forum = make_forum(
        "KH-21",
        date(2026, 3, 5),
        title="Forum on pensions, Takeo",
        participants_total=1234,
        participants_female=1050,
    )

    khmer = client.get(f"/accountability/forums/{forum.id}?lang=km").get_data(as_text=True)
    assert "5 មីនា 2026" in khmer  # day, March by its Khmer name, year: Western digits
    assert "1,234" in khmer and "1,050" in khmer
    assert "March" not in khmer and "Mar " not in khmer

    english = client.get(f"/accountability/forums/{forum.id}?lang=en").get_data(as_text=True)
    assert "5 Mar 2026" in english  # day, month, year: the Cambodian order in English too
    assert "1,234" in english and "1,050" in english
    assert "មីនា" not in english


def test_format_filters_in_each_language(app: Flask) -> None:
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from grievance.formats import decimal, local_date, local_time, number, percent

    # 18:30 UTC on 31 December is already the next day (and year) in Phnom Penh.
    late = datetime(2025, 12, 31, 18, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("km"):
        assert local_date(late, "long") == "1 មករា 2026"
        assert local_time(late) == "1 មករា 2026, 01:30"  # 24-hour: no Latin AM/PM
        assert local_time(late, "short") == "1/1/2026, 01:30"
        assert (number(12345), decimal(3.25), percent(0.873)) == ("12,345", "3.2", "87%")
    with app.test_request_context(), force_locale("en"):
        assert local_date(late, "long") == "1 January 2026"  # day, month, year
        assert local_date(late) == "1 Jan 2026"
        assert local_time(late, "short") == "1/1/2026, 01:30"  # 24-hour, no seconds
        assert local_time(datetime(2026, 12, 7, 2, 5, 59, tzinfo=UTC)) == "7 Dec 2026, 09:05"
        assert (number(0.5), decimal(4, 1), local_date(None)) == ("0.5", "4.0", "")


def test_a_job_formats_dates_in_khmer_without_a_request(app: Flask) -> None:
    """Jobs and commands (the monthly open-data release, notices) run with no request: a
    month label or a date they write is Khmer, not an error."""
    from datetime import date

    from flask import has_request_context

    from grievance import formats

    assert not has_request_context()
    assert formats.month(date(2026, 3, 1)) == "មីនា 2026"
    assert formats.local_date(date(2026, 3, 5), "long") == "5 មីនា 2026"
