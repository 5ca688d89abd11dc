"""Wrong passwords slow the guesser down without locking the owner out.

Failures are counted per account and client address pair (the key is an HMAC, so the
store never holds a username). After the n-th failure from this client on this account,
its next try waits 2^n seconds, up to LOGIN_BACKOFF_CAP; a right password clears the
count. The owner at another address is not slowed at all, and no number of failures
locks the account. The counters live in the rate limiter's storage: Redis when REDIS_URL
is set (every web process sees them), else the process's memory. If Redis stops
answering, nobody is slowed rather than everybody refused, as for the limiter itself.
"""

from __future__ import annotations

import logging
import math
import time

from flask import current_app

from grievance.ratelimit import limiter

log = logging.getLogger(__name__)
FORGET_AFTER = 24 * 3600  # failures older than a day no longer make the wait grow
MAX_EXPONENT = 20  # 2^20 s is far past any cap: keeps the arithmetic small


def _on() -> bool:
    return bool(current_app.config["SAMLENG"].RATELIMIT_ENABLED)


def _count(key: str) -> str:
    return f"samleng/login-failures/{key}"


def _wait(key: str) -> str:
    return f"samleng/login-wait/{key}"


def delay_after(failures: int, cap: int) -> int:
    """Seconds the next try waits after the `failures`-th failure in a row."""
    return min(cap, 2 ** min(failures, MAX_EXPONENT)) if failures > 0 else 0


def wait_left(key: str) -> int:
    """Seconds before this account and client pair may try a password again (0: now)."""
    if not _on():
        return 0
    try:
        storage = limiter.storage
        if storage.get(_wait(key)) <= 0:
            return 0
        return max(1, math.ceil(storage.get_expiry(_wait(key)) - time.time()))
    except Exception:  # the store is away: do not refuse the owner for it
        log.warning("login backoff store unavailable", exc_info=True)
        return 0


def failed(key: str, cap: int) -> int:
    """Count a wrong password for the pair; the seconds its next try must wait."""
    if not _on():
        return 0
    try:
        storage = limiter.storage
        failures = storage.incr(_count(key), FORGET_AFTER)
        delay = delay_after(failures, cap)
        storage.clear(_wait(key))
        storage.incr(_wait(key), delay)  # the key lives exactly as long as the wait
        return delay
    except Exception:
        log.warning("login backoff store unavailable", exc_info=True)
        return 0


def succeeded(key: str) -> None:
    """The right password: the pair starts again from no failures."""
    if not _on():
        return
    try:
        limiter.storage.clear(_count(key))
        limiter.storage.clear(_wait(key))
    except Exception:
        log.warning("login backoff store unavailable", exc_info=True)
