"""Factories for tests: plain functions building valid objects with overridable fields."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from argon2 import PasswordHasher

from grievance.auth.models import User, UserRole
from grievance.cases.services import Filed, NewCase, PersonData, file_case
from grievance.extensions import db
from grievance.intake.models import Forum

PASSWORD = "correct horse battery"
# Test users' password, hashed once with cheap Argon2id parameters: verifying a hash made with
# the library's defaults (what the app's hash_password writes) costs 0.1 to 1 s of CPU per
# sign-in, and the tests sign in hundreds of times. The app's hashing is not changed.
_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
_counter = itertools.count(1)


def make_user(
    *roles: str, province: str | None = None, username: str | None = None, **fields: Any
) -> User:
    n = next(_counter)
    user = User(
        username=username or f"user{n}",
        name=fields.pop("name", f"Test User {n}"),
        password_hash=_PASSWORD_HASH,
        language=fields.pop("language", "en"),
        **fields,
    )
    user.roles = [UserRole(role=r, province_code=province) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def make_case(*, at: datetime | None = None, **overrides: Any) -> Filed:
    """A case filed through the real service (at `at`, default now); `overrides` are
    NewCase fields (`complainant=None` files an anonymous case)."""
    complainant = overrides.pop("complainant", PersonData(phone="+85512345678", sex="female"))
    data = NewCase(
        category_code=overrides.pop("category_code", "contributions"),
        province_code=overrides.pop("province_code", "KH-12"),
        description=overrides.pop(
            "description", "The factory deducts NSSF money but never pays it."
        ),
        channel=overrides.pop("channel", "web"),
        complainant=complainant,
        **overrides,
    )
    return file_case(data, at=at)


def make_forum(province_code: str, held: date, **overrides: Any) -> Forum:
    """A one-day community forum in `province_code`, flushed."""
    fields: dict[str, Any] = {"title": "Workers' forum", "level": "community", "venue": "Hall"}
    forum = Forum(
        **{**fields, **overrides}, province_code=province_code, start_date=held, end_date=held
    )
    db.session.add(forum)
    db.session.flush()
    return forum


def swapped(reference: str) -> str:
    """`reference` with two neighbouring characters swapped, as a hurried hand types it:
    the first such swap that is no valid reference. (About one in 75 spells a valid
    reference of the older alphabet, which is then looked up as one, not named a typo.)"""
    from grievance.security import normalize_reference

    chars = reference.replace("-", "")
    swaps = (
        chars[:i] + chars[i + 1] + chars[i] + chars[i + 2 :]
        for i in range(len(chars) - 1)
        if chars[i] != chars[i + 1]
    )
    return next(s for s in swaps if normalize_reference(s) is None)
