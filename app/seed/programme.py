"""The demo programme: cohorts in several boroughs, apprentices in every status, placements that
rotate between boroughs, and mentors near and at capacity. Built through the domain functions,
with dates relative to today, so every rule holds for the demo data too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today
from app.domain import apprentices, cohorts, lifecycle, mentoring, placements, progress
from app.domain.accounts import invite_user
from app.domain.apprenticeship_rules import add_months
from app.domain.lifecycle import Move
from app.models import (
    Apprentice,
    ApprenticeStatus,
    Borough,
    Destination,
    Role,
    Standard,
    TrainingProvider,
    User,
    WithdrawalReason,
)
from app.seed.milestone_templates import seed_milestone_templates
from app.seed.progression import Progress, assess, awaiting_resit, follow_up, live_progress
from app.seed.recruitment import seed_recruitment

APPRENTICE_EMAIL = "apprentice@example.org"
MENTOR_EMAIL = "mentor@example.org"


@dataclass(frozen=True)
class Person:
    name: str
    cohort: str
    borough: str
    status: ApprenticeStatus
    mentor: str | None = None
    # (host borough, team, months after the start it began); the last one is current
    placements: tuple[tuple[str, str, int], ...] = ()
    email: str | None = None
    progress: Progress = Progress()
    standard: str | None = None  # for a cohort of mixed standards; None: one in turn


TEAMS = {
    "Hackney": ("Digital services", "Data and insight", "Cloud platform"),
    "Camden": ("Data and insight", "Customer digital"),
    "Tower Hamlets": ("Infrastructure", "Service desk"),
    "Islington": ("Infrastructure", "Web team"),
}

MENTORS = (
    # name, borough, capacity
    ("Ruth Campbell", "Camden", 3),
    ("Dev Patel", "Islington", 3),
    ("Lena Fischer", "Hackney", 4),
    ("Joseph Mwangi", "Hackney", 4),
)

PEOPLE = (
    Person(
        "Jordan Mensah",
        "hackney",
        "Hackney",
        ApprenticeStatus.ACTIVE,
        mentor="Tom Reilly",
        placements=(("Hackney", "Digital services", 0), ("Camden", "Data and insight", 6)),
        email=APPRENTICE_EMAIL,
        progress=Progress(pace=1.02, waiting=2, returned=True),
    ),
    Person(
        "Aisha Rahman",
        "hackney",
        "Hackney",
        ApprenticeStatus.ACTIVE,
        mentor="Tom Reilly",
        placements=(("Hackney", "Cloud platform", 0), ("Tower Hamlets", "Infrastructure", 8)),
        progress=Progress(pace=0.88, waiting=1),
    ),
    Person(
        "Kwame Boateng",
        "hackney",
        "Hackney",
        ApprenticeStatus.ACTIVE,
        mentor="Tom Reilly",
        placements=(("Hackney", "Data and insight", 0),),
        progress=Progress(pace=0.6, slipped_milestones=2, review_late_weeks=6),
    ),
    Person(
        "Sofia Costa",
        "hackney",
        "Hackney",
        ApprenticeStatus.ON_BREAK,
        mentor="Lena Fischer",
        placements=(("Hackney", "Digital services", 0),),
        progress=Progress(pace=0.9),
    ),
    Person(
        "Leon Wright",
        "hackney",
        "Hackney",
        ApprenticeStatus.WITHDRAWN,
        placements=(("Hackney", "Digital services", 0),),
        progress=Progress(pace=0.8),
    ),
    Person(
        "Mariam Yusuf",
        "hackney",
        "Hackney",
        ApprenticeStatus.ACTIVE,
        mentor="Lena Fischer",
        placements=(("Hackney", "Cloud platform", 0), ("Islington", "Web team", 9)),
        progress=Progress(pace=1.1, waiting=2, waiting_days=20, slipped_milestones=1),
    ),
    Person(
        "Ellie Morgan",
        "camden",
        "Camden",
        ApprenticeStatus.ACTIVE,
        mentor="Ruth Campbell",
        placements=(("Camden", "Data and insight", 0),),
        progress=Progress(pace=1.0, waiting=1),
    ),
    Person(
        "Tariq Hussain",
        "camden",
        "Camden",
        ApprenticeStatus.ACTIVE,
        mentor="Ruth Campbell",
        placements=(("Camden", "Customer digital", 0),),
        progress=Progress(pace=0.97, review_late_weeks=1),
    ),
    Person(
        "Grace Okonjo",
        "camden",
        "Camden",
        ApprenticeStatus.WITHDRAWN,
        placements=(("Camden", "Customer digital", 0),),
    ),
    Person(
        "Nathan Brooks",
        "camden",
        "Camden",
        ApprenticeStatus.ON_BREAK,
        placements=(("Camden", "Data and insight", 0),),
        progress=Progress(pace=0.7),
    ),
    Person(
        "Chloe Adams",
        "islington",
        "Islington",
        ApprenticeStatus.COMPLETED,
        mentor="Dev Patel",
        placements=(("Islington", "Infrastructure", 0), ("Hackney", "Cloud platform", 12)),
        progress=Progress(
            results=("distinction",),
            destinations=(Destination.SAME_COUNCIL, Destination.SAME_COUNCIL),
        ),
    ),
    Person(
        "Samir Haddad",
        "islington",
        "Islington",
        ApprenticeStatus.COMPLETED,
        mentor="Dev Patel",
        placements=(("Islington", "Web team", 0),),
        progress=Progress(
            results=("pass",),
            destinations=(Destination.SAME_COUNCIL, Destination.OTHER_PUBLIC_SECTOR),
        ),
    ),
    Person(
        "Precious Nwosu",
        "islington",
        "Islington",
        ApprenticeStatus.ACTIVE,
        mentor="Dev Patel",
        placements=(("Islington", "Infrastructure", 0),),
        progress=Progress(results=("fail",), slipped_milestones=1),
    ),
    # An earlier Hackney intake: completers at each grade, followed up at 6 and 12 months, and
    # one who finished but did not pass the assessment.
    Person(
        "Daniel Osei",
        "earlier",
        "Hackney",
        ApprenticeStatus.COMPLETED,
        mentor="Joseph Mwangi",
        placements=(("Hackney", "Digital services", 0), ("Camden", "Customer digital", 12)),
        standard="ST0116",
        progress=Progress(
            results=("distinction",),
            destinations=(
                Destination.SAME_COUNCIL,
                Destination.SAME_COUNCIL,
                Destination.SAME_COUNCIL,
            ),
        ),
    ),
    Person(
        "Ruby Thompson",
        "earlier",
        "Hackney",
        ApprenticeStatus.COMPLETED,
        mentor="Joseph Mwangi",
        placements=(("Hackney", "Data and insight", 0),),
        standard="ST0118",
        progress=Progress(
            results=("merit",),
            destinations=(
                Destination.SAME_COUNCIL,
                Destination.SAME_COUNCIL,
                Destination.PRIVATE_SECTOR,
            ),
        ),
    ),
    Person(
        "Lucy Chen",
        "earlier",
        "Camden",
        ApprenticeStatus.COMPLETED,
        mentor="Joseph Mwangi",
        placements=(("Camden", "Data and insight", 0),),
        standard="ST0128",
        progress=Progress(
            results=("fail", "pass"),
            destinations=(
                Destination.SAME_COUNCIL,
                Destination.FURTHER_LEARNING,
                Destination.FURTHER_LEARNING,
            ),
        ),
    ),
    Person(
        "Marcus Green",
        "earlier",
        "Hackney",
        ApprenticeStatus.WITHDRAWN,
        mentor="Joseph Mwangi",
        placements=(("Hackney", "Cloud platform", 0),),
        standard="ST0795",
        progress=Progress(
            pace=0.95,
            results=("fail", "fail"),
            destinations=(
                Destination.NOT_IN_WORK,
                Destination.PRIVATE_SECTOR,
                Destination.PRIVATE_SECTOR,
            ),
        ),
    ),
    Person("Omar Farah", "spring", "Hackney", ApprenticeStatus.WAITING_TO_START),
    Person("Hannah Lewis", "spring", "Tower Hamlets", ApprenticeStatus.WAITING_TO_START),
    Person("Yusuf Ali", "spring", "Hackney", ApprenticeStatus.WAITING_TO_START),
)


def seed_programme(session: Session, *, actor: User, mentor_user: User) -> None:
    """Load the demo programme. `actor` is a programme-wide coordinator; `mentor_user` is the
    demo mentor, who mentors as many apprentices as their capacity allows."""
    now = today()
    borough = {b.name: b for b in session.scalars(select(Borough))}
    standard = {s.reference: s for s in session.scalars(select(Standard))}
    provider = {p.name: p for p in session.scalars(select(TrainingProvider))}

    def first_of_month(months_ago: int) -> date:
        return add_months(date(now.year, now.month, 1), -months_ago)

    cohort_plan = {
        "hackney": ("Hackney digital", None, "Northbank Digital College", "Hackney", 15, 12),
        "camden": ("Camden data", "ST0118", "East London Skills Partnership", "Camden", 8, 8),
        "islington": (
            "Islington infrastructure",
            "ST0119",
            "City Code Academy",
            "Islington",
            30,
            6,
        ),
        "spring": ("Spring intake", None, "Northbank Digital College", "Hackney", -2, 10),
        "earlier": ("Hackney digital", None, "Riverside Training and Assessment", "Hackney", 44, 8),
    }
    cohort = {}
    for key, (name, reference, provider_name, lead, months_ago, capacity) in cohort_plan.items():
        start = first_of_month(months_ago)
        cohort[key] = cohorts.create_cohort(
            session,
            cohorts.CohortDetails(
                name=f"{name}, {start:%B %Y}",
                standard_id=standard[reference].id if reference else None,
                training_provider_id=provider[provider_name].id,
                lead_borough_id=borough[lead].id,
                start_date=start,
                planned_end_date=add_months(start, 24),
                capacity=capacity,
            ),
            actor=actor,
        )

    seed_milestone_templates(session)
    mentors = {mentor_user.name: mentor_user}
    mentoring.set_capacity(session, mentor_user, 3, actor=actor)
    for name, home, capacity in MENTORS:
        mentor = invite_user(
            session,
            actor=actor,
            email=name.lower().replace(" ", ".") + "@example.org",
            name=name,
            borough=borough[home],
            roles=[Role.MENTOR],
        )
        mentoring.set_capacity(session, mentor, capacity, actor=actor)
        mentors[name] = mentor

    mixed_standards = ["ST0116", "ST0128", "ST0795"]
    for number, person in enumerate(PEOPLE):
        intake = cohort[person.cohort]
        chosen = intake.standard_id or (standard[person.standard or mixed_standards[number % 3]].id)
        start = intake.start_date
        apprentice = apprentices.create_apprentice(
            session,
            apprentices.ApprenticeDetails(
                name=person.name,
                date_of_birth=add_months(start, -12 * (18 + number % 6) - number),
                cohort_id=intake.id,
                standard_id=chosen,
                training_provider_id=None,
                residence_borough_id=borough[person.borough].id if number % 5 else None,
                uln=f"{9_100_000_000 + number * 7_919:010d}",
                start_date=start,
                practical_period_end=None,
                planned_end_date=None,
                contracted_hours=Decimal("30") if number % 7 == 3 else Decimal("37.5"),
            ),
            actor=actor,
            email=person.email or person.name.lower().replace(" ", ".") + "@example.org",
            employing_borough_id=borough[person.borough].id,
        )
        session.flush()
        with progress.refreshed_once(session):
            _live_through(session, apprentice, person, actor, mentors, borough, now)
    seed_recruitment(session, actor=actor, today=now, spring_cohort_id=cohort["spring"].id)
    progress.refresh_summaries(session, None, now)


def _live_through(
    session: Session,
    apprentice: Apprentice,
    person: Person,
    actor: User,
    mentors: dict[str, User],
    borough: dict[str, Borough],
    now: date,
) -> None:
    """Take the apprentice from their start to their demo status, as a coordinator would have."""
    if person.status is ApprenticeStatus.WAITING_TO_START:
        return
    start = apprentice.start_date
    lifecycle.apply_move(session, apprentice, Move.START, actor=actor, effective_on=start)
    for index, (host, team, after) in enumerate(person.placements):
        began = add_months(start, after)
        following = person.placements[index + 1][2] if index + 1 < len(person.placements) else None
        mailbox = team.lower().replace(" ", ".")
        domain = host.lower().replace(" ", "")
        placements.add_placement(
            session,
            apprentice,
            placements.PlacementDetails(
                host_borough_id=borough[host].id,
                team=team,
                line_manager_name=_line_manager(host, team),
                line_manager_email=f"{mailbox}@{domain}.example.org",
                start_date=began,
                end_date=add_months(start, following) - timedelta(days=1) if following else None,
            ),
            actor=actor,
        )
    mentor = mentors.get(person.mentor or "")
    if mentor is not None:
        mentoring.assign_mentor(
            session, apprentice, mentor, start + timedelta(days=14), actor=actor
        )
    plan = person.progress
    break_on = now - timedelta(days=20)
    # One left within the 42-day qualifying period, one much later.
    left_on = start + timedelta(days=30) if person.cohort == "camden" else now - timedelta(days=45)
    last_day = {ApprenticeStatus.ON_BREAK: break_on, ApprenticeStatus.WITHDRAWN: left_on}
    until = last_day[person.status] - timedelta(days=1) if person.status in last_day else now
    settle_until = None
    if plan.results:
        # The log ends with the practical period (reviews go on while a resit is awaited);
        # milestones up to the assessment are signed off.
        until = now if awaiting_resit(plan) else min(apprentice.practical_period_end, now)
        settle_until = now
    live_progress(
        session, apprentice, plan, coordinator=actor, until=until, milestones_until=settle_until
    )
    if mentor is not None and person.status in (ApprenticeStatus.ACTIVE, ApprenticeStatus.ON_BREAK):
        _meet(session, apprentice, mentor, now)
    if plan.results:
        ended = assess(session, apprentice, plan, coordinator=actor, now=now)
        if ended is not None:
            follow_up(session, apprentice, plan, coordinator=actor, ended=ended, now=now)
    elif person.status is ApprenticeStatus.ON_BREAK:
        lifecycle.apply_move(
            session,
            apprentice,
            Move.PAUSE,
            actor=actor,
            effective_on=break_on,
            expected_return_date=now + timedelta(days=40),
            note="Break in learning agreed with the provider",
        )
    elif person.status is ApprenticeStatus.WITHDRAWN:
        lifecycle.apply_move(
            session,
            apprentice,
            Move.WITHDRAW,
            actor=actor,
            effective_on=left_on,
            reason=WithdrawalReason.BETTER_JOB,
            note="Offered a permanent job elsewhere",
        )


def _meet(session: Session, apprentice: Apprentice, mentor: User, now: date) -> None:
    for weeks_ago in (10, 6, 2):
        mentoring.record_meeting(
            session,
            apprentice,
            mentor,
            now - timedelta(weeks=weeks_ago),
            45,
            "Talked through the portfolio and the next review.\nAgreed to book time with "
            "the data team to practise SQL.",
            actor=mentor,
        )


def _line_manager(host: str, team: str) -> str:
    names = ("Morgan Lee", "Priti Desai", "Callum Hughes", "Ngozi Eze", "Rosa Martins")
    return names[(len(host) + len(team)) % len(names)]
