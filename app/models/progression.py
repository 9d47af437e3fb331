"""Progression: milestones (from templates), the off-the-job log, progress reviews, and the
stored progress summary that lists and reports read."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, VersionedMixin
from app.models.standard import KSB, Standard
from app.models.user import User


def _values(kind: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in kind)


class MilestoneKind(enum.StrEnum):
    INDUCTION = "induction"
    FUNCTIONAL_SKILLS_ENGLISH = "functional_skills_english"
    FUNCTIONAL_SKILLS_MATHS = "functional_skills_maths"
    PORTFOLIO = "portfolio"
    GATEWAY = "gateway"
    END_POINT_ASSESSMENT = "end_point_assessment"
    CUSTOM = "custom"


class Signer(enum.StrEnum):
    MENTOR = "mentor"
    COORDINATOR = "coordinator"


class MilestoneStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    SUBMITTED = "submitted"
    SIGNED_OFF = "signed_off"
    RETURNED = "returned"


class ActivityType(enum.StrEnum):
    """The kinds of off-the-job training, as the funding rules describe them."""

    TEACHING = "teaching"
    PRACTICAL_TRAINING = "practical_training"
    ONLINE_LEARNING = "online_learning"
    SHADOWING = "shadowing"
    MENTORING = "mentoring"
    INDUSTRY_VISIT = "industry_visit"
    ASSIGNMENT = "assignment"
    OTHER = "other"


class EntryStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class ReviewRating(enum.StrEnum):
    ON_TRACK = "on_track"
    SOME_CONCERNS = "some_concerns"
    AT_RISK = "at_risk"


class MilestoneTemplate(TimestampMixin, db.Model):
    """A milestone every apprentice on a standard (or on any standard) gets, due a number of
    weeks after their start."""

    __tablename__ = "milestone_template"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(MilestoneKind)})", name="known_kind"),
        CheckConstraint(f"signer IN ({_values(Signer)})", name="known_signer"),
        CheckConstraint("due_offset_weeks >= 0", name="offset_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: for every standard.
    standard_id: Mapped[int | None] = mapped_column(
        ForeignKey("standard.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    due_offset_weeks: Mapped[int] = mapped_column(Integer)
    signer: Mapped[str] = mapped_column(String(12))
    required_for_gateway: Mapped[bool] = mapped_column(Boolean, default=True)

    standard: Mapped[Standard | None] = relationship(lazy="raise_on_sql")


class Milestone(TimestampMixin, VersionedMixin, db.Model):
    """An apprentice's milestone. Overdue is derived from the due date and today."""

    __tablename__ = "milestone"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(MilestoneKind)})", name="known_kind"),
        CheckConstraint(f"signer IN ({_values(Signer)})", name="known_signer"),
        CheckConstraint(f"status IN ({_values(MilestoneStatus)})", name="known_status"),
        Index("ix_milestone_apprentice_status_due", "apprentice_id", "status", "due_date"),
        # The progression report counts milestones due within a period.
        Index("ix_milestone_due_date", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("apprentice.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone_template.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    signer: Mapped[str] = mapped_column(String(12))
    required_for_gateway: Mapped[bool] = mapped_column(Boolean, default=True)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=MilestoneStatus.NOT_STARTED.value)
    evidence_text: Mapped[str | None] = mapped_column(Text)
    evidence_links: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    comment: Mapped[str | None] = mapped_column(Text)

    decided_by: Mapped[User | None] = relationship(lazy="raise_on_sql")


log_entry_ksb = Table(
    "log_entry_ksb",
    db.metadata,
    Column("log_entry_id", ForeignKey("log_entry.id", ondelete="CASCADE"), primary_key=True),
    Column("ksb_id", ForeignKey("ksb.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class LogEntry(TimestampMixin, VersionedMixin, db.Model):
    """An off-the-job training log entry. Only approved hours count."""

    __tablename__ = "log_entry"
    __table_args__ = (
        CheckConstraint(f"activity_type IN ({_values(ActivityType)})", name="known_activity"),
        CheckConstraint(f"status IN ({_values(EntryStatus)})", name="known_status"),
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
        Index("ix_log_entry_apprentice_status", "apprentice_id", "status"),
        Index("ix_log_entry_status_submitted", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("apprentice.id", ondelete="CASCADE"))
    entry_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    activity_type: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=EntryStatus.SUBMITTED.value)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    comment: Mapped[str | None] = mapped_column(Text)

    ksbs: Mapped[list[KSB]] = relationship(
        secondary=log_entry_ksb, lazy="raise_on_sql", order_by="KSB.sort_key"
    )
    decided_by: Mapped[User | None] = relationship(lazy="raise_on_sql")


class ProgressReview(TimestampMixin, db.Model):
    """A review of the apprentice with employer and training provider (mentor optional)."""

    __tablename__ = "progress_review"
    __table_args__ = (
        CheckConstraint(f"rating IN ({_values(ReviewRating)})", name="known_rating"),
        CheckConstraint("next_review_date > review_date", name="next_after_this"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(
        ForeignKey("apprentice.id", ondelete="CASCADE"), index=True
    )
    review_date: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(15))
    notes: Mapped[str] = mapped_column(Text)
    actions: Mapped[str] = mapped_column(Text)
    next_review_date: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )

    recorded_by: Mapped[User | None] = relationship(lazy="raise_on_sql")


class ProgressSummary(db.Model):
    """Per apprentice, stored and updated in the same transaction as any change that affects it
    (and daily for what changes with the date alone). Lists and reports read this; nothing
    recomputes it per row."""

    __tablename__ = "progress_summary"
    __table_args__ = (
        CheckConstraint("rag IS NULL OR rag IN ('red', 'amber', 'green')", name="known_rag"),
        Index("ix_progress_summary_rag", "rag"),
        Index("ix_progress_summary_review_due", "next_review_due"),
    )

    apprentice_id: Mapped[int] = mapped_column(
        ForeignKey("apprentice.id", ondelete="CASCADE"), primary_key=True
    )
    approved_hours: Mapped[Decimal] = mapped_column(Numeric(7, 1), default=Decimal(0))
    planned_hours: Mapped[Decimal] = mapped_column(Numeric(7, 1), default=Decimal(0))
    expected_hours: Mapped[Decimal] = mapped_column(Numeric(7, 1), default=Decimal(0))
    ksbs_evidenced: Mapped[int] = mapped_column(Integer, default=0)
    ksbs_total: Mapped[int] = mapped_column(Integer, default=0)
    overdue_milestones: Mapped[int] = mapped_column(Integer, default=0)
    next_milestone_due: Mapped[date | None] = mapped_column(Date)
    next_review_due: Mapped[date | None] = mapped_column(Date)
    entries_waiting: Mapped[int] = mapped_column(Integer, default=0)
    oldest_waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # None for apprentices not in learning (waiting to start, stopped, completed).
    rag: Mapped[str | None] = mapped_column(String(5))
    rag_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    computed_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
