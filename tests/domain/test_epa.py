"""End-point assessment: grades from the standard's grade set, a fail then a pass, and completion
(status, date, grade, the summary, the placement and mentor ended)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.domain import epa, lifecycle, mentoring, progress
from app.domain.errors import DomainError
from app.domain.gateway import NotPermitted
from app.models import (
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditEvent,
    EpaAttempt,
    GatewayConfirmation,
    GradeSet,
    MentorProfile,
    Placement,
    ProgressSummary,
    Role,
    Standard,
)
from tests import builders

TODAY = date(2026, 11, 27)  # the frozen clock
GATEWAY_ON = date(2026, 9, 1)
S = ApprenticeStatus


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


@pytest.fixture
def assessor(db_session):
    return builders.create_provider(
        db_session, name="Assess Ltd", delivers_training=False, assesses_epa=True
    )


def at_gateway(db_session, grade_set=GradeSet.PASS_MERIT_DISTINCTION, *, confirmed=True):
    standard = builders.create_standard(db_session, grade_set=grade_set.value)
    apprentice = builders.create_apprentice(
        db_session, standard=standard, status=S.ACTIVE, start_date=date(2025, 3, 1), months=18
    )
    if confirmed:
        db_session.add(
            GatewayConfirmation(apprentice_id=apprentice.id, confirmed_on=GATEWAY_ON, checklist=[])
        )
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()
    return apprentice


def record(db_session, apprentice, actor, organisation, **changes):
    values = {
        "assessed_on": date(2026, 10, 5),
        "organisation_id": organisation.id,
        "grade": "pass",
        "next_attempt_on": None,
        "note": None,
        **changes,
    }
    attempt = epa.record_attempt(db_session, apprentice, actor=actor, **values)
    db_session.commit()
    return attempt


@pytest.mark.parametrize(
    ("grade_set", "grades"),
    [
        (GradeSet.PASS_FAIL, ("fail", "pass")),
        (GradeSet.PASS_DISTINCTION, ("fail", "pass", "distinction")),
        (GradeSet.PASS_MERIT_DISTINCTION, ("fail", "pass", "merit", "distinction")),
    ],
)
def test_each_grade_set_accepts_its_grades(db_session, coordinator, assessor, grade_set, grades):
    for grade in grades:
        apprentice = at_gateway(db_session, grade_set)
        assert epa.grades_for(db_session.get(Standard, apprentice.standard_id)) == grades
        next_attempt = date(2027, 1, 11) if grade == "fail" else None
        attempt = record(
            db_session, apprentice, coordinator, assessor, grade=grade, next_attempt_on=next_attempt
        )
        assert attempt.grade == grade
        expected = S.ACTIVE if grade == "fail" else S.COMPLETED
        assert apprentice.status == expected.value


@pytest.mark.parametrize(
    ("grade_set", "outside"),
    [
        (GradeSet.PASS_FAIL, "merit"),
        (GradeSet.PASS_FAIL, "distinction"),
        (GradeSet.PASS_DISTINCTION, "merit"),
        (GradeSet.PASS_MERIT_DISTINCTION, "excellent"),
    ],
)
def test_a_grade_outside_the_set_is_refused(db_session, coordinator, assessor, grade_set, outside):
    apprentice = at_gateway(db_session, grade_set)
    with pytest.raises(DomainError, match="grade set") as refused:
        record(db_session, apprentice, coordinator, assessor, grade=outside)
    assert refused.value.field == "grade"
    db_session.rollback()
    assert db_session.scalars(select(EpaAttempt)).all() == []
    assert apprentice.status == S.ACTIVE.value


def test_a_fail_then_a_pass_completes_the_apprenticeship(db_session, coordinator, assessor):
    apprentice = at_gateway(db_session)
    placement = builders.create_placement(db_session, apprentice, host="Camden")
    mentor = builders.create_mentor(db_session)
    builders.assign_mentor(db_session, apprentice, mentor)
    summary = db_session.get(ProgressSummary, apprentice.id)
    assert summary.rag is not None  # live: a colour

    fail = record(
        db_session,
        apprentice,
        coordinator,
        assessor,
        assessed_on=date(2026, 9, 20),
        grade="fail",
        next_attempt_on=date(2026, 11, 2),
        note="Professional discussion to be retaken",
    )
    assert fail.next_attempt_on == date(2026, 11, 2)
    assert apprentice.status == S.ACTIVE.value
    assert apprentice.completed_on is None
    assert mentoring.current_assignment(db_session, apprentice.id) is not None

    record(
        db_session, apprentice, coordinator, assessor, assessed_on=date(2026, 11, 3), grade="merit"
    )
    db_session.expire_all()
    assert apprentice.status == S.COMPLETED.value
    assert apprentice.completed_on == date(2026, 11, 3)
    assert apprentice.completion_grade == "merit"
    assert [a.grade for a in epa.attempts_of(db_session, apprentice.id)] == ["fail", "merit"]

    event = db_session.scalars(
        select(ApprenticeStatusEvent).where(ApprenticeStatusEvent.apprentice_id == apprentice.id)
    ).one()
    assert (event.from_status, event.to_status, event.effective_on) == (
        "active",
        "completed",
        date(2026, 11, 3),
    )
    assert event.actor_user_id == coordinator.id
    assert event.note == "End-point assessment passed: Merit"

    summary = db_session.get(ProgressSummary, apprentice.id)
    assert summary.rag is None  # not in learning any more
    assert summary.rag_reasons == []

    assert db_session.get(Placement, placement.id).end_date == date(2026, 11, 3)
    assert mentoring.current_assignment(db_session, apprentice.id) is None
    assert db_session.get(MentorProfile, mentor.id).current_mentees == 0

    changes = db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "apprentice", AuditEvent.target_id == apprentice.id)
        .order_by(AuditEvent.id)
    ).all()
    assert {"status", "completed_on", "completion_grade"} <= set(changes[-1].fields_changed)
    created = db_session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "epa_attempt")
    ).all()
    assert len(created) == 2

    with pytest.raises(DomainError, match="already completed on 3 November 2026"):
        record(db_session, apprentice, coordinator, assessor, assessed_on=TODAY)


def test_completion_after_the_planned_end_ends_the_placement_on_the_planned_end(
    db_session, coordinator, assessor
):
    apprentice = at_gateway(db_session)
    apprentice.planned_end_date = date(2026, 10, 31)
    db_session.commit()
    placement = builders.create_placement(db_session, apprentice, end_date=None)
    record(db_session, apprentice, coordinator, assessor, assessed_on=date(2026, 11, 20))
    assert apprentice.completed_on == date(2026, 11, 20)
    assert db_session.get(Placement, placement.id).end_date == date(2026, 10, 31)


def test_completion_is_not_a_move_by_hand():
    assert lifecycle.SystemMove.COMPLETE not in lifecycle.moves_from(S.ACTIVE)
    assert lifecycle.TRANSITIONS[lifecycle.SystemMove.COMPLETE] == {S.ACTIVE: S.COMPLETED}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"grade": "fail"}, "next_attempt_on", "Enter the date of the next attempt"),
        (
            {"grade": "fail", "next_attempt_on": date(2026, 10, 5)},
            "next_attempt_on",
            "must be after the date of this assessment",
        ),
        ({"next_attempt_on": date(2027, 1, 4)}, "next_attempt_on", "only for a fail"),
        ({"assessed_on": date(2026, 11, 28)}, "assessed_on", "today or in the past"),
        ({"assessed_on": date(2026, 8, 31)}, "assessed_on", "on or after the gateway"),
        ({"note": "x" * 2001}, "note", "2,000 characters or fewer"),
    ],
)
def test_bad_results_are_refused(db_session, coordinator, assessor, changes, field, message):
    apprentice = at_gateway(db_session)
    with pytest.raises(DomainError, match=message) as refused:
        record(db_session, apprentice, coordinator, assessor, **changes)
    assert refused.value.field == field
    db_session.rollback()
    assert apprentice.status == S.ACTIVE.value


def test_a_resit_is_after_the_previous_attempt(db_session, coordinator, assessor):
    apprentice = at_gateway(db_session)
    record(
        db_session,
        apprentice,
        coordinator,
        assessor,
        grade="fail",
        next_attempt_on=date(2026, 11, 1),
    )
    with pytest.raises(DomainError, match="after the previous attempt, 5 October 2026"):
        record(db_session, apprentice, coordinator, assessor, assessed_on=date(2026, 10, 5))


def test_the_organisation_must_assess(db_session, coordinator):
    apprentice = at_gateway(db_session)
    trainer = builders.create_provider(db_session, assesses_epa=False)
    with pytest.raises(DomainError, match="carries out end-point assessments") as refused:
        record(db_session, apprentice, coordinator, trainer)
    assert refused.value.field == "organisation_id"
    assert [o.id for o in epa.assessment_organisations(db_session)] == []


def test_only_after_the_gateway(db_session, coordinator, assessor):
    apprentice = at_gateway(db_session, confirmed=False)
    with pytest.raises(DomainError, match="gateway must be confirmed"):
        record(db_session, apprentice, coordinator, assessor)


@pytest.mark.parametrize("status", [S.ON_BREAK, S.WITHDRAWN, S.WAITING_TO_START])
def test_only_a_live_apprenticeship(db_session, coordinator, assessor, status):
    apprentice = at_gateway(db_session)
    apprentice.status = status.value
    db_session.commit()
    with pytest.raises(DomainError, match="Only a live apprenticeship"):
        record(db_session, apprentice, coordinator, assessor)


@pytest.mark.parametrize(
    ("roles", "borough", "allowed"),
    [
        ([Role.COORDINATOR], "Hackney", True),
        ([Role.ADMIN], "Camden", True),
        ([Role.COORDINATOR], "Camden", False),  # the host borough reads only
        ([Role.MENTOR], "Hackney", False),
    ],
)
def test_who_may_record_results(db_session, assessor, roles, borough, allowed):
    apprentice = at_gateway(db_session)
    builders.create_placement(db_session, apprentice, host="Camden")
    actor = builders.create_user(db_session, roles=roles, borough=borough)
    if allowed:
        record(db_session, apprentice, actor, assessor)
        assert apprentice.status == S.COMPLETED.value
    else:
        with pytest.raises(NotPermitted):
            record(db_session, apprentice, actor, assessor)


def test_epa_booked_lists_those_past_the_gateway_without_a_pass(db_session, coordinator, assessor):
    waiting = at_gateway(db_session)
    resit = at_gateway(db_session)
    record(
        db_session,
        resit,
        coordinator,
        assessor,
        assessed_on=date(2026, 9, 10),
        grade="fail",
        next_attempt_on=date(2026, 10, 1),
    )
    record(
        db_session,
        resit,
        coordinator,
        assessor,
        assessed_on=date(2026, 10, 1),
        grade="fail",
        next_attempt_on=date(2027, 1, 15),
    )
    passed = at_gateway(db_session)
    record(db_session, passed, coordinator, assessor)
    at_gateway(db_session, confirmed=False)
    rows = db_session.execute(epa.epa_booked(coordinator)).all()
    assert [(row.Apprentice.id, row.next_attempt_on, row.last_assessed_on) for row in rows] == [
        (waiting.id, None, None),
        (resit.id, date(2027, 1, 15), date(2026, 10, 1)),
    ]
    assert rows[0].confirmed_on == GATEWAY_ON
