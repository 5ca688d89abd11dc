"""Account use cases: authenticate, create users, load the user of a session."""

from __future__ import annotations

from sqlalchemy import select

from grievance.auth.models import User, UserRole
from grievance.domain import ROLES
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.security import DUMMY_HASH, hash_password, verify_password

MIN_PASSWORD = 10


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


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError("wrong_password")
    if len(new) < MIN_PASSWORD:
        raise DomainError("password_too_short", f"at least {MIN_PASSWORD} characters")
    user.password_hash = hash_password(new)


def set_active(user: User, active: bool) -> None:
    """Deactivating also ends every session the user has."""
    user.active = active
    if not active:
        user.session_version = (user.session_version or 1) + 1


ACCOUNT_ACTIONS = ("deactivate", "activate", "reset_code")


def account_action(actor: User, user: User, action: str) -> None:
    """An administrator deactivates or reactivates an account, or resets its second
    sign-in step (which also ends its sessions). Nobody deactivates their own account."""
    if action not in ACCOUNT_ACTIONS:
        raise DomainError("unknown_action", action)
    if action == "deactivate" and user.id == actor.id:
        raise DomainError("own_account")
    if action == "reset_code":
        user.totp_secret = None
        user.session_version = (user.session_version or 1) + 1
    else:
        set_active(user, action == "activate")


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
    username = username.strip().lower()
    if len(password) < MIN_PASSWORD:
        raise DomainError("password_too_short", f"at least {MIN_PASSWORD} characters")
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
