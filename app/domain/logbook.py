"""The off-the-job training log: the apprentice logs entries, their mentor approves or returns them.

Rules (DESIGN.md, LogEntry; ../shared/reference/domain-rules.md, off-the-job rows):
- only the apprentice logs and corrects their own entries;
- an entry's date is not in the future and not before the apprentice's start date;
- hours are positive, in tenths, and at most the daily maximum (the OTJ_MAX_HOURS_PER_DAY
  setting) for one entry and for all the apprentice's entries on that day together;
- the activity type is one of ActivityType; a description is required; the KSBs covered are
  those of the apprentice's own standard;
- the apprentice's current mentor approves or returns (with a comment) a submitted entry; when
  there is no current mentor, a coordinator who may change the apprentice (their employing
  borough's, or an admin) does; nobody ever decides their own entries;
- a returned (or still submitted) entry can be corrected and is then submitted again; an
  approved entry never changes. Only approved hours count.

Every change refreshes the apprentice's stored progress summary in the same transaction and is
audited (field names only). Functions never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from flask import current_app, has_app_context
from sqlalchemy import Select, and_, func, inspect, select
from sqlalchemy.orm import Session, contains_eager, selectinload
from sqlalchemy.orm.attributes import flag_modified

from app.access import may_change_apprentice
from app.clock import today, utcnow
from app.domain import audit, mentoring, progress
from app.domain.errors import DomainError, NotFound, StaleEdit, flush_versioned
from app.models import (
    KSB,
    ActivityType,
    Apprentice,
    AuditAction,
    EntryStatus,
    LogEntry,
    MentorAssignment,
    User,
    log_entry_ksb,
)

MAX_DESCRIPTION: Final = 2000
MAX_COMMENT: Final = 2000
DEFAULT_MAX_HOURS_PER_DAY: Final = 8
TENTH: Final = Decimal("0.1")

ACTIVITY_LABELS: Final[dict[str, str]] = {
    ActivityType.TEACHING.value: "Teaching, such as a class, lecture or workshop",
    ActivityType.PRACTICAL_TRAINING.value: "Practical training",
    ActivityType.ONLINE_LEARNING.value: "Online learning",
    ActivityType.SHADOWING.value: "Shadowing a colleague",
    ActivityType.MENTORING.value: "Mentoring",
    ActivityType.INDUSTRY_VISIT.value: "Industry visit",
    ActivityType.ASSIGNMENT.value: "Writing assignments or project work",
    ActivityType.OTHER.value: "Other",
}
STATUS_LABELS: Final[dict[str, str]] = {
    EntryStatus.SUBMITTED.value: "Waiting for approval",
    EntryStatus.APPROVED.value: "Approved",
    EntryStatus.RETURNED.value: "Returned",
}
# The fields an apprentice enters, in the order of the form (audit names).
ENTRY_FIELDS: Final = ("entry_date", "hours", "activity_type", "description", "ksbs")


def activity_label(value: str) -> str:
    return ACTIVITY_LABELS.get(value, value)


def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


def number_text(value: Decimal | int | None) -> str:
    """Hours to a tenth, without a trailing ".0": 7.5 -> "7.5", 120.0 -> "120"."""
    amount = Decimal(value or 0).quantize(TENTH)
    return f"{amount:f}".removesuffix(".0")


def hours_text(value: Decimal | int | None) -> str:
    """7.5 -> "7.5 hours", 1 -> "1 hour", 120.0 -> "120 hours"."""
    shown = number_text(value)
    return f"{shown} hour" if shown == "1" else f"{shown} hours"


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def max_hours_per_day() -> Decimal:
    if has_app_context():
        return Decimal(current_app.config["OTJ_MAX_HOURS_PER_DAY"])
    return Decimal(DEFAULT_MAX_HOURS_PER_DAY)


@dataclass(frozen=True)
class EntryDetails:
    """What the apprentice enters. `hours` may come straight from a form (text)."""

    entry_date: date
    hours: Decimal | str
    activity_type: str
    description: str
    ksb_ids: tuple[int, ...] = ()


# Checking what the apprentice entered


def _check_owner(apprentice: Apprentice, actor: User) -> None:
    if actor.id != apprentice.user_id:
        raise DomainError("Only the apprentice can log or change their own off-the-job training")


def _check_date(apprentice: Apprentice, entry_date: date) -> None:
    if entry_date > today():
        raise DomainError("The date must be today or in the past", field="entry_date")
    if entry_date < apprentice.start_date:
        raise DomainError(
            "The date must be on or after the start of the apprenticeship, "
            f"{_long_date(apprentice.start_date)}",
            field="entry_date",
        )


def clean_hours(raw: Decimal | str) -> Decimal:
    """Hours as a number of tenths, more than 0 and at most the daily maximum."""
    try:
        hours = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except InvalidOperation:
        raise DomainError("Hours must be a number, like 1.5", field="hours") from None
    if not hours.is_finite():
        raise DomainError("Hours must be a number, like 1.5", field="hours")
    if hours <= 0:
        raise DomainError("Hours must be more than 0", field="hours")
    limit = max_hours_per_day()
    if hours > limit:
        raise DomainError(
            f"Hours must be {number_text(limit)} or fewer: you can log at most "
            f"{hours_text(limit)} of off-the-job training a day",
            field="hours",
        )
    if hours != hours.quantize(TENTH):
        raise DomainError("Hours can have at most one decimal place, like 1.5", field="hours")
    return hours.quantize(TENTH)


def _check_day_total(
    session: Session, apprentice: Apprentice, entry_date: date, hours: Decimal, own_id: int | None
) -> None:
    """All the apprentice's entries on one day together stay within the daily maximum. The
    apprentice's row is locked first (PostgreSQL), so two entries saved at once cannot both
    squeeze under it."""
    session.execute(select(Apprentice.id).where(Apprentice.id == apprentice.id).with_for_update())
    logged = session.scalar(
        select(func.coalesce(func.sum(LogEntry.hours), 0)).where(
            LogEntry.apprentice_id == apprentice.id,
            LogEntry.entry_date == entry_date,
            LogEntry.id != (own_id or 0),
        )
    )
    logged = Decimal(logged or 0)
    limit = max_hours_per_day()
    if logged + hours <= limit:
        return
    day = _long_date(entry_date)
    if logged >= limit:
        message = (
            f"You have already logged {hours_text(logged)} on {day}, the most you can log in a day"
        )
    else:
        message = (
            f"You have already logged {hours_text(logged)} on {day}. You can log at most "
            f"{hours_text(limit)} a day, so this entry can be at most {hours_text(limit - logged)}"
        )
    raise DomainError(message, field="hours")


def _check_activity(activity_type: str) -> str:
    if activity_type not in ACTIVITY_LABELS:
        raise DomainError("Select the type of activity", field="activity_type")
    return activity_type


def _check_description(description: str) -> str:
    text = (description or "").strip()
    if not text:
        raise DomainError("Enter a description of the training", field="description")
    if len(text) > MAX_DESCRIPTION:
        raise DomainError(
            f"Description must be {MAX_DESCRIPTION} characters or fewer", field="description"
        )
    return text


def _standard_ksbs(session: Session, apprentice: Apprentice, ksb_ids: Iterable[int]) -> list[KSB]:
    """The chosen KSBs, which must all belong to the apprentice's standard."""
    wanted = set(ksb_ids)
    if not wanted:
        return []
    found = list(
        session.scalars(
            select(KSB)
            .where(KSB.id.in_(wanted), KSB.standard_id == apprentice.standard_id)
            .order_by(KSB.sort_key, KSB.id)
        )
    )
    if len(found) != len(wanted):
        raise DomainError(
            "Select only knowledge, skills and behaviours of your apprenticeship standard",
            field="ksb_ids",
        )
    return found


@dataclass(frozen=True)
class _Checked:
    entry_date: date
    hours: Decimal
    activity_type: str
    description: str
    ksbs: list[KSB]


def _check_details(
    session: Session, apprentice: Apprentice, details: EntryDetails, own_id: int | None
) -> _Checked:
    _check_date(apprentice, details.entry_date)
    hours = clean_hours(details.hours)
    activity = _check_activity(details.activity_type)
    description = _check_description(details.description)
    ksbs = _standard_ksbs(session, apprentice, details.ksb_ids)
    _check_day_total(session, apprentice, details.entry_date, hours, own_id)
    return _Checked(details.entry_date, hours, activity, description, ksbs)


# Logging and correcting


def log_entry(
    session: Session,
    apprentice: Apprentice,
    *,
    actor: User,
    entry_date: date,
    hours: Decimal | str,
    activity_type: str,
    description: str,
    ksb_ids: Iterable[int] = (),
) -> LogEntry:
    """The apprentice logs off-the-job training; the entry waits for approval."""
    _check_owner(apprentice, actor)
    details = EntryDetails(entry_date, hours, activity_type, description, tuple(ksb_ids))
    checked = _check_details(session, apprentice, details, None)
    entry = LogEntry(
        apprentice_id=apprentice.id,
        entry_date=checked.entry_date,
        hours=checked.hours,
        activity_type=checked.activity_type,
        description=checked.description,
        status=EntryStatus.SUBMITTED.value,
        submitted_at=utcnow(),
        ksbs=checked.ksbs,
    )
    session.add(entry)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(entry))
    progress.refresh_summary(session, apprentice.id)
    return entry


def update_entry(
    session: Session,
    entry: LogEntry,
    *,
    actor: User,
    expected_version: int,
    entry_date: date,
    hours: Decimal | str,
    activity_type: str,
    description: str,
    ksb_ids: Iterable[int] = (),
) -> list[str]:
    """The apprentice corrects a returned (or still waiting) entry, which is submitted (again)
    for approval. An approved entry cannot change. The names of the fields changed."""
    apprentice = _apprentice_of(session, entry)
    _check_owner(apprentice, actor)
    if entry.row_version != expected_version:
        raise StaleEdit()
    if entry.status == EntryStatus.APPROVED.value:
        raise DomainError("This entry has been approved, so it can no longer be changed")
    details = EntryDetails(entry_date, hours, activity_type, description, tuple(ksb_ids))
    checked = _check_details(session, apprentice, details, entry.id)
    _load_ksbs(session, entry)
    changed = [
        name
        for name in ENTRY_FIELDS
        if name != "ksbs" and getattr(entry, name) != getattr(checked, name)
    ]
    if {ksb.id for ksb in entry.ksbs} != {ksb.id for ksb in checked.ksbs}:
        changed.append("ksbs")
    resubmitted = entry.status == EntryStatus.RETURNED.value
    if not changed and not resubmitted:
        return []
    for name in changed:
        setattr(entry, name, getattr(checked, name))
    if resubmitted:
        entry.status = EntryStatus.SUBMITTED.value
        entry.submitted_at = utcnow()
        changed += ["status", "submitted_at"]
    # Always an UPDATE of the entry (a change of KSBs alone touches only the link table), so its
    # version moves on and a concurrent decision is recognised as stale.
    entry.updated_at = utcnow()
    flag_modified(entry, "updated_at")
    flush_versioned(session)
    audit.record(
        session, AuditAction.UPDATED, actor=actor, target=audit.target_of(entry), fields=changed
    )
    progress.refresh_summary(session, apprentice.id)
    return changed


def _load_ksbs(session: Session, entry: LogEntry) -> None:
    """Load the entry's KSBs if they are not loaded yet (they never load lazily)."""
    if "ksbs" in inspect(entry).unloaded:
        session.scalars(
            select(LogEntry).where(LogEntry.id == entry.id).options(selectinload(LogEntry.ksbs))
        ).one()


# Deciding


def _apprentice_of(session: Session, entry: LogEntry) -> Apprentice:
    apprentice = session.get(Apprentice, entry.apprentice_id)
    if apprentice is None:  # pragma: no cover - the foreign key cascades
        raise NotFound("Apprentice not found")
    return apprentice


def decision_refusal(session: Session, apprentice: Apprentice, actor: User) -> str | None:
    """Why `actor` may not approve or return this apprentice's entries (None: they may).

    The current mentor decides. Only when there is no current mentor may a coordinator who can
    change the apprentice (their employing borough's, or an admin) decide instead. Nobody decides
    their own entries, whatever other roles they hold."""
    if actor.id == apprentice.user_id:
        return "You cannot approve or return your own log entries"
    current = mentoring.current_assignment(session, apprentice.id)
    if current is not None:
        if current.mentor_user_id == actor.id:
            return None
        return (
            f"{current.mentor.name} is the apprentice’s current mentor, so only they can approve "
            "or return the apprentice’s log entries"
        )
    if may_change_apprentice(actor, apprentice):
        return None
    return (
        "The apprentice has no current mentor, so only a coordinator of their employing borough "
        "can approve or return their log entries"
    )


def _check_decision(
    session: Session, entry: LogEntry, actor: User, expected_version: int | None
) -> Apprentice:
    apprentice = _apprentice_of(session, entry)
    refusal = decision_refusal(session, apprentice, actor)
    if refusal is not None:
        raise DomainError(refusal)
    if expected_version is not None and entry.row_version != expected_version:
        raise StaleEdit()
    if entry.status == EntryStatus.APPROVED.value:
        raise DomainError("This entry has already been approved")
    if entry.status == EntryStatus.RETURNED.value:
        raise DomainError(
            "This entry has been returned to the apprentice; it can be decided once they "
            "submit it again"
        )
    return apprentice


def _decide(
    session: Session,
    entry: LogEntry,
    apprentice: Apprentice,
    status: EntryStatus,
    comment: str | None,
    actor: User,
) -> None:
    changed = ["status", "decided_at", "decided_by_id"]
    if entry.comment != comment:
        changed.append("comment")
    entry.status = status.value
    entry.comment = comment
    entry.decided_at = utcnow()
    entry.decided_by_id = actor.id
    flush_versioned(session)
    audit.record(
        session, AuditAction.UPDATED, actor=actor, target=audit.target_of(entry), fields=changed
    )
    progress.refresh_summary(session, apprentice.id)


def approve_entry(
    session: Session, entry: LogEntry, *, actor: User, expected_version: int | None = None
) -> LogEntry:
    """Approve a submitted entry: its hours now count."""
    apprentice = _check_decision(session, entry, actor, expected_version)
    _decide(session, entry, apprentice, EntryStatus.APPROVED, None, actor)
    return entry


def return_entry(
    session: Session,
    entry: LogEntry,
    comment: str,
    *,
    actor: User,
    expected_version: int | None = None,
) -> LogEntry:
    """Return a submitted entry to the apprentice with a comment saying what to change."""
    apprentice = _check_decision(session, entry, actor, expected_version)
    text = (comment or "").strip()
    if not text:
        raise DomainError(
            "Enter a comment saying what the apprentice needs to change", field="comment"
        )
    if len(text) > MAX_COMMENT:
        raise DomainError(f"Comment must be {MAX_COMMENT} characters or fewer", field="comment")
    _decide(session, entry, apprentice, EntryStatus.RETURNED, text, actor)
    return entry


# Reading


def get_entry(session: Session, entry_id: int) -> LogEntry:
    """An entry with its KSBs and who decided it; NotFound when there is none."""
    entry = session.scalars(
        select(LogEntry)
        .where(LogEntry.id == entry_id)
        .options(selectinload(LogEntry.ksbs), selectinload(LogEntry.decided_by))
    ).one_or_none()
    if entry is None:
        raise NotFound("Log entry not found")
    return entry


def entries_of(apprentice_id: int) -> Select[tuple[LogEntry]]:
    """An apprentice's entries, newest first, with their KSBs."""
    return (
        select(LogEntry)
        .where(LogEntry.apprentice_id == apprentice_id)
        .options(selectinload(LogEntry.ksbs))
        .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc())
    )


def latest_entries(session: Session, apprentice_id: int, count: int = 5) -> Sequence[LogEntry]:
    """The newest few entries (without their KSBs), for the apprentice's home."""
    return session.scalars(
        select(LogEntry)
        .where(LogEntry.apprentice_id == apprentice_id)
        .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc())
        .limit(count)
    ).all()


def mentor_queue(mentor: User) -> Select[tuple[LogEntry, Apprentice]]:
    """Entries waiting for approval across the mentor's current mentees, oldest first: rows of
    (entry, apprentice), with the apprentice's account and the entry's KSBs loaded, in a fixed
    number of queries whatever the number of entries."""
    return (
        select(LogEntry, Apprentice)
        .join(Apprentice, Apprentice.id == LogEntry.apprentice_id)
        .join(Apprentice.user)
        .join(
            MentorAssignment,
            and_(
                MentorAssignment.apprentice_id == LogEntry.apprentice_id,
                MentorAssignment.mentor_user_id == mentor.id,
                MentorAssignment.end_date.is_(None),
            ),
        )
        .where(LogEntry.status == EntryStatus.SUBMITTED.value)
        .options(contains_eager(Apprentice.user), selectinload(LogEntry.ksbs))
        .order_by(LogEntry.submitted_at, LogEntry.id)
    )


@dataclass(frozen=True)
class KsbCoverage:
    id: int
    code: str
    text: str
    approved_entries: int

    @property
    def evidenced(self) -> bool:
        return self.approved_entries > 0


def ksb_coverage(session: Session, apprentice: Apprentice) -> list[KsbCoverage]:
    """Each KSB of the apprentice's standard with the number of approved entries evidencing it,
    in one grouped query."""
    approved = (
        select(log_entry_ksb.c.ksb_id, func.count().label("entries"))
        .join(LogEntry, LogEntry.id == log_entry_ksb.c.log_entry_id)
        .where(
            LogEntry.apprentice_id == apprentice.id,
            LogEntry.status == EntryStatus.APPROVED.value,
        )
        .group_by(log_entry_ksb.c.ksb_id)
        .subquery()
    )
    rows = session.execute(
        select(KSB.id, KSB.code, KSB.text, func.coalesce(approved.c.entries, 0))
        .outerjoin(approved, approved.c.ksb_id == KSB.id)
        .where(KSB.standard_id == apprentice.standard_id)
        .order_by(KSB.sort_key, KSB.id)
    )
    return [KsbCoverage(id_, code, text, int(count)) for id_, code, text, count in rows]
