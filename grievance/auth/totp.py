"""Time-based one-time codes for staff (RFC 6238 via pyotp). Everyone who sees
complainants' identities signs in with one; SECOND_STEP_RELAXED (development only, refused
in production) limits it to administrators and oversight.

A code is good once: the time step of the last accepted code is stored, and a code of that
step or an earlier one is refused, by one conditional UPDATE (so two requests racing with
the same code cannot both win)."""

from __future__ import annotations

import time

import pyotp
import segno
from sqlalchemy import or_, update

from grievance.auth.models import User
from grievance.crypto import seal, unseal
from grievance.extensions import db
from grievance.khmer import ascii_digits

REQUIRED_FOR = ("intake", "officer", "supervisor", "admin", "oversight")
RELAXED_REQUIRED_FOR = ("admin", "oversight")
PURPOSE = "totp"
ENROL_PURPOSE = "totp_enrol"  # the seed offered during enrolment, sealed in the session
ISSUER = "Samleng"
STEP = 30


def required(user: User, relaxed: bool = False) -> bool:
    return user.has_role(*(RELAXED_REQUIRED_FOR if relaxed else REQUIRED_FOR))


def enabled(user: User) -> bool:
    return bool(user.totp_secret)


def new_seed() -> str:
    return pyotp.random_base32()


def _digits(code: str) -> str:
    return "".join(c for c in ascii_digits(code) if c.isascii() and c.isdigit())


def matching_step(seed: str, code: str, now: float | None = None) -> int | None:
    """The time step (previous, current or next) whose code this is, or None."""
    cleaned = _digits(code)
    if len(cleaned) != 6:
        return None
    moment = time.time() if now is None else now
    totp = pyotp.TOTP(seed)
    current = int(moment) // STEP
    for step in (current, current - 1, current + 1):
        if pyotp.utils.strings_equal(totp.at(step * STEP), cleaned):
            return step
    return None


def _spend(user: User, step: int) -> bool:
    """Record `step` as used unless it, or a later one, already was."""
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    user.totp_last_step = step
    return True


def accept(user: User, code: str, now: float | None = None) -> bool:
    """Whether `code` is the user's and was never used before (it is spent now)."""
    seed = unseal(user.totp_secret, PURPOSE)
    step = matching_step(seed, code, now) if seed is not None else None
    return step is not None and _spend(user, step)


def enrol(user: User, seed: str, code: str, now: float | None = None) -> bool:
    """Turn the second step on once the user proves their app produces the codes."""
    step = matching_step(seed, code, now)
    if step is None:
        return False
    user.totp_secret = seal(seed, PURPOSE)
    user.totp_last_step = step
    return True


def seal_offer(seed: str) -> str:
    return seal(seed, ENROL_PURPOSE)


def open_offer(sealed: str | None) -> str | None:
    return unseal(sealed, ENROL_PURPOSE)


def provisioning_svg(user: User, seed: str) -> str:
    """A QR code (SVG, no inline style) an authenticator app can scan."""
    uri = pyotp.TOTP(seed).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4, omitsize=False)
