"""The apprentice status lifecycle: one transition table, and the moves through it.

Every move writes an ApprenticeStatusEvent (from, to, effective date, who, reason, note) and an
audit event. Completion (active → completed) is in the same table, but only recording a passing
end-point assessment result makes it (app.domain.epa): it is never offered as a move by hand.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today
from app.domain import audit, mentoring, placements, progress
from app.domain.apprenticeship_rules import left_within_qualifying_period
from app.domain.errors import DomainError, StaleEdit, flush_versioned
from app.models import (
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditAction,
    User,
    WithdrawalReason,
)

Status = ApprenticeStatus

# The reason recorded on the status event when someone who never started is withdrawn.
NEVER_STARTED = "never_started"


class Move(enum.StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    WITHDRAW = "withdraw"


class SystemMove(enum.StrEnum):
    """Moves that follow from another record, never made by hand on the status page."""

    COMPLETE = "complete"  # an end-point assessment passed (app.domain.epa.record_attempt)


AnyMove = Move | SystemMove


@dataclass(frozen=True)
class MoveText:
    label: str  # the button and page title
    done: str  # the past participle, for messages
    date_label: str


MOVE_TEXT = {
    Move.START: MoveText("Start the apprenticeship", "started", "Date they started"),
    Move.PAUSE: MoveText("Pause for a break in learning", "paused", "Date the break started"),
    Move.RESUME: MoveText("Return from a break in learning", "resumed", "Date they returned"),
    Move.WITHDRAW: MoveText("Withdraw (stop) the apprenticeship", "withdrawn", "Date they left"),
    SystemMove.COMPLETE: MoveText(
        "Complete the apprenticeship", "completed", "Date of the end-point assessment"
    ),
}

# The transition table of DESIGN.md: for each move, the status it leads from and to.
TRANSITIONS: dict[AnyMove, dict[Status, Status]] = {
    Move.START: {Status.WAITING_TO_START: Status.ACTIVE},
    Move.PAUSE: {Status.ACTIVE: Status.ON_BREAK},
    Move.RESUME: {Status.ON_BREAK: Status.ACTIVE},
    Move.WITHDRAW: {
        Status.WAITING_TO_START: Status.WITHDRAWN,  # never started
        Status.ACTIVE: Status.WITHDRAWN,
        Status.ON_BREAK: Status.WITHDRAWN,
    },
    SystemMove.COMPLETE: {Status.ACTIVE: Status.COMPLETED},  # a fail keeps them active
}
# Moves after which the apprentice has no current placement or mentor.
ENDS_ARRANGEMENTS: frozenset[AnyMove] = frozenset({Move.WITHDRAW, SystemMove.COMPLETE})


def reason_label(value: str | None) -> str:
    """The words for a status event's reason: a withdrawal reason, or "never started"."""
    if value == NEVER_STARTED:
        return "Never started"
    if value in set(WithdrawalReason):
        return WithdrawalReason(value).label
    return value or ""


def status_label(value: str | None) -> str:
    return Status(value).label if value in set(Status) else (value or "")


def moves_from(status: Status | str) -> list[Move]:
    """The moves open to an apprentice in this status by hand, in the table's order (completion
    follows only from a passing end-point assessment result)."""
    return [
        move
        for move, table in TRANSITIONS.items()
        if isinstance(move, Move) and Status(status) in table
    ]


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def target_status(apprentice: Apprentice, move: AnyMove) -> Status:
    """The status the move leads to, or a DomainError saying why the move is not possible."""
    current = Status(apprentice.status)
    table = TRANSITIONS[move]
    if current not in table:
        allowed = " or ".join(f"“{status.label.lower()}”" for status in table)
        raise DomainError(
            f"This apprenticeship cannot be {MOVE_TEXT[move].done}: its status is "
            f"“{current.label.lower()}”, and only an apprenticeship that is {allowed} can be."
        )
    return table[current]


def record_event(
    session: Session,
    apprentice: Apprentice,
    *,
    from_status: Status | None,
    to_status: Status,
    effective_on: date,
    actor: User | None,
    reason: str | None = None,
    note: str | None = None,
) -> ApprenticeStatusEvent:
    event = ApprenticeStatusEvent(
        apprentice_id=apprentice.id,
        from_status=from_status.value if from_status is not None else None,
        to_status=to_status.value,
        effective_on=effective_on,
        actor_user_id=actor.id if actor is not None else None,
        reason=reason,
        note=(note or "").strip() or None,
    )
    session.add(event)
    return event


def current_status_since(session: Session, apprentice: Apprentice) -> date:
    """The effective date of the move into the apprentice's current status (the latest event),
    or the qualifying period's start when no event was recorded."""
    latest = session.scalar(
        select(ApprenticeStatusEvent.effective_on)
        .where(
            ApprenticeStatusEvent.apprentice_id == apprentice.id,
            ApprenticeStatusEvent.to_status == apprentice.status,
        )
        .order_by(ApprenticeStatusEvent.id.desc())
        .limit(1)
    )
    return latest or apprentice.qualifying_period_start


def _check_date(
    session: Session, apprentice: Apprentice, move: AnyMove, effective_on: date
) -> None:
    """No move is dated in the future; a started apprentice's move is not dated before the
    move into their current status (a start may be earlier than the planned start date)."""
    label = MOVE_TEXT[move].date_label
    if effective_on > today():
        raise DomainError(f"{label} must be today or in the past", field="effective_on")
    if Status(apprentice.status) is Status.WAITING_TO_START:
        return
    since = current_status_since(session, apprentice)
    if effective_on < since:
        raise DomainError(
            f"{label} must be on or after {_day(since)}, when their status last changed",
            field="effective_on",
        )


def apply_move(
    session: Session,
    apprentice: Apprentice,
    move: AnyMove,
    *,
    actor: User | None,
    effective_on: date,
    expected_return_date: date | None = None,
    reason: WithdrawalReason | None = None,
    grade: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> ApprenticeStatusEvent:
    """Move the apprentice through the lifecycle. `actor` is None for the daily refresh.

    Start: the qualifying period runs from the date they started. Pause: needs the expected
    return date. Resume: the qualifying period starts again on the return date. Withdraw: from
    waiting to start it means they never started; otherwise it needs a reason, and a withdrawal
    within the qualifying period is flagged (the start then does not count). Complete: needs the
    passing grade; the completion date is the effective date. Withdrawing and completing end the
    current placement and mentor assignment."""
    if expected_version is not None and apprentice.row_version != expected_version:
        raise StaleEdit()
    current = Status(apprentice.status)
    new = target_status(apprentice, move)
    _check_date(session, apprentice, move, effective_on)
    changed = ["status"]
    event_reason: str | None = None
    if move is Move.START:
        apprentice.qualifying_period_start = effective_on
        changed.append("qualifying_period_start")
    elif move is Move.PAUSE:
        if expected_return_date is None:
            raise DomainError("Enter the expected return date", field="expected_return_date")
        if expected_return_date <= effective_on:
            raise DomainError(
                "The expected return date must be after the date the break started",
                field="expected_return_date",
            )
        apprentice.expected_return_date = expected_return_date
        changed.append("expected_return_date")
    elif move is Move.RESUME:
        apprentice.qualifying_period_start = effective_on
        apprentice.expected_return_date = None
        changed += ["qualifying_period_start", "expected_return_date"]
    elif move is Move.WITHDRAW:
        if current is Status.WAITING_TO_START:
            event_reason = NEVER_STARTED
            apprentice.left_in_qualifying_period = False
        else:
            if reason is None:
                raise DomainError("Select why they left", field="reason")
            event_reason = WithdrawalReason(reason).value
            apprentice.left_in_qualifying_period = left_within_qualifying_period(
                apprentice.qualifying_period_start, effective_on
            )
        apprentice.withdrawal_reason = WithdrawalReason(reason).value if reason else None
        apprentice.withdrawn_on = effective_on
        apprentice.expected_return_date = None
        changed += [
            "withdrawn_on",
            "withdrawal_reason",
            "left_in_qualifying_period",
            "expected_return_date",
        ]
    elif move is SystemMove.COMPLETE:
        changed += _complete(apprentice, effective_on, grade)
    apprentice.status = new.value
    flush_versioned(session)
    if move in ENDS_ARRANGEMENTS and actor is not None:
        _end_open_arrangements(
            session, apprentice, _arrangements_end(apprentice, effective_on), actor
        )
    event = record_event(
        session,
        apprentice,
        from_status=current,
        to_status=new,
        effective_on=effective_on,
        actor=actor,
        reason=event_reason,
        note=note,
    )
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(apprentice),
        fields=changed,
    )
    progress.refresh_summary(session, apprentice.id)
    return event


def _complete(apprentice: Apprentice, completed_on: date, grade: str | None) -> list[str]:
    """Completion records the date and the grade of the passing end-point assessment."""
    if not grade:
        raise DomainError("Select the grade", field="grade")
    apprentice.completed_on = completed_on
    apprentice.completion_grade = grade
    return ["completed_on", "completion_grade"]


def _arrangements_end(apprentice: Apprentice, effective_on: date) -> date:
    """When the placement and mentor assignment of someone who left or completed end: the day
    they left or were assessed, but not after the planned end date (a placement cannot run past
    it, even when an assessment or a withdrawal after a failed one does)."""
    return min(effective_on, apprentice.planned_end_date)


def _end_open_arrangements(
    session: Session, apprentice: Apprentice, left_on: date, actor: User
) -> None:
    """Someone who has left has no current mentor (the mentor's place is freed) and no current
    placement: both end on the day they left (or on their own start, if that is later)."""
    assignment = mentoring.current_assignment(session, apprentice.id)
    if assignment is not None:
        mentoring.end_assignment(
            session, assignment, max(left_on, assignment.start_date), actor=actor
        )
    for placement in placements.placements_for(session, apprentice.id):
        if placement.end_date is None:
            placements.end_placement(
                session,
                apprentice,
                placement,
                max(left_on, placement.start_date),
                expected_version=placement.row_version,
                actor=actor,
            )


def start_due_apprentices(session: Session, on: date | None = None) -> int:
    """Start everyone waiting to start whose start date has come; how many were started.

    For the daily `flask refresh-status`: running it again finds nobody new."""
    on = on or today()
    due = session.scalars(
        select(Apprentice)
        .where(
            Apprentice.status == Status.WAITING_TO_START.value,
            Apprentice.start_date <= on,
        )
        .order_by(Apprentice.id)
    ).all()
    for apprentice in due:
        apply_move(
            session,
            apprentice,
            Move.START,
            actor=None,
            effective_on=apprentice.start_date,
            note="Started on the start date (daily status refresh)",
        )
    return len(due)
