"""Figures per employer for oversight; on the public page only above the threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from grievance.systemic import figures
from grievance.types import utcnow
from tests.systemic.helpers import SPELLINGS, employer, file

LAST_MONTH = utcnow().replace(day=1) - timedelta(days=10)


def test_oversight_sees_every_employer_and_the_public_only_those_with_5_complaints(
    client,  # type: ignore[no-untyped-def]
    auth,
) -> None:
    employer()
    employer("E-000555", name_km="រោងចក្រ អង្គរ", name_latin="Angkor Shoes", aliases=[])
    for n in range(5):
        file(SPELLINGS[n % 4], phone=f"+8551234560{n}", at=LAST_MONTH)
    for n in range(4):
        file("Angkor Shoes", phone=f"+8551234561{n}", category="registration", at=LAST_MONTH)
    found = {f.entry.code: f for f in figures.per_entry()}
    assert (found["E-000123"].complaints, found["E-000555"].complaints) == (5, 4)
    assert found["E-000555"].categories[0][1] == 4

    public = client.get("/systemic/employers?lang=en").get_data(as_text=True)
    assert "Khmer Women Garment" in public and "Angkor Shoes" not in public
    assert "+855" not in public

    auth.login("oversight")
    page = client.get("/systemic/figures").get_data(as_text=True)
    assert "Khmer Women Garment" in page and "Angkor Shoes" in page
    assert "Employer registration and NSSF card (4)" in page


def test_a_median_from_fewer_than_5_closed_cases_is_withheld() -> None:
    entry = employer()
    row = figures.EntryFigures(entry=entry, complaints=9, closed=3, median_days=4.0)
    [public] = figures.public_rows([row], "en")
    assert figures.suppress is not None and str(public["median_days"]) == "too few cases"
    row.closed = 5
    [public] = figures.public_rows([row], "en")
    assert public["median_days"] == 4.0 and "closed" not in public


def test_the_public_page_counts_whole_months_and_the_dashboard_links_to_it(client) -> None:  # type: ignore[no-untyped-def]
    employer()
    for n in range(4):
        file(SPELLINGS[n % 4], phone=f"+8551234560{n}", at=LAST_MONTH)
    file(SPELLINGS[0], phone="+85512345609")  # this month: on the page next month only
    assert figures.per_entry()[0].complaints == 5  # oversight: the last 365 days
    public = client.get("/systemic/employers?lang=en").get_data(as_text=True)
    assert "Khmer Women Garment" not in public
    assert "No employer or facility has 5 complaints or more." in public
    dashboard = client.get("/accountability?lang=km").get_data(as_text=True)
    assert 'href="/systemic/employers"' in dashboard


def test_the_public_period_is_the_12_whole_months_before_this_one_in_phnom_penh() -> None:
    # 1 March 2026, 01:00 in Phnom Penh is still February in UTC.
    start, end = figures.public_period(datetime(2026, 2, 28, 18, tzinfo=UTC), "Asia/Phnom_Penh")
    assert (start, end) == (
        datetime(2025, 2, 28, 17, tzinfo=UTC),
        datetime(2026, 2, 28, 17, tzinfo=UTC),
    )
    start, end = figures.public_period(datetime(2026, 1, 15, tzinfo=UTC), "Asia/Phnom_Penh")
    assert (start, end) == (
        datetime(2024, 12, 31, 17, tzinfo=UTC),
        datetime(2025, 12, 31, 17, tzinfo=UTC),
    )
