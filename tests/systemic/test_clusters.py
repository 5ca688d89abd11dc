"""Complaints about one employer become one proposed systemic case; the parent's answer
reaches every linked complainant who agreed to contact, through the outbox."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from grievance import uow
from grievance.cases import people, transitions
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.intake import pipeline
from grievance.intake.submission import Submission
from grievance.oversight import figures as oversight_figures
from grievance.oversight import snapshots
from grievance.systemic import clusters, services
from grievance.systemic.models import Cluster, ClusterCase
from notifications.channels import twilio as twilio_channel
from notifications.models import Notification
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.notifications.fake_twilio import FakeTwilio
from tests.oversight.helpers import refresh
from tests.systemic.helpers import SPELLINGS, employer, file


@pytest.fixture
def gateway(
    app: Flask, monkeypatch: pytest.MonkeyPatch, jobs_in_process: object
) -> Iterator[FakeTwilio]:
    """SMS go to a fake Twilio, sent in-process right after each commit."""
    with FakeTwilio() as fake:
        cfg = app.config["SAMLENG"]
        monkeypatch.setattr(cfg, "SMS_BACKEND", "twilio")
        monkeypatch.setattr(cfg, "TWILIO_ACCOUNT_SID", fake.account_sid)
        monkeypatch.setattr(cfg, "TWILIO_AUTH_TOKEN", fake.auth_token)
        monkeypatch.setattr(cfg, "TWILIO_FROM", "+85523900900")
        monkeypatch.setattr(cfg, "TWILIO_API_BASE", fake.url)
        monkeypatch.setattr(twilio_channel, "TIMEOUT_SECONDS", 0.4)
        yield fake


def phone(n: int) -> str:
    return f"+8551234560{n}"


def alerts(template: str) -> int:
    query = select(func.count()).where(Notification.template == template)
    return int(db.session.scalar(query) or 0)


def six_complaints() -> list[Case]:
    return [file(SPELLINGS[n % 4], phone=phone(n)) for n in range(6)]


def test_six_complaints_in_four_spellings_make_one_proposal_and_a_seventh_joins_quietly() -> None:
    make_user("supervisor", province="KH-12", email="channa@example.org")
    make_user("oversight")
    make_user("supervisor", province="KH-3", email="far@example.org")  # another province
    entry = employer()
    cases = six_complaints()
    [cluster] = clusters.sweep()
    assert (cluster.entry_id, cluster.state) == (entry.id, "proposed")
    linked = set(db.session.scalars(select(ClusterCase.case_id)))
    assert linked == {c.id for c in cases}
    assert alerts("systemic_proposed") == 3  # the supervisor in-app and email, oversight in-app

    seventh = file("Khmer Women Garment Co., Ltd.", phone=phone(7))
    assert clusters.cluster_of(seventh) == cluster  # joined at filing
    assert clusters.sweep() == [] and clusters.sweep() == []
    assert alerts("systemic_proposed") == 3
    assert db.session.scalar(select(func.count()).select_from(Cluster)) == 1
    assert clusters.linked_count(cluster) == 7


def test_below_k_nothing_is_proposed_nor_shown(client) -> None:  # type: ignore[no-untyped-def]
    employer()
    for n in range(4):
        file(SPELLINGS[n], phone=phone(n))
    assert clusters.sweep() == []
    assert db.session.scalar(select(func.count()).select_from(Cluster)) == 0
    for page in ("/", "/accountability"):
        text = client.get(page, follow_redirects=True).get_data(as_text=True)
        assert "Khmer Women Garment" not in text and "E-000123" not in text


def test_other_categories_and_old_complaints_do_not_count() -> None:
    employer()
    for n in range(4):
        file(SPELLINGS[n], phone=phone(n))
    file(SPELLINGS[0], phone=phone(5), category="registration")
    old = clusters.utcnow() - timedelta(days=40)
    file(SPELLINGS[1], phone=phone(6), at=old)
    assert clusters.sweep() == []


def _close(parent: Case, officer_id: int, supervisor: object) -> None:
    actor = transitions.actor_for(supervisor)  # type: ignore[arg-type]
    transitions.apply(parent, "acknowledge", actor)
    transitions.apply(parent, "assign", actor, {"assignee_id": officer_id})
    officer = transitions.Actor(id=officer_id, roles=frozenset({"officer"}))
    transitions.apply(parent, "start_work", officer)
    transitions.apply(parent, "propose_resolution", officer, {"resolution": "Arrears paid."})
    later = parent.resolution_proposed_at + timedelta(days=30)
    transitions.apply(parent, "auto_close", transitions.SYSTEM, at=later)


def test_closing_the_parent_tells_each_consenting_complainant_once(gateway: FakeTwilio) -> None:
    supervisor = make_user("supervisor", province="KH-12")
    officer = make_user("officer", province="KH-12")
    employer()
    cases = six_complaints()
    no_consent = file(SPELLINGS[0], phone=phone(8), consent=False)
    opted_out = file(SPELLINGS[1], phone=phone(9))
    people.record_opt_out("sms", phone(9))
    [cluster] = clusters.sweep()
    parent = services.open_systemic(cluster, supervisor, "One answer for all of them.")
    assert parent.complainant is None and parent.category.code == "contributions"
    uow.checkpoint()
    gateway.messages.clear()

    _close(parent, officer.id, supervisor)
    uow.checkpoint()
    told = sorted(m["to"] for m in gateway.messages)  # one each, nothing else
    assert told == sorted(c.complainant.phone for c in cases)  # type: ignore[union-attr]
    assert all("ចម្លើយរួម" in m["body"] for m in gateway.messages)
    assert {no_consent.id, opted_out.id} <= {
        c.case_id for c in db.session.scalars(select(ClusterCase))
    }
    assert db.session.get(Cluster, cluster.id).state == "closed"  # type: ignore[union-attr]
    # Her status page carries the answer; a new complaint starts a new cluster later.
    answer = [e for e in cases[0].events if e.kind == "systemic_answer"]
    assert len(answer) == 1 and answer[0].public and answer[0].data["text"] == "Arrears paid."


def test_restricted_complaints_stay_hidden_inside_the_cluster(client, auth) -> None:  # type: ignore[no-untyped-def]
    employer()
    for n in range(3):
        file(SPELLINGS[n], phone=phone(n), category="harassment_retaliation")
    hidden = [file(SPELLINGS[3], phone=phone(n), category="harassment_retaliation") for n in (4, 5)]
    assert all(c.confidentiality == "restricted" for c in hidden)
    [cluster] = clusters.sweep()
    auth.login("supervisor", province="KH-12")
    page = client.get(f"/systemic/clusters/{cluster.id}").get_data(as_text=True)
    assert "5 more you may not open" in page
    for case in hidden:
        assert case.reference not in page and case.complainant.phone not in page  # type: ignore[union-attr]
    response = client.post(
        f"/systemic/clusters/{cluster.id}/open",
        data={"csrf_token": csrf_from(page), "description": "Harassment at one factory."},
    )
    assert response.status_code == 302
    parent_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "5 more you may not open" in parent_page
    assert all(c.reference not in parent_page for c in hidden)


def test_oversight_sees_counts_but_cannot_open_the_cases(client, auth) -> None:  # type: ignore[no-untyped-def]
    employer()
    cases = six_complaints()
    [cluster] = clusters.sweep()
    auth.login("oversight")
    page = client.get(f"/systemic/clusters/{cluster.id}").get_data(as_text=True)
    assert "Khmer Women Garment" in page
    assert all(c.reference not in page and phone(0) not in page for c in cases)
    listing = client.get("/systemic/clusters").get_data(as_text=True)
    assert f"/systemic/clusters/{cluster.id}" in listing
    page = client.get("/systemic/clusters/").get_data(as_text=True)
    response = client.post(
        f"/systemic/clusters/{cluster.id}/open",
        data={"csrf_token": csrf_from(listing), "description": "x"},
    )
    assert response.status_code == 403 and page is not None


def test_a_dismissed_proposal_is_not_proposed_again_and_other_provinces_cannot_decide(
    client,  # type: ignore[no-untyped-def]
    auth,
) -> None:
    employer()
    six_complaints()
    [cluster] = clusters.sweep()
    auth.login("supervisor", province="KH-3")
    page = client.get(f"/systemic/clusters/{cluster.id}").get_data(as_text=True)
    assert "Open the systemic case" not in page
    for action in ("open", "dismiss"):
        response = client.post(
            f"/systemic/clusters/{cluster.id}/{action}",
            data={"csrf_token": csrf_from(page), "description": "x"},
        )
        assert response.status_code == 403
    local = make_user("supervisor", province="KH-12")
    services.dismiss(cluster, local)
    assert cluster.state == "dismissed"
    assert clusters.sweep() == []
    file(SPELLINGS[0], phone=phone(7))
    assert clusters.sweep() == []  # one new complaint: below K on its own


def test_the_parent_is_filed_on_the_systemic_channel_and_figures_name_it(client, auth) -> None:  # type: ignore[no-untyped-def]
    supervisor = make_user("supervisor", province="KH-12")
    employer()
    six_complaints()
    [cluster] = clusters.sweep()
    parent = services.open_systemic(cluster, supervisor, "One answer for all of them.")
    assert parent.channel == "systemic"
    uow.checkpoint()
    refresh()
    auth.login("oversight")
    by_lang = {}
    for lang in ("en", "km"):
        text = client.get(f"/oversight/exports/cases.csv?lang={lang}", buffered=True)
        rows = csv.DictReader(io.StringIO(text.get_data(as_text=True)))
        by_lang[lang] = {r["reference"]: r for r in rows}
    assert by_lang["en"][parent.reference]["channel"] == "systemic"
    assert by_lang["en"][parent.reference]["channel_name"] == "Systemic case"
    assert by_lang["km"][parent.reference]["channel_name"] == "ករណីជាប្រព័ន្ធ"
    assert {r["channel"] for k, r in by_lang["en"].items() if k != parent.reference} == {"web"}
    figures = snapshots.figures(snapshots.latest())["channel"]
    assert figures["systemic"]["received"] == 1 and figures["web"]["received"] == 6
    for lang, name in (("en", "Systemic case"), ("km", "ករណីជាប្រព័ន្ធ")):
        with force_locale(lang):
            assert ("systemic", name) in oversight_figures.keys_and_labels("channel", [], lang)


def test_no_one_submits_a_complaint_on_the_systemic_channel() -> None:
    sub = Submission(
        description="The factory never paid NSSF.",
        category="contributions",
        province="KH-12",
        channel="web",
    )
    _cleaned, problems = pipeline.validate(replace(sub, channel="systemic"))
    assert [(p.field, p.code) for p in problems] == [("channel", "invalid")]
    assert pipeline.validate(replace(sub, channel="walk_in"))[1] == []
