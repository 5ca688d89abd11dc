"""Every route, for every role, against objects that belong to someone else: no 2xx
unless the table below says the role may use that endpoint. Every role is held for
province KH-12; the objects are elsewhere: a restricted case in KH-3, assigned to nobody;
another user's notification, export and account; a forum held in KH-3 and a sheet
imported for it; KH-3's province queue; an SLA policy and a closure of KH-3 (admin
objects: no officer or supervisor may touch them)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grievance.auth.models import Organisation
from grievance.extensions import db
from grievance.intake import uploads
from grievance.intake.models import ForumImport
from grievance.oversight.models import CaseExport
from grievance.queues.models import Queue
from grievance.ratelimit import limiter
from grievance.sla.models import Closure, SlaPolicy
from grievance.systemic import registry
from grievance.systemic.models import Cluster, RegistryEntry
from notifications.models import Notification
from tests.conftest import Auth, csrf_from
from tests.factories import make_case, make_forum, make_user

ROLES = ("anonymous", "representative", "intake", "officer", "supervisor", "oversight", "admin")
ALL = frozenset(ROLES)
STAFF = frozenset(ROLES) - {"anonymous"}
SKIP = {"static", "health.healthz", "health.readyz", "auth.logout"}

# endpoint -> roles that may get a 2xx answer here (with someone else's objects).
ALLOWED: dict[str, frozenset[str]] = {
    # Public pages and machine endpoints (the latter refuse unsigned / tokenless calls).
    "auth.login": frozenset({"anonymous"}),  # signed-in staff are sent on
    "auth.code": frozenset(),
    "auth.enrol": frozenset(),
    "intake.file_complaint": ALL,
    "tracking.lookup": ALL,
    "tracking.status": frozenset(),
    "tracking.act": frozenset(),
    "tracking.forget": frozenset(),
    "tracking.link": ALL,  # the "open your case" page; an unknown token shows an error
    "tracking.open_link": frozenset(),
    "track_short_link": ALL,  # the same page at the short address SMS texts carry
    "track_short_link_open": frozenset(),
    "tracking.rate": frozenset(),
    "tracking.new_secret": ALL,  # the same answer whatever is typed
    "intake.filed": ALL,  # without codes of one's own: "your codes are no longer shown"
    "intake.codes_file": frozenset(),
    "intake.codes_by_sms": frozenset(),
    "intake.track_filed": frozenset(),
    "recovery.show": frozenset(),  # another province's case: 404 for every role
    "recovery.send_code": frozenset(),
    "recovery.reissue": frozenset(),
    "favicon": ALL,
    "intake.api.openapi": ALL,
    "open311.services": ALL,
    "open311.service_definition": ALL,
    "open311.requests_list": ALL,
    "open311.request_create": frozenset(),
    "open311.request_show": frozenset(),
    # Every signed-in person has a home and their own notifications.
    "web.staff_home": STAFF,
    "notifications.index": STAFF,
    "auth.password": STAFF,
    # Role pages (lists of what the role may see, never the other objects themselves).
    "admin.index": frozenset({"admin"}),
    "admin.users": frozenset({"admin"}),
    "admin.workflows": frozenset({"admin", "supervisor"}),
    "admin_orgs.index": frozenset({"admin"}),
    "notifications.failed": frozenset({"admin"}),
    "cases.index": frozenset({"intake", "officer", "supervisor", "admin"}),
    "cases.reply_templates": frozenset({"admin"}),
    "queues.my_cases": frozenset({"officer", "supervisor"}),
    "queues.queues": frozenset({"officer", "supervisor", "admin"}),
    "queues.queue": frozenset(),  # another province's queue
    "queues.workload": frozenset({"supervisor"}),
    "queues.inbox": frozenset({"supervisor"}),
    "queues.bulk_reassign": frozenset({"supervisor"}),
    "queues.rules.index": frozenset({"supervisor", "admin"}),
    "queues.rules.new": frozenset({"supervisor", "admin"}),
    "queues.rules.edit": frozenset(),  # another province's queue
    "intake.desk.hotline": frozenset({"intake", "supervisor", "admin"}),
    "intake.desk.caller_lookup": frozenset({"intake", "supervisor", "admin"}),
    "intake.desk.file_for_member": frozenset({"representative"}),
    "intake.desk.rep_cases": frozenset({"representative"}),
    "intake.forums.index": frozenset({"intake", "supervisor", "admin"}),
    "intake.forums.new": frozenset({"intake", "supervisor", "admin"}),
    # Another province's forum and its imported sheets (names and phone numbers).
    "intake.forums.show": frozenset(),
    "intake.forums.import_sheet": frozenset(),
    "intake.forums.preview": frozenset(),
    "intake.forums.progress": frozenset(),
    "oversight.oversight_dashboard": frozenset({"oversight", "supervisor", "admin"}),
    "oversight.case_list": frozenset({"oversight", "supervisor", "admin"}),
    "oversight.export_index": frozenset({"oversight", "supervisor", "admin"}),
    "oversight.export_csv": frozenset({"oversight", "supervisor", "admin"}),
    "sla.calendar": frozenset({"admin"}),
    "sla.policies": frozenset({"admin"}),
    "sla.edit_policy": frozenset({"admin"}),
    "sla.new_policy": frozenset({"admin"}),
    "sla.add_closure": frozenset({"admin"}),
    "sla.remove_closure": frozenset({"admin"}),
    # Another province's account: a KH-12 administrator gets a 404 (tests/admin/).
    "admin.user_action": frozenset(),
    "admin.edit_user": frozenset(),
    "admin.audit_log": frozenset({"admin"}),
    "admin.import_users": frozenset({"admin"}),  # their own actions and their accounts'
    "auth.setup_password": frozenset(),  # an unknown set-up link: 404 for everyone
    "notifications.retry": frozenset({"admin"}),
    "intake.forums.confirm": frozenset(),
    "oversight.export_xlsx": frozenset({"oversight", "supervisor", "admin"}),
    "queues.claim": frozenset({"officer"}),
    # The public accountability pages.
    "web.landing": ALL,
    "oversight.dashboard": ALL,
    "oversight.data_dictionary": ALL,
    "oversight.open_data_csv": ALL,
    "oversight.open_data_json": ALL,
    "oversight.open_data_release": ALL,  # a monthly release: public open data
    "oversight.forums": ALL,
    "oversight.forum": ALL,
    # Someone else's objects: nobody here may have them.
    "cases.show": frozenset(),
    "cases.act": frozenset(),
    "cases.decide": frozenset(),
    "cases.comment": frozenset(),
    "cases.evidence_file": frozenset(),
    "cases.message": frozenset(),
    "cases.call": frozenset(),
    "sla.change_priority": frozenset(),
    "queues.open_restricted": frozenset(),
    "oversight.case_show": frozenset(),
    "oversight.export_progress": frozenset(),
    "oversight.export_download": frozenset(),
    "notifications.mark_read": frozenset(),
    "intake.desk.rep_case": frozenset(),
    "intake.desk.rep_act": frozenset(),
    "admin_orgs.show": frozenset({"admin"}),
    "admin_orgs.remove": frozenset(),
    # Machine endpoints: without a partner token or a provider signature, nothing.
    "intake.api.create_case": frozenset(),
    "intake.api.get_case": frozenset(),
    "intake.api.list_cases": frozenset(),
    "intake.sms.inbound": frozenset(),
    "intake.telegram.webhook": frozenset(),
    "notifications.twilio_status": frozenset(),
    # Registries, clusters and alerts: counts and employers, never a person. Deciding on
    # another province's cluster and setting another province's case's employer: nobody.
    "systemic.entity": frozenset(),
    "systemic.clusters": frozenset({"supervisor", "oversight", "admin"}),
    "systemic.cluster": frozenset({"supervisor", "oversight", "admin"}),
    "systemic.open_case": frozenset(),
    "systemic.dismiss": frozenset(),
    "systemic.alerts": frozenset({"supervisor", "oversight", "admin"}),
    "systemic.figures_page": frozenset({"supervisor", "oversight", "admin"}),
    "systemic.public_figures": ALL,
    "systemic.registry_index": frozenset({"admin"}),
    "systemic.registry_import": frozenset({"admin"}),
    "systemic.registry_import_page": frozenset({"admin"}),
    "systemic.registry_import_confirm": frozenset({"admin"}),
    "systemic.registry_entry": frozenset({"admin"}),
}


def _first_id(model: Any, fallback: int = 999_999) -> int:
    value = db.session.scalar(select(model.id).order_by(model.id).limit(1))
    return int(value) if value is not None else fallback


@pytest.fixture
def others(app: Flask) -> dict[str, Any]:
    owner = make_user("oversight", "officer", province="KH-3", username="owner.elsewhere")
    filed = make_case(province_code="KH-3")
    filed.case.confidentiality = "restricted"
    pdf = b"%PDF-1.4\ntrailer<<>>\n%%EOF\n"
    sender = uploads.Sender("complainant", "filing", "web")
    (evidence,) = uploads.store(filed.case, [uploads.Evidence("application/pdf", pdf)], sender)
    note = Notification(
        idempotency_key="matrix-note", channel="in_app", template="filed", user_id=owner.id
    )
    export = CaseExport(user_id=owner.id, stored_name="matrix-export.xlsx")
    forum = make_forum("KH-3", date(2026, 1, 10), title="Matrix forum elsewhere")
    db.session.add_all([note, export])
    db.session.flush()
    sheet = ForumImport(forum_id=forum.id, created_by_id=owner.id, stored_name="matrix.xlsx")
    closure = Closure(
        start_date=date(2026, 4, 1), end_date=date(2026, 4, 2), provinces=["KH-3"], reason="x"
    )
    db.session.add_all([sheet, closure])
    db.session.flush()
    queue = db.session.scalar(select(Queue).where(Queue.code == "office-kh-3"))
    assert queue is not None and queue.province_code == "KH-3"
    registry.save(
        registry.EntryData("employer", "E-MATRIX", name_latin="Matrix Co", province_code="KH-3"),
        None,
        "import",
    )
    entry = db.session.scalar(select(RegistryEntry).where(RegistryEntry.code == "E-MATRIX"))
    assert entry is not None
    cluster = Cluster(entry_id=entry.id, category_id=filed.case.category_id)
    db.session.add(cluster)
    organisation = Organisation(name="Matrix Workers' Union", kind="union", province_code="KH-3")
    db.session.add(organisation)
    db.session.flush()
    return {
        "cluster_id": cluster.id,
        "org_id": organisation.id,
        "step": "provide_information",
        "entry_id": entry.id,
        "reference": filed.case.reference,
        "attachment_id": evidence.id,
        "request_id": filed.case.reference,
        "approval_id": _withdrawal_asked(filed.case, owner),
        "name": "assign",
        "notification_id": note.id,
        "export_id": export.id,
        "user_id": owner.id,
        "action": "deactivate",
        "forum_id": forum.id,
        "import_id": sheet.id,
        "queue_id": queue.id,
        "policy_id": _first_id(SlaPolicy),
        "closure_id": closure.id,
        "code": queue.code,
        "token": "not-a-real-link-token",
        "feature": "file",
        "fmt": "json",
        "month": "2026-11",
        "rest": "nothing-here",
    }


def _withdrawal_asked(case: Any, asker: Any) -> int:
    from grievance.cases.models import ApprovalRequest

    asked = ApprovalRequest(
        case_id=case.id,
        transition="withdraw_for_complainant",
        inputs={"reason": "She asked on the phone"},
        asked_by_id=asker.id,
    )
    db.session.add(asked)
    db.session.flush()
    return asked.id


def _signed_in(client: FlaskClient, role: str) -> FlaskClient:
    fresh = client.application.test_client()
    if role != "anonymous":
        Auth(fresh).login(role, province="KH-12")
    return fresh


@pytest.mark.slow  # every route for every role
def test_no_role_gets_a_2xx_it_is_not_allowed(
    app: Flask, client: FlaskClient, others: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forms refused for a missing token would hide the authorisation answer behind a 400.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP]
    assert {r.endpoint for r in rules} <= set(ALLOWED), "new endpoint: add it to ALLOWED"
    leaks = []
    for role in ROLES:
        limiter.reset()
        app.config["WTF_CSRF_ENABLED"] = True  # signing in reads the token from the form
        browser = _signed_in(client, role)
        app.config["WTF_CSRF_ENABLED"] = False
        for rule in rules:
            url = rule.build({k: others[k] for k in rule.arguments}, append_unknown=False)
            assert url is not None
            path = url[1]
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                # Buffered: a streamed answer (CSV) is read while its app context is live.
                status = browser.open(path, method=method, buffered=True).status_code
                if 200 <= status < 300 and role not in ALLOWED[rule.endpoint]:
                    leaks.append((role, method, path, rule.endpoint, status))
    assert leaks == [], "\n".join(map(str, leaks))


def test_a_refusal_is_logged_without_personal_data(
    client: FlaskClient, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    user = auth.login("representative", username="sreyneang.rep")
    caplog.set_level(logging.INFO, logger="grievance.auth.decorators")
    assert client.get("/admin/users").status_code == 403
    lines = [r.getMessage() for r in caplog.records if r.name == "grievance.auth.decorators"]
    assert lines == [f"access denied: user {user.id} lacks admin"]
    assert all("sreyneang" not in line and user.name not in line for line in lines)


def test_forums_and_their_sheets_are_their_provinces_own(
    client: FlaskClient, others: dict[str, Any]
) -> None:
    """The other side of the matrix: the forum's own province (and nationwide staff) do
    get it, so the 404s above are about scope, not a broken page."""
    forum, sheet = others["forum_id"], others["import_id"]
    for province, expected in (("KH-3", 200), (None, 200), ("KH-12", 404)):
        browser = client.application.test_client()
        Auth(browser).login("intake", province=province)
        assert browser.get(f"/forums/{forum}").status_code == expected, province
        assert browser.get(f"/forums/imports/{sheet}/progress").status_code == expected
        listed = "Matrix forum elsewhere" in browser.get("/forums/").get_data(as_text=True)
        assert listed is (expected == 200), province
        # Nor can a forum be recorded for a province the user cannot then open.
        page = browser.get("/forums/new").get_data(as_text=True)
        form = {"level": "community", "start_date": "2026-03-08", "venue": "Hall"}
        made = browser.post(
            "/forums/new",
            data={**form, "title": f"New forum {province}", "province": "KH-3"},
            headers={"X-CSRFToken": csrf_from(page)},
        )
        assert made.status_code == (302 if expected == 200 else 400), province
