"""The end of an apprenticeship: the gateway, end-point assessment attempts, and destinations
afterwards."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin
from app.models.standard import TrainingProvider
from app.models.user import User


def _values(kind: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in kind)


class Destination(enum.StrEnum):
    SAME_COUNCIL = "same_council"
    OTHER_PUBLIC_SECTOR = "other_public_sector"
    PRIVATE_SECTOR = "private_sector"
    FURTHER_LEARNING = "further_learning"
    NOT_IN_WORK = "not_in_work"
    UNKNOWN = "unknown"


class FollowUp(enum.StrEnum):
    """When a destination was recorded: at the end, or following up 6 or 12 months later."""

    END = "end"
    SIX_MONTHS = "six_months"
    TWELVE_MONTHS = "twelve_months"


class GatewayConfirmation(TimestampMixin, db.Model):
    """A coordinator's confirmation that the apprentice passed the gateway: with every item of
    the checklist met, or with the recorded reason for an exception."""

    __tablename__ = "gateway_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(
        ForeignKey("apprentice.id", ondelete="CASCADE"), unique=True
    )
    confirmed_on: Mapped[date] = mapped_column(Date)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    # The checklist as it stood: [{"item": ..., "met": ..., "evidence": ...}, ...]
    checklist: Mapped[list[dict]] = mapped_column(JSON)
    exception_reason: Mapped[str | None] = mapped_column(Text)

    confirmed_by: Mapped[User | None] = relationship(lazy="raise_on_sql")


class EpaAttempt(TimestampMixin, db.Model):
    """One end-point assessment attempt, graded from the standard's grade set."""

    __tablename__ = "epa_attempt"
    __table_args__ = (
        CheckConstraint("grade IN ('fail', 'pass', 'merit', 'distinction')", name="known_grade"),
        CheckConstraint(
            "next_attempt_on IS NULL OR grade = 'fail'", name="next_attempt_only_after_fail"
        ),
        Index("ix_epa_attempt_apprentice", "apprentice_id", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("apprentice.id", ondelete="CASCADE"))
    assessed_on: Mapped[date] = mapped_column(Date)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("training_provider.id", ondelete="RESTRICT"), index=True
    )
    grade: Mapped[str] = mapped_column(String(12))
    # After a fail: when the resit or retake is planned.
    next_attempt_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[TrainingProvider] = relationship(lazy="raise_on_sql")


class Outcome(TimestampMixin, db.Model):
    """Where a completer or leaver went: at the end, and at 6 and 12 months."""

    __tablename__ = "outcome"
    __table_args__ = (
        UniqueConstraint("apprentice_id", "follow_up"),
        CheckConstraint(f"follow_up IN ({_values(FollowUp)})", name="known_follow_up"),
        CheckConstraint(f"destination IN ({_values(Destination)})", name="known_destination"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("apprentice.id", ondelete="CASCADE"))
    follow_up: Mapped[str] = mapped_column(String(15))
    destination: Mapped[str] = mapped_column(String(25))
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)
