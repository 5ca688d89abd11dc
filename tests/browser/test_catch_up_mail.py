"""Journey 5 after an outage: the sweep finds many deadlines at once and handles them a
chunk at a time; Channa gets one e-mail of each kind, reads it, follows its link and
finds every case it names listed in her notifications in Chromium."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from tests.browser.harness import run_queued_jobs
from tests.browser.staff import make_staff, sign_in


def _backlog(app: Flask) -> list[str]:
    """Six Phnom Penh cases in work, all past their answer deadline by now."""
    from grievance.types import utcnow
    from grievance.uow import checkpoint as commit
    from tests.sla.conftest import file_at, officer, pp, take_to_work

    with app.app_context():
        references = []
        now = utcnow()
        for _ in range(6):
            case = file_at(pp(2025, 12, 1, 8))
            take_to_work(case, officer("KH-12"), pp(2025, 12, 1, 8))
            case.resolve_risk_at = now - timedelta(days=2)
            case.resolve_due_at = now - timedelta(minutes=5)
            references.append(case.reference)
        commit()
        return references


def test_channa_gets_one_e_mail_for_a_catch_up_and_finds_every_case_it_names(
    desk: Any, live_server: str, live_app: Flask, monkeypatch: Any
) -> None:
    from sqlalchemy import select

    from grievance.extensions import db
    from grievance.sla import sweep
    from grievance.uow import checkpoint as commit
    from notifications import outbox
    from notifications.models import Notification
    from notifications.relay import compose

    # Chunks of two cases, folding from two e-mails on: a catch-up in miniature.
    monkeypatch.setattr(sweep, "CHUNK", 2)
    monkeypatch.setattr(outbox, "DIGEST_AFTER", 1)
    channa = make_staff(
        live_app, "channa7", "supervisor", province="KH-12", email="channa@example.org"
    )
    references = _backlog(live_app)
    with live_app.app_context():
        sweep.sweep()
        commit()  # the handling's e-mails leave as jobs (embedded: right after the commit)
    run_queued_jobs(live_app, "sla")  # with Redis: the folded e-mails' job, as a worker would
    with live_app.app_context():
        rows = list(
            db.session.scalars(
                select(Notification).where(
                    Notification.address == "channa@example.org",
                    Notification.template == "sla_breach_many",
                )
            )
        )
        sent = [r for r in rows if r.status == "sent"]
        assert len(rows) > 1 and len(sent) == 1  # one per chunk written, one e-mail sent
        message = compose(sent[0])
    assert message.subject == "6 cases have passed their deadline."
    assert all(ref in message.body for ref in references)
    assert any(word.endswith("/notifications") for word in message.body.split())

    sign_in(desk, live_server, channa)
    desk.goto(live_server + "/notifications")  # the e-mail's link, on this server
    digest = desk.locator("#digest-deadlines")
    assert "deadline notice" in digest.inner_text()
    digest.get_by_role("link").click()
    desk.wait_for_load_state()
    listed = desk.locator("main").inner_text()
    assert all(ref in listed for ref in references), listed
