"""Public accountability dashboard and open data: figures, suppression, freshness."""

from __future__ import annotations

import csv
import gzip
import io
import re
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.oversight import snapshots
from grievance.types import utcnow
from tests.oversight.helpers import T0, case_in, refresh


def _population() -> None:
    """KH-12: 12 cases in March (8 resolved within the deadline); KH-3: 3 cases in April."""
    for i in range(8):
        case_in(
            "closed",
            at=T0 + timedelta(days=i),
            acknowledged_at=T0 + timedelta(days=i, hours=2),
            resolution_proposed_at=T0 + timedelta(days=i + 1),
            closed_at=T0 + timedelta(days=i + 5),
            satisfaction=4,
        )
    for i in range(4):
        case_in("in_progress", at=T0 + timedelta(days=i), overdue=i < 2)
    for _ in range(3):
        case_in(
            "submitted",
            at=T0 + timedelta(days=31),
            province_code="KH-3",
            complainant=PersonData(sex="male"),
        )


def test_figures_with_small_cells_withheld(client: FlaskClient) -> None:
    _population()
    refresh()
    page = client.get("/accountability?lang=en").get_data(as_text=True)
    assert "Figures as of" in page
    assert "fewer than 5" in page
    body = client.get("/accountability/data.json").get_json()
    records = {(r["dimension"], r["key"]): r for r in body["records"]}
    total = records[("all", "all")]
    assert total["received"] == 15 and total["resolved"] == 8 and total["open"] == 7
    assert total["overdue"] == "fewer than 5"
    # 8 resolved on time, and all 7 open cases are past their deadline (filed in spring):
    assert total["within_sla_pct"] == round(100 * 8 / 15, 1)
    assert total["satisfaction"] == 4.0
    assert records[("province", "KH-3")]["received"] == "fewer than 5"
    # Provinces without cases are withheld zeros, so 15 - 12 does not single KH-3 out...
    assert records[("province", "KH-12")]["received"] == 12
    # ...but April's 3 would be March's complement (15 - 12): March is withheld too, and
    # says so rather than claiming its 12 are fewer than 5.
    assert records[("month", "2026-04")]["received"] == "fewer than 5"
    assert records[("month", "2026-03")]["received"] == "withheld"
    assert records[("sex", "female")]["received"] == 12
    assert records[("sex", "male")]["received"] == "fewer than 5"
    assert records[("province", "KH-1")]["received"] == "fewer than 5"  # zero is below 5
    for record in body["records"]:
        for key, value in record.items():
            if isinstance(value, int) and key not in ("key",):
                assert value >= 5, (record, key)
    assert body["licence"] == "CC BY 4.0" and body["licence_url"].startswith("https://")
    assert body["hidden_markers"] == {
        "fewer_than_5": "fewer than 5",
        "withheld": "withheld",
        "too_few": "too few cases",
    }


def test_open_data_csv_matches_json(client: FlaskClient) -> None:
    _population()
    refresh()
    text = client.get("/accountability/data.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    total = next(r for r in rows if r["dimension"] == "all")
    assert total["received"] == "15" and total["overdue"] == "fewer than 5"
    assert {r["dimension"] for r in rows} == {
        "all",
        "month",
        "province",
        "category",
        "channel",
        "sex",
    }
    assert any(r["label_km"] == "ភ្នំពេញ" for r in rows)


def test_page_works_without_javascript_and_in_khmer_first(client: FlaskClient) -> None:
    case_in("submitted")
    refresh()
    page = client.get("/accountability").get_data(as_text=True)
    assert '<html lang="km">' in page
    assert "<table" in page and "<tbody>" in page
    assert "cdn" not in page.lower()
    assert "<script" not in page and "style=" not in page  # charts are drawn on the server
    assert page.count("<svg") == 3 and "<title>" in page  # two trends and the map


def test_the_map_shows_every_province_with_hidden_ones_hatched(client: FlaskClient) -> None:
    _population()
    for i in range(6):  # KH-8: six cases resolved in 2 to 7 working days
        case_in("closed", province_code="KH-8", at=T0 + timedelta(days=i),
                resolution_proposed_at=T0 + timedelta(days=2 * i + 3))  # fmt: skip
    refresh()
    page = client.get("/accountability?lang=en").get_data(as_text=True)
    svg = page[page.index('<figure class="map"') :]
    svg = svg[: svg.index("</figure>")]
    tiles = re.findall(r'<g><title>([^<]+)</title><rect class="tile ([^"]+)"', svg)
    assert len(tiles) == 25
    by_name = {name.split(":")[0]: css for name, css in tiles}
    assert by_name["Kampong Cham"] == "tile-hidden"  # KH-3: too few cases
    assert by_name["Kandal"] in ("b0", "b1")  # a median under 10 working days
    assert "Kandal: " in svg and "hidden: too few cases" in svg


def test_the_dashboard_weighs_under_60_kb_compressed_with_everything_it_loads(
    client: FlaskClient,
) -> None:
    _population()
    refresh()
    for lang in ("km", "en"):
        html = client.get(f"/accountability?lang={lang}").get_data()
        total = len(gzip.compress(html))
        for src in re.findall(rb'(?:src|href)="(/static/[^"]+)"', html):
            if not src.endswith((b".woff2", b".woff", b".ico", b".png", b".svg")):
                total += len(gzip.compress(client.get(src.decode()).get_data()))
        assert total < 60 * 1024, (lang, total)


def test_stale_figures_are_refreshed_by_the_periodic_job_never_by_a_visit(
    client: FlaskClient,
) -> None:
    computed_at = utcnow() - snapshots.MAX_AGE - timedelta(minutes=1)
    snapshots.refresh(now=computed_at)  # figures of an empty database, 16 minutes old
    case_in("submitted")
    assert snapshots.is_stale(snapshots.latest())
    assert client.get("/accountability").status_code == 200
    db.session.expire_all()
    row = snapshots.latest()
    assert row is not None and row.generated_at == computed_at  # a visit never writes
    assert "all" not in snapshots.figures(row).get("all", {})  # no cases counted then
    assert snapshots.refresh_if_stale_job() is True
    row = snapshots.latest()
    assert row is not None and row.generated_at > computed_at
    assert snapshots.figures(row)["all"]["all"]["received"] == 1
    assert snapshots.refresh_if_stale_job() is False  # fresh now: nothing to do


def test_without_figures_a_visit_computes_none(client: FlaskClient) -> None:
    case_in("submitted")
    assert snapshots.latest() is None
    assert client.get("/accountability").status_code == 200
    db.session.expire_all()
    assert snapshots.latest() is None  # the periodic job makes the first figures, not a visit


def test_data_dictionary_describes_every_field(client: FlaskClient) -> None:
    page = client.get("/accountability/data?lang=en").get_data(as_text=True)
    for field in (
        "received",
        "resolved",
        "open",
        "overdue",
        "within_sla_pct",
        "ack_median",
        "resolve_median",
        "satisfaction",
        "fewer than 5",
        "withheld",
        "too few cases",
    ):
        assert field in page


def test_landing_links_to_the_dashboard(client: FlaskClient) -> None:
    assert 'href="/accountability"' in client.get("/").get_data(as_text=True)


def test_medians_are_in_working_days(client: FlaskClient) -> None:
    # Filed Monday 09:00 (Phnom Penh), acknowledged 1 to 6 office hours later:
    # 0.1 ... 0.6 working days.
    for hours in range(1, 7):
        case_in("acknowledged", acknowledged_at=T0 + timedelta(hours=hours))
    # Friday 16:30 to Monday 08:30: one office hour on Friday, one on Monday.
    friday = T0 + timedelta(days=4, hours=7, minutes=30)
    case_in("acknowledged", at=friday, acknowledged_at=friday + timedelta(days=2, hours=16))
    refresh()
    dims = snapshots.figures(snapshots.latest())
    # Seven values 0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6: a calendar-time median would be far
    # larger because of the weekend.
    assert dims["all"]["all"]["ack_n"] == 7
    assert dims["all"]["all"]["ack_median"] == 0.3
    assert dims["channel"]["web"]["ack_median"] == 0.3
    # The 90th percentile, interpolated at 0.9 x 6 = 5.4 places from the first: 0.54.
    assert dims["all"]["all"]["ack_p90"] == 0.54


def test_cli_refreshes_the_figures(app: object) -> None:
    from flask import Flask

    assert isinstance(app, Flask)
    case_in("submitted")
    result = app.test_cli_runner().invoke(args=["stats", "refresh"])
    assert result.exit_code == 0, result.output
    assert "figures as of" in result.output


def test_even_count_median_is_the_mean_of_the_middle_two(client: FlaskClient) -> None:
    for hours in (1, 2, 4, 5):
        case_in("acknowledged", acknowledged_at=T0 + timedelta(hours=hours))
    refresh()
    assert snapshots.figures(snapshots.latest())["all"]["all"]["ack_median"] == 0.3


def _section(page: str, dimension: str) -> str:
    start = page.index(f'id="t-{dimension}"')
    return re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start : page.index("</section>", start)])
    )


def test_affected_workers_are_counted_by_sex_every_member_of_a_collective_case(
    client: FlaskClient, auth: Any
) -> None:
    from grievance.cases.models import Person

    _population()  # 15 cases, one worker each: 12 women, 3 men
    five = case_in(affected_count=5)  # filed by a woman for herself and 4 listed members
    five.affected.extend(
        Person(name=f"Member {n}", sex=sex, language="km")
        for n, sex in enumerate(("female", "female", "male", "male"))
    )
    case_in(affected_count=3)  # a woman's complaint about 3 workers, 2 of them unnamed
    db.session.flush()
    refresh()

    auth.login("oversight")
    staff = _section(client.get("/oversight?lang=en").get_data(as_text=True), "workers_sex")
    assert "Affected workers by sex" in staff
    assert "Female 16 4 " in staff and "Male 5 2 " in staff  # workers, in collective cases
    assert "Not stated 2 2 " in staff and "All affected workers 23 8" in staff

    public = _section(client.get("/accountability?lang=en").get_data(as_text=True), "workers_sex")
    assert "Female 16 " in public
    assert "Not stated fewer than 5" in public and "Other fewer than 5" in public
    assert "collective" not in public  # one count column in public: no differences to take
    complainants = _section(client.get("/accountability?lang=en").get_data(as_text=True), "sex")
    assert "Male fewer than 5" in complainants  # 3 men complained, 2 more were listed:
    assert "Male withheld" in public  # 5 workers, hidden, or they would bound the 3
    khmer = client.get("/accountability?lang=km").get_data(as_text=True)
    assert 'id="t-workers_sex"' in khmer and "Affected workers" not in khmer
