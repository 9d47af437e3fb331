"""Plain functions that create test data with sensible defaults, through the real domain code.

Each commits, so the app's own connections (requests, the session store) can see the data.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import accounts
from app.domain.standards import ksb_sort_key
from app.models import (
    KSB,
    Application,
    ApplicationEvent,
    Apprentice,
    ApprenticeStatus,
    Borough,
    Cohort,
    GradeSet,
    MentorAssignment,
    MentorProfile,
    Placement,
    ResidenceRule,
    Role,
    Stage,
    Standard,
    TrainingProvider,
    User,
    Vacancy,
    VacancyStatus,
)

_sequence = itertools.count(1)


def get_borough(session: Session, name: str = "Hackney") -> Borough:
    return session.scalars(select(Borough).where(Borough.name == name)).one()


def create_user(
    session: Session,
    *,
    roles: Iterable[Role] = (Role.COORDINATOR,),
    borough: str = "Hackney",
    email: str | None = None,
    name: str | None = None,
    password: str | None = None,
    programme_wide: bool = False,
    active: bool = True,
) -> User:
    number = next(_sequence)
    user = accounts.create_user(
        session,
        email=email or f"user{number}@example.org",
        name=name or f"Test User {number}",
        borough=get_borough(session, borough),
        roles=roles,
        programme_wide=programme_wide,
        password=password,
    )
    user.is_active = active
    session.commit()
    return user


def create_standard(
    session: Session,
    *,
    reference: str | None = None,
    version: str = "1.0",
    title: str = "Software developer",
    level: int = 4,
    ksbs: Iterable[tuple[str, str]] = (("K1", "Knows things"), ("S1", "Does things")),
    **fields: Any,
) -> Standard:
    number = next(_sequence)
    standard = Standard(
        reference=reference or f"ST{number:04d}",
        version=version,
        title=title,
        level=level,
        typical_duration_months=fields.pop("typical_duration_months", 24),
        funding_band_max=fields.pop("funding_band_max", 18_000),
        min_otj_hours=fields.pop("min_otj_hours", None),
        grade_set=fields.pop("grade_set", GradeSet.PASS_DISTINCTION.value),
        ksbs=[KSB(code=code, sort_key=ksb_sort_key(code), text=text) for code, text in ksbs],
        **fields,
    )
    session.add(standard)
    session.commit()
    return standard


def create_provider(
    session: Session,
    *,
    name: str | None = None,
    ukprn: str | None = None,
    delivers_training: bool = True,
    assesses_epa: bool = False,
) -> TrainingProvider:
    number = next(_sequence)
    provider = TrainingProvider(
        name=name or f"Provider {number}",
        ukprn=ukprn or f"1{number:07d}",
        delivers_training=delivers_training,
        assesses_epa=assesses_epa,
    )
    session.add(provider)
    session.commit()
    return provider


def create_cohort(
    session: Session,
    *,
    lead: str = "Hackney",
    standard: Standard | None = None,
    provider: TrainingProvider | None = None,
    name: str | None = None,
    start_date: date = date(2026, 9, 1),
    planned_end_date: date = date(2028, 8, 31),
    capacity: int = 20,
) -> Cohort:
    number = next(_sequence)
    cohort = Cohort(
        name=name or f"Cohort {number}",
        standard=standard,
        training_provider=provider or create_provider(session),
        lead_borough=get_borough(session, lead),
        start_date=start_date,
        planned_end_date=planned_end_date,
        capacity=capacity,
    )
    session.add(cohort)
    session.commit()
    return cohort


def create_apprentice(
    session: Session,
    *,
    borough: str = "Hackney",
    cohort: Cohort | None = None,
    standard: Standard | None = None,
    user: User | None = None,
    name: str | None = None,
    status: ApprenticeStatus = ApprenticeStatus.WAITING_TO_START,
    start_date: date = date(2026, 9, 1),
    months: int = 24,
    date_of_birth: date = date(2006, 5, 17),
    residence: str | None = None,
    uln: str | None = None,
    contracted_hours: str = "37.5",
) -> Apprentice:
    if standard is None and cohort is not None and cohort.standard_id is not None:
        standard = session.get(Standard, cohort.standard_id)
    standard = standard or create_standard(session)
    cohort = cohort or create_cohort(session, lead=borough, standard=standard)
    user = user or create_user(session, roles=[Role.APPRENTICE], borough=borough, name=name)
    practical_end = start_date + timedelta(days=round(months * 30.44))
    apprentice = Apprentice(
        user=user,
        cohort=cohort,
        standard=standard,
        training_provider_id=cohort.training_provider_id,
        employing_borough=get_borough(session, borough),
        residence_borough=get_borough(session, residence or borough),
        uln=uln,
        date_of_birth=date_of_birth,
        start_date=start_date,
        practical_period_end=practical_end,
        planned_end_date=practical_end + timedelta(days=90),
        contracted_hours=Decimal(contracted_hours),
        status=status.value,
        qualifying_period_start=start_date,
    )
    session.add(apprentice)
    session.commit()
    return apprentice


def create_placement(
    session: Session,
    apprentice: Apprentice,
    *,
    host: str = "Hackney",
    team: str = "Digital services",
    start_date: date | None = None,
    end_date: date | None = None,
) -> Placement:
    placement = Placement(
        apprentice_id=apprentice.id,
        host_borough=get_borough(session, host),
        team=team,
        line_manager_name="Morgan Lee",
        line_manager_email="morgan.lee@example.org",
        start_date=start_date or apprentice.start_date,
        end_date=end_date,
    )
    session.add(placement)
    session.commit()
    return placement


def create_mentor(
    session: Session, *, borough: str = "Hackney", capacity: int = 3, name: str | None = None
) -> User:
    mentor = create_user(session, roles=[Role.MENTOR], borough=borough, name=name)
    session.add(MentorProfile(user_id=mentor.id, capacity=capacity, current_mentees=0))
    session.commit()
    return mentor


def assign_mentor(
    session: Session, apprentice: Apprentice, mentor: User, *, start_date: date | None = None
) -> MentorAssignment:
    """An assignment as the domain would make it: the mentor's count goes up by one."""
    assignment = MentorAssignment(
        apprentice_id=apprentice.id,
        mentor_user_id=mentor.id,
        start_date=start_date or apprentice.start_date,
    )
    session.add(assignment)
    profile = session.get(MentorProfile, mentor.id)
    if profile is None:
        profile = MentorProfile(user_id=mentor.id, capacity=3, current_mentees=0)
        session.add(profile)
    profile.current_mentees = (profile.current_mentees or 0) + 1
    session.commit()
    return assignment


def create_vacancy(
    session: Session,
    *,
    borough: str = "Hackney",
    cohort: Cohort | None = None,
    title: str = "Junior software developer apprentice",
    published: bool = True,
    closing_date: date = date(2027, 1, 31),
    positions: int = 4,
    residence_rule: ResidenceRule = ResidenceRule.OWN,
) -> Vacancy:
    cohort = cohort or create_cohort(session, lead=borough, start_date=date(2027, 3, 1))
    standard_id = cohort.standard_id or create_standard(session).id
    vacancy = Vacancy(
        cohort_id=cohort.id,
        employing_borough=get_borough(session, borough),
        standard_id=standard_id,
        title=title,
        description="Work in the council's digital team while you train.",
        positions=positions,
        hourly_pay=Decimal("13.85"),
        closing_date=closing_date,
        status=(VacancyStatus.PUBLISHED if published else VacancyStatus.DRAFT).value,
        residence_rule=residence_rule.value,
        educated_route=True,
        care_leaver_route=True,
        minimum_age=16,
    )
    session.add(vacancy)
    session.commit()
    return vacancy


def create_application(
    session: Session,
    vacancy: Vacancy,
    *,
    name: str | None = None,
    email: str | None = None,
    stage: Stage = Stage.SUBMITTED,
    residence: str | None = "Hackney",
    eligible: bool = True,
    date_of_birth: date = date(2006, 4, 2),
) -> Application:
    number = next(_sequence)
    residence_borough = get_borough(session, residence) if residence else None
    application = Application(
        vacancy_id=vacancy.id,
        reference=f"T{number:09d}",
        stage=stage.value,
        submitted_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        name=name or f"Applicant {number}",
        email=email or f"applicant{number}@example.org",
        phone="07700 900123",
        date_of_birth=date_of_birth,
        postcode="E8 1EA",
        supporting_statement="I would like to learn to build services for my neighbours.",
        residence_borough=residence_borough,
        right_to_work=True,
        eligible=eligible,
        eligibility_reasons=["Lives in Hackney"] if eligible else ["Does not live in Hackney"],
        is_local=residence_borough is not None
        and residence_borough.id == vacancy.employing_borough_id,
        age_band="19-23",
    )
    session.add(application)
    session.flush()
    session.add(
        ApplicationEvent(
            application_id=application.id,
            from_stage=None,
            to_stage=Stage.SUBMITTED.value,
            occurred_at=application.submitted_at,
        )
    )
    session.commit()
    return application
