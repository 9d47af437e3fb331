"""`flask seed demo`: realistic demonstration data, with dates relative to today."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.domain import report_facts
from app.domain.accounts import create_user, find_user_by_email
from app.domain.passwords import hash_password
from app.domain.standards import ksb_sort_key
from app.models import KSB, Borough, GradeSet, Role, Standard, TrainingProvider, User
from app.seed.programme import APPRENTICE_EMAIL, MENTOR_EMAIL, seed_programme

# Boroughs taking part in the shared programme in the demo.
PARTNER_BOROUGHS = (
    "Hackney",
    "Camden",
    "Islington",
    "Tower Hamlets",
    "Newham",
    "Waltham Forest",
    "Haringey",
    "Lambeth",
    "Southwark",
    "Lewisham",
    "Greenwich",
    "Brent",
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    borough: str
    roles: tuple[Role, ...]
    programme_wide: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("admin@example.org", "Ada Okafor", "Hackney", (Role.ADMIN,)),
    DemoAccount("coordinator@example.org", "Priya Shah", "Hackney", (Role.COORDINATOR,)),
    DemoAccount("mentor@example.org", "Tom Reilly", "Hackney", (Role.MENTOR,)),
    DemoAccount("apprentice@example.org", "Jordan Mensah", "Hackney", (Role.APPRENTICE,)),
    DemoAccount("lead@example.org", "Grace Adeyemi", "Hackney", (Role.BOROUGH_LEAD,)),
    DemoAccount("coordinator2@example.org", "Sam Whitfield", "Camden", (Role.COORDINATOR,)),
    DemoAccount("lead2@example.org", "Nadia Karim", "Camden", (Role.BOROUGH_LEAD,)),
    DemoAccount(
        "central@example.org", "Chris Baptiste", "Hackney", (Role.COORDINATOR,), programme_wide=True
    ),
)

# Digital standards with a selection of their knowledge, skills and behaviours, summarised.
DEMO_STANDARDS = (
    (
        ("ST0116", "1.0", "Software developer", 4, 24, 18_000, None, GradeSet.PASS_DISTINCTION),
        (
            ("K1", "How the whole software development lifecycle fits together"),
            ("K2", "How teams work together to build software, and the roles in them"),
            ("K6", "How to test code and why testing matters"),
            ("S1", "Write logical, maintainable code in at least one language"),
            ("S3", "Link code to data sets and databases"),
            ("S7", "Apply structured problem solving and debug code"),
            ("B1", "Works independently and takes responsibility"),
            ("B2", "Applies logical thinking to problems"),
        ),
    ),
    (
        (
            "ST0128",
            "1.0",
            "Software development technician",
            3,
            18,
            15_000,
            None,
            GradeSet.PASS_DISTINCTION,
        ),
        (
            ("K1", "Basic principles of secure code and data protection"),
            ("K4", "How to follow a software design to build a feature"),
            ("S2", "Develop code to an agreed standard"),
            ("S5", "Test code and record the results"),
            ("B1", "Works reliably as part of a team"),
        ),
    ),
    (
        ("ST0118", "1.1", "Data analyst", 4, 24, 15_000, None, GradeSet.PASS_MERIT_DISTINCTION),
        (
            ("K1", "The range of data protection and legal issues in analysing data"),
            ("K5", "Statistical methods for finding patterns and trends"),
            ("S1", "Collect and combine data from different sources"),
            ("S4", "Query databases to extract data for analysis"),
            ("S9", "Present the results of analysis to different audiences"),
            ("B3", "Shows curiosity and a questioning approach to data"),
        ),
    ),
    (
        (
            "ST0119",
            "1.0",
            "Infrastructure technician",
            3,
            18,
            13_000,
            None,
            GradeSet.PASS_DISTINCTION,
        ),
        (
            ("K2", "How networks, devices and cloud services fit together"),
            ("K7", "How to keep systems and users secure"),
            ("S1", "Support users with hardware and software problems"),
            ("S6", "Install and configure devices and software"),
            ("B1", "Communicates clearly with users and colleagues"),
        ),
    ),
    (
        ("ST0795", "1.0", "Data technician", 3, 20, 12_000, 280, GradeSet.PASS_DISTINCTION),
        (
            ("K1", "Where data comes from and how to handle it securely"),
            ("K3", "Ways to format and present data for others to analyse"),
            ("S1", "Source data from trusted systems securely"),
            ("S2", "Collate and format data for review"),
            ("B1", "Acts ethically with data"),
        ),
    ),
)

DEMO_PROVIDERS = (
    ("Northbank Digital College", "10091234", True, False),
    ("East London Skills Partnership", "10087765", True, False),
    ("City Code Academy", "10065432", True, False),
    ("Independent Assessment Services", "10054321", False, True),
    ("Riverside Training and Assessment", "10043210", True, True),
)


def has_users(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(User)) or 0) > 0


def seed_demo(session: Session, *, password: str) -> list[DemoAccount]:
    """Load the demo data into an empty database. Returns the accounts created."""
    boroughs = {b.name: b for b in session.scalars(select(Borough))}
    session.execute(
        update(Borough).where(Borough.name.in_(PARTNER_BOROUGHS)).values(is_partner=True)
    )
    for account in DEMO_ACCOUNTS:
        if account.email == APPRENTICE_EMAIL:
            continue  # created with their apprenticeship below
        create_user(
            session,
            email=account.email,
            name=account.name,
            borough=boroughs[account.borough],
            roles=account.roles,
            programme_wide=account.programme_wide,
            password=password,
        )
    for fields, ksbs in DEMO_STANDARDS:
        reference, version, title, level, months, band, otj, grades = fields
        standard = Standard(
            reference=reference,
            version=version,
            title=title,
            level=level,
            typical_duration_months=months,
            funding_band_max=band,
            min_otj_hours=otj,
            grade_set=grades.value,
            ksbs=[KSB(code=code, sort_key=ksb_sort_key(code), text=text) for code, text in ksbs],
        )
        session.add(standard)
    for name, ukprn, trains, assesses in DEMO_PROVIDERS:
        session.add(
            TrainingProvider(
                name=name, ukprn=ukprn, delivers_training=trains, assesses_epa=assesses
            )
        )
    session.flush()
    with report_facts.deferred(session):  # one recount for the whole programme
        seed_programme(
            session,
            actor=find_user_by_email(session, "central@example.org"),
            mentor_user=find_user_by_email(session, MENTOR_EMAIL),
        )
    apprentice = find_user_by_email(session, APPRENTICE_EMAIL)
    apprentice.password_hash = hash_password(password)
    session.flush()
    return list(DEMO_ACCOUNTS)
