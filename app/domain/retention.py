"""Retention: each kind of record is kept for a period (settings, with defaults in config.py),
after which the personal fields go and the non-identifying facts stay.

- Unsuccessful applicants (every application not hired): their personal fields are erased, and
  their equality monitoring answers deleted, RETENTION_APPLICANT_MONTHS after the vacancy
  closed.
- Apprentices: erased (account, apprentice record, their applications) RETENTION_APPRENTICE_YEARS
  after they left (completed or withdrawn).
- Audit events: deleted RETENTION_AUDIT_YEARS after they happened. This is the one path that may
  remove them: it says so to the ORM guard, and on PostgreSQL switches on `app.retention` for its
  own transaction, which the table's trigger checks.

Safe to run daily: what has been done is never done again, so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from app.domain import report_facts
from app.domain.apprenticeship_rules import add_months
from app.domain.erasure import erase_records
from app.models import (
    Application,
    Apprentice,
    ApprenticeStatus,
    AuditEvent,
    EqualityMonitoring,
    ErasedRecord,
    ErasureReason,
    Stage,
    Vacancy,
)
from app.models.data_rights import RETENTION_OPTION


@dataclass(frozen=True)
class Periods:
    applicant_months: int
    apprentice_years: int
    audit_years: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Periods:
        return cls(
            applicant_months=int(config["RETENTION_APPLICANT_MONTHS"]),
            apprentice_years=int(config["RETENTION_APPRENTICE_YEARS"]),
            audit_years=int(config["RETENTION_AUDIT_YEARS"]),
        )


@dataclass(frozen=True)
class Outcome:
    applications_erased: int
    equality_answers_deleted: int
    apprentices_erased: int
    audit_events_deleted: int

    @property
    def changed_anything(self) -> bool:
        return any(
            (
                self.applications_erased,
                self.equality_answers_deleted,
                self.apprentices_erased,
                self.audit_events_deleted,
            )
        )

    def lines(self) -> list[str]:
        return [
            f"Unsuccessful applications erased: {self.applications_erased}",
            f"Equality monitoring answers deleted: {self.equality_answers_deleted}",
            f"Apprentices erased: {self.apprentices_erased}",
            f"Audit events deleted: {self.audit_events_deleted}",
        ]


def _erased(record_type: str, column: Any) -> Any:
    return column.in_(select(ErasedRecord.record_id).where(ErasedRecord.record_type == record_type))


def unsuccessful_applications(session: Session, today: date, periods: Periods) -> list[int]:
    """Applications never hired whose vacancy closed more than the period ago."""
    closed_before = add_months(today, -periods.applicant_months)
    return list(
        session.scalars(
            select(Application.id)
            .join(Vacancy, Vacancy.id == Application.vacancy_id)
            .where(
                Vacancy.closing_date < closed_before,
                Application.apprentice_id.is_(None),
                Application.stage != Stage.HIRED.value,
            )
            .order_by(Application.id)
        )
    )


def departed_apprentices(session: Session, today: date, periods: Periods) -> list[int]:
    left_before = add_months(today, -12 * periods.apprentice_years)
    left_on = func.coalesce(Apprentice.completed_on, Apprentice.withdrawn_on)
    return list(
        session.scalars(
            select(Apprentice.id)
            .where(
                Apprentice.status.in_(
                    [ApprenticeStatus.COMPLETED.value, ApprenticeStatus.WITHDRAWN.value]
                ),
                left_on < left_before,
                ~_erased("apprentice", Apprentice.id),
            )
            .order_by(Apprentice.id)
        )
    )


def _audit_cutoff(now: datetime, periods: Periods) -> datetime:
    moved = add_months(now.date(), -12 * periods.audit_years)
    return now.replace(year=moved.year, month=moved.month, day=moved.day)


def apply_retention(
    session: Session, *, today: date, now: datetime, periods: Periods, dry_run: bool
) -> Outcome:
    """Apply every period; with dry_run, only count what would go (nothing is changed)."""
    applications = unsuccessful_applications(session, today, periods)
    pending_applications = [
        application_id
        for application_id in applications
        if application_id
        not in set(
            session.scalars(
                select(ErasedRecord.record_id).where(
                    ErasedRecord.record_type == "application",
                    ErasedRecord.record_id.in_(applications),
                )
            )
        )
    ]
    answers = session.scalar(
        select(func.count())
        .select_from(EqualityMonitoring)
        .where(EqualityMonitoring.application_id.in_(applications))
    )
    apprentices = departed_apprentices(session, today, periods)
    # An apprentice is erased as a person: their account and the applications that led here.
    apprentice_users = list(
        session.scalars(select(Apprentice.user_id).where(Apprentice.id.in_(apprentices)))
    )
    their_applications = list(
        session.scalars(select(Application.id).where(Application.apprentice_id.in_(apprentices)))
    )
    cutoff = _audit_cutoff(now, periods)
    old_events = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.occurred_at < cutoff)
    )
    outcome = Outcome(
        applications_erased=len(pending_applications),
        equality_answers_deleted=answers or 0,
        apprentices_erased=len(apprentices),
        audit_events_deleted=old_events or 0,
    )
    if dry_run:
        return outcome

    erase_records(
        session, application_ids=pending_applications, actor=None, reason=ErasureReason.RETENTION
    )
    deleted = session.execute(
        delete(EqualityMonitoring)
        .where(EqualityMonitoring.application_id.in_(applications))
        .execution_options(**{report_facts.RECOUNTED_BY_CALLER: True})
    )
    if deleted.rowcount:  # a run with nothing left to delete rewrites nothing
        report_facts.recount_applications(session, applications)
    erase_records(
        session,
        user_ids=apprentice_users,
        apprentice_ids=apprentices,
        application_ids=their_applications,
        actor=None,
        reason=ErasureReason.RETENTION,
    )
    if old_events:
        delete_audit_events_before(session, cutoff)
    return outcome


def delete_audit_events_before(session: Session, cutoff: datetime) -> None:
    """The one way audit events are removed."""
    if session.get_bind().dialect.name == "postgresql":
        # Transaction-local: it ends with this transaction, whatever happens.
        session.execute(text("SELECT set_config('app.retention', 'on', true)"))
    session.execute(
        delete(AuditEvent)
        .where(AuditEvent.occurred_at < cutoff)
        .execution_options(**{RETENTION_OPTION: True, "synchronize_session": False})
    )
