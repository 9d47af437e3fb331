"""The report figures stored per borough and day, and the equality counts stored per borough
and month, kept equal to the records they count.

`app.domain.reports` defines them (`day_facts`, `hire_day_facts`, `equality_month_facts`);
this module stores them and keeps them current. Every flush that changes what they count (an
application, a move to hired, an apprentice's status or dates, a milestone, an outcome, a
vacancy's borough, equality answers) notes the days and boroughs it touches, and the same
flush recounts those days for every borough (and those months' equality counts for those
boroughs), in the same transaction: so no report can read a stale figure, and there is
nothing to invalidate. Bulk statements recount everything unless their caller recounts what
it changed; loads that bypass the ORM (the London-scale seed) end with `rebuild`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, event, insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from app.clock import LONDON, utcnow
from app.domain import reports
from app.models import (
    Application,
    ApplicationEvent,
    Apprentice,
    EqualityMonitoring,
    Milestone,
    Outcome,
    Stage,
    Vacancy,
    report_day_figures,
    report_equality_months,
    report_facts_state,
    report_hire_days,
)

# What each figure reads of each record: a change to anything else recounts nothing.
_COUNTED: dict[type, tuple[str, ...]] = {
    Application: (
        "submitted_at",
        "is_local",
        "eligible",
        "stage",
        "vacancy_id",
        "apprentice_id",
    ),
    ApplicationEvent: ("to_stage", "occurred_at", "application_id"),
    Apprentice: (
        "status",
        "start_date",
        "completed_on",
        "withdrawn_on",
        "withdrawal_reason",
        "left_in_qualifying_period",
        "employing_borough_id",
    ),
    Milestone: ("due_date", "status", "decided_at", "apprentice_id"),
    Outcome: ("destination", "follow_up", "apprentice_id"),
    Vacancy: ("employing_borough_id",),
    EqualityMonitoring: (
        "objected",
        "gender",
        "ethnic_group",
        "disability",
        "care_experience",
        "application_id",
    ),
}
_PENDING = "report_facts_pending"
_DEFERRED = "report_facts_deferred"


@dataclass
class _Touched:
    """What a flush changed: days directly, and records whose days are read after the flush
    (an apprentice's milestones, an application's move to hired, a vacancy's applications);
    with the boroughs whose equality counts it may change (those of the records, before and
    after the change)."""

    days: set[date] = field(default_factory=set)
    due_days: set[date] = field(default_factory=set)  # milestones': no equality count reads them
    apprentice_ids: set[int] = field(default_factory=set)
    application_ids: set[int] = field(default_factory=set)
    vacancy_ids: set[int] = field(default_factory=set)
    boroughs: set[int] = field(default_factory=set)
    borough_of_vacancies: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(
            self.days
            or self.due_days
            or self.apprentice_ids
            or self.application_ids
            or self.vacancy_ids
            or self.boroughs
            or self.borough_of_vacancies
        )


@dataclass
class Recount:
    """The days to recount for every borough; of those, the days whose months' equality
    counts are recounted too, for the boroughs named."""

    days: set[date] = field(default_factory=set)
    equality_days: set[date] = field(default_factory=set)
    boroughs: set[int] = field(default_factory=set)

    def add(self, other: Recount) -> None:
        self.days |= other.days
        self.equality_days |= other.equality_days
        self.boroughs |= other.boroughs


def _london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def _values(record: Any, name: str) -> list[Any]:
    """The attribute's values before and after the flush (one, or two when it changed)."""
    history = inspect(record).attrs[name].history
    return [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None]


def _changed(record: Any, names: Iterable[str]) -> bool:
    state = inspect(record)
    return any(state.attrs[name].history.has_changes() for name in names)


def _application(touched: _Touched, record: Application) -> None:
    touched.days.update(_london_day(v) for v in _values(record, "submitted_at"))
    touched.borough_of_vacancies.update(_values(record, "vacancy_id"))
    if record.id is not None:
        touched.application_ids.add(record.id)


def _application_event(touched: _Touched, record: ApplicationEvent) -> None:
    if Stage.HIRED.value in _values(record, "to_stage"):
        touched.days.update(_london_day(v) for v in _values(record, "occurred_at"))
        touched.application_ids.update(_values(record, "application_id"))


def _apprentice(touched: _Touched, record: Apprentice) -> None:
    for name in ("start_date", "completed_on", "withdrawn_on"):
        touched.days.update(_values(record, name))
    touched.boroughs.update(_values(record, "employing_borough_id"))
    if record.id is not None:
        touched.apprentice_ids.add(record.id)


def _milestone(touched: _Touched, record: Milestone) -> None:
    touched.due_days.update(_values(record, "due_date"))


def _outcome(touched: _Touched, record: Outcome) -> None:
    touched.apprentice_ids.update(_values(record, "apprentice_id"))


def _vacancy(touched: _Touched, record: Vacancy) -> None:
    touched.boroughs.update(_values(record, "employing_borough_id"))
    if record.id is not None:
        touched.vacancy_ids.add(record.id)


def _monitoring(touched: _Touched, record: EqualityMonitoring) -> None:
    touched.application_ids.update(_values(record, "application_id"))


_NOTE: dict[type, Callable[[_Touched, Any], None]] = {
    Application: _application,
    ApplicationEvent: _application_event,
    Apprentice: _apprentice,
    Milestone: _milestone,
    Outcome: _outcome,
    Vacancy: _vacancy,
    EqualityMonitoring: _monitoring,
}


def _note(touched: _Touched, record: Any, whole: bool) -> None:
    """Note what a new, changed (`whole` False) or deleted record touches."""
    names = _COUNTED.get(type(record))
    if names is not None and (whole or _changed(record, names)):
        _NOTE[type(record)](touched, record)


def _after_flush(session: Session, _context: Any) -> None:
    touched: _Touched = session.info.setdefault(_PENDING, _Touched())
    for record in session.new:
        _note(touched, record, whole=True)
    for record in session.dirty:
        _note(touched, record, whole=False)
    for record in session.deleted:
        _note(touched, record, whole=True)


def _after_flush_postexec(session: Session, _context: Any) -> None:
    touched: _Touched | None = session.info.pop(_PENDING, None)
    if not touched:
        return
    connection = session.connection()
    waiting: Recount | None = session.info.get(_DEFERRED)
    if waiting is not None:
        waiting.add(_recount_of(connection, touched))
    elif built(connection):
        refresh(session, _recount_of(connection, touched))


@contextmanager
def deferred(session: Session) -> Iterator[None]:
    """Inside the block, flushes only note what they touch; all of it is recounted once at
    the end (for loading many records, such as the demo data)."""
    session.info[_DEFERRED] = Recount()
    try:
        yield
        session.flush()
    finally:
        waiting = session.info.pop(_DEFERRED)
    if built(session.connection()):
        refresh(session, waiting)


def _old_value_kept(*_: Any) -> None:
    """Listening with active_history loads a counted attribute's old value before it is
    replaced (even when the record had been expired), so the old day is recounted too."""


# An execution option for a bulk statement whose caller recounts what it changed itself.
RECOUNTED_BY_CALLER = "report_facts_recounted_by_caller"


def recount_applications(session: Session, application_ids: Collection[int]) -> None:
    """Recount what these applications are counted in, after a bulk statement changed them
    (or their equality answers)."""
    connection = session.connection()
    if application_ids and built(connection):
        refresh(session, _recount_of(connection, _Touched(application_ids=set(application_ids))))


def _bulk_statement(state: ORMExecuteState) -> Any:
    """An UPDATE or DELETE of counted records run as one statement bypasses the flush, so
    which days it touched is unknown: recount every day after it, unless its caller recounts
    (the app's own bulk statements either change nothing counted or say so)."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    if state.execution_options.get(RECOUNTED_BY_CALLER):
        return None
    names = _COUNTED.get(state.bind_mapper.class_)
    if names is None:
        return None
    if state.is_update:
        values = getattr(state.statement, "_values", None)
        changed = {getattr(key, "key", key) for key in values} if values else None
        if changed is not None and not changed & set(names):
            return None
    result = state.invoke_statement()
    if getattr(result, "rowcount", 1) != 0 and built(state.session.connection()):
        _recount(state.session, None, None, None)
    return result


def keep_current() -> None:
    """Recount touched days in every session's flushes (idempotent)."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    for model, names in _COUNTED.items():
        for name in names:
            event.listen(getattr(model, name), "set", _old_value_kept, active_history=True)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_flush_postexec", _after_flush_postexec)
    event.listen(Session, "do_orm_execute", _bulk_statement)


def built(connection: Connection) -> bool:
    return connection.execute(select(report_facts_state.c.id)).first() is not None


def _recount_of(connection: Connection, touched: _Touched) -> Recount:
    """The touched days, with those read from the records the flush changed, and the
    boroughs of those records."""
    days = set(touched.days)
    due_days = set(touched.due_days)
    boroughs = set(touched.boroughs)
    if touched.apprentice_ids:
        ids = sorted(touched.apprentice_ids)
        due_days.update(
            connection.scalars(
                select(Milestone.due_date).where(Milestone.apprentice_id.in_(ids)).distinct()
            )
        )
        for borough_id, *dates in connection.execute(
            select(
                Apprentice.employing_borough_id,
                Apprentice.start_date,
                Apprentice.completed_on,
                Apprentice.withdrawn_on,
            ).where(Apprentice.id.in_(ids))
        ):
            boroughs.add(borough_id)
            days.update(day for day in dates if day is not None)
    vacancies = touched.vacancy_ids | touched.borough_of_vacancies
    if vacancies:
        boroughs.update(
            connection.scalars(
                select(Vacancy.employing_borough_id).where(Vacancy.id.in_(sorted(vacancies)))
            )
        )
    application_ids = set(touched.application_ids)
    if touched.vacancy_ids:
        for application_id, submitted_at in connection.execute(
            select(Application.id, Application.submitted_at).where(
                Application.vacancy_id.in_(sorted(touched.vacancy_ids))
            )
        ):
            application_ids.add(application_id)
            days.add(_london_day(submitted_at))
    if application_ids:
        ids = sorted(application_ids)
        days.update(
            _london_day(moment)
            for moment in connection.scalars(
                select(ApplicationEvent.occurred_at).where(
                    ApplicationEvent.application_id.in_(ids),
                    ApplicationEvent.to_stage == Stage.HIRED.value,
                )
            )
        )
        # The equality counts read an application's answers on the day it was made and,
        # through the apprentice it became, on the day they left.
        for row in connection.execute(
            select(
                Application.submitted_at,
                Vacancy.employing_borough_id,
                Apprentice.employing_borough_id,
                Apprentice.completed_on,
                Apprentice.withdrawn_on,
            )
            .join(Vacancy, Vacancy.id == Application.vacancy_id)
            .outerjoin(Apprentice, Apprentice.id == Application.apprentice_id)
            .where(Application.id.in_(ids))
        ):
            submitted_at, vacancy_borough, apprentice_borough, completed_on, withdrawn_on = row
            days.add(_london_day(submitted_at))
            days.update(day for day in (completed_on, withdrawn_on) if day is not None)
            boroughs.update(b for b in (vacancy_borough, apprentice_borough) if b is not None)
    return Recount(days | due_days, days, boroughs)


def spans(days: Collection[date]) -> list[tuple[date, date]]:
    """Days as inclusive ranges of consecutive days, in order."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and ranges[-1][1] + timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def whole_months(days: reports.Days) -> reports.Days:
    """The spans widened to whole months (None stays every day)."""
    if days is None:
        return None
    months: list[tuple[date, date]] = []
    for first, last in days:
        start = first.replace(day=1)
        end = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if months and start <= months[-1][1] + timedelta(days=1):
            months[-1] = (months[-1][0], max(end, months[-1][1]))
        else:
            months.append((start, end))
    return months


def _stores(
    session: Session, days: reports.Days, months: reports.Days, boroughs: Collection[int] | None
) -> list[tuple[Any, Any, tuple[str, ...]]]:
    """Each stored table, the fresh count for it (of `days`; equality counts of whole
    `months` in `boroughs`, None: every borough), and its key columns."""
    return [
        (report_day_figures, reports.day_facts(session, days), ("day", "borough_id")),
        (
            report_hire_days,
            reports.hire_day_facts(session, days),
            ("day", "borough_id", "days_to_hire"),
        ),
        (
            report_equality_months,
            reports.equality_month_facts(session, months, boroughs),
            ("month", "borough_id", "measure", "question", "category"),
        ),
    ]


def _date_column(table: Any) -> Any:
    return table.c.month if "month" in table.c else table.c.day


def _recount(
    session: Session,
    days: reports.Days,
    equality_days: reports.Days,
    boroughs: Collection[int] | None,
) -> None:
    """Replace the stored figures of the days (None: every day) with a fresh count, and the
    equality counts of the months of `equality_days` for `boroughs` (None: all)."""
    connection = session.connection()
    months = whole_months(equality_days)
    for table, facts, _key in _stores(session, days, months, boroughs):
        equality = "month" in table.c
        if equality and (months == [] or boroughs == set()):
            continue
        selected = months if equality else days
        columns = [c.name for c in table.columns]
        clear = delete(table)
        if selected is not None:
            clear = clear.where(reports.date_spans(selected, _date_column(table)))
        if equality and boroughs is not None:
            clear = clear.where(table.c.borough_id.in_(sorted(boroughs)))
        connection.execute(clear)
        connection.execute(
            insert(table).from_select(columns, select(*(facts.c[c] for c in columns)))
        )


def refresh(session: Session, recount: Recount) -> None:
    """Recount the days for every borough, and the equality counts of the months of its
    equality days for its boroughs, in the caller's transaction."""
    if recount.days:
        _recount(session, spans(recount.days), spans(recount.equality_days), recount.boroughs)


def rebuild(session: Session) -> None:
    """Recount every day and mark the stored figures as complete, in the caller's transaction
    (after bulk loads that bypass the ORM, and once on a database upgraded with records)."""
    session.flush()
    session.info.pop(_PENDING, None)
    _recount(session, None, None, None)
    connection = session.connection()
    connection.execute(delete(report_facts_state))
    connection.execute(insert(report_facts_state).values(id=1, built_at=utcnow()))


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[Any, ...]
    stored: tuple[Any, ...] | None
    counted: tuple[Any, ...] | None


def differences(session: Session, days: Collection[date] | None = None) -> list[Difference]:
    """Where the stored figures differ from a fresh count (of `days`, or of every day); empty
    when they agree."""
    session.flush()
    selected = None if days is None else spans(days)
    found: list[Difference] = []
    for table, facts, key_names in _stores(session, selected, whole_months(selected), None):
        names = [c.name for c in table.columns]
        stored_select = select(*table.c)
        if selected is not None:
            spans_of_table = whole_months(selected) if "month" in table.c else selected
            stored_select = stored_select.where(
                reports.date_spans(spans_of_table, _date_column(table))
            )
        stored = _keyed(session.execute(stored_select), names, key_names)
        counted = _keyed(session.execute(select(*(facts.c[n] for n in names))), names, key_names)
        for key in sorted(stored.keys() | counted.keys()):
            if stored.get(key) != counted.get(key):
                found.append(Difference(table.name, key, stored.get(key), counted.get(key)))
    return found


def _keyed(rows: Iterator[Any], names: list[str], key_names: tuple[str, ...]) -> dict:
    """Rows by key, with days as dates (SQLite gives counted days as text) and counts as ints."""
    result = {}
    for row in rows:
        values = dict(zip(names, row, strict=True))
        for name in ("day", "month"):
            if isinstance(values.get(name), str):
                values[name] = date.fromisoformat(values[name])
        key = tuple(values[n] for n in key_names)
        result[key] = tuple(int(values[n]) for n in names if n not in key_names)
    return result
