"""Hiring an applicant: the apprentice, their account and the move to hired, in one go.

`hire` works inside the caller's transaction and never commits, so either everything is created
(the user and apprentice, the apprentice's first status event, the application's link and its
move to hired, and the audit events) or, when any part fails and the caller rolls back, nothing
is. The caller mails the invitation after committing (app.web.account_mail.send_account_link).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.clock import today
from app.domain import audit, pipeline, vacancies
from app.domain.apprentices import ApprenticeDetails, create_apprentice
from app.domain.errors import DomainError, StaleEdit
from app.models import Application, Apprentice, AuditAction, Cohort, Stage, User, Vacancy

# Contracted hours a week offered when the coordinator does not say otherwise.
DEFAULT_CONTRACTED_HOURS = Decimal("35")
# Fields of the apprentice rules that the hiring form shows; other refusals concern the
# applicant's record or the cohort and are shown for the page as a whole.
_FORM_FIELDS = {
    "start_date": "start_date",
    "practical_period_end": "start_date",
    "planned_end_date": "start_date",
    "contracted_hours": "contracted_hours",
}


def vacancy_of(session: Session, application: Application) -> Vacancy:
    vacancy = session.get(Vacancy, application.vacancy_id)
    assert vacancy is not None  # a foreign key
    return vacancy


def positions_left(session: Session, vacancy: Vacancy) -> int:
    """How many more people the vacancy can hire (0 when full; never negative)."""
    hired = vacancies.hired_counts(session, [vacancy.id]).get(vacancy.id, 0)
    return max(0, vacancy.positions - hired)


def positions_filled(positions: int) -> str:
    if positions == 1:
        return "The vacancy’s one position is filled"
    return f"All {positions} positions of this vacancy are filled"


def _lock_vacancy(session: Session, vacancy: Vacancy) -> None:
    """Two hires for the last position wait for each other here, so the count of hires read
    next is current. An UPDATE that changes nothing (not even the version or `updated_at`)
    locks the vacancy's row on PostgreSQL and takes SQLite's one write lock, where a SELECT
    ... FOR UPDATE would lock nothing."""
    table = Vacancy.__table__
    session.execute(
        update(table).where(table.c.id == vacancy.id).values(updated_at=table.c.updated_at)
    )


def _check_applicant(application: Application) -> tuple[str, str, date]:
    if Stage(application.stage) is not Stage.OFFERED:
        raise DomainError(
            f"Only an applicant who has been offered the job can be hired: this application "
            f"is at {Stage(application.stage).label.lower()}"
        )
    if application.apprentice_id is not None:
        raise DomainError("This applicant has already been hired")
    if not (application.name and application.email and application.date_of_birth):
        raise DomainError(
            "This application’s personal details have been erased, so the applicant cannot be "
            "hired from it"
        )
    return application.name, application.email, application.date_of_birth


def _check_date(checked_on: date | None) -> date:
    if checked_on is None:
        raise DomainError(
            "Enter the date you checked their right to work in the UK",
            field="right_to_work_checked_on",
        )
    if checked_on > today():
        raise DomainError(
            "The date of the right to work check must be today or in the past",
            field="right_to_work_checked_on",
        )
    return checked_on


def hire(
    session: Session,
    application: Application,
    *,
    actor: User,
    right_to_work_checked_on: date | None,
    start_date: date | None = None,
    contracted_hours: Decimal = DEFAULT_CONTRACTED_HOURS,
    allow_over_positions: bool = False,
    note: str | None = None,
    expected_version: int | None = None,
) -> Apprentice:
    """Hire an offered applicant into the vacancy's cohort, starting on `start_date` (default:
    the cohort's start). Refused when the vacancy's positions are all filled, unless
    `allow_over_positions`, which is audited. The caller commits (or rolls back)."""
    if expected_version is not None and application.row_version != expected_version:
        raise StaleEdit()
    name, email, date_of_birth = _check_applicant(application)
    checked_on = _check_date(right_to_work_checked_on)
    vacancy = vacancy_of(session, application)
    cohort = session.get(Cohort, vacancy.cohort_id)
    assert cohort is not None
    _lock_vacancy(session, vacancy)
    over_positions = positions_left(session, vacancy) == 0
    if over_positions and not allow_over_positions:
        raise DomainError(
            f"{positions_filled(vacancy.positions)}. To hire more people than the vacancy’s "
            "positions, confirm that you are hiring over the number of positions",
            field="allow_over_positions",
        )
    details = ApprenticeDetails(
        name=name,
        date_of_birth=date_of_birth,
        cohort_id=cohort.id,
        standard_id=vacancy.standard_id,
        training_provider_id=None,  # the cohort's
        residence_borough_id=application.residence_borough_id,
        uln=None,
        start_date=start_date or cohort.start_date,
        practical_period_end=None,
        planned_end_date=None,
        contracted_hours=contracted_hours,
    )
    try:
        apprentice = create_apprentice(
            session,
            details,
            actor=actor,
            email=email,
            employing_borough_id=vacancy.employing_borough_id,
        )
    except DomainError as error:
        raise DomainError(error.message, field=_FORM_FIELDS.get(error.field or "")) from None
    application.apprentice_id = apprentice.id
    application.right_to_work_checked_on = checked_on
    pipeline.enter_hired(
        session,
        application,
        actor=actor,
        note=note,
        also_changed=("apprentice_id", "right_to_work_checked_on"),
    )
    if over_positions:
        audit.record(
            session,
            AuditAction.UPDATED,
            actor=actor,
            target=audit.target_of(vacancy),
            fields=["allow_over_positions"],
        )
    return apprentice
