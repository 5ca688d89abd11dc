"""Lost codes, recovered safely: a new secret for a case, only for its complainant.

- With a phone on file, the officer on the call sends a one-time code to that phone; the
  caller reads it back; then the case gets a new secret (read out to the caller, and sent
  by SMS to the phone on file). The complainant can also ask for it herself on the public
  page by typing the reference and the phone number on file.
- Without a phone (anonymous, or no number given), the officer records which identity
  checks the caller passed, with a note; at least MIN_CHECKS are needed.
Either way the old secret stops working, every one-time link sent before is revoked, and
the timeline says who gave a new secret and how (never the secret itself).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from limits import parse
from sqlalchemy import select

from grievance.auth.models import User
from grievance.cases import events, policy, transitions
from grievance.cases.models import Case
from grievance.cases.queries import case_by_reference
from grievance.cases.services import server_key
from grievance.effects import Notice, emit
from grievance.errors import DomainError, Forbidden
from grievance.extensions import db
from grievance.phones import to_e164
from grievance.ratelimit import limiter
from grievance.security import hash_secret, new_secret
from grievance.tracking.links import revoke_links
from grievance.tracking.models import SecretCheck
from grievance.types import utcnow
from workflows.i18n import N_

CODE_MINUTES = 10
CODE_TRIES = 5
CODE_DIGITS = 6
MIN_CHECKS = 2
MAX_NOTE = 1000
SELF_SERVICE_LIMIT = "3/day"  # new secrets a reference may ask for itself
RECOVERY_ROLES = ("intake", "officer", "supervisor")
IDENTITY_CHECKS = {
    "described_complaint": N_("Described what the complaint is about, in their own words"),
    "knew_when": N_("Knew roughly when it was filed"),
    "knew_where": N_("Knew the province and the workplace or facility concerned"),
    "knew_reference": N_("Read out the case reference"),
    "showed_document": N_("Showed an identity card or NSSF card at an office"),
}


def may_recover(user: User, case: Case) -> bool:
    return user.has_role(*RECOVERY_ROLES) and policy.can_view(user, case)


def phone_on_file(case: Case) -> str | None:
    return case.complainant.phone if case.complainant is not None else None


def _code_hash(code: str) -> str:
    digits = "".join(c for c in code if c.isdigit())
    key = server_key().encode()
    return hmac.new(key, b"secret-check:" + digits.encode(), hashlib.sha256).hexdigest()


def send_check(case: Case, staff: User, at: datetime | None = None) -> SecretCheck:
    """Text a one-time code to the phone on file (the caller reads it back)."""
    at = at or utcnow()
    if not may_recover(staff, case):
        raise Forbidden("not_allowed")
    if phone_on_file(case) is None:
        raise DomainError("no_phone_on_file")
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    check = SecretCheck(
        case_id=case.id,
        staff_id=staff.id,
        code_hash=_code_hash(code),
        attempts=0,
        created_at=at,
        expires_at=at + timedelta(minutes=CODE_MINUTES),
    )
    db.session.add(check)
    event = events.record(
        case, "secret_check", actor_id=staff.id, actor_role=transitions.actor_role(staff), at=at
    )
    db.session.flush()
    emit(Notice(case.id, event.seq, "secret_check", "complainant", context={"secret": code}))
    return check


def reissue_with_code(case: Case, staff: User, code: str, at: datetime | None = None) -> str:
    """The caller read back the code: give the case a new secret. Each wrong code counts
    (the caller commits the attempt); after CODE_TRIES the code is spent."""
    at = at or utcnow()
    if not may_recover(staff, case):
        raise Forbidden("not_allowed")
    check = db.session.scalar(
        select(SecretCheck)
        .where(
            SecretCheck.case_id == case.id,
            SecretCheck.staff_id == staff.id,
            SecretCheck.used_at.is_(None),
            SecretCheck.expires_at > at,
        )
        .order_by(SecretCheck.id.desc())
        .limit(1)
    )
    if check is None or check.attempts >= CODE_TRIES:
        raise DomainError("no_code_sent")
    check.attempts += 1
    if not hmac.compare_digest(check.code_hash, _code_hash(code)):
        db.session.flush()
        raise DomainError("wrong_code")
    check.used_at = at
    return _reissue(case, staff, {"method": "code_to_phone_on_file"}, at)


def reissue_with_checks(
    case: Case, staff: User, checks: Sequence[str], note: str, at: datetime | None = None
) -> str:
    """No phone on file: the officer records the identity checks the caller passed."""
    if not may_recover(staff, case):
        raise Forbidden("not_allowed")
    if phone_on_file(case) is not None:
        raise DomainError("use_the_code")  # a number on file: the stronger check applies
    passed = sorted({c for c in checks if c in IDENTITY_CHECKS})
    note = " ".join(note.split())[:MAX_NOTE]
    if len(passed) < MIN_CHECKS or not note:
        raise DomainError("not_enough_checks")
    data = {"method": "identity_checks", "checks": passed, "note": note}
    return _reissue(case, staff, data, at or utcnow())


def request_by_phone(reference: str, phone: str, at: datetime | None = None) -> None:
    """The public page: a new secret to the phone on file, if reference and number match.
    Nothing tells the asker whether they did (the page says the same either way)."""
    case = case_by_reference(reference)
    typed = to_e164(phone)
    if case is None or typed is None or phone_on_file(case) != typed:
        return
    item = parse(SELF_SERVICE_LIMIT)
    if current_app.config.get("RATELIMIT_ENABLED", True) and not limiter.limiter.hit(
        item, "self-service-secret", str(case.id)
    ):
        return
    _reissue(case, None, {"method": "asked_from_phone_on_file"}, at or utcnow())


def _reissue(case: Case, staff: User | None, data: dict[str, Any], at: datetime) -> str:
    secret = new_secret()
    case.secret_hash = hash_secret(secret, server_key())
    case.updated_at = at
    revoke_links(case, at)
    event = events.record(
        case,
        "secret_reissued",
        actor_id=staff.id if staff else None,
        actor_role=transitions.actor_role(staff) if staff else "complainant",
        data=data,
        at=at,
    )
    db.session.flush()
    if phone_on_file(case) is not None:
        context = {"secret": secret}
        emit(Notice(case.id, event.seq, "secret_reissued", "complainant", context=context))
    return secret
