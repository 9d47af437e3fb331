"""Mentors: their capacity, who they mentor, and the meetings they record.

A mentor's place is taken with one conditional UPDATE (`... SET current_mentees =
current_mentees + 1 WHERE current_mentees < capacity`) whose row count decides: the database
serialises writers on the row, so two coordinators racing for a mentor's last place cannot
both win, and there is no read-then-write to race. An apprentice has one current (open-ended)
assignment, which a partial unique index also enforces.

Functions here never commit. After a DomainError the caller rolls back: a refused assignment may
have changed a counter before the refusal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.clock import today
from app.dialect import insert_for
from app.domain import audit
from app.domain.errors import DomainError, NotFound, StaleEdit, flush_versioned
from app.models import (
    Apprentice,
    ApprenticeStatus,
    AuditAction,
    MentorAssignment,
    MentorMeeting,
    MentorProfile,
    Role,
    User,
    UserRole,
)
from app.models.mentoring import DEFAULT_CAPACITY

MAX_CAPACITY: Final = 50
MAX_MEETING_MINUTES: Final = 480
# assign_mentor without a stale check (callers that did not show the current assignment).
UNCHECKED: Final = "unchecked"


@dataclass(frozen=True)
class MentorLoad:
    capacity: int
    current: int

    @property
    def is_full(self) -> bool:
        return self.current >= self.capacity

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.current)


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _apprentices(count: int) -> str:
    return f"{count} apprentice" if count == 1 else f"{count} apprentices"


def _profile_target(user_id: int) -> audit.Target:
    return audit.Target(type="mentor_profile", id=user_id)


# Profiles and capacity


def _check_is_mentor(mentor: User, field: str | None = "mentor") -> None:
    if Role.MENTOR not in mentor.roles:
        raise DomainError(f"{mentor.name} is not a mentor", field=field)


def ensure_profile(session: Session, mentor: User) -> MentorProfile:
    """The mentor's profile, created with the default capacity the first time it is needed.

    Two requests creating it at once are harmless: the insert does nothing on a conflict."""
    _check_is_mentor(mentor)
    profile = session.get(MentorProfile, mentor.id)
    if profile is not None:
        return profile
    insert = insert_for(session.get_bind())
    session.execute(
        insert(MentorProfile)
        .values(user_id=mentor.id, capacity=DEFAULT_CAPACITY, current_mentees=0)
        .on_conflict_do_nothing(index_elements=[MentorProfile.user_id])
    )
    profile = session.get(MentorProfile, mentor.id)
    assert profile is not None
    return profile


def set_capacity(session: Session, mentor: User, capacity: int, *, actor: User) -> MentorProfile:
    """Change how many apprentices a mentor may have. Lowering it below their current number is
    allowed (nobody is unassigned); `capacity_note` says what that means."""
    if capacity < 0:
        raise DomainError("Capacity must be 0 or more", field="capacity")
    if capacity > MAX_CAPACITY:
        raise DomainError(f"Capacity must be {MAX_CAPACITY} or fewer", field="capacity")
    profile = ensure_profile(session, mentor)
    if profile.capacity == capacity:
        return profile
    # Only the capacity is written: the count is never written from a value read earlier.
    session.execute(
        update(MentorProfile)
        .where(MentorProfile.user_id == mentor.id)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    session.refresh(profile)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=_profile_target(mentor.id),
        fields=["capacity"],
    )
    return profile


def capacity_note(mentor: User, profile: MentorProfile) -> str | None:
    """Said when a mentor has more mentees than their capacity."""
    if profile.current_mentees <= profile.capacity:
        return None
    return (
        f"{mentor.name} mentors {_apprentices(profile.current_mentees)}, more than their "
        f"capacity of {profile.capacity}. Nobody has been unassigned, but they cannot take "
        "another mentee until they are below it."
    )


def load_of(profile: MentorProfile | None) -> MentorLoad:
    if profile is None:
        return MentorLoad(capacity=DEFAULT_CAPACITY, current=0)
    return MentorLoad(capacity=profile.capacity, current=profile.current_mentees)


def mentor_loads(session: Session, mentor_ids: Iterable[int]) -> dict[int, MentorLoad]:
    """Capacity and current load of each mentor, in one query (the default for a mentor who has
    no profile yet)."""
    ids = list(mentor_ids)
    rows = (
        session.execute(
            select(
                MentorProfile.user_id, MentorProfile.capacity, MentorProfile.current_mentees
            ).where(MentorProfile.user_id.in_(ids))
        ).all()
        if ids
        else []
    )
    found = {user_id: MentorLoad(capacity, current) for user_id, capacity, current in rows}
    return {user_id: found.get(user_id, load_of(None)) for user_id in ids}


def mentors_query(borough_id: int | None = None, *, active_only: bool = False) -> Select:
    """Users with the mentor role (in one borough, or every borough), by name, with their
    borough loaded."""
    statement = (
        select(User)
        .where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.MENTOR.value)))
        .options(joinedload(User.borough))
        .order_by(User.name, User.id)
    )
    if borough_id is not None:
        statement = statement.where(User.borough_id == borough_id)
    if active_only:
        statement = statement.where(User.is_active.is_(True))
    return statement


def get_mentor(session: Session, user_id: int) -> User:
    """A user with the mentor role and their borough; NotFound for anyone else."""
    mentor = session.scalars(mentors_query().where(User.id == user_id)).unique().one_or_none()
    if mentor is None:
        raise NotFound("Mentor not found")
    return mentor


# Assignments


def current_assignment(session: Session, apprentice_id: int) -> MentorAssignment | None:
    """The apprentice's current (open-ended) assignment with its mentor."""
    return session.scalars(
        select(MentorAssignment)
        .where(
            MentorAssignment.apprentice_id == apprentice_id,
            MentorAssignment.end_date.is_(None),
        )
        .options(joinedload(MentorAssignment.mentor))
    ).one_or_none()


def assignments_for(session: Session, apprentice_id: int) -> list[MentorAssignment]:
    """Every assignment of the apprentice, newest first, with the mentors."""
    return list(
        session.scalars(
            select(MentorAssignment)
            .where(MentorAssignment.apprentice_id == apprentice_id)
            .options(joinedload(MentorAssignment.mentor))
            .order_by(MentorAssignment.start_date.desc(), MentorAssignment.id.desc())
        )
    )


def _full_message(session: Session, mentor: User) -> str:
    capacity, current = session.execute(
        select(MentorProfile.capacity, MentorProfile.current_mentees).where(
            MentorProfile.user_id == mentor.id
        )
    ).one()
    if capacity == 0:
        return f"{mentor.name} has a capacity of 0, so they cannot take a mentee"
    if current > capacity:
        return (
            f"{mentor.name} already mentors {_apprentices(current)}, more than their capacity "
            f"of {capacity}"
        )
    return f"{mentor.name} already mentors {_apprentices(current)}, their capacity"


def _take_place(session: Session, mentor: User) -> None:
    """Take one of the mentor's places, or refuse: the UPDATE's row count decides."""
    result = session.execute(
        update(MentorProfile)
        .where(
            MentorProfile.user_id == mentor.id,
            MentorProfile.current_mentees < MentorProfile.capacity,
        )
        .values(current_mentees=MentorProfile.current_mentees + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(_full_message(session, mentor), field="mentor")


def _give_back_place(session: Session, mentor_user_id: int) -> None:
    session.execute(
        update(MentorProfile)
        .where(MentorProfile.user_id == mentor_user_id, MentorProfile.current_mentees > 0)
        .values(current_mentees=MentorProfile.current_mentees - 1)
        .execution_options(synchronize_session=False)
    )


def _check_assignable(apprentice: Apprentice, mentor: User, start_date: date) -> None:
    _check_is_mentor(mentor)
    if not mentor.is_active:
        raise DomainError(
            f"{mentor.name}'s account is deactivated, so they cannot mentor", field="mentor"
        )
    if mentor.id == apprentice.user_id:
        raise DomainError("An apprentice cannot mentor themselves", field="mentor")
    if apprentice.status in (ApprenticeStatus.WITHDRAWN, ApprenticeStatus.COMPLETED):
        raise DomainError(
            f"The apprenticeship is {apprentice.status_label.lower()}, so it cannot have a "
            "new mentor",
            field="mentor",
        )
    if start_date > apprentice.planned_end_date:
        raise DomainError(
            "The start date must be on or before the planned end of the apprenticeship, "
            f"{_long_date(apprentice.planned_end_date)}",
            field="start_date",
        )


def assign_mentor(
    session: Session,
    apprentice: Apprentice,
    mentor: User,
    start_date: date,
    *,
    actor: User,
    expected_current_id: int | None | Literal["unchecked"] = UNCHECKED,
) -> MentorAssignment:
    """Make `mentor` the apprentice's current mentor from `start_date`.

    A previous current assignment ends the day before, and that mentor's place is given back.
    `expected_current_id` is the current assignment the user saw (None for none): if it changed
    meanwhile the change is refused as stale."""
    _check_assignable(apprentice, mentor, start_date)
    previous = current_assignment(session, apprentice.id)
    if expected_current_id != UNCHECKED and (
        (previous.id if previous else None) != expected_current_id
    ):
        raise StaleEdit()
    if previous is not None:
        if previous.mentor_user_id == mentor.id:
            raise DomainError(f"{mentor.name} is already the apprentice's mentor", field="mentor")
        if start_date <= previous.start_date:
            raise DomainError(
                "The start date must be after the current mentor's start, "
                f"{_long_date(previous.start_date)}",
                field="start_date",
            )
    ensure_profile(session, mentor)
    # Counters are locked in user id order, so two changes that swap mentors cannot deadlock.
    if previous is not None and previous.mentor_user_id < mentor.id:
        _give_back_place(session, previous.mentor_user_id)
        _take_place(session, mentor)
    else:
        _take_place(session, mentor)
        if previous is not None:
            _give_back_place(session, previous.mentor_user_id)
    if previous is not None:
        previous.end_date = start_date - timedelta(days=1)
        flush_versioned(session)
        audit.record(
            session,
            AuditAction.UPDATED,
            actor=actor,
            target=audit.target_of(previous),
            fields=["end_date"],
        )
    assignment = MentorAssignment(
        apprentice_id=apprentice.id, mentor_user_id=mentor.id, start_date=start_date
    )
    session.add(assignment)
    try:
        session.flush()
    except IntegrityError as error:
        # Someone else gave the apprentice a current mentor since we looked.
        if "one_current" not in str(error.orig) and "UNIQUE" not in str(error.orig):
            raise
        raise StaleEdit() from None
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(assignment))
    return assignment


def end_assignment(
    session: Session,
    assignment: MentorAssignment,
    end_date: date,
    *,
    actor: User,
    expected_version: int | None = None,
) -> MentorAssignment:
    """End a current assignment (the apprentice then has no mentor) and give the place back."""
    if expected_version is not None and assignment.row_version != expected_version:
        raise StaleEdit()
    if assignment.end_date is not None:
        raise DomainError(
            f"This assignment already ended on {_long_date(assignment.end_date)}",
            field="end_date",
        )
    if end_date < assignment.start_date:
        raise DomainError(
            "The end date must be the same as or after the start date, "
            f"{_long_date(assignment.start_date)}",
            field="end_date",
        )
    assignment.end_date = end_date
    flush_versioned(session)
    _give_back_place(session, assignment.mentor_user_id)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(assignment),
        fields=["end_date"],
    )
    return assignment


# Mentees and meetings


def current_mentee(session: Session, mentor: User, apprentice_id: int) -> Apprentice:
    """One of the mentor's current mentees, with what their page shows; NotFound for anyone
    else (a past mentee included)."""
    apprentice = session.scalars(
        select(Apprentice)
        .join(
            MentorAssignment,
            and_(
                MentorAssignment.apprentice_id == Apprentice.id,
                MentorAssignment.mentor_user_id == mentor.id,
                MentorAssignment.end_date.is_(None),
            ),
        )
        .where(Apprentice.id == apprentice_id)
        .options(
            joinedload(Apprentice.user),
            joinedload(Apprentice.cohort),
            joinedload(Apprentice.standard),
            joinedload(Apprentice.employing_borough),
        )
    ).one_or_none()
    if apprentice is None:
        raise NotFound("Not one of your mentees")
    return apprentice


def is_current_mentor(session: Session, apprentice_id: int, mentor_user_id: int) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(MentorAssignment)
            .where(
                MentorAssignment.apprentice_id == apprentice_id,
                MentorAssignment.mentor_user_id == mentor_user_id,
                MentorAssignment.end_date.is_(None),
            )
        )
        or 0
    ) > 0


def _has_mentored(session: Session, apprentice_id: int, mentor_user_id: int) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(MentorAssignment)
            .where(
                MentorAssignment.apprentice_id == apprentice_id,
                MentorAssignment.mentor_user_id == mentor_user_id,
            )
        )
        or 0
    ) > 0


def record_meeting(
    session: Session,
    apprentice: Apprentice,
    mentor: User,
    met_on: date,
    duration_minutes: int,
    notes: str,
    *,
    actor: User,
) -> MentorMeeting:
    """Record a meeting of a mentor with their mentee. Only the apprentice's current mentor
    records their own meetings; an admin may record one for anyone who has mentored them."""
    if Role.ADMIN in actor.roles:
        if not _has_mentored(session, apprentice.id, mentor.id):
            raise DomainError(f"{mentor.name} has not mentored this apprentice", field="mentor")
    elif actor.id != mentor.id or not is_current_mentor(session, apprentice.id, mentor.id):
        raise NotFound("Only the apprentice's current mentor can record their meetings")
    if met_on > today():
        raise DomainError("The date of the meeting must be today or in the past", field="met_on")
    if not 1 <= duration_minutes <= MAX_MEETING_MINUTES:
        raise DomainError(
            f"The length of the meeting must be between 1 and {MAX_MEETING_MINUTES} minutes",
            field="duration_minutes",
        )
    meeting = MentorMeeting(
        apprentice_id=apprentice.id,
        mentor_user_id=mentor.id,
        met_on=met_on,
        duration_minutes=duration_minutes,
        notes=notes.strip(),
    )
    session.add(meeting)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(meeting))
    return meeting


def meetings_for(session: Session, apprentice_id: int) -> list[MentorMeeting]:
    """The apprentice's mentor meetings, newest first, with the mentor who recorded each."""
    return list(
        session.scalars(
            select(MentorMeeting)
            .where(MentorMeeting.apprentice_id == apprentice_id)
            .options(joinedload(MentorMeeting.mentor))
            .order_by(MentorMeeting.met_on.desc(), MentorMeeting.id.desc())
        )
    )
