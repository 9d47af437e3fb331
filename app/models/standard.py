from __future__ import annotations

import enum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, VersionedMixin


class GradeSet(enum.StrEnum):
    """The end-point assessment grades a standard's assessment plan uses."""

    PASS_FAIL = "pass_fail"
    PASS_DISTINCTION = "pass_distinction"
    PASS_MERIT_DISTINCTION = "pass_merit_distinction"

    @property
    def grades(self) -> tuple[str, ...]:
        return GRADES[self]

    @property
    def label(self) -> str:
        return " / ".join(grade.capitalize() for grade in self.grades)


GRADES = {
    GradeSet.PASS_FAIL: ("fail", "pass"),
    GradeSet.PASS_DISTINCTION: ("fail", "pass", "distinction"),
    GradeSet.PASS_MERIT_DISTINCTION: ("fail", "pass", "merit", "distinction"),
}

_GRADE_SET_VALUES = ", ".join(f"'{value.value}'" for value in GradeSet)


class Standard(TimestampMixin, VersionedMixin, db.Model):
    """An apprenticeship standard at one version, with its knowledge, skills and behaviours."""

    __tablename__ = "standard"
    __table_args__ = (
        UniqueConstraint("reference", "version"),
        CheckConstraint("level BETWEEN 2 AND 7", name="level_range"),
        CheckConstraint("typical_duration_months > 0", name="duration_positive"),
        CheckConstraint("funding_band_max > 0", name="funding_positive"),
        CheckConstraint("min_otj_hours IS NULL OR min_otj_hours > 0", name="otj_positive"),
        CheckConstraint(f"grade_set IN ({_GRADE_SET_VALUES})", name="known_grade_set"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(10), index=True)
    version: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    typical_duration_months: Mapped[int] = mapped_column(Integer)
    funding_band_max: Mapped[int] = mapped_column(Integer)
    # Published minimum off-the-job hours, used for starts from 1 August 2025.
    min_otj_hours: Mapped[int | None] = mapped_column(Integer)
    grade_set: Mapped[str] = mapped_column(String(30))

    ksbs: Mapped[list[KSB]] = relationship(
        back_populates="standard",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
        order_by="KSB.sort_key",
    )

    @property
    def grade_set_label(self) -> str:
        return GradeSet(self.grade_set).label

    @property
    def display_name(self) -> str:
        return f"{self.title} (level {self.level}, {self.reference} v{self.version})"


class KSB(TimestampMixin, db.Model):
    """A knowledge, skill or behaviour of a standard, such as K3, S7 or B2."""

    __tablename__ = "ksb"
    __table_args__ = (
        UniqueConstraint("standard_id", "code"),
        CheckConstraint("substr(code, 1, 1) IN ('K', 'S', 'B')", name="code_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(6))
    # K before S before B, then by number, so K2 sorts before K10.
    sort_key: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    standard: Mapped[Standard] = relationship(back_populates="ksbs", lazy="raise_on_sql")


class TrainingProvider(TimestampMixin, VersionedMixin, db.Model):
    """A training provider or end-point assessment organisation, identified by its UKPRN."""

    __tablename__ = "training_provider"
    __table_args__ = (CheckConstraint("delivers_training OR assesses_epa", name="has_a_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    ukprn: Mapped[str] = mapped_column(String(8), unique=True)
    delivers_training: Mapped[bool] = mapped_column(Boolean, default=True)
    assesses_epa: Mapped[bool] = mapped_column(Boolean, default=False)
