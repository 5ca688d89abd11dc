"""One-time links to a case's status page, for messages sent to the complainant.

    from grievance.tracking.links import ensure_link
    url = ensure_link(case, f"outbox:{row.id}")   # the same URL for the same purpose

The URL holds a token and nothing else (no reference, no secret, no personal data): 96
bits, short enough for an SMS, derived from the message it travels in under the server
key (so composing the message again gives the same text) and stored only as its SHA-256.
It opens the case once, within LINK_DAYS; afterwards the complainant types the reference
and secret. Giving the complainant a new secret revokes every link of the case.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from grievance.cases.models import Case
from grievance.cases.services import server_key
from grievance.errors import DomainError
from grievance.extensions import db, insert_unless_present
from grievance.tracking.models import TrackingLink
from grievance.types import utcnow

LINK_DAYS = 7
LINK_PATH = "/t/"  # short: every character of an SMS counts
TOKEN_BYTES = 12  # 96 bits: 16 characters, far beyond guessing for a single-use link
MAX_TOKEN = 64


class LinkGone(DomainError):
    """The link was used already, or is unknown or too old. `case_id` only when used."""

    status = 410

    def __init__(self, code: str, case_id: int | None = None) -> None:
        super().__init__(code)
        self.case_id = case_id


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _url(token: str) -> str:
    base = str(current_app.config["SAMLENG"].PUBLIC_BASE_URL).rstrip("/")
    return f"{base}{LINK_PATH}{token}"


def _store(case: Case, token: str, at: datetime, days: int) -> None:
    values = {
        "case_id": case.id,
        "token_hash": _digest(token),
        "created_at": at,
        "expires_at": at + timedelta(days=days),
    }
    db.session.execute(
        insert_unless_present(TrackingLink)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["token_hash"])
    )


def create_tracking_link(case: Case, *, at: datetime | None = None, days: int = LINK_DAYS) -> str:
    """A fresh URL (PUBLIC_BASE_URL + /t/<token>) that opens `case` once (a QR code on a
    printed slip, a link shown to staff to give on the phone)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    _store(case, token, at or utcnow(), days)
    return _url(token)


def ensure_link(case: Case, purpose: str, *, at: datetime | None = None) -> str:
    """The URL for `purpose` (one per outbox message): made on first use, the same after."""
    digest = hmac.new(server_key().encode(), f"tracking-link:{purpose}".encode(), "sha256")
    token = base64.urlsafe_b64encode(digest.digest()[:TOKEN_BYTES]).decode().rstrip("=")
    _store(case, token, at or utcnow(), LINK_DAYS)
    return _url(token)


def revoke_links(case: Case, at: datetime | None = None) -> None:
    """Links sent before a new secret no longer open the case."""
    db.session.execute(
        update(TrackingLink)
        .where(TrackingLink.case_id == case.id, TrackingLink.used_at.is_(None))
        .values(expires_at=at or utcnow())
        .execution_options(synchronize_session=False)
    )


def check_link(token: str, at: datetime | None = None) -> TrackingLink:
    """The unused, unexpired link for `token`, or LinkGone."""
    at = at or utcnow()
    link = None
    if 0 < len(token) <= MAX_TOKEN:
        link = db.session.scalar(
            select(TrackingLink).where(TrackingLink.token_hash == _digest(token))
        )
    if link is None:
        raise LinkGone("link_unknown")
    if link.used_at is not None:
        raise LinkGone("link_used", link.case_id)
    if link.expires_at <= at:
        raise LinkGone("link_expired")
    return link


def use_link(token: str, at: datetime | None = None) -> int:
    """Spend the link; return its case id. Two taps at once: only one of them wins."""
    at = at or utcnow()
    link = check_link(token, at)
    spent = db.session.execute(
        update(TrackingLink)
        .where(TrackingLink.id == link.id, TrackingLink.used_at.is_(None))
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkGone("link_used", link.case_id)
    return link.case_id
