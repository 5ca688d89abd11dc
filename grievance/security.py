"""Case references, tracking secrets and password hashing."""

from __future__ import annotations

import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from grievance.keys import mac
from grievance.khmer.keys import identifier_key

# References and secrets are read out on the hotline and typed on basic phones: the ten
# digits and nine letters that neither look nor sound like another character (no S/5, Z/2,
# B/8, G/6, O/0, I/1, U/V, M/N, and none of the B-D-E-P-T-V "ee" rhymes but E). 19 is a
# prime, so the check character catches every single wrong character and every swap of
# two neighbours.
ALPHABET = "0123456789AEFHMRUXY"
# What a caller types for a character we left out: its twin (only a guess; the check
# character confirms it).
TWINS = str.maketrans("OQDILJSZBGVNTKPW", "0001115286UM7XRU")
# References and secrets issued before: 31 characters, no 0/O or 1/I/L. They keep working.
OLD_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_BODY = 7
SECRET_LENGTH = 12  # 19**12 ≈ 2**51, behind per-client and per-reference guessing limits

_hasher = PasswordHasher()  # Argon2id, library defaults (above OWASP's minimum)


def _check_char(body: str, alphabet: str = ALPHABET) -> str:
    """Position-weighted sum modulo the (prime) alphabet size, chosen so the weighted sum
    of the whole reference is 0."""
    n = len(alphabet)
    weighted = sum((i + 1) * alphabet.index(c) for i, c in enumerate(body))
    return alphabet[(-weighted * pow(len(body) + 1, -1, n)) % n]


def _valid(chars: str, alphabet: str) -> bool:
    return (
        len(chars) == REFERENCE_BODY + 1
        and all(c in alphabet for c in chars)
        and _check_char(chars[:-1], alphabet) == chars[-1]
    )


def new_reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_BODY))
    full = body + _check_char(body)
    return f"{full[:4]}-{full[4:]}"


def normalize_reference(raw: str) -> str | None:
    """The canonical form of a typed reference (Khmer or Latin digits, any case, spaces or
    dashes anywhere, a left-out look-alike for its twin), or None if it cannot be ours."""
    chars = identifier_key(raw)
    for candidate, alphabet in ((chars, OLD_ALPHABET), (chars.translate(TWINS), ALPHABET)):
        if _valid(candidate, alphabet):
            return f"{candidate[:4]}-{candidate[4:]}"
    return None


def reference_mistyped(raw: str) -> bool:
    """A reference of the right length and characters whose check character does not
    fit: one character is wrong or two are swapped. Says nothing about whether a case
    has it, so it can be told to anyone."""
    chars = identifier_key(raw)
    mapped = chars.translate(TWINS)
    if len(chars) != REFERENCE_BODY + 1 or normalize_reference(raw) is not None:
        return False
    return all(c in ALPHABET for c in mapped) or all(c in OLD_ALPHABET for c in chars)


def new_secret() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def hash_secret(secret: str, key: str) -> str:
    """HMAC with a server key: a stolen database alone does not open any case."""
    canonical = identifier_key(secret)  # the same for Khmer digits and Latin ones
    return mac(key, "tracking_secret", canonical).hex()


def secret_matches(secret: str, stored: str, key: str) -> bool:
    """As typed (secrets issued before the new alphabet hold S, Z, B...) or with the
    left-out look-alikes read as their twins; both are always computed."""
    typed = identifier_key(secret)
    as_typed = hmac.compare_digest(hash_secret(typed, key), stored)
    twinned = hmac.compare_digest(hash_secret(typed.translate(TWINS), key), stored)
    return as_typed | twinned


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so timing does not reveal it.
DUMMY_HASH = _hasher.hash("not-a-real-password")
