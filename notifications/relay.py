"""The relay: send jobs that deliver outbox rows exactly once, and the sweep behind them.

A send job claims its row with a conditional UPDATE and commits the claim before the
provider hears anything, so two workers never both send. The provider's id and the "sent"
status are written in one UPDATE. A row found still claimed after its lease belonged to a
worker that died; the next attempt first asks the provider whether the message already
arrived, and only sends when it did not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from babel.numbers import format_decimal
from flask import current_app
from sqlalchemy import CursorResult, bindparam, select, update

from grievance import jobs, uow
from grievance.cases import people
from grievance.cases.models import Case, Person
from grievance.extensions import db
from grievance.integrations import public_url
from grievance.types import utcnow
from notifications import complainant_sms, crypto, messages, rules
from notifications.channels import (
    Channel,
    DeliveryError,
    Message,
    PermanentError,
    RecipientBlocked,
    RecipientOptedOut,
    TemporaryError,
    channel_for,
)
from notifications.models import Notification
from notifications.outbox import (
    QUEUED_TIMEOUT,
    add,
    digest_context,
    person_recipient,
    phone_opted_out,
)

log = logging.getLogger(__name__)
# After the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
# Longer than an RQ job may run (600 s): a claim older than this has no living worker.
LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = len(BACKOFF) + 1
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Claim:
    id: int
    attempt: int
    in_doubt: bool  # an earlier attempt may have reached the provider


@jobs.job(queue="notifications")
def send_notification(notification_id: int) -> None:
    claim = _claim(notification_id, utcnow())
    if claim is None:
        return
    uow.checkpoint()  # the claim must be durable before the provider is called
    _deliver(claim)


@jobs.job(queue="notifications")
def send_batch(*notification_ids: int) -> int:
    """Send many rows in one job (a batch of notices written together), each exactly as
    `send_notification` sends one: the claims are taken in one UPDATE and committed before
    any provider is called, then each row is sent, and the outcomes are written fenced
    by attempt, a few UPDATEs for the lot. A worker dying midway leaves the rest claimed:
    the sweep hands them out again after the lease, asking the provider first. Returns
    how many rows this job attempted."""
    claims = _claim_batch([int(i) for i in notification_ids], utcnow())
    if not claims:
        return 0
    uow.checkpoint()
    # One SELECT brings the claimed rows back after the commit (not one per row).
    claimed = [c.id for c in claims]
    _keep_alive = list(db.session.scalars(select(Notification).where(Notification.id.in_(claimed))))
    outcomes: list[Outcome] = []
    channels: dict[str, Channel] = {}
    for claim in claims:
        _deliver(claim, outcomes, channels)
    _record(outcomes)
    return len(claims)


@jobs.job(queue="sla")
def send_digests(*notification_ids: int) -> int:
    """Send folded e-mails (`outbox.digested`), each first folded with the person's other
    e-mails of the same kind still waiting: one e-mail for a catch-up, not one per batch.
    On the SLA queue, so that it runs behind the handling jobs queued before it (a sweep
    after an outage queues them all at once), when their e-mails are written."""
    return send_batch(*fold_digests([int(i) for i in notification_ids]))


def fold_digests(notification_ids: list[int]) -> list[int]:
    """Fold each of these rows, still queued and unclaimed, with the queued and unclaimed
    folded e-mails of the same template to the same person: the oldest row takes every
    case of the others, which are cancelled as "folded" (rows another worker holds are
    skipped: at worst one more e-mail). The rows left to send."""
    table = Notification.__table__
    waiting = (table.c.status == "queued", table.c.claimed_at.is_(None))
    mine = select(table.c.user_id, table.c.template).where(
        table.c.id.in_(notification_ids), *waiting
    )
    kept: list[int] = []
    for user_id, template in db.session.execute(mine.distinct()).tuples().all():
        group = (
            select(table.c.id, table.c.context)
            .where(table.c.user_id == user_id, table.c.template == template)
            .where(table.c.channel == rules.EMAIL, *waiting)
            .order_by(table.c.id)
            .with_for_update(skip_locked=True)
        )
        rows = db.session.execute(group).tuples().all()
        if not rows:
            continue
        first, *others = rows
        kept.append(first[0])
        if not others:
            continue
        cases = list(dict.fromkeys(ref for _id, c in rows for ref in c.get("cases", [])))
        context = {**first[1], **digest_context(cases)} if cases else dict(first[1])
        # Rows written before the folded e-mails kept their cases count as they said.
        context["count"] = len(cases) + sum(c["count"] for _id, c in rows if "cases" not in c)
        db.session.execute(update(table).where(table.c.id == first[0]).values(context=context))
        folded = [row_id for row_id, _context in others]
        db.session.execute(
            update(table)
            .where(table.c.id.in_(folded))
            .values(status="cancelled", last_error=f"folded into {first[0]}", next_attempt_at=None)
        )
    return sorted(kept)


def _claim_batch(notification_ids: list[int], now: datetime) -> list[Claim]:
    """Claim the rows that are queued and not held, in one UPDATE; a row held by an
    earlier attempt goes through `_claim` (its lease decides)."""
    query = select(Notification.id, Notification.claimed_at).where(
        Notification.id.in_(notification_ids),
        Notification.status == "queued",
        Notification.channel.in_(tuple(rules.SENT_BY_JOB)),
    )
    found = db.session.execute(query.order_by(Notification.id)).tuples().all()
    free = [row_id for row_id, held in found if held is None]
    claims: list[Claim] = []
    if free:
        table = Notification.__table__
        stmt = (
            update(table)
            .where(table.c.id.in_(free), table.c.status == "queued", table.c.claimed_at.is_(None))
            .values(claimed_at=now, attempts=table.c.attempts + 1, next_attempt_at=now + LEASE)
            .returning(table.c.id, table.c.attempts, table.c.last_error)
        )
        for row_id, attempt, last_error in db.session.execute(stmt).tuples():
            claims.append(Claim(row_id, attempt, in_doubt=last_error is not None))
    for row_id, held in found:
        if held is not None and (claim := _claim(row_id, now)) is not None:
            claims.append(claim)
    return sorted(claims, key=lambda c: c.id)


def _claim(notification_id: int, now: datetime) -> Claim | None:
    row = db.session.get(Notification, notification_id)
    if row is None or row.status != "queued" or row.channel not in rules.SENT_BY_JOB:
        return None
    held = row.claimed_at
    if held is not None and held > now - LEASE:
        return None  # a living worker has it
    stmt = (
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == "queued",
            Notification.claimed_at.is_(None) if held is None else Notification.claimed_at == held,
        )
        .values(claimed_at=now, attempts=Notification.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], db.session.execute(stmt)).rowcount != 1:
        return None  # another worker claimed it first
    db.session.refresh(row)
    return Claim(row.id, row.attempts, in_doubt=held is not None or row.last_error is not None)


@dataclass(frozen=True)
class Outcome:
    """A send's result, written later with others (`_record`)."""

    id: int
    attempt: int
    status: str
    values: dict[str, Any]


def _deliver(
    claim: Claim,
    outcomes: list[Outcome] | None = None,
    channels: dict[str, Channel] | None = None,
) -> None:
    """Send one claimed row and record the outcome (into `outcomes`, if given, for the
    caller to write; `channels` keeps one channel object per channel for a batch)."""
    row = db.session.get(Notification, claim.id)
    if row is None:
        return

    def finish(status: str, **values: Any) -> None:
        _finish(row, claim, status=status, into=outcomes, **values)

    if row.channel == rules.SMS and phone_opted_out(row.address):
        finish("cancelled", last_error="opted_out")
        return
    if row.channel in rules.CHAT_CHANNELS and people.opted_out(row.channel, row.address):
        _by_sms_instead(row)
        finish("cancelled", last_error="opted_out")
        return
    try:
        message = _compose(row)
        known = channels.get(row.channel) if channels is not None else None
        channel = known or channel_for(row.channel)
        if channels is not None:
            channels[row.channel] = channel
        provider_id = channel.lookup(message, row.created_at) if claim.in_doubt else None
        if provider_id is None:
            if claim.attempt > MAX_ATTEMPTS:  # workers keep dying on this row: tell admins
                raise PermanentError(f"gave up after {MAX_ATTEMPTS} attempts")
            provider_id = channel.send(message)
    except RecipientOptedOut:
        # The gateway knows of a STOP we missed: record it, so nothing more is tried.
        from notifications.services import opt_out

        opt_out(row.address or "")
        finish("cancelled", last_error="opted_out")
    except RecipientBlocked:
        # She blocked the bot: remembered (her /start lifts it), and the message goes by SMS.
        people.record_opt_out(row.channel, row.address or "")
        _by_sms_instead(row)
        finish("failed", last_error="blocked")
    except DeliveryError as error:
        _failed(row, claim, error, outcomes)
    except Exception as error:  # a bug must not leave the row claimed and retried forever
        log.exception("notification %s: unexpected error", row.id)
        _failed(row, claim, TemporaryError(type(error).__name__), outcomes)
    else:
        finish("sent", provider_id=provider_id, sent_at=utcnow(), last_error=None)


def _failed(
    row: Notification, claim: Claim, error: DeliveryError, into: list[Outcome] | None = None
) -> None:
    final = isinstance(error, PermanentError) or claim.attempt >= MAX_ATTEMPTS
    log.info("notification %s attempt %s failed: %s", row.id, claim.attempt, error)
    if final:
        _finish(row, claim, status="failed", last_error=str(error), into=into)
    else:
        wait = BACKOFF[claim.attempt - 1]
        asked = getattr(error, "retry_after", None)
        if isinstance(asked, int) and asked > 0:
            wait = timedelta(seconds=asked)  # the provider said how long (Telegram's 429)
        retry_at = utcnow() + wait
        _finish(
            row, claim, status="pending", last_error=str(error), next_attempt_at=retry_at, into=into
        )


def _by_sms_instead(row: Notification) -> None:
    """A chat message that cannot be delivered goes once by SMS to her number on file
    (written as its own outbox row, keyed to this one, so a retry cannot send two)."""
    person = db.session.get(Person, row.person_id) if row.person_id is not None else None
    if person is None or not person.phone:
        return
    recipient = person_recipient(person)
    add(
        f"{row.idempotency_key}:fallback",
        rules.SMS,
        row.template,
        recipient,
        row.context,
        case_id=row.case_id,
    )


def _finish(
    row: Notification,
    claim: Claim,
    *,
    status: str,
    into: list[Outcome] | None = None,
    **values: Any,
) -> None:
    """Record the outcome, fenced by the attempt number so a stale worker cannot (now,
    or, given `into`, when the caller writes the batch's outcomes)."""
    values.setdefault("next_attempt_at", None)
    if status != "pending":
        values["context"] = scrubbed(row.context)  # sent or given up: the secret goes
    if into is not None:
        into.append(Outcome(row.id, claim.attempt, status, values))
        return
    stmt = (
        update(Notification)
        .where(Notification.id == row.id, Notification.attempts == claim.attempt)
        .values(status=status, claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], db.session.execute(stmt)).rowcount != 1:
        log.warning("notification %s: attempt %s lost its claim", row.id, claim.attempt)
    db.session.expire(row)


def _record(outcomes: list[Outcome]) -> None:
    """Write a batch's outcomes: one executemany UPDATE per set of columns written, each
    row fenced by its attempt number as `_finish` fences one."""
    table = Notification.__table__
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for outcome in outcomes:
        names = ("status", *sorted(outcome.values))
        params = {f"v_{k}": v for k, v in outcome.values.items()}
        params.update(b_id=outcome.id, b_attempt=outcome.attempt, v_status=outcome.status)
        groups.setdefault(names, []).append(params)
    for names, rows in groups.items():
        values = {name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.attempts == bindparam("b_attempt"))
            .values(claimed_at=None, **values)
        )
        written = cast(CursorResult[Any], db.session.execute(stmt, rows)).rowcount
        if written >= 0 and written != len(rows):
            log.warning(
                "notifications: %s of %s outcomes lost their claim", len(rows) - written, len(rows)
            )


def scrubbed(context: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in (context or {}).items() if k != "secret_sealed"}


def _compose(row: Notification) -> Message:
    try:
        return compose(row)
    except (messages.MissingMessage, KeyError, IndexError, ValueError):
        raise PermanentError("template or its values missing") from None


def compose(row: Notification) -> Message:
    """The text the recipient gets, in the recipient's language (never the request's)."""
    values = scrubbed(row.context)
    if "reference" not in values:
        values["reference"] = _reference(row.case_id)
    address = row.address or ""
    if row.channel == rules.SMS or row.channel in rules.CHAT_CHANNELS:
        secret = crypto.unseal(row.context.get("secret_sealed"))
        text = complainant_sms.body(row, secret)
        return Message(row.idempotency_key, row.channel, address, text)
    return email_message(row, values, address)


def email_message(row: Notification, values: dict[str, Any], address: str) -> Message:
    lang = row.language
    if isinstance(values.get("count"), int):  # 23,000 cases, not 23000
        values = {**values, "count": format_decimal(values["count"], locale=lang)}
    subject = messages.text(row.template, "title", lang, **values)
    lines = [messages.text(row.template, "text", lang, **values)]
    url = inbox_url() if values.get("list") == "inbox" else case_url(values.get("reference"))
    if url:
        lines.append(messages.text("_email", "open", lang, url=url))
    footer = messages.text("_email", "footer", lang)
    template = current_app.jinja_env.get_template("notifications/email.html")
    html = template.render(lang=lang, subject=subject, lines=lines, url=url, footer=footer)
    body = "\n\n".join([*lines, "--", footer])
    return Message(row.idempotency_key, row.channel, address, body, subject=subject, html=html)


def case_url(reference: str | None) -> str:
    if not reference:
        return ""
    from werkzeug.routing import BuildError

    try:
        path = current_app.url_map.bind("localhost").build("cases.show", {"reference": reference})
    except BuildError:
        return ""
    return public_url(path)


def inbox_url() -> str:
    """The staff member's notifications, for an e-mail that stands for many of them."""
    return public_url(current_app.url_map.bind("localhost").build("notifications.index"))


def _reference(case_id: int | None) -> str:
    if case_id is None:
        return ""
    return db.session.scalar(select(Case.reference).where(Case.id == case_id)) or ""


def sweep(now: datetime | None = None) -> int:
    """Hand over again every row whose time has come: retries that are due, queued rows
    whose job was lost, claimed rows whose worker died. Level-triggered: run it often.
    The caller commits; the jobs leave after the commit."""
    now = now or utcnow()
    due = select(Notification).where(
        Notification.status.in_(("pending", "queued")),
        Notification.next_attempt_at <= now,
        Notification.channel.in_(tuple(rules.SENT_BY_JOB)),
    )
    rows = list(db.session.scalars(due.order_by(Notification.id).limit(SWEEP_BATCH)))
    for row in rows:
        row.status = "queued"
        # A claimed row keeps its claim: the job takes it over only once the lease is out.
        row.next_attempt_at = now + QUEUED_TIMEOUT
        jobs.enqueue(send_notification, row.id)
    db.session.flush()
    return len(rows)


@jobs.job(queue="notifications")
def sweep_job() -> int:
    """On every scheduler tick: hand over rows whose job was lost (a flushed Redis, a
    killed worker), retries that are due and stale claims. The job's unit of work commits."""
    return sweep()
