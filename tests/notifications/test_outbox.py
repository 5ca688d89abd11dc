"""Notices become outbox rows in the transaction that causes them; the file backend."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, insert, select

from grievance import uow
from grievance.cases.models import Case, Person
from grievance.cases.services import PersonData
from grievance.effects import Notice, emit
from grievance.extensions import db
from notifications import outbox, services
from notifications.digest import weekly_digest
from notifications.models import Notification
from tests.factories import make_case, make_user


def compiled(query: object) -> str:
    return str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]


KM_PHONE, EN_PHONE = "+85512345678", "+85517222333"


def person(phone: str = KM_PHONE, language: str = "km", consent: bool = True) -> PersonData:
    return PersonData(phone=phone, sex="female", language=language, consent_to_contact=consent)


def rows(**where: object) -> list[Notification]:
    query = select(Notification).filter_by(**where).order_by(Notification.id)
    return list(db.session.scalars(query))


def outbox_file(app: Flask, row: Notification) -> Path:
    assert row.provider_id and row.provider_id.startswith("file:")
    return Path(app.instance_path) / "outbox" / row.provider_id.removeprefix("file:")


def test_filing_writes_one_sms_row_in_the_same_transaction_and_none_on_rollback() -> None:
    filed = make_case(complainant=person())
    sms = rows(case_id=filed.case.id)
    assert [(r.channel, r.template, r.status, r.address) for r in sms] == [
        ("sms", "filed", "queued", KM_PHONE)
    ]
    case_id = filed.case.id
    uow.discard()
    assert db.session.scalar(select(func.count()).select_from(Case).filter_by(id=case_id)) == 0
    assert rows(case_id=case_id) == []


def test_the_secret_is_never_in_the_row_in_clear_and_is_erased_once_sent(app: Flask) -> None:
    filed = make_case(complainant=person())
    row = rows(case_id=filed.case.id)[0]
    assert filed.secret not in str(row.context)
    assert "secret_sealed" in row.context
    uow.checkpoint()  # releases the send job (embedded: runs now)
    db.session.expire_all()
    row = db.session.get(Notification, row.id)
    assert row.status == "sent" and row.provider_id and row.sent_at
    assert "secret_sealed" not in row.context
    text = outbox_file(app, row).read_text(encoding="utf-8")
    assert filed.secret in text  # the complainant gets it, once


def test_the_complainant_sms_is_written_to_the_outbox_in_khmer(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):  # an English-speaking officer's request
        filed = make_case(complainant=person(language="km"))
        uow.checkpoint()
    row = rows(case_id=filed.case.id)[0]
    db.session.refresh(row)
    text = outbox_file(app, row).read_text(encoding="utf-8")
    assert f"សំឡេង៖ ករណី {filed.case.reference} សម្ងាត់ {filed.secret}" in text
    assert "http://127.0.0.1:5000/t/" in text and "ទូរស័ព្ទ 1286" in text
    assert "Encoding: UCS-2" in text and "Segments: 2" in text


def test_an_english_speaker_gets_english(app: Flask) -> None:
    filed = make_case(complainant=person(EN_PHONE, language="en"))
    uow.checkpoint()
    db.session.expire_all()
    text = outbox_file(app, rows(case_id=filed.case.id)[0]).read_text(encoding="utf-8")
    assert f"Samleng: case {filed.case.reference}, secret {filed.secret}." in text


def test_nobody_is_texted_without_consent_or_a_phone() -> None:
    assert rows(case_id=make_case(complainant=person(consent=False)).case.id) == []
    assert rows(case_id=make_case(complainant=None).case.id) == []
    assert rows(case_id=make_case(complainant=PersonData(consent_to_contact=True)).case.id) == []


def test_the_same_event_processed_twice_is_one_message(app: Flask) -> None:
    filed = make_case(complainant=person())
    case = filed.case
    notice = Notice(case.id, case.event_count, "acknowledged", "complainant")
    emit(notice)
    emit(notice)
    assert len(rows(case_id=case.id, template="acknowledged")) == 1
    uow.checkpoint()
    uow.checkpoint()
    outbox = Path(app.instance_path) / "outbox"
    name = f"case_{case.id}_event_{case.event_count}_acknowledged_*{case.reference}*"
    assert len(list(outbox.glob(name))) == 0  # the file name never carries the reference
    db.session.expire_all()
    [row] = rows(case_id=case.id, template="acknowledged")
    assert row.status == "sent" and outbox_file(app, row).exists()
    key = row.idempotency_key.replace(":", "_")
    assert len(list(outbox.glob(f"{key}-*"))) == 1


def test_stop_cancels_waiting_sms_and_no_more_are_sent() -> None:
    filed = make_case(complainant=person())
    other = make_case(complainant=person(EN_PHONE, language="en"))
    assert services.opt_out(KM_PHONE) == 1
    assert outbox.phone_opted_out(KM_PHONE) and not outbox.phone_opted_out(EN_PHONE)
    assert [r.status for r in rows(case_id=filed.case.id)] == ["cancelled"]
    assert "secret_sealed" not in rows(case_id=filed.case.id)[0].context
    # Later messages to the number, even for a new case from the same phone, are not sent:
    # the relay asks just before sending, and keeps no secret in the cancelled row.
    emit(Notice(filed.case.id, 99, "acknowledged", "complainant"))
    later = make_case(complainant=person())
    uow.checkpoint()
    db.session.expire_all()
    for case_id in (filed.case.id, later.case.id):
        assert {(r.status, r.last_error) for r in rows(case_id=case_id)} == {
            ("cancelled", "opted_out")
        }
    assert not any("secret_sealed" in r.context for r in rows(address=KM_PHONE))
    assert not any(r.provider_id or r.sent_at for r in rows(address=KM_PHONE))  # never sent
    assert [r.status for r in rows(case_id=other.case.id)] == ["sent"]


def test_start_lets_messages_through_again() -> None:
    make_case(complainant=person())
    services.opt_out(KM_PHONE)
    assert services.opt_in(KM_PHONE) == 1
    later = make_case(complainant=person())
    assert [r.status for r in rows(case_id=later.case.id)] == ["queued"]


def test_the_assignee_gets_an_in_app_notification_and_an_email() -> None:
    officer = make_user("officer", email="officer@example.org", language="km")
    case = make_case().case
    case.assignee_id = officer.id
    emit(Notice(case.id, 2, "assigned", "assignee"))
    mine = rows(user_id=officer.id)
    assert sorted((r.channel, r.status, r.language) for r in mine) == [
        ("email", "queued", "km"),
        ("in_app", "sent", "km"),
    ]


def test_supervisors_of_the_province_and_nationwide_are_told_of_a_breach() -> None:
    national = make_user("supervisor")
    local = make_user("supervisor", province="KH-12")
    elsewhere = make_user("supervisor", province="KH-17")
    inactive = make_user("supervisor", active=False)
    case = make_case(province_code="KH-12").case
    emit(Notice(case.id, 3, "sla_breach", "supervisor"))
    told = {r.user_id for r in rows(case_id=case.id, channel="in_app")}
    assert told == {national.id, local.id}
    assert elsewhere.id not in told and inactive.id not in told


def test_weekly_digest_holds_counts_only_and_is_written_once_a_week() -> None:
    watcher = make_user("oversight", email="watch@example.org")
    make_case(complainant=person())
    assert weekly_digest() >= 2
    assert weekly_digest() == 0
    digest = rows(user_id=watcher.id, channel="in_app")
    assert len(digest) == 1
    context = digest[0].context
    assert context["filed"] >= 1
    assert set(context) == {"week", "filed", "closed", "open", "overdue"}


def test_a_case_filed_by_sms_gets_no_second_filed_sms() -> None:
    filed = make_case(complainant=person(), channel="sms")
    assert rows(case_id=filed.case.id) == []


def test_the_stop_check_of_a_shared_phone_is_one_key_lookup(count_queries: object) -> None:
    """A forum's or a family's phone may carry thousands of complaints; every SMS to it asks
    whether the number said STOP: one primary-key read, whatever the number of people."""
    db.session.execute(
        insert(Person),
        [{"phone": KM_PHONE, "sex": "female", "language": "km"} for _ in range(300)],
    )
    assert not outbox.phone_opted_out(KM_PHONE)
    services.opt_out(KM_PHONE)
    with count_queries() as seen:  # type: ignore[operator]
        assert outbox.phone_opted_out(KM_PHONE)
    assert len(seen) == 1 and "contact_opt_outs" in seen.sql[0]  # type: ignore[attr-defined]
    assert services.opt_in(KM_PHONE) and not outbox.phone_opted_out(KM_PHONE)
