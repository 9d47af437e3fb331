from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, VersionedMixin
from app.models.borough import Borough


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    APPRENTICE = "apprentice"
    MENTOR = "mentor"
    BOROUGH_LEAD = "borough_lead"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COORDINATOR: "Coordinator",
    Role.APPRENTICE: "Apprentice",
    Role.MENTOR: "Mentor",
    Role.BOROUGH_LEAD: "Borough lead",
    Role.ADMIN: "Administrator",
}


def new_security_stamp() -> str:
    return secrets.token_hex(16)


_ROLE_VALUES = ", ".join(f"'{role.value}'" for role in Role)


class User(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "app_user"
    __table_args__ = (
        # Emails are stored in lower case, so the unique constraint is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    borough_id: Mapped[int] = mapped_column(
        ForeignKey("borough.id", ondelete="RESTRICT"), index=True
    )
    is_programme_wide: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Changes whenever the password is set or the account is deactivated, which makes every
    # invitation and reset link issued before that moment useless (single use).
    security_stamp: Mapped[str] = mapped_column(String(32), default=new_security_stamp)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The authenticator app's shared secret (base32). It never goes into audit events or logs;
    # it is set only once the user has proved their app shows matching codes.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last accepted 30-second time-step: a code from it or an earlier one is refused, so a
    # code cannot be replayed within its window.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    borough: Mapped[Borough] = relationship(lazy="raise_on_sql")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="UserRole.role",
    )

    # Flask-Login's interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLE_VALUES})", name="known_role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows", lazy="raise_on_sql")


class UserSession(db.Model):
    """A server-side session. The cookie carries a random token; only its hash is stored."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
