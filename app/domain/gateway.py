"""The gateway: whether an apprentice is ready for the end-point assessment, checked item by item
from their records, and the coordinator's confirmation that they passed it.

The checklist is computed, never stored, until the gateway is confirmed: the confirmation keeps
it as it stood (with the reason for an exception when not every item was met). The items follow
../shared/reference/domain-rules.md ("Gateway", "Minimum duration", "English and maths"):

- the minimum duration of the practical period for the start date is reached (breaks in
  learning do not count towards it);
- the planned off-the-job hours are approved (read from the stored progress summary);
- the milestones required for the gateway are signed off (apart from the gateway and the
  end-point assessment themselves, and English and maths, which have their own item);
- English and maths where required, by age at the start and the rule in force then;
- every knowledge, skill and behaviour (KSB) of the standard is evidenced in approved log
  entries (read from the summary, with the missing codes named).

Nothing here commits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app.access import apprentices_visible_to, may_change_apprentice
from app.clock import to_london, today
from app.domain import audit, progress
from app.domain.apprenticeship_rules import (
    add_months,
    age_on,
    earliest_practical_period_end,
    minimum_duration_months,
)
from app.domain.errors import DomainError, StaleEdit, flush_versioned
from app.models import (
    KSB,
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditAction,
    EntryStatus,
    GatewayConfirmation,
    LogEntry,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    ProgressSummary,
    Standard,
    User,
    log_entry_ksb,
)

EXCEPTION_REASON_MAX_LENGTH: Final = 2000
# The approaching-the-end list shows apprentices whose practical period ends within this many
# months and whose gateway is not confirmed yet.
GATEWAY_DUE_WITHIN_MONTHS: Final = 3


class NotPermitted(DomainError):
    """The actor may not make this change (only the employing borough's coordinators and
    admins may)."""


def check_may_change(actor: User, apprentice: Apprentice, what: str) -> None:
    if not may_change_apprentice(actor, apprentice):
        raise NotPermitted(f"Only the employing borough’s coordinators can {what}")


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _hours(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# English and maths, by the rule in force on the start date


@dataclass(frozen=True)
class EnglishMathsRule:
    applies_from: date
    # The oldest age at the start for which English and maths are mandatory; None: every age.
    mandatory_up_to_age: int | None
    # Whether the rule sets the level by the standard's level (level 1 for a level 2 standard,
    # level 2 for level 3 and above).
    level_by_standard: bool
    words: str


# English and maths (functional skills) before the gateway, by start date; the last row whose
# date is on or before the start wins. Source: ../shared/reference/domain-rules.md, "English and
# maths" (FE Week, "English and maths apprenticeship reforms" [R6]): from 11 February 2025
# mandatory only for apprentices aged 16 to 18 at the start; for those aged 19 and over optional,
# by the employer's decision recorded in the training plan (the employer opts in from 2025/26).
# Before that they were required for every apprentice: level 1 for a level 2 apprenticeship,
# level 2 for level 3 and above.
ENGLISH_MATHS_RULES: Final[tuple[EnglishMathsRule, ...]] = (
    EnglishMathsRule(
        date.min,
        mandatory_up_to_age=None,
        level_by_standard=True,
        words="for starts before 11 February 2025, English and maths are required at every age",
    ),
    EnglishMathsRule(
        date(2025, 2, 11),
        mandatory_up_to_age=18,
        level_by_standard=False,
        words="from 11 February 2025, English and maths are required for apprentices aged 16 "
        "to 18 at the start and optional, by the employer’s decision, from 19",
    ),
)


def english_maths_rule(start: date) -> EnglishMathsRule:
    chosen = ENGLISH_MATHS_RULES[0]
    for rule in ENGLISH_MATHS_RULES:
        if start >= rule.applies_from:
            chosen = rule
    return chosen


def required_level(standard_level: int) -> int:
    """The functional skills level the earlier rule asked for: 1 for a level 2 standard, 2 for
    level 3 and above."""
    return 1 if standard_level <= 2 else 2


class EnglishMaths(enum.Enum):
    REQUIRED = "required"
    OPTED_IN = "opted in"  # optional, and the employer decided they take it
    OPTED_OUT = "opted out"  # optional, and the employer decided they do not
    NOT_RECORDED = "not recorded"  # optional, and no decision is recorded


@dataclass(frozen=True)
class EnglishMathsRequirement:
    status: EnglishMaths
    age_at_start: int
    rule: EnglishMathsRule
    level: int | None  # where the rule sets it

    @property
    def optional(self) -> bool:
        return self.status is not EnglishMaths.REQUIRED

    @property
    def needs_evidence(self) -> bool:
        return self.status in (EnglishMaths.REQUIRED, EnglishMaths.OPTED_IN)

    @property
    def words(self) -> str:
        """Why: their age at the start and the rule in force then."""
        return f"Aged {self.age_at_start} on their start date: {self.rule.words}"


def english_maths_requirement(
    apprentice: Apprentice, standard_level: int
) -> EnglishMathsRequirement:
    age = age_on(apprentice.date_of_birth, apprentice.start_date)
    rule = english_maths_rule(apprentice.start_date)
    level = required_level(standard_level) if rule.level_by_standard else None
    if rule.mandatory_up_to_age is None or age <= rule.mandatory_up_to_age:
        status = EnglishMaths.REQUIRED
    elif apprentice.english_maths_opted_in is None:
        status = EnglishMaths.NOT_RECORDED
    elif apprentice.english_maths_opted_in:
        status = EnglishMaths.OPTED_IN
    else:
        status = EnglishMaths.OPTED_OUT
    return EnglishMathsRequirement(status, age, rule, level)


# The checklist


class Item(enum.StrEnum):
    MINIMUM_DURATION = "minimum_duration"
    OFF_THE_JOB = "off_the_job"
    MILESTONES = "milestones"
    ENGLISH_MATHS = "english_maths"
    KSBS = "ksbs"

    @property
    def label(self) -> str:
        return ITEM_LABELS[self]


ITEM_LABELS: Final = {
    Item.MINIMUM_DURATION: "Minimum duration",
    Item.OFF_THE_JOB: "Off-the-job training hours",
    Item.MILESTONES: "Milestones required for the gateway",
    Item.ENGLISH_MATHS: "English and maths",
    Item.KSBS: "Knowledge, skills and behaviours",
}


@dataclass(frozen=True)
class GatewayItem:
    item: Item
    met: bool
    evidence: str

    @property
    def label(self) -> str:
        return self.item.label

    def snapshot(self) -> dict:
        return {"item": self.label, "met": self.met, "evidence": self.evidence}


# Milestones with items of their own, or that come after the gateway.
_NOT_IN_MILESTONE_ITEM: Final = frozenset(
    {
        MilestoneKind.GATEWAY.value,
        MilestoneKind.END_POINT_ASSESSMENT.value,
        MilestoneKind.FUNCTIONAL_SKILLS_ENGLISH.value,
        MilestoneKind.FUNCTIONAL_SKILLS_MATHS.value,
    }
)
_STATE: Final = {
    MilestoneStatus.NOT_STARTED.value: "not started",
    MilestoneStatus.SUBMITTED.value: "waiting for sign-off",
    MilestoneStatus.RETURNED.value: "returned",
    MilestoneStatus.SIGNED_OFF.value: "signed off",
}
_NO_SUMMARY: Final = "Their progress summary has not been worked out yet"


def _break_days(session: Session, apprentice_id: int, on: date) -> int:
    """Days spent on breaks in learning up to `on`."""
    events = session.execute(
        select(
            ApprenticeStatusEvent.from_status,
            ApprenticeStatusEvent.to_status,
            ApprenticeStatusEvent.effective_on,
        )
        .where(
            ApprenticeStatusEvent.apprentice_id == apprentice_id,
            ApprenticeStatusEvent.to_status.in_(
                [ApprenticeStatus.ON_BREAK.value, ApprenticeStatus.ACTIVE.value]
            ),
        )
        .order_by(ApprenticeStatusEvent.effective_on, ApprenticeStatusEvent.id)
    ).all()
    days = 0
    for pause in progress.breaks_of([tuple(row) for row in events]):
        end = min(pause.returned or on, on)
        days += max((end - pause.started).days, 0)
    return days


def _whole_months(start: date, last_day: date) -> int:
    """Whole months from `start` up to and including `last_day`."""
    months = 0
    while add_months(start, months + 1) <= last_day + timedelta(days=1):
        months += 1
    return months


def _minimum_duration(session: Session, apprentice: Apprentice, on: date) -> GatewayItem:
    start = apprentice.start_date
    minimum = minimum_duration_months(start)
    breaks = _break_days(session, apprentice.id, on)
    reached_on = earliest_practical_period_end(start) + timedelta(days=breaks)
    in_learning = _whole_months(start, on - timedelta(days=breaks)) if on >= start else 0
    paused = f" (later by {_plural(breaks, 'day')} of breaks in learning)" if breaks else ""
    so_far = f"{_plural(in_learning, 'whole month')} in learning since {_day(start)}"
    rule = f"the minimum practical period for this start date is {minimum} months"
    reached = "reached" if on >= reached_on else "to be reached"
    return GatewayItem(
        Item.MINIMUM_DURATION,
        on >= reached_on,
        f"{so_far}: {rule}, {reached} on {_day(reached_on)}{paused}",
    )


def _off_the_job(summary: ProgressSummary | None) -> GatewayItem:
    if summary is None:
        return GatewayItem(Item.OFF_THE_JOB, False, _NO_SUMMARY)
    approved, planned = summary.approved_hours, summary.planned_hours
    words = f"{_hours(approved)} of {_hours(planned)} planned hours approved"
    if approved >= planned:
        return GatewayItem(Item.OFF_THE_JOB, True, words)
    return GatewayItem(Item.OFF_THE_JOB, False, f"{words}: {_hours(planned - approved)} to go")


def _milestone_words(milestone: Milestone) -> str:
    return f"{milestone.title} ({_STATE.get(milestone.status, milestone.status)})"


def _milestones(milestones: list[Milestone]) -> GatewayItem:
    required = [
        m for m in milestones if m.required_for_gateway and m.kind not in _NOT_IN_MILESTONE_ITEM
    ]
    if not required:
        return GatewayItem(Item.MILESTONES, True, "No milestones are required for the gateway")
    open_ones = [m for m in required if m.status != MilestoneStatus.SIGNED_OFF.value]
    done = len(required) - len(open_ones)
    words = f"{done} of {len(required)} signed off"
    if not open_ones:
        return GatewayItem(Item.MILESTONES, True, words)
    missing = "; ".join(_milestone_words(m) for m in open_ones)
    return GatewayItem(Item.MILESTONES, False, f"{words}. Not yet: {missing}")


def _subject(milestones: list[Milestone], kind: MilestoneKind, subject: str) -> tuple[bool, str]:
    """Whether a functional skills milestone of this kind is signed off, and the words."""
    of_kind = [m for m in milestones if m.kind == kind.value]
    signed = [m for m in of_kind if m.status == MilestoneStatus.SIGNED_OFF.value]
    heading = subject[:1].upper() + subject[1:]
    if signed:
        decided = signed[0].decided_at
        when = f" on {_day(to_london(decided).date())}" if decided is not None else ""
        return True, f"{heading}: {signed[0].title} signed off{when}"
    if of_kind:
        return False, f"{heading}: {_milestone_words(of_kind[0])}"
    return False, f"{heading}: no functional skills {subject} milestone recorded"


def _english_maths(
    apprentice: Apprentice, standard_level: int, milestones: list[Milestone]
) -> GatewayItem:
    requirement = english_maths_requirement(apprentice, standard_level)
    why = requirement.words
    if requirement.status is EnglishMaths.OPTED_OUT:
        return GatewayItem(
            Item.ENGLISH_MATHS,
            True,
            f"Not required. {why}; the employer decided they would not take them",
        )
    if requirement.status is EnglishMaths.NOT_RECORDED:
        return GatewayItem(
            Item.ENGLISH_MATHS,
            False,
            f"Decision not recorded. {why}: record whether the employer opted in",
        )
    level = f" at level {requirement.level}" if requirement.level else ""
    if requirement.status is EnglishMaths.OPTED_IN:
        heading = f"Required{level}: the employer opted in. {why}"
    else:
        heading = f"Required{level}. {why}"
    english = _subject(milestones, MilestoneKind.FUNCTIONAL_SKILLS_ENGLISH, "English")
    maths = _subject(milestones, MilestoneKind.FUNCTIONAL_SKILLS_MATHS, "maths")
    return GatewayItem(
        Item.ENGLISH_MATHS,
        english[0] and maths[0],
        f"{heading}. {english[1]}. {maths[1]}",
    )


def _missing_ksb_codes(session: Session, apprentice: Apprentice) -> list[str]:
    """The standard's KSBs no approved log entry covers, in the standard's order (one query)."""
    evidenced = (
        select(log_entry_ksb.c.ksb_id)
        .join(LogEntry, LogEntry.id == log_entry_ksb.c.log_entry_id)
        .where(
            LogEntry.apprentice_id == apprentice.id,
            LogEntry.status == EntryStatus.APPROVED.value,
        )
    )
    return list(
        session.scalars(
            select(KSB.code)
            .where(KSB.standard_id == apprentice.standard_id, KSB.id.not_in(evidenced))
            .order_by(KSB.sort_key, KSB.code)
        )
    )


def _ksbs(session: Session, apprentice: Apprentice, summary: ProgressSummary | None) -> GatewayItem:
    if summary is None:
        return GatewayItem(Item.KSBS, False, _NO_SUMMARY)
    evidenced, total = summary.ksbs_evidenced, summary.ksbs_total
    if total == 0:
        return GatewayItem(Item.KSBS, True, "The standard lists no knowledge, skills or behaviours")
    words = f"{min(evidenced, total)} of {total} evidenced in approved log entries"
    if evidenced >= total:
        return GatewayItem(Item.KSBS, True, words)
    missing = _missing_ksb_codes(session, apprentice)
    named = f". Not yet: {', '.join(missing)}" if missing else ""
    return GatewayItem(Item.KSBS, False, f"{words}{named}")


def checklist(session: Session, apprentice: Apprentice, on: date) -> list[GatewayItem]:
    """The gateway checklist on a date, from the apprentice's records and stored summary."""
    standard = session.get(Standard, apprentice.standard_id)
    assert standard is not None
    summary = session.get(ProgressSummary, apprentice.id)
    milestones = list(
        session.scalars(
            select(Milestone)
            .where(Milestone.apprentice_id == apprentice.id)
            .order_by(Milestone.due_date, Milestone.id)
        )
    )
    return [
        _minimum_duration(session, apprentice, on),
        _off_the_job(summary),
        _milestones(milestones),
        _english_maths(apprentice, standard.level, milestones),
        _ksbs(session, apprentice, summary),
    ]


def all_met(items: list[GatewayItem]) -> bool:
    return all(item.met for item in items)


# Confirmation


def confirmation_of(session: Session, apprentice_id: int) -> GatewayConfirmation | None:
    return session.scalars(
        select(GatewayConfirmation)
        .where(GatewayConfirmation.apprentice_id == apprentice_id)
        .options(joinedload(GatewayConfirmation.confirmed_by))
    ).one_or_none()


def _clean_reason(reason: str | None) -> str | None:
    value = (reason or "").strip()
    if len(value) > EXCEPTION_REASON_MAX_LENGTH:
        raise DomainError(
            f"The reason must be {EXCEPTION_REASON_MAX_LENGTH:,} characters or fewer",
            field="exception_reason",
        )
    return value or None


def confirm_gateway(
    session: Session,
    apprentice: Apprentice,
    *,
    actor: User,
    on: date,
    exception_reason: str | None,
) -> GatewayConfirmation:
    """Confirm that a live apprentice passed the gateway, once: when every item of the checklist
    is met, or with the reason for the exception. By the employing borough's coordinators (or an
    admin); audited. A reason given when every item is met is not kept (nothing was excepted)."""
    check_may_change(actor, apprentice, "confirm the gateway")
    if apprentice.status != ApprenticeStatus.ACTIVE.value:
        raise DomainError(
            "Only a live apprenticeship can pass the gateway: this one is "
            f"“{ApprenticeStatus(apprentice.status).label.lower()}”"
        )
    existing = confirmation_of(session, apprentice.id)
    if existing is not None:
        raise DomainError(f"The gateway was already confirmed on {_day(existing.confirmed_on)}")
    if on > today():
        raise DomainError("The gateway cannot be confirmed on a date in the future")
    if on < apprentice.start_date:
        raise DomainError("The gateway cannot be confirmed before the start date")
    reason = _clean_reason(exception_reason)
    items = checklist(session, apprentice, on)
    met = all_met(items)
    if not met and reason is None:
        raise DomainError(
            "Give the reason for confirming the gateway when not every item is met",
            field="exception_reason",
        )
    confirmation = GatewayConfirmation(
        apprentice_id=apprentice.id,
        confirmed_on=on,
        confirmed_by_id=actor.id,
        checklist=[item.snapshot() for item in items],
        exception_reason=None if met else reason,
    )
    session.add(confirmation)
    session.flush()
    audit.record(
        session,
        AuditAction.CREATED,
        actor=actor,
        target=audit.target_of(confirmation),
        fields=["confirmed_on", "confirmed_by_id", "checklist"]
        + ([] if met else ["exception_reason"]),
    )
    return confirmation


def record_english_maths_decision(
    session: Session,
    apprentice: Apprentice,
    *,
    actor: User,
    opted_in: bool,
    expected_version: int | None = None,
) -> Apprentice:
    """Record the employer's decision on English and maths for an apprentice for whom the rules
    leave it optional (19 or over at a start from 11 February 2025). Not after the gateway is
    confirmed: the confirmation was made on the decision as it stood."""
    check_may_change(actor, apprentice, "record the employer’s decision on English and maths")
    if expected_version is not None and apprentice.row_version != expected_version:
        raise StaleEdit()
    standard = session.get(Standard, apprentice.standard_id)
    assert standard is not None
    requirement = english_maths_requirement(apprentice, standard.level)
    if not requirement.optional:
        raise DomainError(
            f"English and maths are required for this apprentice, so there is no decision to "
            f"record. {requirement.words}",
            field="opted_in",
        )
    confirmed = confirmation_of(session, apprentice.id)
    if confirmed is not None:
        raise DomainError(
            "The gateway was confirmed on "
            f"{_day(confirmed.confirmed_on)}, so the decision can no longer change",
            field="opted_in",
        )
    apprentice.english_maths_opted_in = opted_in
    flush_versioned(session)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(apprentice),
        fields=["english_maths_opted_in"],
    )
    return apprentice


# The approaching-the-end list: gateway due


def gateway_due(viewer: User, on: date) -> Select[tuple[Apprentice]]:
    """Live apprentices in the viewer's scope whose practical period ends within 3 months (or
    has ended) and whose gateway is not confirmed, the soonest first, with user, standard and
    employing borough loaded."""
    horizon = add_months(on, GATEWAY_DUE_WITHIN_MONTHS)
    return (
        apprentices_visible_to(viewer)
        .join(Apprentice.user)
        .outerjoin(GatewayConfirmation, GatewayConfirmation.apprentice_id == Apprentice.id)
        .options(
            contains_eager(Apprentice.user),
            joinedload(Apprentice.standard),
            joinedload(Apprentice.employing_borough),
        )
        .where(
            and_(
                Apprentice.status == ApprenticeStatus.ACTIVE.value,
                Apprentice.practical_period_end <= horizon,
                GatewayConfirmation.id.is_(None),
            )
        )
        .order_by(Apprentice.practical_period_end, User.name, Apprentice.id)
    )
