"""The demo recruitment: open, closed and draft vacancies in several boroughs, with
applications at every stage — some ineligible, some local, some asking for a guaranteed
interview — built through the domain functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import LONDON
from app.domain import applications, cohorts, hiring, pipeline, vacancies
from app.domain.apprenticeship_rules import add_months
from app.models import (
    Borough,
    GuaranteedInterview,
    ResidenceRule,
    Stage,
    Standard,
    TrainingProvider,
    User,
    Vacancy,
)


@dataclass(frozen=True)
class Applicant:
    name: str
    lives_in: str | None  # None: outside London
    educated_in_borough: bool
    care_leaver: bool
    interview: GuaranteedInterview
    stage: Stage  # as far through the pipeline as they got
    age: int


APPLICANTS = tuple(
    Applicant(*values)
    for values in (
        ("Amara Osei", "Hackney", False, False, GuaranteedInterview.NO, Stage.HIRED, 19),
        ("Ben Carter", "Hackney", False, False, GuaranteedInterview.NO, Stage.OFFERED, 21),
        ("Chidi Eze", "Hackney", False, True, GuaranteedInterview.CARE_LEAVER, Stage.OFFERED, 18),
        ("Dina Kaur", "Newham", True, False, GuaranteedInterview.NO, Stage.ASSESSMENT, 20),
        (
            "Ewan Price",
            "Hackney",
            False,
            False,
            GuaranteedInterview.DISABILITY,
            Stage.ASSESSMENT,
            23,
        ),
        ("Farah Begum", "Hackney", False, False, GuaranteedInterview.NO, Stage.SCREENING, 17),
        ("Gabriel Silva", "Islington", False, False, GuaranteedInterview.NO, Stage.SCREENING, 22),
        ("Hana Ito", "Hackney", False, False, GuaranteedInterview.NO, Stage.SUBMITTED, 24),
        ("Idris Bello", None, False, False, GuaranteedInterview.NO, Stage.SUBMITTED, 19),
        (
            "Jade Thompson",
            "Hackney",
            False,
            False,
            GuaranteedInterview.DISABILITY,
            Stage.SUBMITTED,
            20,
        ),
        ("Kofi Asante", "Camden", False, False, GuaranteedInterview.NO, Stage.REJECTED, 21),
        ("Lucy Green", "Hackney", False, False, GuaranteedInterview.NO, Stage.WITHDRAWN, 18),
    )
)
CAMDEN_APPLICANTS = tuple(
    Applicant(*values)
    for values in (
        ("Maya Fernandes", "Camden", False, False, GuaranteedInterview.NO, Stage.ASSESSMENT, 20),
        ("Nikhil Rao", "Islington", False, False, GuaranteedInterview.NO, Stage.SCREENING, 22),
        ("Olivia Hart", "Haringey", False, False, GuaranteedInterview.NO, Stage.SUBMITTED, 19),
        ("Patrick Doyle", "Southwark", False, False, GuaranteedInterview.NO, Stage.SUBMITTED, 25),
    )
)
FILLED = Applicant("Ruby Ahmed", "Hackney", False, False, GuaranteedInterview.NO, Stage.HIRED, 20)
FORWARD = (Stage.SCREENING, Stage.ASSESSMENT, Stage.OFFERED)
EQUALITY = (
    applications.EqualityAnswers("woman", "black_african", "no", "no"),
    applications.EqualityAnswers("man", "asian_bangladeshi", "yes", "no"),
    applications.EqualityAnswers("prefer_not_to_say", None, "no", "prefer_not_to_say"),
)


def seed_recruitment(session: Session, *, actor: User, today: date, spring_cohort_id: int) -> None:
    borough = {b.name: b for b in session.scalars(select(Borough))}
    standard = {s.reference: s for s in session.scalars(select(Standard))}
    provider = {p.name: p for p in session.scalars(select(TrainingProvider))}
    names = applications.borough_names(session)

    camden_start = add_months(date(today.year, today.month, 1), 3)
    camden_cohort = cohorts.create_cohort(
        session,
        cohorts.CohortDetails(
            name=f"Camden data, {camden_start:%B %Y}",
            standard_id=standard["ST0118"].id,
            training_provider_id=provider["East London Skills Partnership"].id,
            lead_borough_id=borough["Camden"].id,
            start_date=camden_start,
            planned_end_date=add_months(camden_start, 24),
            capacity=6,
        ),
        actor=actor,
    )

    def vacancy(
        title: str,
        borough_name: str,
        cohort_id: int,
        reference: str,
        positions: int,
        rule: ResidenceRule,
        listed: tuple[str, ...] = (),
    ) -> Vacancy:
        record = vacancies.create_vacancy(
            session,
            vacancies.VacancyDetails(
                cohort_id=cohort_id,
                employing_borough_id=borough[borough_name].id,
                title=title,
                description=(
                    "Join the council's digital team and learn on the job, with a day a week "
                    "of training, a mentor and a network of apprentices across London."
                ),
                standard_id=standard[reference].id,
                positions=positions,
                hourly_pay=Decimal("13.85"),
                closing_date=today + timedelta(days=21),
                residence_rule=rule,
                eligible_borough_ids=frozenset(borough[name].id for name in listed),
            ),
            actor=actor,
        )
        session.flush()
        return record

    developer = vacancy(
        "Junior software developer apprentice",
        "Hackney",
        spring_cohort_id,
        "ST0116",
        4,
        ResidenceRule.OWN,
    )
    support = vacancy(
        "Digital support apprentice", "Hackney", spring_cohort_id, "ST0128", 1, ResidenceRule.OWN
    )
    analyst = vacancy(
        "Data analyst apprentice",
        "Camden",
        camden_cohort.id,
        "ST0118",
        3,
        ResidenceRule.LIST,
        listed=("Camden", "Islington", "Haringey"),
    )
    vacancy(
        "Cloud engineer apprentice", "Hackney", spring_cohort_id, "ST0116", 2, ResidenceRule.LONDON
    )  # left as a draft
    for record in (developer, support, analyst):
        vacancies.publish_vacancy(session, record, expected_version=record.row_version, actor=actor)
    session.flush()

    for number, person in enumerate(APPLICANTS):
        _apply(session, developer, person, number, names, actor, today)
    for number, person in enumerate(CAMDEN_APPLICANTS, start=len(APPLICANTS)):
        _apply(session, analyst, person, number, names, actor, today)
    # The one position of the support vacancy is filled, so it shows as closed.
    _apply(session, support, FILLED, 99, names, actor, today)


def _apply(
    session: Session,
    vacancy: Vacancy,
    person: Applicant,
    number: int,
    names: dict[int, str],
    actor: User,
    today: date,
) -> None:
    """One applicant's application, taken as far through the pipeline as the demo needs."""
    name, lives_in, stage, age = person.name, person.lives_in, person.stage, person.age
    borough_id = next((id_ for id_, n in names.items() if n == lives_in), None)
    # Sent over the last three weeks, never in the future (`number` runs past 20).
    submitted = datetime.combine(today - timedelta(days=20 - number % 20), time(10), LONDON)
    answers = applications.ApplicationAnswers(
        name=name,
        email=name.lower().replace(" ", ".") + "@example.net",
        phone=f"07700 900{number:03d}",
        date_of_birth=date(today.year - age, 1 + number % 12, 1 + number % 27),
        postcode="E8 1EA" if lives_in == "Hackney" else "N1 9GU",
        residence_borough_id=borough_id,
        educated_in_borough=person.educated_in_borough,
        care_leaver=person.care_leaver,
        right_to_work=True,
        full_time_education=False,
        guaranteed_interview=person.interview,
        supporting_statement=(
            "I have taught myself some HTML and Python at the library and would like to build "
            "services that help people in my borough."
        ),
    )
    application = applications.record_application(
        session,
        vacancy,
        answers,
        names,
        submitted_at=submitted.astimezone(UTC),
        source="online",
        actor=None,
    )
    if number % 4 == 0:
        applications.save_equality_answers(session, application, EQUALITY[number % 3])
    if stage is Stage.REJECTED:
        pipeline.move(
            session,
            application,
            Stage.REJECTED,
            actor=actor,
            reason="Did not meet the eligibility rule",
            note="Lives outside Hackney",
        )
        return
    if stage is Stage.WITHDRAWN:
        pipeline.move(session, application, Stage.WITHDRAWN, actor=None, note="Took another job")
        return
    for step in FORWARD:
        if stage is Stage.SUBMITTED or FORWARD.index(step) >= _rank(stage):
            break
        pipeline.move(session, application, step, actor=actor)
    if stage is Stage.HIRED:
        hiring.hire(
            session, application, actor=actor, right_to_work_checked_on=today - timedelta(days=2)
        )


def _rank(stage: Stage) -> int:
    """How many forward moves reach the stage (hiring needs all three, to offered)."""
    return {Stage.SCREENING: 1, Stage.ASSESSMENT: 2, Stage.OFFERED: 3, Stage.HIRED: 3}.get(stage, 0)
