"""Cohort rules: who may create and change a cohort, what a cohort must hold, stale edits, and
the counts of apprentices by status within the viewer's scope."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.cohorts import (
    CohortDetails,
    cohort_status_counts,
    create_cohort,
    update_cohort,
    visible_cohort,
)
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.models import ApprenticeStatus, AuditEvent, Cohort, Role, TrainingProvider
from tests import builders

ACTIVE = ApprenticeStatus.ACTIVE
WAITING = ApprenticeStatus.WAITING_TO_START
WITHDRAWN = ApprenticeStatus.WITHDRAWN


def details_for(db_session, *, lead: str = "Hackney", **changes) -> CohortDetails:
    provider = changes.pop("provider", None) or builders.create_provider(db_session)
    standard = changes.pop("standard", None)
    details = CohortDetails(
        name="Hackney digital 2027",
        standard_id=standard.id if standard else None,
        training_provider_id=provider.id,
        lead_borough_id=builders.get_borough(db_session, lead).id,
        start_date=date(2027, 9, 1),
        planned_end_date=date(2029, 8, 31),
        capacity=12,
    )
    return replace(details, **changes)


def coordinator(db_session, borough: str = "Hackney", **options):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough=borough, **options)


def test_a_coordinator_creates_a_cohort_led_by_their_borough(db_session):
    actor = coordinator(db_session)
    standard = builders.create_standard(db_session)
    cohort = create_cohort(
        db_session, details_for(db_session, standard=standard, name="  Spaced  "), actor=actor
    )
    db_session.commit()
    assert (cohort.name, cohort.standard_id, cohort.capacity, cohort.row_version) == (
        "Spaced",
        standard.id,
        12,
        1,
    )
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.target_type, event.target_id) == (
        "created",
        actor.id,
        "cohort",
        cohort.id,
    )


def test_a_mixed_cohort_has_no_standard(db_session):
    cohort = create_cohort(db_session, details_for(db_session), actor=coordinator(db_session))
    assert cohort.standard_id is None


def test_a_borough_coordinator_cannot_create_a_cohort_led_by_another_borough(db_session):
    with pytest.raises(DomainError, match="your own borough") as refused:
        create_cohort(
            db_session, details_for(db_session, lead="Camden"), actor=coordinator(db_session)
        )
    assert refused.value.field == "lead_borough"
    assert db_session.scalars(select(Cohort)).all() == []


@pytest.mark.parametrize(
    ("roles", "programme_wide"), [([Role.COORDINATOR], True), ([Role.ADMIN], False)]
)
def test_programme_wide_coordinators_and_admins_create_for_any_borough(
    db_session, roles, programme_wide
):
    actor = builders.create_user(db_session, roles=roles, programme_wide=programme_wide)
    cohort = create_cohort(db_session, details_for(db_session, lead="Camden"), actor=actor)
    assert cohort.lead_borough_id == builders.get_borough(db_session, "Camden").id


def test_only_coordinators_and_admins_create_cohorts(db_session):
    mentor = builders.create_user(db_session, roles=[Role.MENTOR])
    with pytest.raises(DomainError, match="your own borough"):
        create_cohort(db_session, details_for(db_session), actor=mentor)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "Enter the cohort’s name"),
        ({"name": "x" * 201}, "name", "200 characters or fewer"),
        ({"standard_id": 999_999}, "standard", "Select the apprenticeship standard"),
        ({"training_provider_id": 999_999}, "training_provider", "delivers apprenticeship"),
        ({"lead_borough_id": 999_999}, "lead_borough", "Select the lead borough"),
        ({"planned_end_date": date(2027, 9, 1)}, "planned_end_date", "must be after the start"),
        ({"planned_end_date": date(2027, 1, 1)}, "planned_end_date", "must be after the start"),
        ({"capacity": 0}, "capacity", "at least 1"),
        ({"capacity": -3}, "capacity", "at least 1"),
    ],
)
def test_cohort_details_are_checked(db_session, changes, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        create_cohort(db_session, details_for(db_session, **changes), actor=coordinator(db_session))
    assert refused.value.field == field


def test_the_training_provider_must_deliver_training(db_session):
    assessor = builders.create_provider(db_session, delivers_training=False, assesses_epa=True)
    with pytest.raises(DomainError, match="delivers apprenticeship training") as refused:
        create_cohort(
            db_session, details_for(db_session, provider=assessor), actor=coordinator(db_session)
        )
    assert refused.value.field == "training_provider"


def test_the_lead_borough_changes_a_cohort_and_the_change_is_audited(db_session):
    actor = coordinator(db_session)
    cohort = builders.create_cohort(db_session, lead="Hackney", capacity=20)
    details = details_for(
        db_session,
        provider=db_session.get(TrainingProvider, cohort.training_provider_id),
        name="Renamed",
        start_date=cohort.start_date,
        planned_end_date=date(2028, 12, 31),
        capacity=25,
    )
    update_cohort(db_session, cohort, details, expected_version=1, actor=actor)
    db_session.commit()
    assert (cohort.name, cohort.capacity, cohort.row_version) == ("Renamed", 25, 2)
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.target_id) == ("updated", cohort.id)
    assert event.fields_changed == ["capacity", "name", "planned_end_date"]


def test_saving_unchanged_details_changes_nothing(db_session):
    actor = coordinator(db_session)
    cohort = builders.create_cohort(db_session)
    details = CohortDetails(
        name=cohort.name,
        standard_id=cohort.standard_id,
        training_provider_id=cohort.training_provider_id,
        lead_borough_id=cohort.lead_borough_id,
        start_date=cohort.start_date,
        planned_end_date=cohort.planned_end_date,
        capacity=cohort.capacity,
    )
    update_cohort(db_session, cohort, details, expected_version=1, actor=actor)
    db_session.commit()
    assert cohort.row_version == 1
    assert db_session.scalars(select(AuditEvent)).all() == []


def test_a_stale_version_is_refused(db_session):
    cohort = builders.create_cohort(db_session)
    with pytest.raises(StaleEdit):
        update_cohort(
            db_session,
            cohort,
            details_for(db_session, name="Mine"),
            expected_version=0,
            actor=coordinator(db_session),
        )
    db_session.rollback()
    assert db_session.get(Cohort, cohort.id).name != "Mine"


def test_a_save_by_someone_else_in_between_is_a_stale_edit(db_session, engine):
    actor = coordinator(db_session)
    cohort = builders.create_cohort(db_session, name="Original")
    details = details_for(db_session, name="Mine")
    assert cohort.row_version == 1
    with Session(engine) as other:
        theirs = other.get(Cohort, cohort.id)
        theirs.name = "Theirs"
        other.commit()
    # This session still holds version 1, so the version check passes and the UPDATE misses.
    with pytest.raises(StaleEdit):
        update_cohort(db_session, cohort, details, expected_version=1, actor=actor)
    db_session.rollback()
    assert db_session.get(Cohort, cohort.id).name == "Theirs"


def test_a_borough_with_apprentices_in_the_cohort_may_not_change_it(db_session):
    cohort = builders.create_cohort(db_session, lead="Camden")
    builders.create_apprentice(db_session, borough="Hackney", cohort=cohort)
    hackney = coordinator(db_session)
    assert visible_cohort(db_session, hackney, cohort.id).id == cohort.id
    with pytest.raises(DomainError, match="Only coordinators of the lead borough"):
        update_cohort(
            db_session,
            cohort,
            details_for(db_session, lead="Camden"),
            expected_version=1,
            actor=hackney,
        )


def test_the_lead_borough_cannot_hand_the_cohort_to_another_borough(db_session):
    cohort = builders.create_cohort(db_session, lead="Hackney")
    with pytest.raises(DomainError, match="your own borough") as refused:
        update_cohort(
            db_session,
            cohort,
            details_for(db_session, lead="Camden"),
            expected_version=1,
            actor=coordinator(db_session),
        )
    assert refused.value.field == "lead_borough"


def test_capacity_cannot_drop_below_the_apprentices_holding_places(db_session):
    actor = coordinator(db_session)
    cohort = builders.create_cohort(db_session, capacity=5)
    for status in (ACTIVE, WAITING, WITHDRAWN):
        builders.create_apprentice(db_session, cohort=cohort, status=status)
    provider_id = cohort.training_provider_id

    def with_capacity(capacity: int) -> CohortDetails:
        return replace(details_for(db_session), training_provider_id=provider_id, capacity=capacity)

    with pytest.raises(DomainError, match="less than the 2 apprentices") as refused:
        update_cohort(db_session, cohort, with_capacity(1), expected_version=1, actor=actor)
    assert refused.value.field == "capacity"
    db_session.rollback()
    # Those who left early hold no place.
    update_cohort(db_session, cohort, with_capacity(2), expected_version=1, actor=actor)
    assert cohort.capacity == 2


def test_a_cohort_outside_the_viewers_scope_is_not_found(db_session):
    camden_only = builders.create_cohort(db_session, lead="Camden")
    builders.create_apprentice(db_session, borough="Camden", cohort=camden_only)
    with pytest.raises(NotFound):
        visible_cohort(db_session, coordinator(db_session), camden_only.id)
    central = coordinator(db_session, programme_wide=True)
    assert visible_cohort(db_session, central, camden_only.id).id == camden_only.id


def test_status_counts_are_grouped_per_cohort_within_the_viewers_scope(db_session, count_queries):
    first = builders.create_cohort(db_session, lead="Hackney")
    second = builders.create_cohort(db_session, lead="Camden")
    empty = builders.create_cohort(db_session, lead="Hackney")
    for status in (ACTIVE, ACTIVE, WAITING):
        builders.create_apprentice(db_session, borough="Hackney", cohort=first, status=status)
    # Employed by Camden: Hackney sees them only while placed in Hackney now.
    hosted = builders.create_apprentice(db_session, borough="Camden", cohort=first, status=ACTIVE)
    builders.create_placement(db_session, hosted, host="Hackney", start_date=date(2026, 9, 1))
    formerly = builders.create_apprentice(db_session, borough="Camden", cohort=first, status=ACTIVE)
    builders.create_placement(
        db_session,
        formerly,
        host="Hackney",
        start_date=date(2026, 9, 1),
        end_date=date(2026, 11, 1),
    )
    builders.create_apprentice(db_session, borough="Camden", cohort=second, status=WITHDRAWN)
    builders.create_apprentice(db_session, borough="Hackney", cohort=second, status=WITHDRAWN)
    ids = [first.id, second.id, empty.id]

    hackney = coordinator(db_session)
    assert Role.COORDINATOR in hackney.roles  # loaded before counting
    with count_queries() as log:
        counts = cohort_status_counts(db_session, ids, viewer=hackney)
    assert log.count == 1
    assert counts == {first.id: {ACTIVE: 3, WAITING: 1}, second.id: {WITHDRAWN: 1}}

    central = coordinator(db_session, programme_wide=True)
    assert cohort_status_counts(db_session, ids, viewer=central) == {
        first.id: {ACTIVE: 4, WAITING: 1},
        second.id: {WITHDRAWN: 2},
    }
    assert cohort_status_counts(db_session, [], viewer=central) == {}
