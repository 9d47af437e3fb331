"""Erasure: the person's details appear nowhere in the database afterwards, every report figure
is unchanged, and an apprentice still on the programme cannot be erased."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import JSON, Date, String, Text, select

from app.domain import data_rights, erasure, reports
from app.domain.errors import DomainError
from app.extensions import db
from app.models import (
    ApprenticeStatus,
    AuditEvent,
    ErasedRecord,
    ErasureReason,
    Role,
    SubjectKind,
    User,
)
from tests import builders
from tests.domain.people import seed_person

pytestmark = pytest.mark.usefixtures("app_context")

TODAY = date(2026, 11, 27)


def staff(db_session):
    return (
        builders.create_mentor(db_session, name="Mina Mentor"),
        builders.create_user(db_session, name="Cora Coordinator"),
    )


def person(db_session, mentor, coordinator, number=1, **options):
    return seed_person(
        db_session,
        name=f"Evangeline Erasable{number}",
        email=f"evangeline{number}@example.org",
        phone=f"07700 90011{number}",
        postcode=f"E{number} 9ZZ",
        date_of_birth=date(2003, 3, 10 + number),
        mentor=mentor,
        coordinator=coordinator,
        **options,
    )


def occurrences(db_session, needles: list[str], day: date) -> list[tuple[str, str]]:
    """Every (table, column) in the database whose text holds one of the needles, or whose
    date equals the day."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                for row in db_session.execute(select(column).where(column.is_not(None))):
                    text = str(row[0]).lower()
                    if any(needle.lower() in text for needle in needles):
                        found.append((table.name, column.name))
                        break
            elif isinstance(column.type, Date):
                if db_session.scalar(select(column).where(column == day).limit(1)):
                    found.append((table.name, column.name))
    return found


def every_figure(db_session):
    figures = []
    for period in reports.periods(TODAY):
        raw = reports.raw_figures(db_session, period, today=TODAY)
        figures.append(raw.figures())
        figures.append({b: raw.figures(b) for b in raw.boroughs})
        if period.is_year:
            figures.append(dict(reports.raw_equality(db_session, period).counts))
    return figures


def test_after_erasure_the_details_appear_nowhere_and_every_figure_is_unchanged(db_session):
    mentor, coordinator = staff(db_session)
    erased = person(db_session, mentor, coordinator, 1)
    kept = person(db_session, mentor, coordinator, 2)
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    details = [erased.name, erased.email, erased.phone, erased.postcode]
    assert occurrences(db_session, details, erased.date_of_birth)  # the search finds them
    before = every_figure(db_session)

    found = data_rights.find_person(db_session, SubjectKind.APPLICATION, erased.application_id)
    result = erasure.erase_person(db_session, found, actor=admin, reason=ErasureReason.REQUEST)
    db_session.commit()

    assert result.total == 3
    assert occurrences(db_session, details, erased.date_of_birth) == []
    assert every_figure(db_session) == before
    # The other person is untouched.
    assert occurrences(db_session, [kept.email], kept.date_of_birth)
    # The erasure is recorded without the erased data.
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "erased")).all()
    assert {(e.target_type, e.target_id) for e in events} == {
        ("app_user", erased.user.id),
        ("apprentice", erased.apprentice_id),
        ("application", erased.application_id),
    }
    assert all(e.actor_user_id == admin.id for e in events)
    register = db_session.scalars(select(ErasedRecord)).all()
    assert {r.reason for r in register} == {"request"}
    # Their account can no longer be used.
    account = db_session.get(User, erased.user.id)
    assert not account.is_active and account.password_hash is None


def test_erasing_again_changes_nothing(db_session):
    mentor, coordinator = staff(db_session)
    erased = person(db_session, mentor, coordinator)
    found = data_rights.find_person(db_session, SubjectKind.USER, erased.user.id)
    erasure.erase_person(db_session, found, actor=None, reason=ErasureReason.REQUEST)
    db_session.commit()

    again = erasure.erase_person(db_session, found, actor=None, reason=ErasureReason.REQUEST)

    assert again.total == 0


@pytest.mark.parametrize(
    "status",
    [ApprenticeStatus.ACTIVE, ApprenticeStatus.ON_BREAK, ApprenticeStatus.WAITING_TO_START],
)
def test_erasure_is_refused_while_the_person_is_an_apprentice_on_the_programme(db_session, status):
    mentor, coordinator = staff(db_session)
    current = person(db_session, mentor, coordinator, status=status)
    found = data_rights.find_person(db_session, SubjectKind.APPLICATION, current.application_id)

    with pytest.raises(DomainError, match="apprentice on the programme"):
        erasure.erase_person(db_session, found, actor=None, reason=ErasureReason.REQUEST)

    db_session.rollback()
    assert db_session.get(User, current.user.id).email == current.email
    assert db_session.scalars(select(ErasedRecord)).all() == []
