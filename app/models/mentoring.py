"""Mentors, their capacity, who they mentor, and their meetings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, VersionedMixin
from app.models.user import User

DEFAULT_CAPACITY = 3


class MentorProfile(TimestampMixin, db.Model):
    """A mentor's capacity and how many apprentices they mentor now.

    `current_mentees` is changed only by a conditional UPDATE (`... WHERE current_mentees <
    capacity`), whose row count decides whether an assignment fits: two coordinators racing
    for a mentor's last place cannot both win."""

    __tablename__ = "mentor_profile"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("current_mentees >= 0", name="mentees_not_negative"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    capacity: Mapped[int] = mapped_column(Integer, default=DEFAULT_CAPACITY)
    current_mentees: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship(lazy="raise_on_sql")


class MentorAssignment(TimestampMixin, VersionedMixin, db.Model):
    """A mentor for an apprentice over a date range; one current (open-ended) per apprentice."""

    __tablename__ = "mentor_assignment"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        Index(
            "uq_mentor_assignment_one_current",
            "apprentice_id",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(
        ForeignKey("apprentice.id", ondelete="CASCADE"), index=True
    )
    mentor_user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="RESTRICT"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    mentor: Mapped[User] = relationship(lazy="raise_on_sql")


class MentorMeeting(TimestampMixin, db.Model):
    __tablename__ = "mentor_meeting"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 480", name="duration_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(
        ForeignKey("apprentice.id", ondelete="CASCADE"), index=True
    )
    mentor_user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="RESTRICT"), index=True
    )
    met_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text)

    mentor: Mapped[User] = relationship(lazy="raise_on_sql")
