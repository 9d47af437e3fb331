"""Mentors: capacity, one current mentor per apprentice, a full mentor refused, meetings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import mentoring
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.models import (
    ApprenticeStatus,
    AuditEvent,
    MentorAssignment,
    MentorMeeting,
    MentorProfile,
    Role,
    User,
)
from tests import builders


@pytest.fixture
def actor(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR])


def profile_of(db_session, mentor) -> MentorProfile:
    db_session.expire_all()
    return db_session.get(MentorProfile, mentor.id)


def assign(db_session, apprentice, mentor, actor, start=date(2026, 11, 27), **options):
    assignment = mentoring.assign_mentor(
        db_session, apprentice, mentor, start, actor=actor, **options
    )
    db_session.commit()
    return assignment


# Profiles and capacity


def test_a_profile_is_made_with_the_default_capacity(db_session):
    mentor = builders.create_user(db_session, roles=[Role.MENTOR])
    profile = mentoring.ensure_profile(db_session, mentor)
    assert (profile.capacity, profile.current_mentees) == (3, 0)
    assert mentoring.ensure_profile(db_session, mentor) is profile


def test_only_a_mentor_has_a_profile(db_session):
    coordinator = builders.create_user(db_session, roles=[Role.COORDINATOR], name="Cal")
    with pytest.raises(DomainError, match="Cal is not a mentor"):
        mentoring.ensure_profile(db_session, coordinator)


def test_capacity_changes_are_audited(db_session, actor):
    mentor = builders.create_mentor(db_session, capacity=3)
    mentoring.set_capacity(db_session, mentor, 5, actor=actor)
    db_session.commit()
    assert profile_of(db_session, mentor).capacity == 5
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.target_type, event.target_id, event.fields_changed) == (
        "updated",
        "mentor_profile",
        mentor.id,
        ["capacity"],
    )


def test_capacity_cannot_be_negative(db_session, actor):
    mentor = builders.create_mentor(db_session)
    with pytest.raises(DomainError, match="0 or more") as refused:
        mentoring.set_capacity(db_session, mentor, -1, actor=actor)
    assert refused.value.field == "capacity"


def test_capacity_may_go_below_the_current_count_and_says_so(db_session, actor):
    mentor = builders.create_mentor(db_session, capacity=3, name="Sam Okafor")
    for _ in range(2):
        builders.assign_mentor(db_session, builders.create_apprentice(db_session), mentor)
    profile = mentoring.set_capacity(db_session, mentor, 1, actor=actor)
    db_session.commit()
    assert (profile.capacity, profile.current_mentees) == (1, 2)
    note = mentoring.capacity_note(mentor, profile)
    assert note.startswith("Sam Okafor mentors 2 apprentices, more than their capacity of 1")
    assert (
        mentoring.capacity_note(mentor, mentoring.set_capacity(db_session, mentor, 2, actor=actor))
        is None
    )


def test_loads_for_many_mentors_in_one_query(db_session, count_queries):
    with_profile = builders.create_mentor(db_session, capacity=2)
    builders.assign_mentor(db_session, builders.create_apprentice(db_session), with_profile)
    without = builders.create_user(db_session, roles=[Role.MENTOR])
    ids = [with_profile.id, without.id]
    with count_queries() as log:
        loads = mentoring.mentor_loads(db_session, ids)
    assert log.count == 1
    assert loads[with_profile.id] == mentoring.MentorLoad(capacity=2, current=1)
    assert loads[without.id] == mentoring.MentorLoad(capacity=3, current=0)
    assert not loads[with_profile.id].is_full
    assert mentoring.MentorLoad(capacity=2, current=2).is_full


# Assigning


def test_assigns_a_mentor_and_takes_a_place(db_session, actor):
    mentor = builders.create_mentor(db_session, capacity=3)
    apprentice = builders.create_apprentice(db_session)
    assignment = assign(db_session, apprentice, mentor, actor, expected_current_id=None)
    assert (assignment.mentor_user_id, assignment.end_date) == (mentor.id, None)
    assert profile_of(db_session, mentor).current_mentees == 1
    events = db_session.scalars(select(AuditEvent)).all()
    assert [(e.action, e.target_type) for e in events] == [("created", "mentor_assignment")]


def test_a_mentor_without_a_profile_gets_the_default_capacity(db_session, actor):
    mentor = builders.create_user(db_session, roles=[Role.MENTOR])
    assign(db_session, builders.create_apprentice(db_session), mentor, actor)
    profile = profile_of(db_session, mentor)
    assert (profile.capacity, profile.current_mentees) == (3, 1)


def test_a_full_mentor_is_refused_and_nothing_changes(db_session, actor):
    mentor = builders.create_mentor(db_session, capacity=2, name="Sam Okafor")
    for _ in range(2):
        assign(db_session, builders.create_apprentice(db_session), mentor, actor)
    third = builders.create_apprentice(db_session)
    with pytest.raises(DomainError) as refused:
        mentoring.assign_mentor(db_session, third, mentor, date(2026, 11, 27), actor=actor)
    assert refused.value.message == "Sam Okafor already mentors 2 apprentices, their capacity"
    assert refused.value.field == "mentor"
    db_session.rollback()
    assert profile_of(db_session, mentor).current_mentees == 2
    assert mentoring.current_assignment(db_session, third.id) is None


def test_a_mentor_with_no_capacity_is_refused(db_session, actor):
    mentor = builders.create_mentor(db_session, capacity=0, name="Sam")
    with pytest.raises(DomainError, match="Sam has a capacity of 0"):
        mentoring.assign_mentor(
            db_session,
            builders.create_apprentice(db_session),
            mentor,
            date(2026, 11, 27),
            actor=actor,
        )


def test_a_full_mentor_is_refused_even_when_the_count_read_earlier_was_lower(
    db_session, engine, actor
):
    """No read-then-write: the UPDATE's own condition decides, on the row as it is now."""
    mentor = builders.create_mentor(db_session, capacity=1)
    apprentice = builders.create_apprentice(db_session)
    mentoring.ensure_profile(db_session, mentor)  # loaded with current_mentees == 0
    with Session(engine) as other:
        mentoring.assign_mentor(
            other,
            builders.create_apprentice(other),
            other.get(User, mentor.id),
            date(2026, 11, 27),
            actor=other.get(User, actor.id),
        )
        other.commit()
    with pytest.raises(DomainError, match="already mentors 1 apprentice, their capacity"):
        mentoring.assign_mentor(db_session, apprentice, mentor, date(2026, 11, 27), actor=actor)


def test_changing_mentor_ends_the_previous_assignment_the_day_before(db_session, actor):
    first = builders.create_mentor(db_session)
    second = builders.create_mentor(db_session)
    apprentice = builders.create_apprentice(db_session)
    old = assign(db_session, apprentice, first, actor, start=date(2026, 9, 1))
    new = assign(
        db_session, apprentice, second, actor, start=date(2026, 12, 1), expected_current_id=old.id
    )
    db_session.expire_all()
    assert db_session.get(MentorAssignment, old.id).end_date == date(2026, 11, 30)
    assert mentoring.current_assignment(db_session, apprentice.id).id == new.id
    assert profile_of(db_session, first).current_mentees == 0
    assert profile_of(db_session, second).current_mentees == 1
    assert [a.id for a in mentoring.assignments_for(db_session, apprentice.id)] == [new.id, old.id]


def test_a_new_mentor_must_start_after_the_current_one(db_session, actor):
    first = builders.create_mentor(db_session)
    apprentice = builders.create_apprentice(db_session)
    assign(db_session, apprentice, first, actor, start=date(2026, 11, 1))
    with pytest.raises(DomainError, match="after the current mentor's start") as refused:
        mentoring.assign_mentor(
            db_session,
            apprentice,
            builders.create_mentor(db_session),
            date(2026, 11, 1),
            actor=actor,
        )
    assert refused.value.field == "start_date"


def test_the_same_mentor_again_is_refused(db_session, actor):
    mentor = builders.create_mentor(db_session, name="Sam")
    apprentice = builders.create_apprentice(db_session)
    assign(db_session, apprentice, mentor, actor, start=date(2026, 11, 1))
    with pytest.raises(DomainError, match="Sam is already the apprentice's mentor"):
        mentoring.assign_mentor(db_session, apprentice, mentor, date(2026, 12, 1), actor=actor)


def test_only_an_active_user_with_the_mentor_role_mentors(db_session, actor):
    apprentice = builders.create_apprentice(db_session)
    coordinator = builders.create_user(db_session, roles=[Role.COORDINATOR], name="Cal")
    with pytest.raises(DomainError, match="Cal is not a mentor"):
        mentoring.assign_mentor(
            db_session, apprentice, coordinator, date(2026, 11, 27), actor=actor
        )
    inactive = builders.create_user(db_session, roles=[Role.MENTOR], name="Ina", active=False)
    with pytest.raises(DomainError, match="Ina's account is deactivated"):
        mentoring.assign_mentor(db_session, apprentice, inactive, date(2026, 11, 27), actor=actor)


def test_a_withdrawn_apprentice_gets_no_new_mentor(db_session, actor):
    apprentice = builders.create_apprentice(db_session, status=ApprenticeStatus.WITHDRAWN)
    with pytest.raises(DomainError, match="stopped"):
        mentoring.assign_mentor(
            db_session,
            apprentice,
            builders.create_mentor(db_session),
            date(2026, 11, 27),
            actor=actor,
        )


def test_an_assignment_changed_meanwhile_is_stale(db_session, actor):
    apprentice = builders.create_apprentice(db_session)
    first = builders.create_mentor(db_session)
    # The form was loaded when the apprentice had no mentor; someone assigned one since.
    assign(db_session, apprentice, first, actor)
    with pytest.raises(StaleEdit):
        mentoring.assign_mentor(
            db_session,
            apprentice,
            builders.create_mentor(db_session),
            date(2026, 12, 1),
            actor=actor,
            expected_current_id=None,
        )
    db_session.rollback()
    assert mentoring.current_assignment(db_session, apprentice.id).mentor_user_id == first.id


def test_the_database_allows_one_current_assignment_per_apprentice(db_session, actor):
    from sqlalchemy.exc import IntegrityError

    apprentice = builders.create_apprentice(db_session)
    builders.assign_mentor(db_session, apprentice, builders.create_mentor(db_session))
    db_session.add(
        MentorAssignment(
            apprentice_id=apprentice.id,
            mentor_user_id=builders.create_mentor(db_session).id,
            start_date=date(2026, 12, 1),
        )
    )
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_ending_an_assignment_gives_the_place_back(db_session, actor):
    mentor = builders.create_mentor(db_session)
    apprentice = builders.create_apprentice(db_session)
    assignment = assign(db_session, apprentice, mentor, actor, start=date(2026, 9, 1))
    mentoring.end_assignment(db_session, assignment, date(2026, 11, 27), actor=actor)
    db_session.commit()
    assert profile_of(db_session, mentor).current_mentees == 0
    assert mentoring.current_assignment(db_session, apprentice.id) is None
    with pytest.raises(DomainError, match="already ended"):
        mentoring.end_assignment(db_session, assignment, date(2026, 11, 28), actor=actor)


def test_an_assignment_cannot_end_before_it_starts(db_session, actor):
    assignment = assign(
        db_session,
        builders.create_apprentice(db_session),
        builders.create_mentor(db_session),
        actor,
        start=date(2026, 11, 1),
    )
    with pytest.raises(DomainError, match="same as or after the start date"):
        mentoring.end_assignment(db_session, assignment, date(2026, 10, 31), actor=actor)


# Meetings


def test_the_current_mentor_records_a_meeting(db_session):
    mentor = builders.create_mentor(db_session)
    apprentice = builders.create_apprentice(db_session)
    builders.assign_mentor(db_session, apprentice, mentor)
    meeting = mentoring.record_meeting(
        db_session,
        apprentice,
        mentor,
        date(2026, 11, 27),
        45,
        "  Talked about the portfolio ",
        actor=mentor,
    )
    db_session.commit()
    assert (meeting.duration_minutes, meeting.notes) == (45, "Talked about the portfolio")
    assert [m.id for m in mentoring.meetings_for(db_session, apprentice.id)] == [meeting.id]
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.target_type, event.actor_user_id) == (
        "created",
        "mentor_meeting",
        mentor.id,
    )


def test_someone_who_is_not_the_current_mentor_cannot_record(db_session, actor):
    mentor = builders.create_mentor(db_session)
    apprentice = builders.create_apprentice(db_session)
    old = builders.assign_mentor(db_session, apprentice, mentor, start_date=date(2026, 9, 1))
    other = builders.create_mentor(db_session)
    with pytest.raises(NotFound):
        mentoring.record_meeting(
            db_session, apprentice, other, date(2026, 11, 1), 30, "x", actor=other
        )
    mentoring.end_assignment(db_session, old, date(2026, 10, 31), actor=actor)
    db_session.commit()
    with pytest.raises(NotFound):
        mentoring.record_meeting(
            db_session, apprentice, mentor, date(2026, 10, 1), 30, "x", actor=mentor
        )
    # An admin records one for a past mentor.
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    mentoring.record_meeting(
        db_session, apprentice, mentor, date(2026, 10, 1), 30, "x", actor=admin
    )
    with pytest.raises(DomainError, match="has not mentored"):
        mentoring.record_meeting(
            db_session, apprentice, other, date(2026, 10, 1), 30, "x", actor=admin
        )


@pytest.mark.parametrize(
    ("met_on", "minutes", "field"),
    [
        (date(2026, 11, 28), 30, "met_on"),
        (date(2026, 11, 27), 0, "duration_minutes"),
        (date(2026, 11, 27), 481, "duration_minutes"),
    ],
)
def test_meeting_date_and_length_are_checked(db_session, met_on, minutes, field):
    mentor = builders.create_mentor(db_session)
    apprentice = builders.create_apprentice(db_session)
    builders.assign_mentor(db_session, apprentice, mentor)
    with pytest.raises(DomainError) as refused:
        mentoring.record_meeting(db_session, apprentice, mentor, met_on, minutes, "x", actor=mentor)
    assert refused.value.field == field
    db_session.rollback()
    assert db_session.scalars(select(MentorMeeting)).all() == []


def test_lists_mentors_of_a_borough(db_session):
    camden = builders.create_mentor(db_session, borough="Camden", name="Cam Mentor")
    builders.create_mentor(db_session, borough="Hackney", name="Hack Mentor")
    builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    statement = mentoring.mentors_query(builders.get_borough(db_session, "Camden").id)
    assert [user.id for user in db_session.scalars(statement)] == [camden.id]
    assert mentoring.get_mentor(db_session, camden.id).borough.name == "Camden"
    with pytest.raises(NotFound):
        mentoring.get_mentor(db_session, builders.create_user(db_session).id)
