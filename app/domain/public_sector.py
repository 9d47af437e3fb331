"""The public-sector apprenticeship return: headcount per borough and financial year, and the
return's figures.

Per borough and financial year (DESIGN.md, "Public-sector apprenticeship return"):

- **new apprentice starts**: apprentices whose start date is in the year, counted exactly as the
  reports count starts (app.domain.reports: not those waiting to start, who never started, or
  who left within the 42-day qualifying period);
- **total apprentices**: those starts' apprentices in learning at any point in the year: started
  on or before the year's last day and not left before its first (the same people as starts,
  over every start date);
- **headcount**: the number of people the borough employs, recorded here by admins and by the
  borough's coordinators;
- **starts as a share of headcount**: starts ÷ headcount, as a percentage to 2 decimal places
  (the former public-sector target was 2.3%).

Counts of people go through disclosure control wherever the viewer may not see the borough
exactly, protected as the reports protect them (so a borough's starts read the same here and in
the overview), and the share is then worked out from the rounded count (none when the count is
suppressed). Headcount is the council's own published workforce size, not a count of
apprentices, and is shown as recorded.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import dialect
from app.access import borough_scope
from app.domain import audit, reports
from app.domain.disclosure import FOOTNOTE, SUPPRESSED, Cell
from app.domain.errors import DomainError, NotFound, StaleEdit, flush_versioned

# The reports' own definition of a start and their protection of a year's starts, so the
# figures here agree with theirs.
from app.domain.reports import _A as A
from app.domain.reports import (
    NOT_RECORDED,
    Period,
    PolicyFactory,
    Shown,
    default_policy,
    exact_boroughs,
)
from app.domain.reports import _protect_grid as protect_grid
from app.domain.reports import _start as counted_start
from app.models import AuditAction, Borough, BoroughHeadcount, Role, User

FORMER_TARGET_PERCENT = 2.3
MAXIMUM_HEADCOUNT = 1_000_000
_QUARTERS = (1, 2, 3, 4)
_TOTAL = "total"


# ---------------------------------------------------------------------------------------------
# Recording headcount


def return_years(today: date) -> list[Period]:
    """The financial years the return offers: the reports' five, newest first."""
    return [period for period in reports.periods(today) if period.is_year]


def may_record_headcount(actor: User, borough_id: int) -> bool:
    """Admins for any borough; coordinators for the boroughs in their scope (their own, or every
    borough when programme-wide)."""
    if Role.ADMIN in actor.roles:
        return True
    if Role.COORDINATOR not in actor.roles:
        return False
    scope = borough_scope(actor)
    return scope is None or borough_id in scope


def headcount_for(session: Session, borough_id: int, year: Period) -> BoroughHeadcount | None:
    return session.scalars(
        select(BoroughHeadcount).where(
            BoroughHeadcount.borough_id == borough_id,
            BoroughHeadcount.financial_year == year.year,
        )
    ).one_or_none()


def record_headcount(
    session: Session,
    *,
    actor: User,
    borough_id: int,
    year: Period,
    headcount: int,
    expected_version: int | None,
    today: date,
) -> BoroughHeadcount:
    """Record (or change) a borough's headcount for a financial year, audited.

    `expected_version` is the version the form was loaded with (None: there was no headcount
    then); anything else means someone else recorded it meanwhile, a stale edit. A borough
    outside the actor's scope is not found."""
    if not may_record_headcount(actor, borough_id) or session.get(Borough, borough_id) is None:
        raise NotFound("Borough not found")
    if not year.is_year or year not in return_years(today):
        raise DomainError("Select a financial year from the list", field="year")
    if isinstance(headcount, bool) or not isinstance(headcount, int):
        raise DomainError("Headcount must be a whole number", field="headcount")
    if not 1 <= headcount <= MAXIMUM_HEADCOUNT:
        raise DomainError(
            f"Headcount must be between 1 and {MAXIMUM_HEADCOUNT:,}", field="headcount"
        )
    record = headcount_for(session, borough_id, year)
    if record is None:
        if expected_version is not None:
            raise StaleEdit()
        record = BoroughHeadcount(
            borough_id=borough_id,
            financial_year=year.year,
            headcount=headcount,
            recorded_by_id=actor.id,
        )
        try:
            # A savepoint: two first recordings at once meet the unique constraint, and the
            # second is then a stale edit, not a failed request.
            with session.begin_nested():
                session.add(record)
                session.flush()
        except IntegrityError:
            raise StaleEdit() from None
        audit.record(
            session,
            AuditAction.CREATED,
            actor=actor,
            target=audit.target_of(record),
            fields=["headcount"],
        )
        return record
    if expected_version != record.row_version:
        raise StaleEdit()
    if record.headcount != headcount:
        record.headcount = headcount
        record.recorded_by_id = actor.id
        flush_versioned(session)
        audit.record(
            session,
            AuditAction.UPDATED,
            actor=actor,
            target=audit.target_of(record),
            fields=["headcount"],
        )
    return record


# ---------------------------------------------------------------------------------------------
# Raw figures (exact; never shown as they are)


@dataclass(frozen=True)
class RawReturn:
    """Exact figures for the years asked for, per borough: starts per (borough, quarter index)
    so they can be protected exactly as the reports protect them, apprentices in learning per
    (borough, year), and recorded headcount per (borough, year)."""

    years: tuple[Period, ...]
    boroughs: Mapping[int, tuple[str, str]]  # id → (name, ONS code), in name order
    all_boroughs: bool
    starts: Mapping[tuple[int, int], int]
    in_learning: Mapping[tuple[int, int], int]
    headcounts: Mapping[tuple[int, int], int]

    def starts_in(self, borough_id: int, year: Period) -> int:
        return sum(self.starts.get((borough_id, q.index), 0) for q in year.quarters())


def _in_learning_during(year: Period) -> Any:
    """A counted start in learning at some point in the year: started by its last day and not
    left before its first."""
    return and_(
        counted_start(),
        A.start_date <= year.end,
        or_(A.withdrawn_on.is_(None), A.withdrawn_on >= year.start),
        or_(A.completed_on.is_(None), A.completed_on >= year.start),
    )


def raw_return(
    session: Session, years: Sequence[Period], boroughs: Collection[int] | None = None
) -> RawReturn:
    """Exact figures for the financial years per borough (`boroughs` None: all 33), in four
    queries whatever the data size."""
    if not years or not all(year.is_year for year in years):
        raise ValueError("the return is by financial year")
    ordered = tuple(sorted(set(years), key=lambda p: p.year))

    def among(column: Any) -> Any:
        return column.in_(sorted(boroughs)) if boroughs is not None else literal(True)

    rows = session.execute(
        select(Borough.id, Borough.name, Borough.ons_code)
        .where(among(Borough.id))
        .order_by(Borough.name)
    ).all()
    names = {row.id: (row.name, row.ons_code) for row in rows}

    quarter = dialect.financial_quarter_index(A.start_date).label("quarter")
    starts_facts = (
        select(A.employing_borough_id.label("borough_id"), quarter)
        .where(
            counted_start(),
            A.start_date.between(ordered[0].start, ordered[-1].end),
            among(A.employing_borough_id),
        )
        .subquery()
    )
    starts = {
        (row.borough_id, row.quarter): int(row.n)
        for row in session.execute(
            select(
                starts_facts.c.borough_id, starts_facts.c.quarter, func.count().label("n")
            ).group_by(starts_facts.c.borough_id, starts_facts.c.quarter)
        )
    }

    columns = [
        func.sum(case((_in_learning_during(year), 1), else_=0)).label(f"y{year.year}")
        for year in ordered
    ]
    in_learning: dict[tuple[int, int], int] = {}
    for row in session.execute(
        select(A.employing_borough_id.label("borough_id"), *columns)
        .where(among(A.employing_borough_id))
        .group_by(A.employing_borough_id)
    ).mappings():
        for year in ordered:
            in_learning[row["borough_id"], year.year] = int(row[f"y{year.year}"] or 0)

    headcounts = {
        (row.borough_id, row.financial_year): row.headcount
        for row in session.execute(
            select(
                BoroughHeadcount.borough_id,
                BoroughHeadcount.financial_year,
                BoroughHeadcount.headcount,
            ).where(
                BoroughHeadcount.financial_year.in_([year.year for year in ordered]),
                among(BoroughHeadcount.borough_id),
            )
        )
    }
    return RawReturn(ordered, names, boroughs is None, starts, in_learning, headcounts)


# ---------------------------------------------------------------------------------------------
# Presentation under disclosure control


@dataclass(frozen=True)
class ReturnRow:
    """One borough's return for one financial year (or London's, `borough_id` None), as the
    viewer may see it."""

    borough_id: int | None
    name: str
    ons_code: str
    year: Period
    exact: bool
    starts: Shown
    total: Shown
    headcount: int | None
    share: Shown  # `value`: the percentage, to 2 decimal places

    @property
    def headcount_text(self) -> str:
        return f"{self.headcount:,}" if self.headcount is not None else NOT_RECORDED.text

    @property
    def any_suppressed(self) -> bool:
        return self.starts.suppressed or self.total.suppressed or self.share.suppressed


@dataclass(frozen=True)
class PublicSectorReturn:
    """Rows per financial year (oldest first) and borough (in name order), London's row per
    year when every borough is covered, and the footnote when anything is suppressed."""

    years: tuple[Period, ...]
    rows: Mapping[Period, tuple[ReturnRow, ...]]
    london: Mapping[Period, ReturnRow]
    footnote: str | None

    def row(self, borough_id: int, year: Period) -> ReturnRow:
        for row in self.rows[year]:
            if row.borough_id == borough_id:
                return row
        raise KeyError(borough_id)


def share_of_headcount(starts: Cell, headcount: int | None) -> Shown:
    """Starts as a percentage of headcount, to 2 decimal places, from the starts as shown."""
    if headcount is None or headcount <= 0:
        return NOT_RECORDED
    if starts.value is None:
        return Shown(None, SUPPRESSED, True)
    percent = round(100 * starts.value / headcount, 2)
    return Shown(percent, f"{percent:.2f}%")


def return_for(
    viewer: User,
    raw: RawReturn,
    *,
    show: Collection[int] | None = None,
    policy_factory: PolicyFactory = default_policy,
) -> PublicSectorReturn:
    """The return as `viewer` may see it: exact for the boroughs they see exactly, otherwise
    starts and total apprentices under disclosure control with secondary suppression across
    boroughs (and, for starts, quarters and London, as in the reports), and the share from the
    rounded starts. `raw` must cover every borough unless the viewer sees all of it exactly."""
    exact = exact_boroughs(viewer)
    if not raw.all_boroughs and exact is not None and not set(raw.boroughs) <= exact:
        raise ValueError("figures under disclosure control must cover every borough")
    ids = list(raw.boroughs)
    wanted = set(ids) if show is None else set(show)
    rows: dict[Period, tuple[ReturnRow, ...]] = {}
    london: dict[Period, ReturnRow] = {}
    for year in raw.years:
        starts = protect_grid(
            {(b, q): raw.starts.get((b, year.index + q - 1), 0) for b in ids for q in _QUARTERS},
            ids,
            _QUARTERS,
            exact,
            policy_factory,
        )
        totals = protect_grid(
            {(b, _TOTAL): raw.in_learning.get((b, year.year), 0) for b in ids},
            ids,
            (_TOTAL,),
            exact,
            policy_factory,
        )
        year_rows = []
        for b in ids:
            if b not in wanted:
                continue
            name, code = raw.boroughs[b]
            headcount = raw.headcounts.get((b, year.year))
            starts_cell = starts.row_totals[b]
            year_rows.append(
                ReturnRow(
                    b,
                    name,
                    code,
                    year,
                    exact is None or b in exact,
                    Shown.of_cell(starts_cell),
                    Shown.of_cell(totals.cells[b, _TOTAL]),
                    headcount,
                    share_of_headcount(starts_cell, headcount),
                )
            )
        rows[year] = tuple(year_rows)
        if raw.all_boroughs:
            recorded = [raw.headcounts.get((b, year.year)) for b in ids]
            # London's share only when every borough's headcount is recorded.
            headcount = None if None in recorded else sum(h or 0 for h in recorded)
            london[year] = ReturnRow(
                None,
                "London",
                "E12000007",
                year,
                exact is None,
                Shown.of_cell(starts.london_total),
                Shown.of_cell(totals.london[_TOTAL]),
                headcount,
                share_of_headcount(starts.london_total, headcount),
            )
    shown = [row for year_rows in rows.values() for row in year_rows] + list(london.values())
    suppressed = any(row.any_suppressed for row in shown)
    return PublicSectorReturn(raw.years, rows, london, FOOTNOTE if suppressed else None)
