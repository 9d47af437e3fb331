"""End-point assessment: the attempts after the gateway, each graded from the standard's grade
set by an assessment organisation.

A fail keeps the apprentice live for a resit or retake, with the date of the next attempt; a
passing grade (pass, merit or distinction, as the standard's grade set has them) completes the
apprenticeship through the lifecycle's completion move (app.domain.lifecycle), which records the
completion date and grade, ends the current placement and mentor assignment, and refreshes the
stored progress summary. Nothing here commits.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app.access import apprentices_visible_to
from app.clock import today
from app.domain import audit, lifecycle
from app.domain.errors import DomainError
from app.domain.gateway import check_may_change, confirmation_of
from app.models import (
    Apprentice,
    ApprenticeStatus,
    AuditAction,
    EpaAttempt,
    GatewayConfirmation,
    GradeSet,
    Standard,
    TrainingProvider,
    User,
)

FAIL: Final = "fail"
NOTE_MAX_LENGTH: Final = 2000
GRADE_LABELS: Final = {
    "fail": "Fail",
    "pass": "Pass",
    "merit": "Merit",
    "distinction": "Distinction",
}


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def grade_label(grade: str | None) -> str:
    return GRADE_LABELS.get(grade or "", grade or "")


def grades_for(standard: Standard) -> tuple[str, ...]:
    """The grades the standard's assessment plan uses, fail first."""
    return GradeSet(standard.grade_set).grades


def is_pass(grade: str) -> bool:
    return grade != FAIL


def attempts_of(session: Session, apprentice_id: int) -> list[EpaAttempt]:
    """The apprentice's attempts, oldest first, with their organisations."""
    return list(
        session.scalars(
            select(EpaAttempt)
            .where(EpaAttempt.apprentice_id == apprentice_id)
            .options(joinedload(EpaAttempt.organisation))
            .order_by(EpaAttempt.assessed_on, EpaAttempt.id)
        )
    )


def assessment_organisations(session: Session) -> list[TrainingProvider]:
    """The organisations that carry out end-point assessments, by name."""
    return list(
        session.scalars(
            select(TrainingProvider)
            .where(TrainingProvider.assesses_epa.is_(True))
            .order_by(TrainingProvider.name, TrainingProvider.id)
        )
    )


def _check_status(apprentice: Apprentice) -> None:
    if apprentice.status == ApprenticeStatus.COMPLETED.value:
        done = f" on {_day(apprentice.completed_on)}" if apprentice.completed_on else ""
        raise DomainError(
            f"This apprenticeship was already completed{done}, with the grade "
            f"{grade_label(apprentice.completion_grade)}"
        )
    if apprentice.status != ApprenticeStatus.ACTIVE.value:
        raise DomainError(
            "Only a live apprenticeship can have an end-point assessment: this one is "
            f"“{ApprenticeStatus(apprentice.status).label.lower()}”"
        )


def _clean_note(note: str | None) -> str | None:
    value = (note or "").strip()
    if len(value) > NOTE_MAX_LENGTH:
        raise DomainError(f"Note must be {NOTE_MAX_LENGTH:,} characters or fewer", field="note")
    return value or None


def _check_date(session: Session, apprentice: Apprentice, assessed_on: date) -> None:
    """After the gateway's confirmation and after any earlier attempt; not in the future."""
    gateway = confirmation_of(session, apprentice.id)
    if gateway is None:
        raise DomainError(
            "The gateway must be confirmed before an end-point assessment result is recorded"
        )
    if assessed_on > today():
        raise DomainError(
            "The date of the assessment must be today or in the past", field="assessed_on"
        )
    if assessed_on < gateway.confirmed_on:
        raise DomainError(
            "The date of the assessment must be on or after the gateway was confirmed, "
            f"{_day(gateway.confirmed_on)}",
            field="assessed_on",
        )
    previous = session.scalar(
        select(func.max(EpaAttempt.assessed_on)).where(EpaAttempt.apprentice_id == apprentice.id)
    )
    if previous is not None and assessed_on <= previous:
        raise DomainError(
            f"The date of the assessment must be after the previous attempt, {_day(previous)}",
            field="assessed_on",
        )


def _organisation(session: Session, organisation_id: int | None) -> TrainingProvider:
    organisation = (
        session.get(TrainingProvider, organisation_id) if organisation_id is not None else None
    )
    if organisation is None or not organisation.assesses_epa:
        raise DomainError(
            "Select an organisation that carries out end-point assessments",
            field="organisation_id",
        )
    return organisation


def _check_grade(
    standard: Standard, grade: str, assessed_on: date, next_attempt_on: date | None
) -> None:
    """The grade is in the standard's set; a fail (only) has a next attempt after this one."""
    allowed = grades_for(standard)
    if grade not in allowed:
        words = " / ".join(grade_label(value) for value in allowed)
        raise DomainError(f"Select a grade from the standard’s grade set: {words}", field="grade")
    if grade == FAIL:
        if next_attempt_on is None:
            raise DomainError(
                "Enter the date of the next attempt (the resit or retake)",
                field="next_attempt_on",
            )
        if next_attempt_on <= assessed_on:
            raise DomainError(
                "The date of the next attempt must be after the date of this assessment",
                field="next_attempt_on",
            )
    elif next_attempt_on is not None:
        raise DomainError(
            "A next attempt is only for a fail: leave the date blank", field="next_attempt_on"
        )


def record_attempt(
    session: Session,
    apprentice: Apprentice,
    *,
    actor: User,
    assessed_on: date,
    organisation_id: int | None,
    grade: str,
    next_attempt_on: date | None,
    note: str | None,
) -> EpaAttempt:
    """Record an attempt's result. Only after the gateway is confirmed, by the employing
    borough's coordinators (or an admin); the organisation must assess end-point assessments and
    the grade must be in the standard's grade set. A fail needs the date of the next attempt
    (after this one); a passing grade completes the apprenticeship on the assessment date."""
    check_may_change(actor, apprentice, "record end-point assessment results")
    _check_status(apprentice)
    _check_date(session, apprentice, assessed_on)
    organisation = _organisation(session, organisation_id)
    standard = session.get(Standard, apprentice.standard_id)
    assert standard is not None
    _check_grade(standard, grade, assessed_on, next_attempt_on)
    attempt = EpaAttempt(
        apprentice_id=apprentice.id,
        assessed_on=assessed_on,
        organisation_id=organisation.id,
        grade=grade,
        next_attempt_on=next_attempt_on,
        recorded_by_id=actor.id,
        note=_clean_note(note),
    )
    session.add(attempt)
    session.flush()
    audit.record(
        session,
        AuditAction.CREATED,
        actor=actor,
        target=audit.target_of(attempt),
        fields=["assessed_on", "organisation_id", "grade", "next_attempt_on", "note"],
    )
    if is_pass(grade):
        lifecycle.apply_move(
            session,
            apprentice,
            lifecycle.SystemMove.COMPLETE,
            actor=actor,
            effective_on=assessed_on,
            grade=grade,
            note=f"End-point assessment passed: {grade_label(grade)}",
        )
    return attempt


# The approaching-the-end list: end-point assessments booked


def epa_booked(viewer: User) -> Select:
    """Live apprentices in the viewer's scope past the gateway without a passing result: waiting
    for their first attempt, or for a resit or retake after a fail. Rows: the apprentice (with
    user, standard and employing borough), the gateway's date, the latest attempt's date and its
    next attempt date; the next attempt (or the gateway) soonest first."""
    latest = (
        select(EpaAttempt.id)
        .where(EpaAttempt.apprentice_id == Apprentice.id)
        .order_by(EpaAttempt.assessed_on.desc(), EpaAttempt.id.desc())
        .limit(1)
        .correlate(Apprentice)
        .scalar_subquery()
    )
    return (
        apprentices_visible_to(viewer)
        .join(Apprentice.user)
        .join(GatewayConfirmation, GatewayConfirmation.apprentice_id == Apprentice.id)
        .outerjoin(EpaAttempt, EpaAttempt.id == latest)
        .options(
            contains_eager(Apprentice.user),
            joinedload(Apprentice.standard),
            joinedload(Apprentice.employing_borough),
        )
        .add_columns(
            GatewayConfirmation.confirmed_on,
            EpaAttempt.assessed_on.label("last_assessed_on"),
            EpaAttempt.next_attempt_on,
        )
        .where(Apprentice.status == ApprenticeStatus.ACTIVE.value)
        .order_by(
            func.coalesce(EpaAttempt.next_attempt_on, GatewayConfirmation.confirmed_on),
            User.name,
            Apprentice.id,
        )
    )
