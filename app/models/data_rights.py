"""Data rights: subject access requests, the register of erased records, and the guard that
keeps the audit trail append-only."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import TimestampMixin, UTCDateTime


def _values(kind: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in kind)


class SubjectKind(enum.StrEnum):
    """The record a request or an erasure starts from; the person is found from there."""

    USER = "user"
    APPRENTICE = "apprentice"
    APPLICATION = "application"


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"


class SubjectAccessRequest(TimestampMixin, db.Model):
    """A subject access request, logged with the date it was received. It names the person
    by a record (type and id), never by their details, so erasing them leaves nothing here."""

    __tablename__ = "subject_access_request"
    __table_args__ = (
        CheckConstraint(f"subject_type IN ({_values(SubjectKind)})", name="known_subject_type"),
        CheckConstraint(f"status IN ({_values(RequestStatus)})", name="known_status"),
        CheckConstraint("due_on >= received_on", name="due_after_received"),
        Index("ix_subject_access_request_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int]
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.OPEN.value)
    completed_on: Mapped[date | None] = mapped_column(Date)
    logged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )


class ErasureReason(enum.StrEnum):
    REQUEST = "request"
    RETENTION = "retention"


class ErasedRecord(TimestampMixin, db.Model):
    """A record whose personal fields were erased: what, when and why, never what it held.
    Makes erasure and the retention command idempotent."""

    __tablename__ = "erased_record"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id"),
        CheckConstraint(f"reason IN ({_values(ErasureReason)})", name="known_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int]
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(10))


# The audit trail is append-only for the application. Only the retention command removes
# events, and it says so with this execution option (on PostgreSQL a trigger also refuses
# UPDATE and DELETE unless the retention path has switched on `app.retention`).
RETENTION_OPTION = "audit_retention"


class AuditTrailIsAppendOnly(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    for instance in (*session.dirty, *session.deleted):
        if isinstance(instance, AuditEvent) and (
            instance in session.deleted or session.is_modified(instance)
        ):
            raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: Any) -> None:
    if not (state.is_update or state.is_delete):
        return
    if state.execution_options.get(RETENTION_OPTION):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ is AuditEvent:
        raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted")
