"""Who needs help: the coordinator's needs-attention list, read only from the stored progress
summaries (never recomputed per row), in two queries whatever the number of apprentices.

An active apprentice needs attention when their summary is red or amber, their next progress
review date has passed, a milestone is overdue, or a log entry has waited for approval for more
than 14 days. The list is scoped to what the viewer sees as a coordinator: the apprentices their
borough employs and those placed with their borough now (every borough for admins and
programme-wide coordinators); an apprentice they only mentor is not theirs to follow up here.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from sqlalchemy import Select, and_, case, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.access import apprentices_visible_to, borough_scope, current_placement_condition
from app.clock import today, utcnow
from app.domain import progress
from app.models import (
    Apprentice,
    ApprenticeStatus,
    Borough,
    Cohort,
    Placement,
    ProgressSummary,
    User,
)

# Log entries waiting longer than this for approval need someone to chase them.
WAITING_TOO_LONG: Final = timedelta(days=14)


class ReasonKind(enum.StrEnum):
    HOURS = "hours"
    REVIEW = "review"
    MILESTONES = "milestones"
    ENTRIES = "entries"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS: Final = {
    ReasonKind.HOURS: "Off-the-job hours behind",
    ReasonKind.REVIEW: "Progress review overdue",
    ReasonKind.MILESTONES: "Milestones overdue",
    ReasonKind.ENTRIES: "Log entries waiting more than 14 days",
}


class Colour(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Sort(enum.StrEnum):
    SEVERITY = "colour"
    NAME = "name"
    REVIEW_DUE = "review"
    OLDEST_WAITING = "waiting"

    @property
    def label(self) -> str:
        return SORT_LABELS[self]


SORT_LABELS: Final = {
    Sort.SEVERITY: "Colour, red first",
    Sort.NAME: "Name",
    Sort.REVIEW_DUE: "Review due, earliest first",
    Sort.OLDEST_WAITING: "Oldest waiting entry first",
}


@dataclass(frozen=True)
class Filters:
    colour: Colour | None = None
    reason: ReasonKind | None = None
    borough_id: int | None = None  # the employing borough
    cohort_id: int | None = None
    sort: Sort = Sort.SEVERITY


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind | None
    text: str


@dataclass(frozen=True)
class AttentionRow:
    apprentice_id: int
    name: str
    borough: str
    cohort: str
    rag: str | None
    reasons: tuple[Reason, ...]
    approved_hours: Decimal
    expected_hours: Decimal
    overdue_milestones: int
    next_review_due: date | None
    review_overdue: bool
    entries_waiting: int
    oldest_waiting_since: datetime | None
    computed_on: date

    @property
    def colour_label(self) -> str:
        return Colour(self.rag).label if self.rag in set(Colour) else "Not in learning"

    @property
    def kinds(self) -> frozenset[ReasonKind]:
        return frozenset(reason.kind for reason in self.reasons if reason.kind is not None)


@dataclass(frozen=True)
class AttentionPage:
    rows: Sequence[AttentionRow]
    total: int


# The stored summary's conditions


def _hours_behind(settings: progress.Settings) -> ColumnElement[bool]:
    """Approved hours under the amber share of those expected: the rule rag.assess applies."""
    share = settings.thresholds.amber_below_share
    return and_(
        ProgressSummary.expected_hours > 0,
        ProgressSummary.approved_hours < ProgressSummary.expected_hours * share,
    )


def _conditions(on: date, now: datetime, settings: progress.Settings) -> dict:
    return {
        ReasonKind.HOURS: _hours_behind(settings),
        ReasonKind.REVIEW: ProgressSummary.next_review_due < on,
        ReasonKind.MILESTONES: ProgressSummary.overdue_milestones > 0,
        ReasonKind.ENTRIES: ProgressSummary.oldest_waiting_since < now - WAITING_TOO_LONG,
    }


def _as_coordinator(viewer: User, on: date) -> ColumnElement[bool]:
    """What the viewer reads or changes as a coordinator (not as someone's mentor)."""
    scope = borough_scope(viewer)
    if scope is None:
        return true()
    return or_(
        Apprentice.employing_borough_id.in_(scope),
        Apprentice.id.in_(
            select(Placement.apprentice_id).where(
                Placement.host_borough_id.in_(scope), current_placement_condition(on)
            )
        ),
    )


_SEVERITY = case(
    (ProgressSummary.rag == Colour.RED.value, 0),
    (ProgressSummary.rag == Colour.AMBER.value, 1),
    else_=2,
)


def _order(sort: Sort) -> list:
    if sort is Sort.NAME:
        return [User.name]
    if sort is Sort.REVIEW_DUE:
        due = ProgressSummary.next_review_due
        return [due.is_(None), due, User.name]
    if sort is Sort.OLDEST_WAITING:
        waiting = ProgressSummary.oldest_waiting_since
        return [waiting.is_(None), waiting, User.name]
    return [_SEVERITY, User.name]


def attention_query(
    viewer: User,
    filters: Filters = Filters(),
    *,
    on: date | None = None,
    now: datetime | None = None,
    settings: progress.Settings | None = None,
) -> Select:
    """The rows of the list, filtered and sorted (unpaginated)."""
    on = on or today()
    now = now or utcnow()
    settings = settings or progress.Settings.current()
    conditions = _conditions(on, now, settings)
    visible = apprentices_visible_to(viewer).with_only_columns(Apprentice.id)
    statement = (
        select(
            ProgressSummary,
            Apprentice.id,
            User.name,
            Borough.name.label("borough_name"),
            Cohort.name.label("cohort_name"),
        )
        .join(Apprentice, Apprentice.id == ProgressSummary.apprentice_id)
        .join(User, User.id == Apprentice.user_id)
        .join(Borough, Borough.id == Apprentice.employing_borough_id)
        .join(Cohort, Cohort.id == Apprentice.cohort_id)
        .where(
            Apprentice.id.in_(visible),
            _as_coordinator(viewer, on),
            Apprentice.status == ApprenticeStatus.ACTIVE.value,
            or_(
                ProgressSummary.rag.in_([Colour.RED.value, Colour.AMBER.value]),
                *conditions.values(),
            ),
        )
    )
    if filters.colour is not None:
        statement = statement.where(ProgressSummary.rag == filters.colour.value)
    if filters.reason is not None:
        statement = statement.where(conditions[filters.reason])
    if filters.borough_id is not None:
        statement = statement.where(Apprentice.employing_borough_id == filters.borough_id)
    if filters.cohort_id is not None:
        statement = statement.where(Apprentice.cohort_id == filters.cohort_id)
    return statement.order_by(*_order(filters.sort), Apprentice.id)


# Reasons in words


def kind_of(reason: str) -> ReasonKind | None:
    """Which kind of reason a stored red/amber reason (app.domain.rag's words) is."""
    lowered = reason.lower()
    if "off-the-job" in lowered:
        return ReasonKind.HOURS
    if "review" in lowered:
        return ReasonKind.REVIEW
    if "milestone" in lowered:
        return ReasonKind.MILESTONES
    return None


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def reasons_of(summary: ProgressSummary, on: date, now: datetime) -> tuple[Reason, ...]:
    """The stored colour's reasons, plus what the colour does not cover: entries waiting too
    long, and a review or milestone that fell due after the summary was last computed."""
    reasons = [Reason(kind_of(text), text) for text in summary.rag_reasons or []]
    present = {reason.kind for reason in reasons}
    due = summary.next_review_due
    if due is not None and due < on and ReasonKind.REVIEW not in present:
        reasons.append(Reason(ReasonKind.REVIEW, f"Progress review {_days((on - due).days)} late"))
    count = summary.overdue_milestones or 0
    if count and ReasonKind.MILESTONES not in present:
        words = f"{count} milestone{'s' if count != 1 else ''} overdue"
        reasons.append(Reason(ReasonKind.MILESTONES, words))
    oldest = summary.oldest_waiting_since
    if oldest is not None and oldest < now - WAITING_TOO_LONG:
        waiting = summary.entries_waiting or 0
        entries = "1 log entry" if waiting == 1 else f"{waiting} log entries"
        reasons.append(
            Reason(
                ReasonKind.ENTRIES,
                f"{entries} waiting for approval, the oldest for {_days((now - oldest).days)}",
            )
        )
    return tuple(reasons)


def _row(record: object, on: date, now: datetime) -> AttentionRow:
    summary, apprentice_id, name, borough_name, cohort_name = record  # type: ignore[misc]
    due = summary.next_review_due
    return AttentionRow(
        apprentice_id=apprentice_id,
        name=name,
        borough=borough_name,
        cohort=cohort_name,
        rag=summary.rag,
        reasons=reasons_of(summary, on, now),
        approved_hours=summary.approved_hours,
        expected_hours=summary.expected_hours,
        overdue_milestones=summary.overdue_milestones,
        next_review_due=due,
        review_overdue=due is not None and due < on,
        entries_waiting=summary.entries_waiting,
        oldest_waiting_since=summary.oldest_waiting_since,
        computed_on=summary.computed_on,
    )


def needs_attention(
    session: Session,
    viewer: User,
    filters: Filters = Filters(),
    *,
    page: int = 1,
    size: int = 25,
    on: date | None = None,
    now: datetime | None = None,
) -> AttentionPage:
    """One page of the list and the number of rows in all: two queries."""
    on = on or today()
    now = now or utcnow()
    statement = attention_query(viewer, filters, on=on, now=now)
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    records = session.execute(statement.limit(size).offset((max(page, 1) - 1) * size)).all()
    return AttentionPage(rows=[_row(record, on, now) for record in records], total=total or 0)


def summary_for(session: Session, apprentice_id: int) -> ProgressSummary:
    """The apprentice's stored summary; if none has been stored yet, a fresh computation that is
    shown but not stored (a page that reads must not write)."""
    stored = session.get(ProgressSummary, apprentice_id)
    if stored is not None:
        return stored
    values = progress.compute(session, [apprentice_id], today(), progress.Settings.current())
    return ProgressSummary(**values[0], updated_at=utcnow())
