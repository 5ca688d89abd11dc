"""Case references, tracking secrets and password hashing."""

from __future__ import annotations

import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from grievance.keys import mac
from grievance.khmer.keys import identifier_key

# No 0/O, 1/I/L: nothing a caller can mishear or a worker mistype on a basic phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_BODY = 7
SECRET_LENGTH = 12  # 31**12 ≈ 2**59.4

_hasher = PasswordHasher()  # Argon2id, library defaults (above OWASP's minimum)


def _weighted(chars: str) -> int:
    return sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(chars))


def _check_char(body: str) -> str:
    """Position-weighted sum mod 31 (a prime): one wrong character or two swapped
    neighbours always change the sum, so the check character catches them."""
    n = len(ALPHABET)
    weight = len(body) + 1
    value = (-_weighted(body) * pow(weight, -1, n)) % n
    return ALPHABET[value]


def new_reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_BODY))
    full = body + _check_char(body)
    return f"{full[:4]}-{full[4:]}"


def normalize_reference(raw: str) -> str | None:
    """The canonical form of a typed reference (Khmer or Latin digits, any case, spaces or
    dashes anywhere), or None if it cannot be one of ours."""
    chars = identifier_key(raw)
    if len(chars) != REFERENCE_BODY + 1 or any(c not in ALPHABET for c in chars):
        return None
    if _check_char(chars[:-1]) != chars[-1]:
        return None
    return f"{chars[:4]}-{chars[4:]}"


def new_secret() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def hash_secret(secret: str, key: str) -> str:
    """HMAC with a server key: a stolen database alone does not open any case."""
    canonical = identifier_key(secret)  # the same for Khmer digits and Latin ones
    return mac(key, "tracking_secret", canonical).hex()


def secret_matches(secret: str, stored: str, key: str) -> bool:
    return hmac.compare_digest(hash_secret(secret, key), stored)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so timing does not reveal it.
DUMMY_HASH = _hasher.hash("not-a-real-password")
