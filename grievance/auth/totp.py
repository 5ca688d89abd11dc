"""Time-based one-time codes for staff (RFC 6238 via pyotp). Required for admin and
oversight accounts; any staff member may turn it on."""

from __future__ import annotations

import pyotp
import segno

from grievance.auth.models import User
from grievance.crypto import seal, unseal
from grievance.khmer import ascii_digits

REQUIRED_FOR = ("admin", "oversight")
PURPOSE = "totp"
ISSUER = "Samleng"


def required(user: User) -> bool:
    return user.has_role(*REQUIRED_FOR)


def enabled(user: User) -> bool:
    return bool(user.totp_secret)


def new_seed() -> str:
    return pyotp.random_base32()


def code_matches(seed: str, code: str) -> bool:
    cleaned = "".join(c for c in ascii_digits(code) if c.isascii() and c.isdigit())
    return len(cleaned) == 6 and pyotp.TOTP(seed).verify(cleaned, valid_window=1)


def verify(user: User, code: str) -> bool:
    seed = unseal(user.totp_secret, PURPOSE)
    return seed is not None and code_matches(seed, code)


def enrol(user: User, seed: str, code: str) -> bool:
    """Turn the second factor on once the user proves their app produces the codes."""
    if not code_matches(seed, code):
        return False
    user.totp_secret = seal(seed, PURPOSE)
    return True


def provisioning_svg(user: User, seed: str) -> str:
    """A QR code (SVG, no inline style) an authenticator app can scan."""
    uri = pyotp.TOTP(seed).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4, omitsize=False)
