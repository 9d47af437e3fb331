from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime


class AuditAction(enum.StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    LOCKED_OUT = "locked_out"
    SECOND_FACTOR = "second_factor"
    ROLE_CHANGED = "role_changed"
    VIEWED_RECORD = "viewed_record"
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    EXPORTED = "exported"
    IMPORTED = "imported"
    ERASED = "erased"
    ACCESS_REFUSED = "access_refused"


_ACTION_VALUES = ", ".join(f"'{action.value}'" for action in AuditAction)


class AuditEvent(TimestampMixin, db.Model):
    """Append-only record of who did what to which record. Never holds field values."""

    __tablename__ = "audit_event"
    __table_args__ = (
        CheckConstraint(f"action IN ({_ACTION_VALUES})", name="known_action"),
        Index("ix_audit_event_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Plain integers, not foreign keys: the trail outlives the records it mentions.
    actor_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_roles: Mapped[str] = mapped_column(String(100), default="")
    actor_borough_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    fields_changed: Mapped[list[str] | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(32))
