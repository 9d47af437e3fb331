"""Apprentices: creating one (with their account) and changing their details.

Changes belong to coordinators of the employing borough, programme-wide coordinators and
admins. Dates default from, and are checked against, app.domain.apprenticeship_rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.clock import today, utcnow
from app.domain import audit, lifecycle, milestones, progress
from app.domain.accounts import invite_user
from app.domain.apprenticeship_rules import (
    MINIMUM_AGE_AT_START,
    age_on,
    default_planned_end_date,
    default_practical_period_end,
    earliest_practical_period_end,
    minimum_duration_months,
)
from app.domain.cohorts import apprentices_taking_places
from app.domain.errors import DomainError, StaleEdit, flush_versioned
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

ULN_FORMAT = re.compile(r"^\d{10}$")
MAX_HOURS = Decimal(48)
NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class ApprenticeDetails:
    """What a coordinator enters about an apprentice. None for the standard or provider means
    the cohort's; None for the two end dates means the default from the rules; None for the
    borough of residence means outside London."""

    name: str
    date_of_birth: date
    cohort_id: int
    standard_id: int | None
    training_provider_id: int | None
    residence_borough_id: int | None
    uln: str | None
    start_date: date
    practical_period_end: date | None
    planned_end_date: date | None
    contracted_hours: Decimal


# The columns an edit may change, in the order the audit lists them.
_EDITABLE = (
    "cohort_id",
    "standard_id",
    "training_provider_id",
    "residence_borough_id",
    "uln",
    "date_of_birth",
    "start_date",
    "practical_period_end",
    "planned_end_date",
    "contracted_hours",
)


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def may_manage_borough(actor: User, borough_id: int) -> bool:
    """Whether the actor may add and change apprentices employed by this borough."""
    if Role.ADMIN in actor.roles:
        return True
    if Role.COORDINATOR not in actor.roles:
        return False
    return actor.is_programme_wide or actor.borough_id == borough_id


def clean_uln(raw: str | None) -> str | None:
    value = (raw or "").replace(" ", "")
    if not value:
        return None
    if not ULN_FORMAT.match(value):
        raise DomainError("Unique learner number must be 10 digits", field="uln")
    return value


def check_hours(hours: Decimal) -> Decimal:
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise DomainError(
            "Contracted hours must be more than 0 and no more than 48 a week",
            field="contracted_hours",
        )
    if hours != hours.quantize(Decimal("0.1")):
        raise DomainError(
            "Contracted hours can have at most one decimal place, like 37.5",
            field="contracted_hours",
        )
    return hours.quantize(Decimal("0.1"))


def _get(session: Session, model: type, record_id: int | None, message: str, field: str):
    record = session.get(model, record_id) if record_id is not None else None
    if record is None:
        raise DomainError(message, field=field)
    return record


def _check_cohort_place(session: Session, cohort: Cohort, also_joining: int) -> None:
    taken = apprentices_taking_places(session, cohort.id) + also_joining
    if taken >= cohort.capacity:
        raise DomainError(
            f"{cohort.name} is full: all {cohort.capacity} places are taken", field="cohort"
        )


def resolve_details(
    session: Session,
    details: ApprenticeDetails,
    *,
    current: Apprentice | None = None,
    also_joining: int = 0,
) -> dict[str, object]:
    """The apprentice's column values for these details, with the defaults filled in; a
    DomainError naming the field for the first rule they break. `current` is the apprentice
    being changed (None for a new one); `also_joining` counts others about to join the same
    cohort (the earlier rows of an import)."""
    own_id = current.id if current is not None else None
    name = details.name.strip()
    if not name:
        raise DomainError("Enter their full name", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError("Full name must be 200 characters or fewer", field="name")
    cohort = _get(session, Cohort, details.cohort_id, "Select a cohort", "cohort")
    if current is None or current.cohort_id != cohort.id:
        _check_cohort_place(session, cohort, also_joining)
    standard_id = details.standard_id or cohort.standard_id
    if standard_id is None:
        raise DomainError(
            "Select a standard: the cohort does not have a single standard", field="standard"
        )
    standard = _get(session, Standard, standard_id, "Select a standard", "standard")
    provider_id = details.training_provider_id or cohort.training_provider_id
    _get(session, TrainingProvider, provider_id, "Select a training provider", "training_provider")
    if details.residence_borough_id is not None:
        _get(
            session,
            Borough,
            details.residence_borough_id,
            "Select their borough of residence",
            "residence_borough",
        )
    start = details.start_date
    if details.date_of_birth >= today():
        raise DomainError("Date of birth must be in the past", field="date_of_birth")
    if age_on(details.date_of_birth, start) < MINIMUM_AGE_AT_START:
        raise DomainError(
            f"They must be at least {MINIMUM_AGE_AT_START} years old on the start date",
            field="date_of_birth",
        )
    uln = clean_uln(details.uln)
    if uln is not None:
        clash = session.scalar(
            select(Apprentice.id).where(Apprentice.uln == uln, Apprentice.id != (own_id or 0))
        )
        if clash is not None:
            raise DomainError(
                "Another apprentice already has this unique learner number", field="uln"
            )
    hours = check_hours(details.contracted_hours)
    practical_end = details.practical_period_end or default_practical_period_end(
        start, standard.typical_duration_months
    )
    earliest = earliest_practical_period_end(start)
    if practical_end < earliest:
        raise DomainError(
            f"The practical period must last at least {minimum_duration_months(start)} months "
            f"for a start on {_day(start)}: it must end on or after {_day(earliest)}",
            field="practical_period_end",
        )
    planned_end = details.planned_end_date or default_planned_end_date(practical_end)
    if planned_end < practical_end:
        raise DomainError(
            "Planned end date must be on or after the end of the practical period",
            field="planned_end_date",
        )
    return {
        "cohort_id": cohort.id,
        "standard_id": standard.id,
        "training_provider_id": provider_id,
        "residence_borough_id": details.residence_borough_id,
        "uln": uln,
        "date_of_birth": details.date_of_birth,
        "start_date": start,
        "practical_period_end": practical_end,
        "planned_end_date": planned_end,
        "contracted_hours": hours,
    }


def check_employing_borough(session: Session, *, actor: User, employing_borough_id: int) -> Borough:
    """The employing borough of a new apprentice, if the actor may add apprentices to it."""
    borough = session.get(Borough, employing_borough_id)
    if borough is None:
        raise DomainError("Select the employing borough", field="employing_borough")
    if not may_manage_borough(actor, borough.id):
        raise DomainError(
            "You can only add apprentices employed by your own borough",
            field="employing_borough",
        )
    return borough


def create_apprentice(
    session: Session,
    details: ApprenticeDetails,
    *,
    actor: User,
    email: str,
    employing_borough_id: int,
) -> Apprentice:
    """Create the apprentice and their account (with the apprentice role, no password yet).
    The caller commits, then mails the invitation."""
    borough = check_employing_borough(
        session, actor=actor, employing_borough_id=employing_borough_id
    )
    values = resolve_details(session, details)
    user = invite_user(
        session,
        actor=actor,
        email=email,
        name=details.name.strip(),
        borough=borough,
        roles=[Role.APPRENTICE],
    )
    apprentice = Apprentice(
        user_id=user.id,
        employing_borough_id=borough.id,
        status=ApprenticeStatus.WAITING_TO_START.value,
        qualifying_period_start=values["start_date"],
        left_in_qualifying_period=False,
        **values,
    )
    session.add(apprentice)
    session.flush()
    # Every new apprentice (by hand, by import, by hiring) gets their milestones; the summary is
    # refreshed below.
    milestones.generate_milestones(session, apprentice, actor=actor, refresh=False)
    lifecycle.record_event(
        session,
        apprentice,
        from_status=None,
        to_status=ApprenticeStatus.WAITING_TO_START,
        effective_on=today(),
        actor=actor,
    )
    audit.record(
        session,
        AuditAction.CREATED,
        actor=actor,
        target=audit.target_of(apprentice),
        fields=["user", "employing_borough_id", *values],
    )
    progress.refresh_summary(session, apprentice.id)
    return apprentice


def details_of(apprentice: Apprentice, name: str) -> ApprenticeDetails:
    """The apprentice's current details (for filling in an edit form)."""
    values = {
        field.name: getattr(apprentice, field.name)
        for field in fields(ApprenticeDetails)
        if field.name != "name"
    }
    return ApprenticeDetails(name=name, **values)


def update_apprentice(
    session: Session,
    apprentice: Apprentice,
    details: ApprenticeDetails,
    *,
    actor: User,
    expected_version: int,
) -> list[str]:
    """Change an apprentice's details (and their name on their account); the names of the
    fields that changed. The employing borough and the email address are not changed here."""
    if apprentice.row_version != expected_version:
        raise StaleEdit()
    if not may_manage_borough(actor, apprentice.employing_borough_id):
        raise DomainError("Only the employing borough’s coordinators can change this apprentice")
    values = resolve_details(session, details, current=apprentice)
    if (
        values["start_date"] != apprentice.start_date
        and apprentice.status != ApprenticeStatus.WAITING_TO_START.value
    ):
        raise DomainError(
            "The start date cannot change once the apprenticeship has started",
            field="start_date",
        )
    changed = [name for name in _EDITABLE if getattr(apprentice, name) != values[name]]
    user = session.get(User, apprentice.user_id)
    name = details.name.strip()
    if user is not None and user.name != name:
        user.name = name
        changed.insert(0, "name")
    if not changed:
        return []
    for column in changed:
        if column != "name":
            setattr(apprentice, column, values[column])
    if "start_date" in changed:
        apprentice.qualifying_period_start = values["start_date"]
    # Always an UPDATE of the apprentice, so its version moves on even when only the name (on
    # the account) changed, and a concurrent edit of the apprentice is recognised as stale.
    apprentice.updated_at = utcnow()
    flag_modified(apprentice, "updated_at")  # even when the clock has not moved (tests)
    flush_versioned(session)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(apprentice),
        fields=changed,
    )
    return changed
