"""The status lifecycle: the transition table, what each move records, the qualifying period."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.domain import lifecycle
from app.domain.errors import DomainError, StaleEdit
from app.domain.lifecycle import Move, apply_move, moves_from, start_due_apprentices
from app.models import (
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditEvent,
    Role,
    WithdrawalReason,
)
from tests import builders

S = ApprenticeStatus
TODAY = date(2026, 11, 27)  # the frozen clock


@pytest.fixture
def actor(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR])


def events(db_session, apprentice):
    return db_session.scalars(
        select(ApprenticeStatusEvent)
        .where(ApprenticeStatusEvent.apprentice_id == apprentice.id)
        .order_by(ApprenticeStatusEvent.id)
    ).all()


def test_the_transition_table_is_the_design():
    assert lifecycle.TRANSITIONS == {
        Move.START: {S.WAITING_TO_START: S.ACTIVE},
        Move.PAUSE: {S.ACTIVE: S.ON_BREAK},
        Move.RESUME: {S.ON_BREAK: S.ACTIVE},
        Move.WITHDRAW: {
            S.WAITING_TO_START: S.WITHDRAWN,
            S.ACTIVE: S.WITHDRAWN,
            S.ON_BREAK: S.WITHDRAWN,
        },
        lifecycle.SystemMove.COMPLETE: {S.ACTIVE: S.COMPLETED},
    }
    # Completion follows only from a passing assessment result, never offered by hand.
    assert moves_from(S.WAITING_TO_START) == [Move.START, Move.WITHDRAW]
    assert moves_from(S.ACTIVE) == [Move.PAUSE, Move.WITHDRAW]
    assert moves_from(S.ON_BREAK) == [Move.RESUME, Move.WITHDRAW]
    assert moves_from(S.WITHDRAWN) == []
    assert moves_from(S.COMPLETED) == []


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (S.WAITING_TO_START, Move.PAUSE),
        (S.WAITING_TO_START, Move.RESUME),
        (S.ACTIVE, Move.START),
        (S.ACTIVE, Move.RESUME),
        (S.ON_BREAK, Move.PAUSE),
        (S.WITHDRAWN, Move.START),
        (S.WITHDRAWN, Move.WITHDRAW),
        (S.COMPLETED, Move.WITHDRAW),
    ],
)
def test_an_illegal_move_is_refused_with_a_clear_message(db_session, actor, status, move):
    apprentice = builders.create_apprentice(db_session, status=status)
    with pytest.raises(DomainError) as refused:
        apply_move(
            db_session,
            apprentice,
            move,
            actor=actor,
            effective_on=TODAY,
            expected_return_date=date(2027, 1, 4),
            reason=WithdrawalReason.OTHER,
        )
    assert f"cannot be {lifecycle.MOVE_TEXT[move].done}" in refused.value.message
    assert f"its status is “{status.label.lower()}”" in refused.value.message
    db_session.rollback()
    assert apprentice.status == status.value
    assert events(db_session, apprentice) == []


def test_start_by_hand_records_the_event_and_the_audit(db_session, actor):
    apprentice = builders.create_apprentice(db_session, start_date=date(2026, 11, 2))
    event = apply_move(
        db_session, apprentice, Move.START, actor=actor, effective_on=date(2026, 11, 3), note=" x "
    )
    db_session.commit()
    assert apprentice.status == "active"
    assert apprentice.qualifying_period_start == date(2026, 11, 3)
    assert (event.from_status, event.to_status, event.effective_on, event.actor_user_id) == (
        "waiting_to_start",
        "active",
        date(2026, 11, 3),
        actor.id,
    )
    assert event.note == "x"
    audit = db_session.scalars(select(AuditEvent)).one()
    assert (audit.action, audit.target_type, audit.target_id) == (
        "updated",
        "apprentice",
        apprentice.id,
    )
    assert "status" in audit.fields_changed


def test_a_move_cannot_be_dated_in_the_future(db_session, actor):
    apprentice = builders.create_apprentice(db_session, start_date=date(2026, 11, 2))
    with pytest.raises(DomainError, match="today or in the past") as refused:
        apply_move(db_session, apprentice, Move.START, actor=actor, effective_on=date(2026, 11, 28))
    assert refused.value.field == "effective_on"


def test_a_break_needs_an_expected_return_after_it_starts(db_session, actor):
    apprentice = builders.create_apprentice(db_session, status=S.ACTIVE)
    with pytest.raises(DomainError, match="Enter the expected return date"):
        apply_move(db_session, apprentice, Move.PAUSE, actor=actor, effective_on=TODAY)
    with pytest.raises(DomainError, match="after the date the break started") as refused:
        apply_move(
            db_session,
            apprentice,
            Move.PAUSE,
            actor=actor,
            effective_on=TODAY,
            expected_return_date=TODAY,
        )
    assert refused.value.field == "expected_return_date"


def test_pause_and_resume_restart_the_qualifying_period(db_session, actor):
    apprentice = builders.create_apprentice(
        db_session, status=S.ACTIVE, start_date=date(2026, 9, 1)
    )
    apply_move(
        db_session,
        apprentice,
        Move.PAUSE,
        actor=actor,
        effective_on=date(2026, 10, 1),
        expected_return_date=date(2026, 11, 2),
    )
    assert (apprentice.status, apprentice.expected_return_date) == ("on_break", date(2026, 11, 2))
    # The return cannot be dated before the break began.
    with pytest.raises(DomainError, match="on or after 1 October 2026"):
        apply_move(db_session, apprentice, Move.RESUME, actor=actor, effective_on=date(2026, 9, 30))
    apply_move(db_session, apprentice, Move.RESUME, actor=actor, effective_on=date(2026, 11, 9))
    db_session.commit()
    assert apprentice.status == "active"
    assert apprentice.qualifying_period_start == date(2026, 11, 9)
    assert apprentice.expected_return_date is None
    assert [(e.from_status, e.to_status) for e in events(db_session, apprentice)] == [
        ("active", "on_break"),
        ("on_break", "active"),
    ]


def test_a_withdrawal_within_42_days_of_the_start_is_flagged(db_session, actor):
    apprentice = builders.create_apprentice(
        db_session, status=S.ACTIVE, start_date=date(2026, 10, 20)
    )
    apply_move(
        db_session,
        apprentice,
        Move.WITHDRAW,
        actor=actor,
        effective_on=date(2026, 11, 27),  # day 39
        reason=WithdrawalReason.BETTER_JOB,
        note="Took a job elsewhere",
    )
    db_session.commit()
    assert apprentice.status == "withdrawn"
    assert apprentice.withdrawn_on == date(2026, 11, 27)
    assert apprentice.withdrawal_reason == "better_job_elsewhere"
    assert apprentice.left_in_qualifying_period is True
    event = events(db_session, apprentice)[-1]
    assert (event.reason, event.note) == ("better_job_elsewhere", "Took a job elsewhere")


def test_a_withdrawal_after_42_days_is_not_flagged(db_session, actor):
    apprentice = builders.create_apprentice(
        db_session, status=S.ACTIVE, start_date=date(2026, 10, 16)
    )
    apply_move(
        db_session,
        apprentice,
        Move.WITHDRAW,
        actor=actor,
        effective_on=date(2026, 11, 26),  # day 42: the period is complete
        reason=WithdrawalReason.HEALTH,
    )
    assert apprentice.left_in_qualifying_period is False


def test_after_a_break_the_42_days_count_from_the_return(db_session, actor):
    apprentice = builders.create_apprentice(
        db_session, status=S.ACTIVE, start_date=date(2026, 1, 5)
    )
    apply_move(
        db_session,
        apprentice,
        Move.PAUSE,
        actor=actor,
        effective_on=date(2026, 6, 1),
        expected_return_date=date(2026, 11, 1),
    )
    apply_move(db_session, apprentice, Move.RESUME, actor=actor, effective_on=date(2026, 11, 2))
    # Nearly 11 months after the start, but only 26 days after the return.
    apply_move(
        db_session,
        apprentice,
        Move.WITHDRAW,
        actor=actor,
        effective_on=date(2026, 11, 27),
        reason=WithdrawalReason.FAMILY,
    )
    db_session.commit()
    assert apprentice.left_in_qualifying_period is True


def test_a_withdrawal_needs_a_reason_once_started(db_session, actor):
    apprentice = builders.create_apprentice(db_session, status=S.ON_BREAK)
    with pytest.raises(DomainError, match="Select why they left") as refused:
        apply_move(db_session, apprentice, Move.WITHDRAW, actor=actor, effective_on=TODAY)
    assert refused.value.field == "reason"


def test_withdrawing_someone_who_never_started(db_session, actor):
    apprentice = builders.create_apprentice(db_session, start_date=date(2027, 1, 4))
    apply_move(db_session, apprentice, Move.WITHDRAW, actor=actor, effective_on=TODAY)
    db_session.commit()
    assert apprentice.status == "withdrawn"
    assert apprentice.withdrawal_reason is None
    assert apprentice.left_in_qualifying_period is False
    assert events(db_session, apprentice)[-1].reason == lifecycle.NEVER_STARTED


def test_a_stale_move_is_refused(db_session, actor):
    apprentice = builders.create_apprentice(db_session, status=S.ACTIVE)
    with pytest.raises(StaleEdit):
        apply_move(
            db_session,
            apprentice,
            Move.WITHDRAW,
            actor=actor,
            effective_on=TODAY,
            reason=WithdrawalReason.OTHER,
            expected_version=apprentice.row_version + 1,
        )


def test_start_due_apprentices_starts_those_whose_date_has_come_once(db_session):
    due = builders.create_apprentice(db_session, start_date=date(2026, 11, 27))
    overdue = builders.create_apprentice(db_session, start_date=date(2026, 9, 1))
    later = builders.create_apprentice(db_session, start_date=date(2026, 11, 28))
    on_break = builders.create_apprentice(
        db_session, status=S.ON_BREAK, start_date=date(2026, 9, 1)
    )

    assert start_due_apprentices(db_session, TODAY) == 2
    db_session.commit()
    assert start_due_apprentices(db_session, TODAY) == 0
    db_session.commit()

    assert [a.status for a in (due, overdue, later, on_break)] == [
        "active",
        "active",
        "waiting_to_start",
        "on_break",
    ]
    event = events(db_session, overdue)[-1]
    assert (event.effective_on, event.actor_user_id) == (date(2026, 9, 1), None)
    assert overdue.qualifying_period_start == date(2026, 9, 1)
    audits = db_session.scalars(select(AuditEvent)).all()
    assert len(audits) == 2 and all(a.actor_user_id is None for a in audits)


def test_leaving_ends_the_current_placement_and_frees_the_mentors_place(db_session, actor):
    from app.domain import mentoring
    from app.models import MentorAssignment, MentorProfile, Placement

    apprentice = builders.create_apprentice(
        db_session, status=S.ACTIVE, start_date=date(2026, 1, 5)
    )
    mentor = builders.create_mentor(db_session, capacity=1)
    mentoring.assign_mentor(
        db_session, apprentice, mentor, start_date=date(2026, 2, 1), actor=actor
    )
    builders.create_placement(db_session, apprentice, start_date=date(2026, 1, 5))
    db_session.commit()
    apply_move(
        db_session,
        apprentice,
        Move.WITHDRAW,
        actor=actor,
        effective_on=date(2026, 11, 20),
        reason=WithdrawalReason.HEALTH,
    )
    db_session.commit()
    db_session.expire_all()
    assignment = db_session.scalars(select(MentorAssignment)).one()
    placement = db_session.scalars(select(Placement)).one()
    assert assignment.end_date == placement.end_date == date(2026, 11, 20)
    assert db_session.get(MentorProfile, mentor.id).current_mentees == 0
