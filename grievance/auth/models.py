"""Staff accounts, their roles (optionally scoped to a province) and organisations."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.domain import LANGUAGES, ORGANISATION_KINDS, ROLES, SEXES, check_in
from grievance.extensions import db
from grievance.types import UTCDateTime, utcnow


class Organisation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(check_in("kind", ORGANISATION_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_km: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(check_in("language", LANGUAGES), name="language"),
        CheckConstraint(check_in("sex", SEXES), name="sex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(2), default="km")
    sex: Mapped[str] = mapped_column(String(12), default="not_stated")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # Bumped on logout-everywhere, password change and deactivation: old sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # sealed, not plain
    # The time step of the last one-time code accepted: a code is good once.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # A one-time password set-up link (new account, or a reset by an administrator):
    # the MAC of its token, never the token itself.
    setup_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    setup_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    away: Mapped[bool] = mapped_column(Boolean, default=False)
    capacity: Mapped[int] = mapped_column(Integer, default=30)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship()
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    def provinces_for(self, role: str) -> set[str | None]:
        """Provinces a role is scoped to; None in the set means nationwide."""
        return {r.province_code for r in self.roles if r.role == role}


class UserRole(db.Model):  # type: ignore[name-defined]
    __tablename__ = "user_roles"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "province_code", name="user_role_province"),
        CheckConstraint(check_in("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))

    user: Mapped[User] = relationship(back_populates="roles")
