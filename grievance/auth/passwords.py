"""What a staff password must be: long enough, and not guessable. zxcvbn (Dropbox's
estimator, with its lists of common passwords, words and names, keyboard patterns and
repeats) scores it; a password holding the person's own username or name is refused."""

from __future__ import annotations

from zxcvbn import zxcvbn

from grievance.auth.models import User
from grievance.errors import DomainError

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline attacks"
MAX_CHECKED = 100  # zxcvbn's time grows with length; beyond this, length is protection


def check_strength(password: str, user: User | None = None) -> None:
    if len(password) < MIN_LENGTH:
        raise DomainError("password_too_short", f"at least {MIN_LENGTH} characters")
    if len(password) > 200:
        raise DomainError("password_too_long")
    own = [user.username, *user.name.split()] if user is not None else []
    lowered = password.casefold()
    if any(len(part) >= 3 and part.casefold() in lowered for part in own):
        raise DomainError("password_weak", "contains the person's own name")
    if zxcvbn(password[:MAX_CHECKED], user_inputs=own)["score"] < MIN_SCORE:
        raise DomainError("password_weak")
