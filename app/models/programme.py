"""The programme's core records: cohorts, apprentices and their status history, placements."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, VersionedMixin
from app.models.borough import Borough
from app.models.standard import Standard, TrainingProvider
from app.models.user import User


class ApprenticeStatus(enum.StrEnum):
    WAITING_TO_START = "waiting_to_start"
    ACTIVE = "active"
    ON_BREAK = "on_break"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """The government apprenticeship service's words."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ApprenticeStatus.WAITING_TO_START: "Waiting to start",
    ApprenticeStatus.ACTIVE: "Live",
    ApprenticeStatus.ON_BREAK: "Paused",
    ApprenticeStatus.WITHDRAWN: "Stopped",
    ApprenticeStatus.COMPLETED: "Completed",
}


class WithdrawalReason(enum.StrEnum):
    """Why an apprentice left early: the government exit survey's reasons, plus the case of an
    apprentice who finished but did not pass the end-point assessment."""

    CARING = "caring_responsibilities"
    FAMILY = "family_circumstances"
    FINANCES = "financial_reasons"
    HEALTH = "health"
    BETTER_JOB = "better_job_elsewhere"
    EMPLOYER_SUPPORT = "lack_of_employer_support"
    JOB_NOT_AS_EXPECTED = "job_not_as_expected"
    PAY = "pay"
    ADJUSTMENTS = "no_reasonable_adjustments"
    DISCRIMINATION = "discrimination"
    DISMISSED = "dismissed"
    REDUNDANT = "made_redundant"
    TRAINING_QUALITY = "training_quality"
    PROVIDER_STOPPED = "provider_stopped_delivering"
    EPA_NOT_ACHIEVED = "epa_not_achieved"
    OTHER = "other"

    @property
    def label(self) -> str:
        return WITHDRAWAL_LABELS[self]


WITHDRAWAL_LABELS = {
    WithdrawalReason.CARING: "Caring responsibilities",
    WithdrawalReason.FAMILY: "Family circumstances",
    WithdrawalReason.FINANCES: "Financial reasons",
    WithdrawalReason.HEALTH: "Mental or physical health",
    WithdrawalReason.BETTER_JOB: "A better job elsewhere",
    WithdrawalReason.EMPLOYER_SUPPORT: "Not enough support from the employer",
    WithdrawalReason.JOB_NOT_AS_EXPECTED: "The job was not as expected",
    WithdrawalReason.PAY: "Pay",
    WithdrawalReason.ADJUSTMENTS: "No reasonable adjustments",
    WithdrawalReason.DISCRIMINATION: "Discrimination",
    WithdrawalReason.DISMISSED: "Dismissed",
    WithdrawalReason.REDUNDANT: "Made redundant",
    WithdrawalReason.TRAINING_QUALITY: "Quality or relevance of the training",
    WithdrawalReason.PROVIDER_STOPPED: "The training provider stopped delivering",
    WithdrawalReason.EPA_NOT_ACHIEVED: "End-point assessment not achieved",
    WithdrawalReason.OTHER: "Another reason",
}


def _values(kind: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in kind)


class Cohort(TimestampMixin, VersionedMixin, db.Model):
    """One intake, led by one borough; a mixed cohort has no single standard."""

    __tablename__ = "cohort"
    __table_args__ = (
        CheckConstraint("planned_end_date > start_date", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    standard_id: Mapped[int | None] = mapped_column(
        ForeignKey("standard.id", ondelete="RESTRICT"), index=True
    )
    training_provider_id: Mapped[int] = mapped_column(
        ForeignKey("training_provider.id", ondelete="RESTRICT"), index=True
    )
    lead_borough_id: Mapped[int] = mapped_column(
        ForeignKey("borough.id", ondelete="RESTRICT"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    planned_end_date: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)

    standard: Mapped[Standard | None] = relationship(lazy="raise_on_sql")
    training_provider: Mapped[TrainingProvider] = relationship(lazy="raise_on_sql")
    lead_borough: Mapped[Borough] = relationship(lazy="raise_on_sql")


class Apprentice(TimestampMixin, VersionedMixin, db.Model):
    """A hired apprentice. Name and email live on their user account."""

    __tablename__ = "apprentice"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(ApprenticeStatus)})", name="known_status"),
        CheckConstraint(
            f"withdrawal_reason IS NULL OR withdrawal_reason IN ({_values(WithdrawalReason)})",
            name="known_withdrawal_reason",
        ),
        CheckConstraint("practical_period_end >= start_date", name="practical_after_start"),
        CheckConstraint("planned_end_date >= practical_period_end", name="end_after_practical"),
        CheckConstraint("contracted_hours > 0 AND contracted_hours <= 48", name="hours_range"),
        Index("ix_apprentice_borough_status_start", "employing_borough_id", "status", "start_date"),
        # Recounting the stored report figures of a day finds its starters and leavers.
        Index("ix_apprentice_start_date", "start_date"),
        Index("ix_apprentice_completed_on", "completed_on"),
        Index("ix_apprentice_withdrawn_on", "withdrawn_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="RESTRICT"), unique=True
    )
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="RESTRICT"), index=True)
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standard.id", ondelete="RESTRICT"), index=True
    )
    training_provider_id: Mapped[int] = mapped_column(
        ForeignKey("training_provider.id", ondelete="RESTRICT"), index=True
    )
    employing_borough_id: Mapped[int] = mapped_column(ForeignKey("borough.id", ondelete="RESTRICT"))
    # None when they live outside London.
    residence_borough_id: Mapped[int | None] = mapped_column(
        ForeignKey("borough.id", ondelete="RESTRICT"), index=True
    )
    uln: Mapped[str | None] = mapped_column(String(10), unique=True)
    # None once erased (after leaving, on request or by the retention command).
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date] = mapped_column(Date)
    practical_period_end: Mapped[date] = mapped_column(Date)
    planned_end_date: Mapped[date] = mapped_column(Date)
    contracted_hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    status: Mapped[str] = mapped_column(String(20), default=ApprenticeStatus.WAITING_TO_START.value)
    # The 42-day qualifying period runs from here: the start, or the return from a break.
    qualifying_period_start: Mapped[date] = mapped_column(Date)
    expected_return_date: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(String(40))
    # A withdrawal within the qualifying period: the start does not count in achievement figures.
    left_in_qualifying_period: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_on: Mapped[date | None] = mapped_column(Date)
    completion_grade: Mapped[str | None] = mapped_column(String(12))
    # The employer's recorded decision on English and maths where the rules leave it optional
    # (19 and over at the start): True they take it, False they do not, None not recorded.
    english_maths_opted_in: Mapped[bool | None] = mapped_column(Boolean)

    user: Mapped[User] = relationship(lazy="raise_on_sql")
    cohort: Mapped[Cohort] = relationship(lazy="raise_on_sql")
    standard: Mapped[Standard] = relationship(lazy="raise_on_sql")
    training_provider: Mapped[TrainingProvider] = relationship(lazy="raise_on_sql")
    employing_borough: Mapped[Borough] = relationship(
        foreign_keys=[employing_borough_id], lazy="raise_on_sql"
    )
    residence_borough: Mapped[Borough | None] = relationship(
        foreign_keys=[residence_borough_id], lazy="raise_on_sql"
    )

    @property
    def status_label(self) -> str:
        return ApprenticeStatus(self.status).label


class ApprenticeStatusEvent(TimestampMixin, db.Model):
    """One move through the status lifecycle: who, when, why."""

    __tablename__ = "apprentice_status_event"
    __table_args__ = (
        CheckConstraint(f"to_status IN ({_values(ApprenticeStatus)})", name="known_to_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(
        ForeignKey("apprentice.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[date] = mapped_column(Date)
    # None when the system made the move (the daily refresh).
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="raise_on_sql")


class Placement(TimestampMixin, VersionedMixin, db.Model):
    """Where an apprentice works, for a date range; an open end date means current."""

    __tablename__ = "placement"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(
        ForeignKey("apprentice.id", ondelete="CASCADE"), index=True
    )
    host_borough_id: Mapped[int] = mapped_column(
        ForeignKey("borough.id", ondelete="RESTRICT"), index=True
    )
    team: Mapped[str] = mapped_column(String(200))
    line_manager_name: Mapped[str] = mapped_column(String(200))
    line_manager_email: Mapped[str] = mapped_column(String(320))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    host_borough: Mapped[Borough] = relationship(lazy="raise_on_sql")


class ApprenticeImport(TimestampMixin, db.Model):
    """A CSV file of apprentices already imported: the same file again creates nothing."""

    __tablename__ = "apprentice_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    apprentices_created: Mapped[int] = mapped_column(Integer)
