"""Cohorts: one intake each, led by one borough.

Only coordinators of the lead borough (and programme-wide coordinators and admins) create and
change a cohort; a coordinator without the programme-wide flag leads cohorts from their own
borough only. Counts of apprentices by status are taken from the viewer's scoped apprentice
query, so nobody counts apprentices they may not see.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app.access import apprentices_visible_to, borough_scope, cohorts_visible_to, may_change_cohort
from app.domain import audit
from app.domain.errors import DomainError, NotFound, StaleEdit, flush_versioned
from app.models import (
    Apprentice,
    ApprenticeStatus,
    AuditAction,
    Borough,
    Cohort,
    Role,
    Standard,
    TrainingProvider,
    User,
)

NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class CohortDetails:
    name: str
    standard_id: int | None  # None for a mixed cohort
    training_provider_id: int
    lead_borough_id: int
    start_date: date
    planned_end_date: date
    capacity: int


# Reading


def with_details(statement: Select[tuple[Cohort]]) -> Select[tuple[Cohort]]:
    """A cohort query that also loads what cohort pages show about it."""
    return statement.options(
        joinedload(Cohort.standard),
        joinedload(Cohort.training_provider),
        joinedload(Cohort.lead_borough),
    )


def visible_cohorts(viewer: User) -> Select[tuple[Cohort]]:
    """The cohorts the viewer may see, newest start first, with their details."""
    return with_details(cohorts_visible_to(viewer)).order_by(
        Cohort.start_date.desc(), Cohort.name, Cohort.id
    )


def visible_cohort(session: Session, viewer: User, cohort_id: int) -> Cohort:
    """One cohort with its details; NotFound when it does not exist or is out of scope."""
    cohort = session.scalars(
        with_details(cohorts_visible_to(viewer)).where(Cohort.id == cohort_id)
    ).one_or_none()
    if cohort is None:
        raise NotFound("Cohort not found")
    return cohort


def cohort_apprentices(viewer: User, cohort_id: int) -> Select[tuple[Apprentice]]:
    """The cohort's apprentices the viewer may see, by name, with user and employing borough."""
    return (
        apprentices_visible_to(viewer)
        .join(Apprentice.user)
        .where(Apprentice.cohort_id == cohort_id)
        .options(contains_eager(Apprentice.user), joinedload(Apprentice.employing_borough))
        .order_by(User.name, Apprentice.id)
    )


def cohort_status_counts(
    session: Session, cohort_ids: Collection[int], *, viewer: User
) -> dict[int, dict[ApprenticeStatus, int]]:
    """Per cohort, how many apprentices the viewer may see are in each status: one query."""
    if not cohort_ids:
        return {}
    statement = (
        apprentices_visible_to(viewer)
        .with_only_columns(Apprentice.cohort_id, Apprentice.status, func.count())
        .where(Apprentice.cohort_id.in_(list(cohort_ids)))
        .group_by(Apprentice.cohort_id, Apprentice.status)
    )
    counts: dict[int, dict[ApprenticeStatus, int]] = {}
    for cohort_id, status, number in session.execute(statement):
        counts.setdefault(cohort_id, {})[ApprenticeStatus(status)] = number
    return counts


def may_lead_from(actor: User, lead_borough_id: int) -> bool:
    """Whether the actor may create or hold a cohort led by this borough."""
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        return False
    scope = borough_scope(actor)
    return scope is None or lead_borough_id in scope


# Changing


def _check_details(session: Session, details: CohortDetails, actor: User) -> dict[str, object]:
    """The column values for these details, or the first rule they break."""
    name = details.name.strip()
    if not name:
        raise DomainError("Enter the cohort’s name", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(f"Name must be {NAME_MAX_LENGTH} characters or fewer", field="name")
    if details.standard_id is not None and session.get(Standard, details.standard_id) is None:
        raise DomainError("Select the apprenticeship standard, or mixed", field="standard")
    provider = session.get(TrainingProvider, details.training_provider_id)
    if provider is None or not provider.delivers_training:
        raise DomainError(
            "Select a training provider that delivers apprenticeship training",
            field="training_provider",
        )
    if session.get(Borough, details.lead_borough_id) is None:
        raise DomainError("Select the lead borough", field="lead_borough")
    if not may_lead_from(actor, details.lead_borough_id):
        raise DomainError(
            "You can only create and lead cohorts for your own borough", field="lead_borough"
        )
    if details.planned_end_date <= details.start_date:
        raise DomainError(
            "The planned end date must be after the start date", field="planned_end_date"
        )
    if details.capacity < 1:
        raise DomainError("Capacity must be at least 1", field="capacity")
    return {
        "name": name,
        "standard_id": details.standard_id,
        "training_provider_id": details.training_provider_id,
        "lead_borough_id": details.lead_borough_id,
        "start_date": details.start_date,
        "planned_end_date": details.planned_end_date,
        "capacity": details.capacity,
    }


def apprentices_taking_places(session: Session, cohort_id: int) -> int:
    """Apprentices of any borough holding a place in the cohort (all but those who left early)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Apprentice)
            .where(
                Apprentice.cohort_id == cohort_id,
                Apprentice.status != ApprenticeStatus.WITHDRAWN.value,
            )
        )
        or 0
    )


def create_cohort(session: Session, details: CohortDetails, *, actor: User) -> Cohort:
    cohort = Cohort(**_check_details(session, details, actor))
    session.add(cohort)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(cohort))
    return cohort


def update_cohort(
    session: Session,
    cohort: Cohort,
    details: CohortDetails,
    *,
    expected_version: int,
    actor: User,
) -> Cohort:
    """Change a cohort's details. Refused for anyone but the lead borough's coordinators (and
    those who see every borough); a form loaded before someone else's save is a StaleEdit."""
    if not (actor.has_role(Role.COORDINATOR, Role.ADMIN) and may_change_cohort(actor, cohort)):
        raise DomainError("Only coordinators of the lead borough can change this cohort")
    if cohort.row_version != expected_version:
        raise StaleEdit()
    values = _check_details(session, details, actor)
    if details.capacity != cohort.capacity:
        taken = apprentices_taking_places(session, cohort.id)
        if details.capacity < taken:
            raise DomainError(
                f"Capacity cannot be less than the {taken} apprentices already in this cohort",
                field="capacity",
            )
    changed = [name for name, value in values.items() if getattr(cohort, name) != value]
    if not changed:
        return cohort
    for name in changed:
        setattr(cohort, name, values[name])
    flush_versioned(session)
    audit.record(
        session, AuditAction.UPDATED, actor=actor, target=audit.target_of(cohort), fields=changed
    )
    return cohort
