"""One-time password set-up links: a new account's first password, or a new one after an
administrator's reset. The link carries a random token; only its MAC is stored, it works
once and for SETUP_HOURS."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from grievance.auth.models import User
from grievance.auth.passwords import check_strength
from grievance.errors import NotFound
from grievance.extensions import db
from grievance.keys import server_mac
from grievance.security import hash_password
from grievance.types import utcnow

SETUP_HOURS = 72


def _digest(token: str) -> str:
    return server_mac("account_setup", token).hex()


def issue(user: User) -> str:
    """A new link for `user` (an older one stops working); the token is returned once."""
    token = secrets.token_urlsafe(24)
    user.setup_token_hash = _digest(token)
    user.setup_expires_at = utcnow() + timedelta(hours=SETUP_HOURS)
    return token


def holder(token: str) -> User:
    """The active account a set-up token belongs to, or NotFound (unknown, used, expired)."""
    if not token or len(token) > 100:
        raise NotFound("setup_link")
    user = db.session.scalar(select(User).where(User.setup_token_hash == _digest(token)))
    if (
        user is None
        or not user.active
        or user.setup_expires_at is None
        or user.setup_expires_at < utcnow()
    ):
        raise NotFound("setup_link")
    return user


def complete(token: str, password: str) -> User:
    """Set the password and spend the link. Every older session ends."""
    user = holder(token)
    check_strength(password, user)
    user.password_hash = hash_password(password)
    user.setup_token_hash = None
    user.setup_expires_at = None
    user.session_version = (user.session_version or 1) + 1
    return user
