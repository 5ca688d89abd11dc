"""Forums: creating one, recording concerns, importing a sheet with bad rows."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import select

from grievance.cases.models import Case
from grievance.extensions import db
from grievance.intake.models import Forum, ForumImport
from grievance.jobs import runtime
from tests.conftest import Auth, csrf_from, work_off

GOOD_AND_BAD_CSV = (
    "description,category,province,sex,affected_count\n"
    "Factory stopped paying contributions in March,contributions,KH-12,female,120\n"
    ",pension,KH-12,male,1\n"  # line 3: empty description
    "Hospital asked for money,healthcare_quality,Atlantis,female,1\n"  # line 4: province
    "Pregnant workers dismissed,Maternity allowance and pregnancy protection,,female,lots\n"
    "Card shows the wrong name,registration,Siem Reap,F,\n"
)


def make_forum(**fields: object) -> Forum:
    forum = Forum(
        title=fields.pop("title", "Regional forum, Kampong Speu"),
        level="regional",
        province_code=fields.pop("province_code", "KH-5"),
        venue="Provincial hall",
        start_date=date(2026, 3, 8),
        end_date=date(2026, 3, 8),
        **fields,
    )
    db.session.add(forum)
    db.session.flush()
    return forum


def test_create_a_forum_with_participants_by_sex(client: FlaskClient, auth: Auth) -> None:
    auth.login("intake")
    page = client.get("/forums/new?lang=en").get_data(as_text=True)
    response = client.post(
        "/forums/new",
        data={
            "csrf_token": csrf_from(page),
            "title": "Community forum, Chbar Ampov",
            "level": "community",
            "start_date": "2026-04-02",
            "province": "KH-12",
            "venue": "Pagoda hall",
            "organisers": "Women Workers' Rights Network",
            "participants_female": "86",
            "participants_male": "31",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    forum = db.session.scalar(select(Forum).where(Forum.title == "Community forum, Chbar Ampov"))
    assert forum is not None
    assert (forum.participants_female, forum.participants_male, forum.participants_total) == (
        86,
        31,
        117,
    )
    assert forum.end_date == forum.start_date == date(2026, 4, 2)


def test_forum_form_errors_are_beside_fields(client: FlaskClient, auth: Auth) -> None:
    auth.login("supervisor")
    page = client.get("/forums/new?lang=en").get_data(as_text=True)
    response = client.post(
        "/forums/new",
        data={
            "csrf_token": csrf_from(page),
            "title": "T",
            "level": "regional",
            "start_date": "08/03",
            "province": "KH-1",
            "venue": "Hall",
            "participants_female": "ten",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="start_date-error"[^>]*>Please give the date', text)
    assert re.search(r'id="participants_female-error"[^>]*>Please write a whole number', text)


def test_record_concerns_one_by_one(client: FlaskClient, auth: Auth) -> None:
    auth.login("intake")
    forum = make_forum()
    page = client.get(f"/forums/{forum.id}?lang=en").get_data(as_text=True)
    assert 'value="KH-5" selected' in page or 'selected value="KH-5"' in page
    response = client.post(
        f"/forums/{forum.id}",
        data={
            "csrf_token": csrf_from(page),
            "description": "Forty workers never got NSSF cards",
            "category": "registration",
            "province": "KH-5",
            "sex": "female",
            "affected_count": "40",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.forum_id == forum.id))
    assert case is not None and case.channel == "forum" and case.affected_count == 40
    assert case.reference in client.get(f"/forums/{forum.id}").get_data(as_text=True)


def _upload(client: FlaskClient, forum: Forum, content: bytes, name: str) -> str:
    page = client.get(f"/forums/{forum.id}/import?lang=en").get_data(as_text=True)
    response = client.post(
        f"/forums/{forum.id}/import",
        data={"csrf_token": csrf_from(page), "sheet": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def _cells(row_html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row_html)]


def test_csv_import_previews_bad_rows_then_files_the_good_ones(
    client: FlaskClient, auth: Auth, jobs_in_process: runtime.InProcessRunner
) -> None:
    auth.login("intake")
    forum = make_forum()
    preview_url = _upload(client, forum, GOOD_AND_BAD_CSV.encode(), "concerns.csv")
    assert db.session.scalar(select(Case.id).where(Case.forum_id == forum.id)) is None
    page = client.get(preview_url + "?lang=en").get_data(as_text=True)
    rows = [_cells(r) for r in re.findall(r"<tr><td>.*?</tr>", page)]
    flagged = {(r[0], r[1]) for r in rows}
    assert flagged == {("3", "description"), ("4", "province"), ("5", "affected_count")}
    assert "Good lines: 2. Lines with problems: 3." in page
    confirm = client.post(preview_url + "/confirm", data={"csrf_token": csrf_from(page)})
    assert confirm.status_code == 302
    progress = client.get(confirm.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert '<progress max="2" value="2">' in progress and "Finished." in progress
    assert 'http-equiv="refresh"' not in progress  # no refresh once finished
    db.session.expire_all()
    cases = db.session.scalars(
        select(Case).where(Case.forum_id == forum.id).order_by(Case.id)
    ).all()
    assert [(c.category.code, c.province_code, c.affected_count) for c in cases] == [
        ("contributions", "KH-12", 120),
        ("registration", "KH-17", 1),
    ]
    assert all(c.channel == "forum" for c in cases)
    assert cases[1].complainant is not None and cases[1].complainant.sex == "female"
    # Confirming again (back button, double click) files nothing more.
    client.post(preview_url + "/confirm", data={"csrf_token": csrf_from(page)})
    assert len(db.session.scalars(select(Case).where(Case.forum_id == forum.id)).all()) == 2


def test_xlsx_import_with_khmer_names_and_missing_column(
    client: FlaskClient, auth: Auth, jobs_in_process: runtime.InProcessRunner
) -> None:
    auth.login("intake")
    forum = make_forum(title="National forum")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Description", "Category", "Province", "Workers affected"])
    sheet.append(["ប្រាក់សោធនមិនទាន់បានទទួល", "សោធននិវត្តន៍", "បាត់ដំបង", 3])
    sheet.append(["Bad count", "pension", "KH-2", -4])
    out = io.BytesIO()
    book.save(out)
    preview = client.get(_upload(client, forum, out.getvalue(), "forum.xlsx") + "?lang=en")
    text = preview.get_data(as_text=True)
    assert "Good lines: 1. Lines with problems: 1." in text
    imp = db.session.scalars(select(ForumImport).order_by(ForumImport.id.desc())).first()
    assert imp is not None and imp.errors[0]["line"] == 3
    assert imp.errors[0]["column"] == "affected_count"
    client.post(f"/forums/imports/{imp.id}/confirm", data={"csrf_token": csrf_from(text)})
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.forum_id == forum.id))
    assert case is not None
    assert (case.category.code, case.province_code, case.affected_count) == ("pension", "KH-2", 3)

    no_category = b"description,province\nSomething,KH-1\n"
    text = client.get(_upload(client, forum, no_category, "x.csv") + "?lang=en").get_data(
        as_text=True
    )
    assert "This column is missing from the first line." in text
    assert "Import 0" not in text and "/confirm" not in text


def test_import_runs_as_a_job_on_the_imports_queue(
    client: FlaskClient, auth: Auth, app: Flask, rq_jobs: runtime.RQRunner
) -> None:
    auth.login("intake")
    forum = make_forum()
    preview_url = _upload(client, forum, GOOD_AND_BAD_CSV.encode(), "c.csv")
    with app.test_request_context():
        work_off(rq_jobs, "imports")  # the check
    page = client.get(preview_url).get_data(as_text=True)
    confirmed = client.post(preview_url + "/confirm", data={"csrf_token": csrf_from(page)})
    progress_url = confirmed.headers["Location"]
    waiting = client.get(progress_url + "?lang=en")
    assert 'http-equiv="refresh"' in waiting.get_data(as_text=True)
    assert '<progress max="2" value="0">' in waiting.get_data(as_text=True)
    assert rq_jobs.queue("imports").count == 1
    with app.test_request_context():
        work_off(rq_jobs, "imports")
    done = client.get(progress_url + "?lang=en").get_data(as_text=True)
    assert "Finished." in done and '<progress max="2" value="2">' in done


def test_a_rerun_job_continues_where_it_stopped(app: Flask, auth: Auth) -> None:
    from grievance.intake import forums

    user = auth.login("intake")
    forum = make_forum()
    with app.test_request_context():
        imp = forums.start_import(forum, GOOD_AND_BAD_CSV.encode(), "c.csv", user)  # type: ignore[arg-type]
        imp.status, imp.done = "running", 1  # the first row was filed before a crash
        db.session.flush()
        forums.run_forum_import(imp.id)
        cases = db.session.scalars(select(Case).where(Case.forum_id == forum.id)).all()
        assert len(cases) == 1 and cases[0].category.code == "registration"
        assert imp.status == "done" and imp.done == 2


def test_forums_are_for_staff(client: FlaskClient, auth: Auth) -> None:
    auth.login("representative")
    assert client.get("/forums/").status_code == 403


def test_the_request_only_keeps_the_sheet_and_the_job_checks_it(
    client: FlaskClient, auth: Auth, app: Flask, rq_jobs: runtime.RQRunner, monkeypatch: Any
) -> None:
    """No sheet is opened in a web process: the upload is kept and a job by id checks it;
    a shared-strings bomb is answered in the preview the officer reads."""
    from grievance.intake import sheets
    from tests.intake.test_sheet_limits import _with_part, _workbook

    opened: list[int] = []
    real_parse = sheets.parse
    monkeypatch.setattr(sheets, "parse", lambda *a, **k: opened.append(1) or real_parse(*a, **k))
    auth.login("intake")
    forum = make_forum()
    preview_url = _upload(client, forum, GOOD_AND_BAD_CSV.encode(), "c.csv")
    waiting = client.get(preview_url + "?lang=en").get_data(as_text=True)
    assert opened == []  # neither the upload nor the page parsed it
    assert "The sheet is being checked." in waiting and 'http-equiv="refresh"' in waiting
    assert "/confirm" not in waiting
    assert rq_jobs.queue("imports").count == 1
    with app.test_request_context():
        work_off(rq_jobs, "imports")
    assert opened == [1]
    checked = client.get(preview_url + "?lang=en").get_data(as_text=True)
    assert "Good lines: 2. Lines with problems: 3." in checked
    assert 'http-equiv="refresh"' not in checked

    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings += b"<si><t>" + b"A" * (60 * 1024 * 1024) + b"</t></si></sst>"
    bomb = _with_part(_workbook(), "xl/sharedStrings.xml", strings)
    bomb_url = _upload(client, forum, bomb, "bomb.xlsx")
    with app.test_request_context():
        work_off(rq_jobs, "imports")
    answer = client.get(bomb_url + "?lang=en").get_data(as_text=True)
    assert "The workbook unpacks to far more than it holds." in answer
    assert "Good lines: 0." in answer and "/confirm" not in answer


def test_a_forum_in_khmer_only_is_shown_in_khmer_to_every_reader(
    client: FlaskClient, auth: Auth
) -> None:
    auth.login("intake")
    page = client.get("/forums/new?lang=en").get_data(as_text=True)
    assert "Title in Khmer" in page and "Venue in English" in page
    form = {"csrf_token": csrf_from(page), "level": "community", "start_date": "2026-04-02",
            "province": "KH-12"}  # fmt: skip
    missing = client.post("/forums/new", data=form).get_data(as_text=True)
    assert "Please give the forum a title." in missing and "Please say where" in missing
    title = "វេទិកាកម្មករ ច្បារអំពៅ"
    response = client.post(
        "/forums/new",
        data={**form, "title_km": title, "venue_km": "សាលាវត្ត", "organisers_km": "សហជីព"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    forum = db.session.scalar(select(Forum).where(Forum.title_km == title))
    assert forum is not None and forum.title == title  # the unique name falls back to Khmer
    for lang in ("km", "en"):
        public = client.get(f"/accountability/forums/{forum.id}?lang={lang}")
        text = public.get_data(as_text=True)
        assert title in text and "សាលាវត្ត" in text and "សហជីព" in text


def test_a_forum_in_both_languages_speaks_the_readers(client: FlaskClient) -> None:
    from tests.factories import make_forum

    forum = make_forum("KH-12", date(2026, 3, 1), title="Garment workers' forum",
                       title_km="វេទិកាកម្មករកាត់ដេរ", venue="Union hall",
                       venue_km="សាលសហជីព")  # fmt: skip
    khmer = client.get(f"/accountability/forums/{forum.id}?lang=km").get_data(as_text=True)
    english = client.get(f"/accountability/forums/{forum.id}?lang=en").get_data(as_text=True)
    assert "វេទិកាកម្មករកាត់ដេរ" in khmer and "Garment workers" not in khmer
    assert "សាលសហជីព" in khmer and "Union hall" in english
    assert "Garment workers&#39; forum" in english and "វេទិកាកម្មករកាត់ដេរ" not in english
    listing = client.get("/accountability/forums?lang=km").get_data(as_text=True)
    assert "វេទិកាកម្មករកាត់ដេរ" in listing
