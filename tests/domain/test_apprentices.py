"""Creating an apprentice (with their account) and changing their details."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.apprentices import ApprenticeDetails, create_apprentice, update_apprentice
from app.domain.errors import DomainError, StaleEdit
from app.models import (
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditEvent,
    Role,
    User,
)
from tests import builders


@pytest.fixture
def standard(db_session):
    return builders.create_standard(db_session, typical_duration_months=18)


@pytest.fixture
def cohort(db_session, standard):
    return builders.create_cohort(db_session, lead="Hackney", standard=standard)


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


def details(cohort, **changes) -> ApprenticeDetails:
    values = {
        "name": " Ada Lovelace ",
        "date_of_birth": date(2006, 5, 17),
        "cohort_id": cohort.id,
        "standard_id": None,
        "training_provider_id": None,
        "residence_borough_id": None,
        "uln": None,
        "start_date": date(2026, 9, 1),
        "practical_period_end": None,
        "planned_end_date": None,
        "contracted_hours": Decimal("37.5"),
    }
    values.update(changes)
    return ApprenticeDetails(**values)


def create(db_session, cohort, actor, *, email="ada@example.org", borough="Hackney", **changes):
    return create_apprentice(
        db_session,
        details(cohort, **changes),
        actor=actor,
        email=email,
        employing_borough_id=builders.get_borough(db_session, borough).id,
    )


def test_creates_the_account_and_the_apprentice_with_defaults(
    db_session, cohort, coordinator, standard
):
    apprentice = create(db_session, cohort, coordinator, email=" Ada@Example.org ")
    db_session.commit()

    user = db_session.get(User, apprentice.user_id)
    assert (user.email, user.name, user.roles, user.password_hash) == (
        "ada@example.org",
        "Ada Lovelace",
        {Role.APPRENTICE},
        None,
    )
    assert user.borough_id == coordinator.borough_id
    assert apprentice.status == ApprenticeStatus.WAITING_TO_START.value
    assert apprentice.qualifying_period_start == date(2026, 9, 1)
    # The cohort's standard and provider; 18 months typical; plus 3 months for the assessment.
    assert apprentice.standard_id == standard.id
    assert apprentice.training_provider_id == cohort.training_provider_id
    assert apprentice.practical_period_end == date(2028, 2, 29)
    assert apprentice.planned_end_date == date(2028, 5, 29)
    assert apprentice.residence_borough_id is None

    event = db_session.scalars(select(ApprenticeStatusEvent)).one()
    assert (event.from_status, event.to_status, event.actor_user_id) == (
        None,
        "waiting_to_start",
        coordinator.id,
    )
    audits = {(e.action, e.target_type) for e in db_session.scalars(select(AuditEvent))}
    assert audits == {("created", "app_user"), ("created", "apprentice")}


@pytest.mark.parametrize(
    ("start", "too_short", "long_enough"),
    [
        # Before 1 August 2025: at least 12 months.
        (date(2025, 7, 31), date(2026, 7, 29), date(2026, 7, 30)),
        # From 1 August 2025: at least 8 months.
        (date(2025, 8, 1), date(2026, 3, 30), date(2026, 3, 31)),
    ],
)
def test_a_practical_period_shorter_than_the_legal_minimum_is_refused(
    db_session, cohort, coordinator, start, too_short, long_enough
):
    with pytest.raises(DomainError) as refused:
        create(db_session, cohort, coordinator, start_date=start, practical_period_end=too_short)
    assert refused.value.field == "practical_period_end"
    months = 12 if start < date(2025, 8, 1) else 8
    assert f"at least {months} months" in refused.value.message
    db_session.rollback()
    apprentice = create(
        db_session, cohort, coordinator, start_date=start, practical_period_end=long_enough
    )
    assert apprentice.practical_period_end == long_enough


def test_an_8_month_practical_period_is_refused_for_a_start_on_31_july_2025(
    db_session, cohort, coordinator
):
    with pytest.raises(DomainError, match="at least 12 months"):
        create(
            db_session,
            cohort,
            coordinator,
            start_date=date(2025, 7, 31),
            practical_period_end=date(2026, 3, 31),
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"contracted_hours": Decimal(0)}, "contracted_hours", "more than 0"),
        ({"contracted_hours": Decimal("48.5")}, "contracted_hours", "no more than 48"),
        ({"contracted_hours": Decimal("30.25")}, "contracted_hours", "one decimal place"),
        ({"uln": "12345"}, "uln", "10 digits"),
        ({"date_of_birth": date(2011, 1, 1)}, "date_of_birth", "at least 16"),
        ({"name": "  "}, "name", "Enter their full name"),
        (
            {"practical_period_end": date(2028, 8, 31), "planned_end_date": date(2028, 8, 30)},
            "planned_end_date",
            "on or after the end of the practical period",
        ),
    ],
)
def test_details_are_checked(db_session, cohort, coordinator, changes, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        create(db_session, cohort, coordinator, **changes)
    assert refused.value.field == field


def test_hours_of_exactly_48_are_accepted(db_session, cohort, coordinator):
    assert create(db_session, cohort, coordinator, contracted_hours=Decimal(48)).contracted_hours


def test_a_mixed_cohort_needs_a_standard(db_session, coordinator):
    mixed = builders.create_cohort(db_session, standard=None)
    with pytest.raises(DomainError, match="Select a standard") as refused:
        create(db_session, mixed, coordinator)
    assert refused.value.field == "standard"


def test_the_uln_is_unique(db_session, cohort, coordinator):
    create(db_session, cohort, coordinator, uln="1234567890")
    with pytest.raises(DomainError, match="already has this unique learner number"):
        create(db_session, cohort, coordinator, email="bo@example.org", uln="123 456 7890")


def test_a_taken_email_address_is_refused(db_session, cohort, coordinator):
    builders.create_user(db_session, roles=[Role.MENTOR], email="ada@example.org")
    with pytest.raises(DomainError, match="already exists") as refused:
        create(db_session, cohort, coordinator)
    assert refused.value.field == "email"


def test_a_full_cohort_takes_nobody_else(db_session, coordinator, standard):
    small = builders.create_cohort(db_session, standard=standard, capacity=1)
    create(db_session, small, coordinator)
    with pytest.raises(DomainError, match="is full") as refused:
        create(db_session, small, coordinator, email="bo@example.org")
    assert refused.value.field == "cohort"


@pytest.mark.parametrize(
    ("roles", "borough", "programme_wide", "allowed"),
    [
        ([Role.COORDINATOR], "Hackney", False, True),
        ([Role.COORDINATOR], "Camden", False, False),
        ([Role.COORDINATOR], "Camden", True, True),
        ([Role.ADMIN], "Camden", False, True),
        ([Role.MENTOR], "Hackney", False, False),
    ],
)
def test_only_the_employing_borough_or_the_programme_adds_apprentices(
    db_session, cohort, roles, borough, programme_wide, allowed
):
    actor = builders.create_user(
        db_session, roles=roles, borough=borough, programme_wide=programme_wide
    )
    if allowed:
        assert create(db_session, cohort, actor, borough="Hackney").id
    else:
        with pytest.raises(DomainError) as refused:
            create(db_session, cohort, actor, borough="Hackney")
        assert refused.value.field == "employing_borough"
        assert db_session.scalar(select(Apprentice.id)) is None


def test_update_changes_details_and_the_name_and_audits_field_names(
    db_session, cohort, coordinator
):
    apprentice = create(db_session, cohort, coordinator)
    db_session.commit()
    version = apprentice.row_version
    changed = update_apprentice(
        db_session,
        apprentice,
        details(
            cohort,
            name="Ada King",
            contracted_hours=Decimal(30),
            practical_period_end=apprentice.practical_period_end,
            planned_end_date=apprentice.planned_end_date,
        ),
        actor=coordinator,
        expected_version=version,
    )
    db_session.commit()
    assert changed == ["name", "contracted_hours"]
    assert db_session.get(User, apprentice.user_id).name == "Ada King"
    assert apprentice.contracted_hours == Decimal(30)
    assert apprentice.row_version == version + 1
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "updated")).one()
    assert event.fields_changed == ["contracted_hours", "name"]


def test_changing_only_the_name_still_moves_the_version_on(db_session, cohort, coordinator):
    apprentice = create(db_session, cohort, coordinator)
    db_session.commit()
    version = apprentice.row_version
    current = details(
        cohort,
        name="Ada King",
        standard_id=apprentice.standard_id,
        training_provider_id=apprentice.training_provider_id,
        practical_period_end=apprentice.practical_period_end,
        planned_end_date=apprentice.planned_end_date,
    )
    assert update_apprentice(
        db_session, apprentice, current, actor=coordinator, expected_version=version
    ) == ["name"]
    db_session.commit()
    assert apprentice.row_version == version + 1


def test_a_stale_edit_is_refused(db_session, cohort, coordinator):
    apprentice = create(db_session, cohort, coordinator)
    db_session.commit()
    with pytest.raises(StaleEdit):
        update_apprentice(
            db_session,
            apprentice,
            details(cohort, name="Late"),
            actor=coordinator,
            expected_version=apprentice.row_version - 1,
        )


def test_a_host_borough_coordinator_cannot_update(db_session, cohort, coordinator):
    apprentice = create(db_session, cohort, coordinator)
    db_session.commit()
    host = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    with pytest.raises(DomainError, match="employing borough"):
        update_apprentice(
            db_session,
            apprentice,
            details(cohort, name="Changed"),
            actor=host,
            expected_version=apprentice.row_version,
        )


def test_the_start_date_is_fixed_once_started(db_session, cohort, coordinator):
    apprentice = create(db_session, cohort, coordinator)
    apprentice.status = ApprenticeStatus.ACTIVE.value
    db_session.commit()
    with pytest.raises(DomainError, match="cannot change once") as refused:
        update_apprentice(
            db_session,
            apprentice,
            details(cohort, start_date=date(2026, 10, 1)),
            actor=coordinator,
            expected_version=apprentice.row_version,
        )
    assert refused.value.field == "start_date"


def test_a_new_start_date_before_starting_moves_the_qualifying_period(
    db_session, cohort, coordinator
):
    apprentice = create(db_session, cohort, coordinator)
    db_session.commit()
    new = replace(details(cohort), start_date=date(2026, 10, 1))
    update_apprentice(
        db_session, apprentice, new, actor=coordinator, expected_version=apprentice.row_version
    )
    assert apprentice.qualifying_period_start == date(2026, 10, 1)
    assert apprentice.practical_period_end == date(2028, 3, 31)
