"""Staff accounts as administrators manage them.

One rule decides which accounts an administrator may manage, `check_manages`, and every
path (create, edit, deactivate, reactivate, second-step reset, password set-up link) calls
it: a nationwide administrator manages every account; a provincial administrator only
accounts whose every role is held in their provinces and is not an administrator's, and
grants only such roles. So a provincial administrator (or a stolen password of one) can
never make a nationwide account, reach the national administrator's second step, or open
a way to another province's restricted cases.

Every action is written to the admin audit log, in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from grievance.admin.models import AdminAudit
from grievance.auth import setup
from grievance.auth.models import User, UserRole
from grievance.cases.models import Province
from grievance.domain import LANGUAGES, ROLES, SEXES
from grievance.errors import DomainError, Forbidden, NotFound
from grievance.extensions import db
from grievance.queues.models import Queue

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
NATIONWIDE_ONLY = frozenset({"admin"})  # roles only a nationwide administrator grants
Roles = Sequence[tuple[str, str | None]]


def managed_provinces(actor: User) -> set[str] | None:
    """The provinces an administrator manages; None: nationwide."""
    scopes = actor.provinces_for("admin")
    return None if None in scopes else {p for p in scopes if p}


def scope_label(scope: set[str] | None) -> str:
    return "national" if scope is None else ",".join(sorted(scope))


def _within(scope: set[str] | None, roles: Iterable[tuple[str, str | None]]) -> bool:
    """Whether every role lies in `scope` (None: nationwide, where everything does)."""
    if scope is None:
        return True
    listed = list(roles)
    return bool(listed) and all(
        role not in NATIONWIDE_ONLY and province is not None and province in scope
        for role, province in listed
    )


def roles_of(user: User) -> list[tuple[str, str | None]]:
    return sorted(((r.role, r.province_code) for r in user.roles), key=lambda r: (r[0], r[1] or ""))


def check_manages(actor: User, target: User | None, roles_after: Roles | None = None) -> None:
    """The one rule: may `actor` act on `target` (None: a new account) and give it
    `roles_after` (None: its roles do not change)? An account out of scope is "not found",
    so a provincial administrator learns nothing of accounts elsewhere."""
    if not actor.has_role("admin"):
        raise Forbidden("admins_only")
    scope = managed_provinces(actor)
    if target is not None and not _within(scope, roles_of(target)):
        raise NotFound("account", str(target.id))
    if roles_after is not None and not _within(scope, roles_after):
        raise Forbidden("role_out_of_scope", scope_label(scope))


def check_manages_organisation(actor: User, province_code: str | None) -> None:
    """The same scope for organisations (`grievance.auth.organisations`): a provincial
    administrator keeps only organisations of its provinces (a nationwide one is the
    national administrator's); one out of scope is "not found"."""
    if not actor.has_role("admin"):
        raise Forbidden("admins_only")
    scope = managed_provinces(actor)
    if scope is not None and province_code not in scope:
        raise NotFound("no_organisation")


def manageable(actor: User, user: User) -> bool:
    try:
        check_manages(actor, user)
    except DomainError:
        return False
    return True


def get_account(actor: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("account", str(user_id))
    check_manages(actor, user)
    return user


def _audit(
    actor: User, action: str, target: User, reason: str = "", changes: dict[str, Any] | None = None
) -> AdminAudit:
    entry = AdminAudit(
        actor_id=actor.id,
        actor_scope=scope_label(managed_provinces(actor)),
        action=action,
        target_user_id=target.id,
        reason=reason,
        changes=changes or {},
    )
    db.session.add(entry)
    return entry


# -- creating and editing -------------------------------------------------------------------


@dataclass
class AccountData:
    name: str
    roles: list[str]
    province: str | None
    sex: str = "not_stated"
    language: str = "km"
    # Queues to be a member of (among those the administrator manages); None: the default
    # (a new case officer joins their province's queue).
    queue_ids: list[int] | None = None
    username: str = ""
    capacity: int | None = None

    def role_pairs(self) -> list[tuple[str, str | None]]:
        return [(role, self.province) for role in self.roles]


@dataclass
class Saved:
    user: User
    joined: list[Queue] = field(default_factory=list)
    left: list[Queue] = field(default_factory=list)
    setup_token: str | None = None  # the one-time set-up link's token, shown once


def _check(data: AccountData) -> None:
    if not data.name.strip():
        raise DomainError("name_required")
    if not data.roles:
        raise DomainError("role_required")
    if unknown := [r for r in data.roles if r not in ROLES]:
        raise DomainError("unknown_role", ", ".join(unknown))
    if data.sex not in SEXES:
        raise DomainError("unknown_sex", data.sex)
    if data.language not in LANGUAGES:
        raise DomainError("unknown_language", data.language)
    if data.province is not None and db.session.get(Province, data.province) is None:
        raise DomainError("unknown_province", data.province)
    if data.capacity is not None and not 0 <= data.capacity <= 500:
        raise DomainError("bad_capacity", str(data.capacity))


def queues_managed_by(actor: User) -> list[Queue]:
    """Active queues an administrator may put people in: those of their provinces."""
    query = (
        select(Queue).where(Queue.active.is_(True)).order_by(Queue.level, Queue.position, Queue.id)
    )
    scope = managed_provinces(actor)
    if scope is not None:
        query = query.where(Queue.province_code.in_(sorted(scope)))
    return list(db.session.scalars(query))


def province_queue(province: str | None) -> Queue | None:
    """A province's general queue: its own, for any category, kind and confidentiality."""
    if province is None:
        return None
    return db.session.scalar(
        select(Queue)
        .where(
            Queue.province_code == province,
            Queue.active.is_(True),
            Queue.restricted.is_(False),
            Queue.level == 0,
            Queue.category_id.is_(None),
            Queue.kind.is_(None),
            Queue.confidentiality.is_(None),
        )
        .order_by(Queue.position, Queue.id)
        .limit(1)
    )


def _set_queues(
    actor: User, user: User, data: AccountData, new: bool
) -> tuple[list[Queue], list[Queue]]:
    """Memberships among the queues `actor` manages; other queues' stay as they are."""
    managed = {q.id: q for q in queues_managed_by(actor)}
    if data.queue_ids is None:
        default = province_queue(data.province) if new and "officer" in data.roles else None
        wanted = {default.id} if default is not None and default.id in managed else set()
        if not new:
            return [], []
    else:
        wanted = set(data.queue_ids)
        if outside := wanted - set(managed):
            raise Forbidden("queue_out_of_scope", ",".join(map(str, sorted(outside))))
    joined, left = [], []
    for queue_id, queue in managed.items():
        member = user in queue.members
        if queue_id in wanted and not member:
            queue.members.append(user)
            joined.append(queue)
        elif queue_id not in wanted and member:
            queue.members.remove(user)
            left.append(queue)
    return joined, left


def create_account(actor: User, data: AccountData) -> Saved:
    """A new account with its roles, sex, language and queues. It has no password yet: the
    person sets one through a one-time link the administrator passes on."""
    _check(data)
    check_manages(actor, None, data.role_pairs())
    username = data.username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise DomainError("bad_username", username)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise DomainError("username_taken", username)
    user = User(
        username=username,
        name=data.name.strip(),
        password_hash="!",  # matches no password: the set-up link sets the first one
        sex=data.sex,
        language=data.language,
    )
    if data.capacity is not None:
        user.capacity = data.capacity
    user.roles = [UserRole(role=r, province_code=p) for r, p in data.role_pairs()]
    db.session.add(user)
    db.session.flush()
    joined, left = _set_queues(actor, user, data, new=True)
    token = setup.issue(user)
    _audit(
        actor,
        "create",
        user,
        changes={
            "roles": [f"{r}:{p or 'national'}" for r, p in data.role_pairs()],
            "sex": data.sex,
            "language": data.language,
            "queues": [q.code for q in joined],
        },
    )
    db.session.flush()
    return Saved(user, joined, left, token)


def edit_account(actor: User, user: User, data: AccountData) -> Saved:
    """Change an account's name, roles, province, sex, language, capacity and queues."""
    _check(data)
    check_manages(actor, user, data.role_pairs())
    before = _snapshot(user, roles_of(user))
    if user.id == actor.id and set(roles_of(user)) - set(data.role_pairs()):
        raise DomainError("own_roles")  # an administrator cannot lock themselves out
    user.name, user.sex, user.language = data.name.strip(), data.sex, data.language
    if data.capacity is not None:
        user.capacity = data.capacity
    wanted = set(data.role_pairs())
    if set(roles_of(user)) != wanted:
        # Roles kept stay the same rows: a new row beside a deleted twin breaks the unique key.
        kept = [r for r in user.roles if (r.role, r.province_code) in wanted]
        have = {(r.role, r.province_code) for r in kept}
        user.roles = kept + [UserRole(role=r, province_code=p) for r, p in sorted(
            wanted - have, key=lambda r: (r[0], r[1] or ""))]  # fmt: skip
        if user.id != actor.id:  # changed rights: sign in again (one's own only grow)
            user.session_version = (user.session_version or 1) + 1
    joined, left = _set_queues(actor, user, data, new=False)
    after = _snapshot(user, sorted(data.role_pairs(), key=lambda r: (r[0], r[1] or "")))
    changes: dict[str, Any] = {
        key: {"from": _plain(before[key]), "to": _plain(after[key])}
        for key in before
        if before[key] != after[key]
    }
    if joined:
        changes["joined"] = [q.code for q in joined]
    if left:
        changes["left"] = [q.code for q in left]
    if changes:
        _audit(actor, "edit", user, changes=changes)
    db.session.flush()
    return Saved(user, joined, left)


def _snapshot(user: User, roles: list[tuple[str, str | None]]) -> dict[str, Any]:
    return {"name": user.name, "roles": roles, "sex": user.sex, "language": user.language,
            "capacity": user.capacity}  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [f"{r}:{p or 'national'}" for r, p in value]
    return value


# -- deactivation, second step, password ----------------------------------------------------

ACCOUNT_ACTIONS = ("deactivate", "activate", "reset_code", "reset_password")


def account_action(actor: User, user: User, action: str, reason: str) -> Saved:
    """Deactivate or reactivate an account, reset its second sign-in step, or issue a
    password set-up link; each ends the account's sessions (reactivation aside), needs a
    reason and is written to the audit log. Nobody does this to their own account."""
    if action not in ACCOUNT_ACTIONS:
        raise DomainError("unknown_action", action)
    check_manages(actor, user)
    if user.id == actor.id:
        raise DomainError("own_account")
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("reason_required")
    if len(reason) > 500:
        raise DomainError("reason_too_long")
    saved = Saved(user)
    if action == "deactivate":
        if not user.active:
            raise DomainError("already_inactive")
        user.active = False
        _end_sessions(user)
    elif action == "activate":
        if user.active:
            raise DomainError("already_active")
        user.active = True
    elif action == "reset_code":
        user.totp_secret = None
        user.totp_last_step = None
        _end_sessions(user)
    else:
        user.password_hash = "!"  # the old password may be known to someone else
        saved.setup_token = setup.issue(user)
        _end_sessions(user)
    _audit(actor, action, user, reason=reason)
    db.session.flush()
    return saved


def _end_sessions(user: User) -> None:
    user.session_version = (user.session_version or 1) + 1
