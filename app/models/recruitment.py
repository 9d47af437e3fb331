"""Recruitment: vacancies, applications with their pipeline events, drafts of applications in
progress, and the optional equality monitoring answers (kept apart from everything else)."""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, VersionedMixin
from app.models.borough import Borough
from app.models.programme import Cohort
from app.models.standard import Standard
from app.models.user import User


def _values(kind: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in kind)


class VacancyStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ResidenceRule(enum.StrEnum):
    """Whose residents may apply: the employing borough's, a list of boroughs', or any London
    borough's."""

    OWN = "own"
    LIST = "list"
    LONDON = "london"


class Stage(enum.StrEnum):
    SUBMITTED = "submitted"
    SCREENING = "screening"
    ASSESSMENT = "assessment"
    OFFERED = "offered"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class GuaranteedInterview(enum.StrEnum):
    """A recruiter-visible request for the guaranteed interview scheme (not monitoring)."""

    NO = "no"
    DISABILITY = "disability_confident"
    CARE_LEAVER = "care_leaver"


vacancy_eligible_borough = Table(
    "vacancy_eligible_borough",
    db.metadata,
    Column("vacancy_id", ForeignKey("vacancy.id", ondelete="CASCADE"), primary_key=True),
    Column("borough_id", ForeignKey("borough.id", ondelete="RESTRICT"), primary_key=True),
)


class Vacancy(TimestampMixin, VersionedMixin, db.Model):
    """A recruitment campaign for a cohort. Open or closed is derived (closing date, filled
    positions), never stored."""

    __tablename__ = "vacancy"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(VacancyStatus)})", name="known_status"),
        CheckConstraint(f"residence_rule IN ({_values(ResidenceRule)})", name="known_rule"),
        CheckConstraint("positions > 0", name="positions_positive"),
        CheckConstraint("hourly_pay > 0", name="pay_positive"),
        CheckConstraint("minimum_age BETWEEN 16 AND 99", name="minimum_age_range"),
        Index("ix_vacancy_status_closing", "status", "closing_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="RESTRICT"), index=True)
    employing_borough_id: Mapped[int] = mapped_column(
        ForeignKey("borough.id", ondelete="RESTRICT"), index=True
    )
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standard.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    positions: Mapped[int] = mapped_column(Integer)
    hourly_pay: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    closing_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=VacancyStatus.DRAFT.value)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The eligibility rule, after Hackney's: residence, or education there, or a care leaver
    # the borough supports; a minimum age on the cohort's start date.
    residence_rule: Mapped[str] = mapped_column(String(10), default=ResidenceRule.OWN.value)
    educated_route: Mapped[bool] = mapped_column(Boolean, default=True)
    care_leaver_route: Mapped[bool] = mapped_column(Boolean, default=True)
    minimum_age: Mapped[int] = mapped_column(Integer, default=16)

    cohort: Mapped[Cohort] = relationship(lazy="raise_on_sql")
    employing_borough: Mapped[Borough] = relationship(lazy="raise_on_sql")
    standard: Mapped[Standard] = relationship(lazy="raise_on_sql")
    eligible_boroughs: Mapped[list[Borough]] = relationship(
        secondary=vacancy_eligible_borough, lazy="raise_on_sql", order_by="Borough.name"
    )


class Application(TimestampMixin, VersionedMixin, db.Model):
    """A resident's application. The personal fields can be erased; the non-identifying facts
    reports need (age band, borough, dates, stage reached, eligibility, local) stay."""

    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint(f"stage IN ({_values(Stage)})", name="known_stage"),
        CheckConstraint(
            f"guaranteed_interview IN ({_values(GuaranteedInterview)})", name="known_interview"
        ),
        # One application per email per vacancy (erased applications have no email).
        Index(
            "uq_application_vacancy_email",
            "vacancy_id",
            "email",
            unique=True,
            sqlite_where=text("email IS NOT NULL"),
            postgresql_where=text("email IS NOT NULL"),
        ),
        Index("ix_application_vacancy_stage", "vacancy_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id", ondelete="RESTRICT"))
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    stage: Mapped[str] = mapped_column(String(12), default=Stage.SUBMITTED.value)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    source: Mapped[str] = mapped_column(String(10), default="online")

    # Personal details (removed by erasure).
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(30))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    postcode: Mapped[str | None] = mapped_column(String(8))
    supporting_statement: Mapped[str | None] = mapped_column(Text)

    # The answers the eligibility rule uses.
    residence_borough_id: Mapped[int | None] = mapped_column(
        ForeignKey("borough.id", ondelete="RESTRICT"), index=True
    )
    educated_in_borough: Mapped[bool] = mapped_column(Boolean, default=False)
    care_leaver: Mapped[bool] = mapped_column(Boolean, default=False)
    right_to_work: Mapped[bool] = mapped_column(Boolean, default=False)
    full_time_education: Mapped[bool] = mapped_column(Boolean, default=False)
    guaranteed_interview: Mapped[str] = mapped_column(
        String(25), default=GuaranteedInterview.NO.value
    )

    # Computed at submission and stored.
    eligible: Mapped[bool] = mapped_column(Boolean)
    eligibility_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_local: Mapped[bool] = mapped_column(Boolean)
    # Non-identifying facts that survive erasure.
    age_band: Mapped[str] = mapped_column(String(10))

    # Hiring.
    right_to_work_checked_on: Mapped[date | None] = mapped_column(Date)
    apprentice_id: Mapped[int | None] = mapped_column(
        ForeignKey("apprentice.id", ondelete="SET NULL"), unique=True
    )

    vacancy: Mapped[Vacancy] = relationship(lazy="raise_on_sql")
    residence_borough: Mapped[Borough | None] = relationship(lazy="raise_on_sql")

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


class ApplicationEvent(TimestampMixin, db.Model):
    """One move through the pipeline: from, to, who (None: the applicant), when, note."""

    __tablename__ = "application_event"
    __table_args__ = (
        CheckConstraint(f"to_stage IN ({_values(Stage)})", name="known_to_stage"),
        # Reports find each application's first move to hired: an index-only scan of the hires.
        Index(
            "ix_application_event_to_stage_application", "to_stage", "application_id", "occurred_at"
        ),
        # Recounting a day's stored report figures finds the moves to hired on that day.
        Index("ix_application_event_to_stage_occurred", "to_stage", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(12))
    to_stage: Mapped[str] = mapped_column(String(12))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="raise_on_sql")


class ApplicationDraft(TimestampMixin, db.Model):
    """An application in progress, kept on the server under an unguessable key that expires."""

    __tablename__ = "application_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ApplicationImport(TimestampMixin, db.Model):
    """A CSV file of applications already imported: the same file again creates nothing."""

    __tablename__ = "application_import"
    # The same file may be imported into different vacancies, once each.
    __table_args__ = (UniqueConstraint("vacancy_id", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    applications_created: Mapped[int] = mapped_column(Integer)


class RateLimitHit(TimestampMixin, db.Model):
    """One counted request for a rate limit (such as applications from one address to one
    vacancy), so limits hold across every worker and server."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key", "scope", "key", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(128))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EqualityMonitoring(TimestampMixin, db.Model):
    """Optional equality monitoring answers. Never shown against a person; used only in
    aggregate reports under disclosure control, and not at all once the person objects."""

    __tablename__ = "equality_monitoring"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    gender: Mapped[str | None] = mapped_column(String(30))
    ethnic_group: Mapped[str | None] = mapped_column(String(60))
    disability: Mapped[str | None] = mapped_column(String(30))
    age_band: Mapped[str | None] = mapped_column(String(20))
    care_experience: Mapped[str | None] = mapped_column(String(30))
    objected: Mapped[bool] = mapped_column(Boolean, default=False)
