"""The few places where SQLite and PostgreSQL differ, kept in one module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    cast,
    event,
    extract,
    func,
    type_coerce,
)
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _configure_connection(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("psycopg"):
        # PostgreSQL compiles a query to machine code when its estimated cost is high; for a
        # report's queries that took longer (110 ms of 226 at the stress tier) than running
        # them, and no query here runs long enough to win it back.
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()
        return
    # SQLite: foreign keys are off by default there, and WAL lets readers carry on while the
    # session store writes.
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def is_postgresql(engine_or_connection: Any) -> bool:
    return engine_or_connection.dialect.name == "postgresql"


def insert_for(bind: Any) -> Any:
    """The dialect's own insert(), which offers ON CONFLICT (`on_conflict_do_nothing`)."""
    if is_postgresql(bind):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


# Report arithmetic: dates and financial-year bucketing (app.domain.reports).

LONDON_ZONE = "Europe/London"


def london_date(bind: Any, moment: Any) -> Any:
    """The date in London of a stored timestamp (naive UTC), as an SQL date expression.

    PostgreSQL converts with its time zone database. SQLite has none, so the UK rule since
    1996 is written out: British Summer Time runs from 01:00 UTC on the last Sunday of March to
    01:00 UTC on the last Sunday of October (`date(Y-03-31, '-6 days', 'weekday 0')` is the last
    Sunday of March)."""
    if is_postgresql(bind):
        return cast(func.timezone(LONDON_ZONE, func.timezone("UTC", moment)), Date)

    def last_sunday_1am(month_end: str) -> Any:
        last_sunday = func.date(
            func.strftime("%Y", moment).concat(month_end), "-6 days", "weekday 0"
        )
        return func.datetime(last_sunday, "+1 hour")

    summer = and_(moment >= last_sunday_1am("-03-31"), moment < last_sunday_1am("-10-31"))
    return type_coerce(func.date(moment, case((summer, "+1 hour"), else_="+0 hours")), Date)


def days_between(bind: Any, earlier: Any, later: Any) -> Any:
    """Whole days from one SQL date to another (later minus earlier), as an integer."""
    if is_postgresql(bind):
        return type_coerce(later - earlier, Integer)
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def financial_quarter_index(day: Any) -> Any:
    """A date's financial quarter as one integer: 4 × the year the financial year starts in,
    plus 0 for April–June, 1 for July–September, 2 for October–December, 3 for January–March
    (so 31 March 2026 → 4 × 2025 + 3 and 1 April 2026 → 4 × 2026). `index // 4` is the
    financial year, `index % 4 + 1` the quarter (app.domain.reports.Period.from_index)."""
    months = cast(extract("year", day), Integer) * 12 + cast(extract("month", day), Integer) - 4
    return months // 3


def month_start(bind: Any, day: Any) -> Any:
    """The first day of an SQL date's month, as an SQL date."""
    if is_postgresql(bind):
        return cast(func.date_trunc("month", day), Date)
    return func.date(day, "start of month")


def financial_year_start(day: Any) -> Any:
    """The calendar year a date's financial year starts in (1 April): 2025 for 31 March 2026."""
    return financial_quarter_index(day) // 4
