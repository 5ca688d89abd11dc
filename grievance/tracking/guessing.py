"""Wrong secrets on a case reference: bounded, watched, and never a lockout of the owner.

The model (README, "Tracking a case"):
- Per client address, lookups are limited (TRACK_LIMIT_PER_CLIENT, a rate limit).
- Per typed reference, only failures are counted (TRACK_LIMIT_PER_REFERENCE). Past the
  limit, further wrong secrets for that reference get "too many wrong tries" instead of a
  fresh check, but the right secret is always checked first and always opens the case: a
  stranger's guesses can never lock the owner out.
- The first time a reference of a real case crosses the limit in a window, its timeline
  records it and the province's supervisors are told, once per window.
- A reference that does not exist is counted and answered exactly like one that does.
Counters live where the rate limits live (Redis when REDIS_URL is set), under an HMAC of
the canonical reference, never the reference itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse

from grievance.cases import events
from grievance.cases.models import Case
from grievance.effects import Notice, emit
from grievance.extensions import db
from grievance.ratelimit import limiter


@dataclass(frozen=True)
class Failure:
    too_many: bool  # past the per-reference limit: answer "too many wrong tries"
    alert: bool  # this failure crossed the limit: tell the staff (once per window)


def _limit() -> RateLimitItem:
    return parse(str(current_app.config["SAMLENG"].TRACK_LIMIT_PER_REFERENCE))


def record_failure(key: str) -> Failure:
    """Count a wrong secret for the reference behind `key` (see services.reference_key)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return Failure(too_many=False, alert=False)
    strategy, item = limiter.limiter, _limit()
    if not strategy.test(item, "track-failures", key):
        return Failure(too_many=True, alert=False)
    strategy.hit(item, "track-failures", key)
    crossed = not strategy.test(item, "track-failures", key)
    return Failure(too_many=False, alert=crossed)


def alert_staff(case_id: int) -> None:
    """Someone is trying many secrets on this case: note it and tell the supervisors."""
    case = db.session.get(Case, case_id)
    if case is None:
        return
    event = events.record(
        case,
        "secret_guessing",
        actor_id=None,
        actor_role="system",
        data={"limit": str(current_app.config["SAMLENG"].TRACK_LIMIT_PER_REFERENCE)},
    )
    db.session.flush()
    emit(Notice(case.id, event.seq, "secret_guessing", "supervisor"))
