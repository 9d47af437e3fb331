from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime


class SignInFailure(TimestampMixin, db.Model):
    """A failed sign-in, counted per account and per client address to throttle guessing.

    The account is identified by a hash of the email typed, so unknown emails are throttled
    exactly like real ones and the table holds no addresses."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        Index("ix_sign_in_failure_account", "account_key", "occurred_at"),
        Index("ix_sign_in_failure_ip", "ip_address", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    ip_address: Mapped[str] = mapped_column(String(45))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignInLock(TimestampMixin, db.Model):
    """Sign-in refused for an account or a client address until a time."""

    __tablename__ = "sign_in_lock"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        CheckConstraint("kind IN ('account', 'ip')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(64))
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class RecoveryCode(TimestampMixin, db.Model):
    """A single-use code that stands in for the authenticator app. Only its SHA-256 is kept."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInChallenge(TimestampMixin, db.Model):
    """One sign-in attempt between the password and the second factor: it counts the wrong codes
    entered, so the attempt can end after a few, however many requests arrive at once."""

    __tablename__ = "sign_in_challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    wrong_codes: Mapped[int] = mapped_column(Integer, default=0)
