"""One-time links to a case's status page, for messages sent to the complainant.

    from grievance.tracking.links import create_tracking_link
    url = create_tracking_link(case)   # flushes a row; the caller's commit keeps it

The URL holds a random 128-bit token and nothing else (no reference, no secret, no
personal data); only the token's SHA-256 is stored. It opens the case once, within
LINK_DAYS; afterwards the complainant types the reference and secret.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from grievance.cases.models import Case
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.integrations import public_url
from grievance.tracking.models import TrackingLink
from grievance.types import utcnow

LINK_DAYS = 7
LINK_PATH = "/track/l/"
TOKEN_BYTES = 16  # 128 bits: short enough for an SMS, far beyond guessing
MAX_TOKEN = 64


class LinkGone(DomainError):
    """The link was used already, or is unknown or too old. `case_id` only when used."""

    status = 410

    def __init__(self, code: str, case_id: int | None = None) -> None:
        super().__init__(code)
        self.case_id = case_id


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_tracking_link(case: Case, *, at: datetime | None = None, days: int = LINK_DAYS) -> str:
    """A full URL (PUBLIC_BASE_URL + /track/l/<token>) that opens `case` once."""
    at = at or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(
        TrackingLink(
            case_id=case.id,
            token_hash=_digest(token),
            created_at=at,
            expires_at=at + timedelta(days=days),
        )
    )
    db.session.flush()
    return public_url(LINK_PATH + token)


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
