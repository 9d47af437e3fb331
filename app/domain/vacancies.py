"""Vacancies: recruitment campaigns for a cohort, run by the employing borough's coordinators.

A vacancy is a draft until published. Open or closed is derived, never stored: a published
vacancy is open while its closing date has not passed and it has fewer hires than positions.
Its eligibility rule follows Hackney's (see app.domain.eligibility); `rule_for` is the one place
that turns a vacancy into that rule, and `who_can_apply` the one place that says it in words.

Only coordinators of the employing borough (and programme-wide coordinators and admins) create
and change a vacancy; a coordinator without the programme-wide flag employs from their own
borough only.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified

from app.access import borough_scope, cohorts_visible_to, vacancies_visible_to
from app.clock import today, utcnow
from app.domain import audit
from app.domain.eligibility import EligibilityRule
from app.domain.errors import DomainError, NotFound, StaleEdit, flush_versioned
from app.models import (
    Application,
    AuditAction,
    Borough,
    Cohort,
    ResidenceRule,
    Role,
    Stage,
    Standard,
    User,
    Vacancy,
    VacancyStatus,
)

# The National Minimum Wage apprentice rate from 1 April 2026: £8.00 an hour, for apprentices
# aged 16 to 18 and those 19 or over in their first year (gov.uk/national-minimum-wage-rates;
# announced 25 November 2025, FE Week "Apprentice minimum wage to rise to £8"). No vacancy may
# pay less. Update it when the rate changes each April.
APPRENTICE_MINIMUM_HOURLY_PAY = Decimal("8.00")
# Not a legal rule: a ceiling that catches a slip of the keyboard (£1385 for £13.85).
MAXIMUM_HOURLY_PAY = Decimal("100.00")

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
MAXIMUM_POSITIONS = 500
DEFAULT_MINIMUM_AGE = 16
MINIMUM_AGE_RANGE = (16, 99)


class VacancyState(enum.StrEnum):
    """What a vacancy is now, derived from its status, closing date and hires."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class VacancyDetails:
    cohort_id: int
    employing_borough_id: int
    title: str
    description: str
    standard_id: int
    positions: int
    hourly_pay: Decimal
    closing_date: date
    residence_rule: ResidenceRule
    eligible_borough_ids: frozenset[int] = field(default_factory=frozenset)  # for LIST only
    educated_route: bool = True
    care_leaver_route: bool = True
    minimum_age: int = DEFAULT_MINIMUM_AGE


# The eligibility rule


def rule_for(vacancy: Vacancy) -> EligibilityRule:
    """The vacancy's eligibility rule. The vacancy must have its cohort (whose start date is
    when age is measured) and its eligible boroughs loaded."""
    rule = ResidenceRule(vacancy.residence_rule)
    return EligibilityRule(
        employing_borough_id=vacancy.employing_borough_id,
        residence_rule=rule,
        eligible_borough_ids=(
            frozenset(borough.id for borough in vacancy.eligible_boroughs)
            if rule is ResidenceRule.LIST
            else frozenset()
        ),
        educated_route=vacancy.educated_route,
        care_leaver_route=vacancy.care_leaver_route,
        minimum_age=vacancy.minimum_age,
        start_date=vacancy.cohort.start_date,
    )


@dataclass(frozen=True)
class WhoCanApply:
    """The rule in plain words: any one of `routes`, and every one of `requirements`."""

    routes: tuple[str, ...]
    requirements: tuple[str, ...]


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def who_can_apply(vacancy: Vacancy) -> WhoCanApply:
    """Who may apply, addressed to the applicant ("live in Hackney"). Needs the vacancy's
    cohort, employing borough and eligible boroughs loaded."""
    employer = vacancy.employing_borough.name
    rule = ResidenceRule(vacancy.residence_rule)
    if rule is ResidenceRule.LONDON:
        routes = ["live in a London borough"]
    elif rule is ResidenceRule.LIST and vacancy.eligible_boroughs:
        routes = [f"live in {_and_list([b.name for b in vacancy.eligible_boroughs])}"]
    else:
        routes = [f"live in {employer}"]
    if vacancy.educated_route:
        routes.append(f"went to a secondary school or college in {employer}")
    if vacancy.care_leaver_route:
        routes.append(f"are a care leaver supported by {employer}")
    start = vacancy.cohort.start_date
    requirements = (
        f"be {vacancy.minimum_age} or older on {start.day} {start:%B %Y}, "
        "when the apprenticeship starts",
        "have the right to work in the UK",
        "not be in full-time education when the apprenticeship starts",
    )
    return WhoCanApply(routes=tuple(routes), requirements=requirements)


# Open or closed


def state_of(vacancy: Vacancy, hired_count: int, on: date) -> VacancyState:
    if vacancy.status != VacancyStatus.PUBLISHED.value:
        return VacancyState.DRAFT
    return VacancyState.OPEN if is_open(vacancy, hired_count, on) else VacancyState.CLOSED


def is_open(vacancy: Vacancy, hired_count: int, on: date) -> bool:
    """Published, the closing date not passed (the closing day itself is open), and fewer
    hires than positions."""
    return (
        vacancy.status == VacancyStatus.PUBLISHED.value
        and on <= vacancy.closing_date
        and hired_count < vacancy.positions
    )


def closed_because(vacancy: Vacancy, hired_count: int, on: date) -> str | None:
    """Why a published vacancy is closed, in words; None while it is open (or a draft)."""
    if vacancy.status != VacancyStatus.PUBLISHED.value:
        return None
    if hired_count >= vacancy.positions:
        return "All positions are filled"
    if on > vacancy.closing_date:
        return "The closing date has passed"
    return None


def _hired_counts_subquery() -> Subquery:
    return (
        select(Application.vacancy_id, func.count().label("hired"))
        .where(Application.stage == Stage.HIRED.value)
        .group_by(Application.vacancy_id)
        .subquery()
    )


def open_vacancies(
    on: date, *, borough_id: int | None = None, standard_id: int | None = None
) -> Select[tuple[Vacancy, int]]:
    """Open vacancies with their hire counts, soonest closing first, with their employing
    borough and standard loaded: one query for any number of rows (the public list)."""
    hired = _hired_counts_subquery()
    hired_count = func.coalesce(hired.c.hired, 0)
    statement = (
        select(Vacancy, hired_count.label("hired"))
        .outerjoin(hired, hired.c.vacancy_id == Vacancy.id)
        .where(
            Vacancy.status == VacancyStatus.PUBLISHED.value,
            Vacancy.closing_date >= on,
            hired_count < Vacancy.positions,
        )
        .options(joinedload(Vacancy.employing_borough), joinedload(Vacancy.standard))
        .order_by(Vacancy.closing_date, Vacancy.title, Vacancy.id)
    )
    if borough_id is not None:
        statement = statement.where(Vacancy.employing_borough_id == borough_id)
    if standard_id is not None:
        statement = statement.where(Vacancy.standard_id == standard_id)
    return statement


def hired_counts(session: Session, vacancy_ids: Collection[int]) -> dict[int, int]:
    """Hires per vacancy, in one query (vacancies without hires are left out)."""
    if not vacancy_ids:
        return {}
    statement = (
        select(Application.vacancy_id, func.count())
        .where(
            Application.vacancy_id.in_(list(vacancy_ids)),
            Application.stage == Stage.HIRED.value,
        )
        .group_by(Application.vacancy_id)
    )
    return {row[0]: row[1] for row in session.execute(statement)}


def stage_counts(session: Session, vacancy_ids: Collection[int]) -> dict[int, dict[Stage, int]]:
    """Per vacancy, how many applications are at each stage: one grouped count."""
    if not vacancy_ids:
        return {}
    statement = (
        select(Application.vacancy_id, Application.stage, func.count())
        .where(Application.vacancy_id.in_(list(vacancy_ids)))
        .group_by(Application.vacancy_id, Application.stage)
    )
    counts: dict[int, dict[Stage, int]] = {}
    for vacancy_id, stage, number in session.execute(statement):
        counts.setdefault(vacancy_id, {})[Stage(stage)] = number
    return counts


# Reading


def with_details(statement: Select[tuple[Vacancy]]) -> Select[tuple[Vacancy]]:
    """A vacancy query that also loads what vacancy pages (and `rule_for`) need."""
    return statement.options(
        joinedload(Vacancy.cohort),
        joinedload(Vacancy.employing_borough),
        joinedload(Vacancy.standard),
        selectinload(Vacancy.eligible_boroughs),
    )


def visible_vacancies(viewer: User) -> Select[tuple[Vacancy]]:
    """The vacancies the viewer may see, latest closing first, with what the list shows."""
    return (
        vacancies_visible_to(viewer)
        .options(joinedload(Vacancy.employing_borough), joinedload(Vacancy.standard))
        .order_by(Vacancy.closing_date.desc(), Vacancy.title, Vacancy.id)
    )


def visible_vacancy(session: Session, viewer: User, vacancy_id: int) -> Vacancy:
    """One vacancy with its details; NotFound when it does not exist or is out of scope."""
    vacancy = session.scalars(
        with_details(vacancies_visible_to(viewer)).where(Vacancy.id == vacancy_id)
    ).one_or_none()
    if vacancy is None:
        raise NotFound("Vacancy not found")
    return vacancy


def published_vacancy(session: Session, vacancy_id: int) -> Vacancy:
    """A published vacancy (open or closed) with its details, for the public; a draft or a
    vacancy that does not exist is NotFound."""
    vacancy = session.scalars(
        with_details(select(Vacancy)).where(
            Vacancy.id == vacancy_id, Vacancy.status == VacancyStatus.PUBLISHED.value
        )
    ).one_or_none()
    if vacancy is None:
        raise NotFound("Vacancy not found")
    return vacancy


def may_employ_from(actor: User, borough_id: int) -> bool:
    """Whether the actor may run vacancies employed by this borough."""
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        return False
    scope = borough_scope(actor)
    return scope is None or borough_id in scope


def may_change_vacancy(actor: User, vacancy: Vacancy) -> bool:
    return may_employ_from(actor, vacancy.employing_borough_id)


# Changing


def _cohort(
    session: Session, actor: User, cohort_id: int, *, current_cohort_id: int | None
) -> Cohort:
    """The cohort, if the actor may see it or the vacancy already belongs to it."""
    if cohort_id == current_cohort_id:
        cohort = session.get(Cohort, cohort_id)
    else:
        cohort = session.scalars(
            cohorts_visible_to(actor).where(Cohort.id == cohort_id)
        ).one_or_none()
    if cohort is None:
        raise DomainError("Select the cohort", field="cohort")
    return cohort


def _text(
    value: str, *, field: str, limit: int, missing: str, label: str, multiline: bool = False
) -> str:
    value = value.strip()
    if not value:
        raise DomainError(missing, field=field)
    if len(value) > limit:
        raise DomainError(f"{label} must be {limit:,} characters or fewer", field=field)
    allowed = "\r\n\t" if multiline else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        raise DomainError(f"{label} must not include control characters", field=field)
    return value


def _check_standard(session: Session, cohort: Cohort, standard_id: int) -> None:
    if session.get(Standard, standard_id) is None:
        raise DomainError("Select the apprenticeship standard", field="standard")
    if cohort.standard_id is not None and cohort.standard_id != standard_id:
        cohort_standard = session.get(Standard, cohort.standard_id)
        raise DomainError(
            f"Select {cohort_standard.display_name}, the cohort’s standard, "
            "or choose a cohort of mixed standards",
            field="standard",
        )


def _check_pay(pay: Decimal) -> Decimal:
    if pay != pay.quantize(Decimal("0.01")):
        raise DomainError("Hourly pay must be in pounds and pence", field="hourly_pay")
    if pay < APPRENTICE_MINIMUM_HOURLY_PAY:
        raise DomainError(
            f"Hourly pay must be at least £{APPRENTICE_MINIMUM_HOURLY_PAY}, "
            "the apprentice minimum wage",
            field="hourly_pay",
        )
    if pay > MAXIMUM_HOURLY_PAY:
        raise DomainError(f"Hourly pay must be £{MAXIMUM_HOURLY_PAY} or less", field="hourly_pay")
    return pay.quantize(Decimal("0.01"))


def _eligible_boroughs(session: Session, details: VacancyDetails) -> list[Borough]:
    """The boroughs a LIST rule names (none for the other rules)."""
    if details.residence_rule is not ResidenceRule.LIST:
        return []
    boroughs = list(
        session.scalars(
            select(Borough)
            .where(Borough.id.in_(sorted(details.eligible_borough_ids)))
            .order_by(Borough.name)
        )
    )
    if not boroughs or len(boroughs) != len(details.eligible_borough_ids):
        raise DomainError(
            "Select the boroughs whose residents can apply", field="eligible_boroughs"
        )
    return boroughs


def _check_details(
    session: Session, details: VacancyDetails, actor: User, *, current_cohort_id: int | None = None
) -> dict[str, object]:
    """The column values (and eligible boroughs) for these details, or the first rule they
    break."""
    cohort = _cohort(session, actor, details.cohort_id, current_cohort_id=current_cohort_id)
    if session.get(Borough, details.employing_borough_id) is None:
        raise DomainError("Select the employing borough", field="employing_borough")
    if not may_employ_from(actor, details.employing_borough_id):
        raise DomainError(
            "You can only run vacancies for your own borough", field="employing_borough"
        )
    title = _text(
        details.title,
        field="title",
        limit=TITLE_MAX_LENGTH,
        missing="Enter the vacancy’s title",
        label="Title",
    )
    description = _text(
        details.description,
        field="description",
        limit=DESCRIPTION_MAX_LENGTH,
        missing="Enter a description of the job",
        label="Description",
        multiline=True,
    )
    _check_standard(session, cohort, details.standard_id)
    if not 1 <= details.positions <= MAXIMUM_POSITIONS:
        raise DomainError(f"Positions must be between 1 and {MAXIMUM_POSITIONS}", field="positions")
    pay = _check_pay(details.hourly_pay)
    if details.closing_date >= cohort.start_date:
        raise DomainError(
            f"The closing date must be before the cohort starts on "
            f"{cohort.start_date.day} {cohort.start_date:%B %Y}",
            field="closing_date",
        )
    low, high = MINIMUM_AGE_RANGE
    if not low <= details.minimum_age <= high:
        raise DomainError(f"Minimum age must be between {low} and {high}", field="minimum_age")
    return {
        "cohort_id": cohort.id,
        "employing_borough_id": details.employing_borough_id,
        "title": title,
        "description": description,
        "standard_id": details.standard_id,
        "positions": details.positions,
        "hourly_pay": pay,
        "closing_date": details.closing_date,
        "residence_rule": details.residence_rule.value,
        "educated_route": details.educated_route,
        "care_leaver_route": details.care_leaver_route,
        "minimum_age": details.minimum_age,
        "eligible_boroughs": _eligible_boroughs(session, details),
    }


def create_vacancy(session: Session, details: VacancyDetails, *, actor: User) -> Vacancy:
    """A new draft vacancy."""
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        raise DomainError("Only coordinators can create vacancies")
    values = _check_details(session, details, actor)
    vacancy = Vacancy(status=VacancyStatus.DRAFT.value, **values)
    session.add(vacancy)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(vacancy))
    return vacancy


def update_vacancy(
    session: Session,
    vacancy: Vacancy,
    details: VacancyDetails,
    *,
    expected_version: int,
    actor: User,
) -> Vacancy:
    """Change a vacancy (a draft or a published one). The vacancy must have its eligible
    boroughs loaded. Refused for anyone but the employing borough's coordinators (and those who
    see every borough); a form loaded before someone else's save is a StaleEdit."""
    if not may_change_vacancy(actor, vacancy):
        raise DomainError("Only coordinators of the employing borough can change this vacancy")
    if vacancy.row_version != expected_version:
        raise StaleEdit()
    values = _check_details(session, details, actor, current_cohort_id=vacancy.cohort_id)
    if details.positions < vacancy.positions:
        hired = hired_counts(session, [vacancy.id]).get(vacancy.id, 0)
        if details.positions < hired:
            raise DomainError(
                f"Positions cannot be fewer than the {hired} people already hired",
                field="positions",
            )
    boroughs = values.pop("eligible_boroughs")
    changed = [name for name, value in values.items() if getattr(vacancy, name) != value]
    if {b.id for b in boroughs} != {b.id for b in vacancy.eligible_boroughs}:
        changed.append("eligible_boroughs")
    if not changed:
        return vacancy
    for name in changed:
        setattr(vacancy, name, boroughs if name == "eligible_boroughs" else values[name])
    if changed == ["eligible_boroughs"]:
        # A change to the association table alone would not update the vacancy's row, so its
        # version would stay put: mark a column changed, so other open forms become stale.
        flag_modified(vacancy, "residence_rule")
    flush_versioned(session)
    audit.record(
        session, AuditAction.UPDATED, actor=actor, target=audit.target_of(vacancy), fields=changed
    )
    return vacancy


def publishing_problems(session: Session, vacancy: Vacancy, *, on: date) -> list[str]:
    """What stops the vacancy being published (empty when it can be). The vacancy must have
    its cohort and eligible boroughs loaded."""
    if vacancy.status == VacancyStatus.PUBLISHED.value:
        return ["This vacancy is already published"]
    problems = []
    if not (vacancy.title or "").strip():
        problems.append("Add a title")
    if not (vacancy.description or "").strip():
        problems.append("Add a description of the job")
    if vacancy.hourly_pay is None or vacancy.hourly_pay < APPRENTICE_MINIMUM_HOURLY_PAY:
        problems.append(
            f"Set the hourly pay to at least £{APPRENTICE_MINIMUM_HOURLY_PAY}, "
            "the apprentice minimum wage"
        )
    if vacancy.residence_rule == ResidenceRule.LIST.value and not vacancy.eligible_boroughs:
        problems.append("Select the boroughs whose residents can apply")
    if vacancy.closing_date < on:
        problems.append("Change the closing date: it has passed")
    elif vacancy.closing_date >= vacancy.cohort.start_date:
        problems.append("Change the closing date to before the cohort starts")
    hired = hired_counts(session, [vacancy.id]).get(vacancy.id, 0)
    if hired >= vacancy.positions:
        problems.append("Add positions: every position is already filled")
    return problems


def publish_vacancy(
    session: Session, vacancy: Vacancy, *, expected_version: int, actor: User
) -> Vacancy:
    """Draft to published, so residents can see it and apply. Refused for a vacancy that is
    incomplete or would be closed already (closing date passed, positions filled)."""
    if not may_change_vacancy(actor, vacancy):
        raise DomainError("Only coordinators of the employing borough can publish this vacancy")
    if vacancy.row_version != expected_version:
        raise StaleEdit()
    problems = publishing_problems(session, vacancy, on=today())
    if problems:
        raise DomainError(problems[0])
    vacancy.status = VacancyStatus.PUBLISHED.value
    vacancy.published_at = utcnow()
    flush_versioned(session)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(vacancy),
        fields=["status", "published_at"],
    )
    return vacancy
