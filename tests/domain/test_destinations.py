"""Destinations: recorded for completers and leavers, at the end and 6 and 12 months later (not
before they are due), the follow-ups due with a frozen clock, and the completer and achiever
definitions the reports use."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.clock import today
from app.domain import destinations
from app.domain.apprenticeship_rules import add_months
from app.domain.errors import DomainError
from app.domain.gateway import NotPermitted
from app.models import (
    Apprentice,
    ApprenticeStatus,
    AuditEvent,
    Destination,
    FollowUp,
    Outcome,
    Role,
    WithdrawalReason,
)
from tests import builders

S = ApprenticeStatus
TODAY = date(2026, 11, 27)  # the frozen clock


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


def completer(db_session, on=date(2026, 5, 27), borough="Hackney", grade="pass"):
    apprentice = builders.create_apprentice(
        db_session, borough=borough, status=S.COMPLETED, start_date=date(2024, 9, 2)
    )
    apprentice.completed_on = on
    apprentice.completion_grade = grade
    db_session.commit()
    return apprentice


def leaver(db_session, on=date(2026, 5, 27), reason=WithdrawalReason.BETTER_JOB, **flags):
    apprentice = builders.create_apprentice(
        db_session, status=S.WITHDRAWN, start_date=date(2024, 9, 2)
    )
    apprentice.withdrawn_on = on
    apprentice.withdrawal_reason = reason.value if reason else None
    apprentice.left_in_qualifying_period = flags.get("early", False)
    db_session.commit()
    return apprentice


def record(db_session, apprentice, actor, follow_up=FollowUp.END, **changes):
    values = {
        "destination": Destination.SAME_COUNCIL,
        "recorded_on": TODAY,
        "note": None,
        **changes,
    }
    outcome = destinations.record_outcome(
        db_session, apprentice, actor=actor, follow_up=follow_up, **values
    )
    db_session.commit()
    return outcome


def due(db_session, viewer):
    return [
        (row.Apprentice.id, row.six_due, row.twelve_due)
        for row in db_session.execute(destinations.follow_ups_due(viewer, today()))
    ]


# Recording


def test_a_completer_gets_a_destination_at_the_end_once(db_session, coordinator):
    apprentice = completer(db_session)
    outcome = record(db_session, apprentice, coordinator, recorded_on=date(2026, 5, 27))
    assert (outcome.follow_up, outcome.destination, outcome.recorded_by_id) == (
        "end",
        "same_council",
        coordinator.id,
    )
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.target_type == "outcome")).one()
    assert event.action == "created"
    with pytest.raises(DomainError, match="already recorded on 27 May 2026"):
        record(db_session, apprentice, coordinator)


@pytest.mark.parametrize(
    ("follow_up", "first_day"),
    [
        (FollowUp.END, date(2026, 5, 27)),
        (FollowUp.SIX_MONTHS, date(2026, 11, 27)),
        (FollowUp.TWELVE_MONTHS, date(2027, 5, 27)),
    ],
)
def test_a_follow_up_is_not_recorded_before_it_is_due(
    db_session, coordinator, frozen_clock, follow_up, first_day
):
    frozen_clock.advance(days=365)  # well past every follow-up's date
    apprentice = leaver(db_session)
    with pytest.raises(DomainError, match="can be recorded from") as refused:
        record(
            db_session,
            apprentice,
            coordinator,
            follow_up,
            recorded_on=first_day - timedelta(days=1),
        )
    assert refused.value.field == "recorded_on"
    db_session.rollback()
    assert record(db_session, apprentice, coordinator, follow_up, recorded_on=first_day)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda s: builders.create_apprentice(s, status=S.ACTIVE), "completers and leavers only"),
        (lambda s: leaver(s, reason=None), "never started"),
        (lambda s: leaver(s, early=True), "42-day qualifying period"),
    ],
)
def test_only_completers_and_leavers(db_session, coordinator, make, message):
    apprentice = make(db_session)
    with pytest.raises(DomainError, match=message):
        record(db_session, apprentice, coordinator)


def test_bad_input_is_refused(db_session, coordinator):
    apprentice = completer(db_session)
    with pytest.raises(DomainError, match="today or in the past"):
        record(db_session, apprentice, coordinator, recorded_on=TODAY + timedelta(days=1))
    with pytest.raises(DomainError, match="Select where they went"):
        record(db_session, apprentice, coordinator, destination="abroad")
    with pytest.raises(DomainError, match="Choose when"):
        record(db_session, apprentice, coordinator, "next_year")
    with pytest.raises(DomainError, match="2,000 characters"):
        record(db_session, apprentice, coordinator, note="x" * 2001)
    assert db_session.scalars(select(Outcome)).all() == []


@pytest.mark.parametrize(
    ("roles", "borough", "allowed"),
    [
        ([Role.COORDINATOR], "Hackney", True),
        ([Role.ADMIN], "Camden", True),
        ([Role.COORDINATOR], "Camden", False),
        ([Role.MENTOR], "Hackney", False),
        ([Role.BOROUGH_LEAD], "Hackney", False),
    ],
)
def test_who_may_record(db_session, roles, borough, allowed):
    apprentice = completer(db_session)
    actor = builders.create_user(db_session, roles=roles, borough=borough)
    if allowed:
        assert record(db_session, apprentice, actor)
    else:
        with pytest.raises(NotPermitted):
            record(db_session, apprentice, actor)


# Follow-ups due


def test_follow_ups_fall_due_at_6_and_12_months(db_session, coordinator, frozen_clock):
    done = completer(db_session, on=date(2026, 5, 27))  # 6 months ago today
    left = leaver(db_session, on=date(2026, 5, 28))  # 6 months ago tomorrow
    completer(db_session, on=date(2026, 5, 27), borough="Camden")  # not in scope
    leaver(db_session, on=date(2026, 1, 5), early=True)  # not a leaver: never followed up
    builders.create_apprentice(db_session, status=S.ACTIVE)
    assert due(db_session, coordinator) == [(done.id, True, False)]

    frozen_clock.advance(days=1)
    assert due(db_session, coordinator) == [(done.id, True, False), (left.id, True, False)]

    record(db_session, done, coordinator, FollowUp.SIX_MONTHS, recorded_on=date(2026, 11, 28))
    assert due(db_session, coordinator) == [(left.id, True, False)]

    frozen_clock.advance(days=180)  # 27 May 2027: 12 months after the completion
    assert due(db_session, coordinator) == [(done.id, False, True), (left.id, True, False)]

    frozen_clock.advance(days=1)
    assert due(db_session, coordinator) == [(done.id, False, True), (left.id, True, True)]
    record(db_session, left, coordinator, FollowUp.TWELVE_MONTHS, recorded_on=date(2027, 5, 28))
    record(db_session, left, coordinator, FollowUp.SIX_MONTHS, recorded_on=date(2027, 5, 28))
    assert due(db_session, coordinator) == [(done.id, False, True)]


def test_month_ends_fall_due_on_the_last_day_of_a_shorter_month(
    db_session, coordinator, frozen_clock
):
    done = completer(db_session, on=date(2026, 5, 31))  # 6 months: 30 November 2026
    assert due(db_session, coordinator) == []
    frozen_clock.advance(days=2)  # 29 November
    assert due(db_session, coordinator) == []
    frozen_clock.advance(days=1)  # 30 November
    assert due(db_session, coordinator) == [(done.id, True, False)]


def test_the_sql_cut_off_matches_the_due_date_rule():
    day = date(2026, 1, 1)
    for _ in range(800):
        for months in (6, 12):
            cutoff = destinations.latest_end_due(day, months)
            assert add_months(cutoff, months) <= day
            assert add_months(cutoff + timedelta(days=1), months) > day
        day += timedelta(days=1)


# Completers and achievers


CASES = [
    # status, withdrawal reason, left in the qualifying period: leaver, completer, achiever
    (S.COMPLETED, None, False, True, True, True),
    (S.WITHDRAWN, WithdrawalReason.EPA_NOT_ACHIEVED, False, True, True, False),
    (S.WITHDRAWN, WithdrawalReason.BETTER_JOB, False, True, False, False),
    (S.WITHDRAWN, WithdrawalReason.HEALTH, True, False, False, False),
    (S.WITHDRAWN, None, False, False, False, False),  # never started
    (S.ACTIVE, None, False, False, False, False),
    (S.ON_BREAK, None, False, False, False, False),
    (S.WAITING_TO_START, None, False, False, False, False),
]


def test_completer_and_achiever_definitions(db_session):
    made = {}
    for status, reason, early, is_leaver, is_completer, is_achiever in CASES:
        apprentice = builders.create_apprentice(db_session, status=status)
        apprentice.withdrawal_reason = reason.value if reason else None
        apprentice.left_in_qualifying_period = early
        db_session.commit()
        made[apprentice.id] = (is_leaver, is_completer, is_achiever)
        assert destinations.is_leaver(apprentice) is is_leaver
        assert destinations.is_completer(apprentice) is is_completer
        assert destinations.is_achiever(apprentice) is is_achiever

    # The SQL conditions the reports use agree with the definitions for one apprentice.
    for index, condition in enumerate(
        [
            destinations.leaver_condition(),
            destinations.completer_condition(),
            destinations.achiever_condition(),
        ]
    ):
        found = set(db_session.scalars(select(Apprentice.id).where(condition)))
        assert found == {key for key, flags in made.items() if flags[index]}
