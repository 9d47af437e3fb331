"""Plain functions that create test data with sensible defaults, through the real domain code.

Each commits, so the app's own connections (requests, the session store) can see the data.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import accounts
from app.domain.standards import ksb_sort_key
from app.models import KSB, Borough, GradeSet, Role, Standard, TrainingProvider, User

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
