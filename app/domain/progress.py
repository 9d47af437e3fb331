"""The stored progress summary: computed from the records in a fixed number of grouped queries
for any number of apprentices, and written in the same transaction as the change that affects
it. `refresh_summaries(session, None, on)` recomputes everyone (the daily refresh), which also
picks up what changes with the date alone (expected hours, overdue milestones, late reviews).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import Select, case, func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.clock import today, utcnow
from app.dialect import insert_for
from app.domain import otj, rag
from app.models import (
    KSB,
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    EntryStatus,
    LogEntry,
    Milestone,
    MilestoneStatus,
    ProgressReview,
    ProgressSummary,
    Standard,
    log_entry_ksb,
)

DEFAULT_REVIEW_INTERVAL = timedelta(weeks=12)
# Summaries are written in chunks so the daily refresh holds little in memory.
CHUNK = 1000  # rows x 15 columns stays under SQLite's limit on bound values
# Inside `refreshed_once`, the apprentices whose summaries wait for the end of the block.
_pending: ContextVar[set[int] | None] = ContextVar("pending_summaries", default=None)


@dataclass(frozen=True)
class Settings:
    thresholds: rag.Thresholds = rag.Thresholds()
    review_interval: timedelta = DEFAULT_REVIEW_INTERVAL

    @classmethod
    def current(cls) -> Settings:
        """The app's settings when there is an app (a request, a command); else the defaults."""
        return cls.from_config(current_app.config) if has_app_context() else cls()

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        return cls(
            thresholds=rag.Thresholds.from_config(config),
            review_interval=timedelta(weeks=config["REVIEW_INTERVAL_WEEKS"]),
        )


def breaks_of(events: Sequence[tuple[str | None, str, date]]) -> tuple[otj.Break, ...]:
    """Breaks in learning from an apprentice's status events, oldest first."""
    breaks: list[otj.Break] = []
    started: date | None = None
    for _from, to_status, effective_on in events:
        if to_status == ApprenticeStatus.ON_BREAK.value:
            started = effective_on
        elif started is not None:
            breaks.append(otj.Break(started, effective_on))
            started = None
    if started is not None:
        breaks.append(otj.Break(started))
    return tuple(breaks)


def _grouped(session: Session, statement: Select) -> dict[int, Sequence]:
    """{apprentice id: the rest of the row} for a query grouped by apprentice."""
    return {row[0]: row[1:] for row in session.execute(statement)}


def compute(
    session: Session, apprentice_ids: Iterable[int] | None, on: date, settings: Settings
) -> list[dict]:
    """The summary values for these apprentices (None: everyone), in nine queries."""
    ids = None if apprentice_ids is None else sorted(set(apprentice_ids))

    def only(column: ColumnElement[int]) -> ColumnElement[bool]:
        return column.in_(ids) if ids is not None else true()

    apprentices = session.execute(
        select(
            Apprentice.id,
            Apprentice.status,
            Apprentice.start_date,
            Apprentice.practical_period_end,
            Apprentice.contracted_hours,
            Apprentice.standard_id,
            Standard.min_otj_hours,
        )
        .join(Standard, Standard.id == Apprentice.standard_id)
        .where(only(Apprentice.id))
    ).all()
    approved = _grouped(
        session,
        select(LogEntry.apprentice_id, func.sum(LogEntry.hours))
        .where(only(LogEntry.apprentice_id), LogEntry.status == EntryStatus.APPROVED.value)
        .group_by(LogEntry.apprentice_id),
    )
    waiting = _grouped(
        session,
        select(LogEntry.apprentice_id, func.count(), func.min(LogEntry.submitted_at))
        .where(only(LogEntry.apprentice_id), LogEntry.status == EntryStatus.SUBMITTED.value)
        .group_by(LogEntry.apprentice_id),
    )
    evidenced = _grouped(
        session,
        select(LogEntry.apprentice_id, func.count(func.distinct(log_entry_ksb.c.ksb_id)))
        .join(log_entry_ksb, log_entry_ksb.c.log_entry_id == LogEntry.id)
        .where(only(LogEntry.apprentice_id), LogEntry.status == EntryStatus.APPROVED.value)
        .group_by(LogEntry.apprentice_id),
    )
    ksb_totals = dict(
        session.execute(select(KSB.standard_id, func.count()).group_by(KSB.standard_id)).all()
    )
    open_milestone = Milestone.status != MilestoneStatus.SIGNED_OFF.value
    milestones = _grouped(
        session,
        select(
            Milestone.apprentice_id,
            func.sum(case((Milestone.due_date < on, 1), else_=0)),
            func.min(case((Milestone.due_date >= on, Milestone.due_date), else_=None)),
        )
        .where(only(Milestone.apprentice_id), open_milestone)
        .group_by(Milestone.apprentice_id),
    )
    latest_review = _grouped(
        session,
        select(ProgressReview.apprentice_id, func.max(ProgressReview.next_review_date))
        .where(only(ProgressReview.apprentice_id))
        .group_by(ProgressReview.apprentice_id),
    )
    events: dict[int, list] = defaultdict(list)
    for apprentice_id, from_status, to_status, effective_on in session.execute(
        select(
            ApprenticeStatusEvent.apprentice_id,
            ApprenticeStatusEvent.from_status,
            ApprenticeStatusEvent.to_status,
            ApprenticeStatusEvent.effective_on,
        )
        .where(
            only(ApprenticeStatusEvent.apprentice_id),
            ApprenticeStatusEvent.to_status.in_(
                [ApprenticeStatus.ON_BREAK.value, ApprenticeStatus.ACTIVE.value]
            ),
        )
        .order_by(ApprenticeStatusEvent.effective_on, ApprenticeStatusEvent.id)
    ):
        events[apprentice_id].append((from_status, to_status, effective_on))

    values = []
    for row in apprentices:
        programme = otj.Programme(
            start_date=row.start_date,
            practical_period_end=row.practical_period_end,
            contracted_hours=row.contracted_hours,
            published_minimum_hours=row.min_otj_hours,
            breaks=breaks_of(events[row.id]),
        )
        planned = otj.planned_target(programme).planned_hours
        expected = otj.expected_hours_to_date(programme, on)
        approved_hours = Decimal(approved.get(row.id, (0,))[0] or 0)
        waiting_count, oldest = waiting.get(row.id, (0, None))
        overdue, next_due = milestones.get(row.id, (0, None))
        review_due = latest_review.get(row.id, (None,))[0] or (
            row.start_date + settings.review_interval
        )
        colour, reasons = None, []
        if row.status == ApprenticeStatus.ACTIVE.value:
            facts = rag.ProgressFacts(approved_hours, expected, review_due, int(overdue or 0))
            result = rag.assess(facts, on, settings.thresholds)
            colour, reasons = result.rag.value, list(result.reasons)
        values.append(
            {
                "apprentice_id": row.id,
                "approved_hours": approved_hours,
                "planned_hours": planned,
                "expected_hours": expected,
                "ksbs_evidenced": int(evidenced.get(row.id, (0,))[0] or 0),
                "ksbs_total": int(ksb_totals.get(row.standard_id, 0)),
                "overdue_milestones": int(overdue or 0),
                "next_milestone_due": next_due,
                "next_review_due": review_due,
                "entries_waiting": int(waiting_count or 0),
                "oldest_waiting_since": oldest,
                "rag": colour,
                "rag_reasons": reasons,
                "computed_on": on,
            }
        )
    return values


def refresh_summaries(
    session: Session,
    apprentice_ids: Iterable[int] | None,
    on: date | None = None,
    settings: Settings | None = None,
) -> int:
    """Recompute and store the summaries (None: everyone), in the caller's transaction."""
    on = on or today()
    settings = settings or Settings.current()
    session.flush()  # what the change wrote must count
    rows = compute(session, apprentice_ids, on, settings)
    insert = insert_for(session.get_bind())
    now = utcnow()
    for start in range(0, len(rows), CHUNK):
        chunk = [{**row, "updated_at": now} for row in rows[start : start + CHUNK]]
        statement = insert(ProgressSummary).values(chunk)
        columns = {name: statement.excluded[name] for name in chunk[0] if name != "apprentice_id"}
        session.execute(
            statement.on_conflict_do_update(index_elements=["apprentice_id"], set_=columns)
        )
    # Summaries already loaded in this session are now out of date.
    for record in list(session.identity_map.values()):
        if isinstance(record, ProgressSummary):
            session.expire(record)
    return len(rows)


def refresh_summary(session: Session, apprentice_id: int) -> None:
    """Refresh one apprentice's summary after a change (or, inside `refreshed_once`, at the end
    of the block)."""
    pending = _pending.get()
    if pending is not None:
        pending.add(apprentice_id)
        return
    refresh_summaries(session, [apprentice_id])


@contextmanager
def refreshed_once(session: Session) -> Iterator[None]:
    """For loading many changes in one go (the demo data): each change marks its apprentice's
    summary, and every marked summary is refreshed once when the block ends, still in the
    caller's transaction. Code inside that reads a summary must refresh it first."""
    pending: set[int] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        refresh_summaries(session, pending)
