"""Account use cases: the sign-in steps, passwords, creating users from the command line,
loading the user of a session.

Signing in is a small state machine whose state the view keeps in the session between
requests (`Pending`): the password step says what comes next, a one-time code for an
enrolled account, enrolment for one that must have a second step and has none yet, or
nothing. The steps take explicit arguments and never read the request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from grievance.auth import totp
from grievance.auth.models import User, UserRole
from grievance.auth.passwords import check_strength
from grievance.domain import ROLES
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.security import DUMMY_HASH, hash_password, verify_password

PENDING_SECONDS = 300  # between the password and the one-time code

DONE, CODE, ENROL = "done", "code", "enrol"


def load_user(session_id: str) -> User | None:
    """A session stays valid only while the user's session version is unchanged."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        verify_password(DUMMY_HASH, password)  # same cost whether or not the user exists
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


# -- signing in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A password accepted, the second step still to come."""

    user_id: int
    since: int  # epoch seconds


def password_step(username: str, password: str, *, relaxed: bool) -> tuple[User, str] | None:
    """The account and what comes next (DONE, CODE or ENROL), or None for a wrong
    password, an unknown or a deactivated account (one answer for all three)."""
    user = authenticate(username, password)
    if user is None:
        return None
    if totp.enabled(user):
        return user, CODE
    if totp.required(user, relaxed):
        return user, ENROL
    return user, DONE


def pending_user(pending: Pending | None, now: float) -> User | None:
    """The account a pending sign-in is for, while it is recent and the account active."""
    if pending is None or now - pending.since > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.user_id)
    return user if user is not None and user.active else None


def code_step(user: User, code: str) -> bool:
    """The one-time code of an enrolled account; each code works once."""
    return totp.enabled(user) and totp.accept(user, code)


def enrol_offer(user: User, sealed_seed: str | None) -> tuple[str, str]:
    """The seed to show (the one already offered, else a new one) and its sealed form for
    the session: the session cookie is signed, not encrypted, so the seed goes sealed."""
    seed = totp.open_offer(sealed_seed) or totp.new_seed()
    return seed, totp.seal_offer(seed)


def enrol_step(user: User, sealed_seed: str | None, code: str) -> bool:
    """Turn the second step on with the offered seed, once a code from it is typed."""
    seed = totp.open_offer(sealed_seed)
    return seed is not None and not totp.enabled(user) and totp.enrol(user, seed, code)


# -- passwords and accounts -------------------------------------------------------------------


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError("wrong_password")
    check_strength(new, user)
    user.password_hash = hash_password(new)


def create_user(
    username: str,
    password: str,
    name: str,
    roles: list[tuple[str, str | None]],
    *,
    language: str = "km",
    organisation_id: int | None = None,
    sex: str = "not_stated",
) -> User:
    """An account from the command line or the demo seed (administrators use the screens
    of `grievance.admin`, which check their scope and write the audit log)."""
    username = username.strip().lower()
    check_strength(password)
    unknown = [r for r, _ in roles if r not in ROLES]
    if unknown:
        raise DomainError("unknown_role", ", ".join(unknown))
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise DomainError("username_taken", username)
    user = User(
        username=username,
        name=name,
        password_hash=hash_password(password),
        language=language,
        organisation_id=organisation_id,
        sex=sex,
    )
    user.roles = [UserRole(role=r, province_code=p) for r, p in roles]
    db.session.add(user)
    db.session.flush()
    return user
