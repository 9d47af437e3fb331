"""Destinations: where completers and leavers went, recorded at the end and followed up 6 and 12
months later, and the definitions of leaver, completer and achiever the reports use.

Following DESIGN.md's report definitions:
- a leaver has completed, or withdrawn after starting and outside the 42-day qualifying period
  (a withdrawal within it means the start does not count);
- a completer has completed, or withdrawn with the reason `epa_not_achieved` (they finished
  the programme but did not pass the end-point assessment);
- an achiever has completed (passed the end-point assessment).
Each definition is here twice, side by side: for one apprentice, and as an SQL condition for
the reports' aggregates; a test keeps the two in agreement. Nothing here commits.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from sqlalchemy import Select, and_, case, exists, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload
from sqlalchemy.sql import ColumnElement

from app.access import apprentices_visible_to
from app.clock import today
from app.domain import audit
from app.domain.apprenticeship_rules import add_months
from app.domain.errors import DomainError
from app.domain.gateway import check_may_change
from app.models import (
    Apprentice,
    ApprenticeStatus,
    AuditAction,
    Destination,
    FollowUp,
    Outcome,
    User,
    WithdrawalReason,
)

NOTE_MAX_LENGTH: Final = 2000
# Months after the end (completion or leaving) each follow-up is due.
FOLLOW_UP_MONTHS: Final = {FollowUp.END: 0, FollowUp.SIX_MONTHS: 6, FollowUp.TWELVE_MONTHS: 12}
FOLLOW_UP_LABELS: Final = {
    FollowUp.END: "At the end",
    FollowUp.SIX_MONTHS: "6 months after the end",
    FollowUp.TWELVE_MONTHS: "12 months after the end",
}
# The follow-ups in URLs: /apprentices/<id>/destinations/<slug>.
FOLLOW_UP_SLUGS: Final = {
    "end": FollowUp.END,
    "six-months": FollowUp.SIX_MONTHS,
    "twelve-months": FollowUp.TWELVE_MONTHS,
}
DESTINATION_LABELS: Final = {
    Destination.SAME_COUNCIL: "Working for the same council",
    Destination.OTHER_PUBLIC_SECTOR: "Working elsewhere in the public sector",
    Destination.PRIVATE_SECTOR: "Working in the private or voluntary sector",
    Destination.FURTHER_LEARNING: "In further learning",
    Destination.NOT_IN_WORK: "Not in work or learning",
    Destination.UNKNOWN: "Not known",
}

_COMPLETED = ApprenticeStatus.COMPLETED.value
_WITHDRAWN = ApprenticeStatus.WITHDRAWN.value
_EPA_NOT_ACHIEVED = WithdrawalReason.EPA_NOT_ACHIEVED.value


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def slug_of(follow_up: FollowUp | str) -> str:
    return next(slug for slug, value in FOLLOW_UP_SLUGS.items() if value == follow_up)


def follow_up_label(follow_up: FollowUp | str) -> str:
    return FOLLOW_UP_LABELS[FollowUp(follow_up)]


def destination_label(destination: Destination | str) -> str:
    return DESTINATION_LABELS[Destination(destination)]


# Leavers, completers, achievers


def is_leaver(apprentice: Apprentice) -> bool:
    """Completed, or withdrawn after starting and outside the qualifying period."""
    if apprentice.status == _COMPLETED:
        return True
    return (
        apprentice.status == _WITHDRAWN
        and apprentice.withdrawal_reason is not None  # None: they never started
        and not apprentice.left_in_qualifying_period
    )


def leaver_condition() -> ColumnElement[bool]:
    return or_(
        Apprentice.status == _COMPLETED,
        and_(
            Apprentice.status == _WITHDRAWN,
            Apprentice.withdrawal_reason.is_not(None),
            Apprentice.left_in_qualifying_period.is_(False),
        ),
    )


def is_completer(apprentice: Apprentice) -> bool:
    """Completed, or withdrawn because the end-point assessment was not achieved."""
    return apprentice.status == _COMPLETED or (
        apprentice.status == _WITHDRAWN and apprentice.withdrawal_reason == _EPA_NOT_ACHIEVED
    )


def completer_condition() -> ColumnElement[bool]:
    return or_(
        Apprentice.status == _COMPLETED,
        and_(Apprentice.status == _WITHDRAWN, Apprentice.withdrawal_reason == _EPA_NOT_ACHIEVED),
    )


def is_achiever(apprentice: Apprentice) -> bool:
    """Passed the end-point assessment: completed."""
    return apprentice.status == _COMPLETED


def achiever_condition() -> ColumnElement[bool]:
    return Apprentice.status == _COMPLETED


# Follow-ups


def ended_on(apprentice: Apprentice) -> date | None:
    """When a leaver's apprenticeship ended (completion or leaving); None for anyone else."""
    if not is_leaver(apprentice):
        return None
    return apprentice.completed_on if apprentice.status == _COMPLETED else apprentice.withdrawn_on


def due_on(end: date, follow_up: FollowUp | str) -> date:
    """When a follow-up falls due: at the end, or 6 or 12 months after it."""
    return add_months(end, FOLLOW_UP_MONTHS[FollowUp(follow_up)])


def latest_end_due(on: date, months: int) -> date:
    """The latest end date whose follow-up `months` later is due by `on`: due_on(end) <= on
    exactly when end <= this date (so the comparison can run in SQL on both engines)."""
    cutoff = add_months(on, -months)
    while add_months(cutoff + timedelta(days=1), months) <= on:
        cutoff += timedelta(days=1)
    return cutoff


def outcomes_of(session: Session, apprentice_id: int) -> dict[FollowUp, Outcome]:
    return {
        FollowUp(outcome.follow_up): outcome
        for outcome in session.scalars(
            select(Outcome).where(Outcome.apprentice_id == apprentice_id)
        )
    }


def refusal(apprentice: Apprentice, follow_up: FollowUp, on: date) -> str | None:
    """Why a destination cannot be recorded for this follow-up on this date, or None."""
    end = ended_on(apprentice)
    if end is None:
        if apprentice.status == _WITHDRAWN and apprentice.withdrawal_reason is None:
            return "They never started, so there is no destination to record"
        if apprentice.status == _WITHDRAWN:
            return (
                "They left within the 42-day qualifying period, so their start does not count "
                "and no destination is followed up"
            )
        return (
            "Destinations are recorded for completers and leavers only: this apprenticeship is "
            f"“{ApprenticeStatus(apprentice.status).label.lower()}”"
        )
    due = due_on(end, follow_up)
    if on < due:
        what = "ended" if follow_up is FollowUp.END else "falls due"
        return (
            f"The destination {follow_up_label(follow_up).lower()} can be recorded from "
            f"{_day(due)}, when it {what}"
        )
    return None


def _clean_note(note: str | None) -> str | None:
    value = (note or "").strip()
    if len(value) > NOTE_MAX_LENGTH:
        raise DomainError(f"Note must be {NOTE_MAX_LENGTH:,} characters or fewer", field="note")
    return value or None


def record_outcome(
    session: Session,
    apprentice: Apprentice,
    *,
    actor: User,
    follow_up: FollowUp | str,
    destination: Destination | str,
    recorded_on: date,
    note: str | None,
) -> Outcome:
    """Record a completer's or leaver's destination for one follow-up, once: at the end (not
    before it), or 6 or 12 months later (not before then). By the employing borough's
    coordinators (or an admin); audited."""
    check_may_change(actor, apprentice, "record destinations")
    if follow_up not in set(FollowUp):
        raise DomainError("Choose when the destination is for", field="follow_up")
    follow = FollowUp(follow_up)
    if recorded_on > today():
        raise DomainError(
            "The date the destination was found out must be today or in the past",
            field="recorded_on",
        )
    refused = refusal(apprentice, follow, recorded_on)
    if refused is not None:
        raise DomainError(refused, field="recorded_on")
    if destination not in set(Destination):
        raise DomainError("Select where they went", field="destination")
    existing = outcomes_of(session, apprentice.id).get(follow)
    if existing is not None:
        raise DomainError(
            f"The destination {follow_up_label(follow).lower()} was already recorded on "
            f"{_day(existing.recorded_on)}"
        )
    outcome = Outcome(
        apprentice_id=apprentice.id,
        follow_up=follow.value,
        destination=Destination(destination).value,
        recorded_on=recorded_on,
        recorded_by_id=actor.id,
        note=_clean_note(note),
    )
    session.add(outcome)
    session.flush()
    audit.record(
        session,
        AuditAction.CREATED,
        actor=actor,
        target=audit.target_of(outcome),
        fields=["follow_up", "destination", "recorded_on", "note"],
    )
    return outcome


def _recorded(follow_up: FollowUp) -> ColumnElement[bool]:
    return exists().where(Outcome.apprentice_id == Apprentice.id, Outcome.follow_up == follow_up)


def follow_ups_due(viewer: User, on: date) -> Select:
    """Completers and leavers in the viewer's scope whose 6- or 12-month follow-up is due and
    not recorded yet. Rows: the apprentice (with user and employing borough), the date it
    ended, and whether the 6-month and the 12-month follow-ups are due; the earliest end first.
    """
    end = case(
        (Apprentice.status == _COMPLETED, Apprentice.completed_on), else_=Apprentice.withdrawn_on
    )
    six = and_(
        end <= latest_end_due(on, FOLLOW_UP_MONTHS[FollowUp.SIX_MONTHS]),
        ~_recorded(FollowUp.SIX_MONTHS),
    )
    twelve = and_(
        end <= latest_end_due(on, FOLLOW_UP_MONTHS[FollowUp.TWELVE_MONTHS]),
        ~_recorded(FollowUp.TWELVE_MONTHS),
    )
    return (
        apprentices_visible_to(viewer)
        .join(Apprentice.user)
        .options(
            contains_eager(Apprentice.user),
            joinedload(Apprentice.standard),
            joinedload(Apprentice.employing_borough),
        )
        .add_columns(
            end.label("ended_on"),
            case((six, True), else_=False).label("six_due"),
            case((twelve, True), else_=False).label("twelve_due"),
        )
        .where(leaver_condition(), or_(six, twelve))
        .order_by(end, User.name, Apprentice.id)
    )
