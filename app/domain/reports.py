"""Report figures: SQL aggregates per borough and period, and how each viewer may see them.

Three layers, used in this order by the report pages:

1. **Periods** (`Period`, `periods`, `offered_period`): financial years (1 April – 31 March)
   and their quarters (Q1 April–June … Q4 January–March). Views that include other boroughs
   offer only these fixed periods, so two overlapping queries cannot be differenced.
2. **Raw figures** (`raw_figures`, `raw_trends`, `raw_equality`): exact counts per borough,
   each an SQL aggregate over stored facts and the stored progress summary, in a fixed number
   of queries whatever the data size. Raw figures are never shown as they are: they go
   through layer 3.
3. **Presentation** (`report_for`, `trends_for`, `equality_table`): every figure as the viewer
   may see it (`Shown`: the text, whether it was suppressed), under disclosure control
   (app.domain.disclosure) wherever the viewer may not see a borough exactly, with the
   footnote when anything is suppressed.

Who counts as what is written once, in the section "Who counts" below, after DESIGN.md's
"Reports: definitions". A figure belongs to the period containing its event date.

Counts that add up across quarters (applications, hires, starts, leavers, …) are protected
together as a table of boroughs × the four quarters of the financial year, with the borough's
year as the row total and London as the column total: so the figures for a year, for each of
its quarters and for London are one consistent table in which no suppressed cell can be
worked out by subtraction. The viewer's own borough (exact for a borough lead or coordinator)
is left out of that table and the London total is suppressed whenever the other boroughs'
total is, so knowing the own borough exactly never helps to recover another borough's cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app import dialect
from app.access import borough_scope
from app.clock import LONDON
from app.domain import destinations
from app.domain.applications import ETHNIC_GROUPS, GENDERS, PREFER_NOT_TO_SAY, YES_NO_PREFER_NOT
from app.domain.disclosure import (
    FOOTNOTE,
    SUPPRESSED,
    Cell,
    Policy,
    count,
    protect_table,
    rate,
)
from app.models import (
    Application,
    ApplicationEvent,
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    Borough,
    Destination,
    EqualityMonitoring,
    FollowUp,
    MentorAssignment,
    Milestone,
    MilestoneStatus,
    Outcome,
    ProgressSummary,
    Role,
    Stage,
    User,
    Vacancy,
    report_day_figures,
    report_equality_months,
    report_facts_state,
    report_hire_days,
)

# ---------------------------------------------------------------------------------------------
# Periods

FINANCIAL_YEARS_OFFERED = 5
_PERIOD_TEXT = re.compile(r"(\d{4})-(\d{2})(?:-q([1-4]))?")
_QUARTER_MONTHS = ("April to June", "July to September", "October to December", "January to March")


@dataclass(frozen=True)
class Period:
    """A financial year (`quarter` None) or one of its quarters. `year` is the calendar year
    the financial year starts in: 2025 for 2025-26 (1 April 2025 – 31 March 2026)."""

    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            raise ValueError("a quarter is 1, 2, 3 or 4")

    # Building and reading

    @classmethod
    def financial_year_of(cls, day: date) -> Period:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls.from_index((day.year * 12 + day.month - 4) // 3)

    @classmethod
    def from_index(cls, index: int) -> Period:
        """The quarter with this index (see `index` and dialect.financial_quarter_index)."""
        return cls(index // 4, index % 4 + 1)

    @classmethod
    def parse(cls, text: str | None) -> Period | None:
        """A period from its URL value: "2025-26" (a financial year) or "2025-26-q2" (its
        second quarter, July to September 2025). Anything else gives None."""
        match = _PERIOD_TEXT.fullmatch((text or "").strip().lower())
        if match is None:
            return None
        year, next_year, quarter = int(match[1]), int(match[2]), match[3]
        if next_year != (year + 1) % 100:
            return None
        return cls(year, int(quarter) if quarter else None)

    # Properties

    @property
    def is_year(self) -> bool:
        return self.quarter is None

    @property
    def index(self) -> int:
        """A quarter's index: 4 × year + quarter − 1 (the year's first quarter for a year)."""
        return self.year * 4 + (self.quarter or 1) - 1

    @property
    def start(self) -> date:
        if self.quarter is None:
            return date(self.year, 4, 1)
        month = 4 + 3 * (self.quarter - 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        """The last day in the period."""
        if self.quarter is None or self.quarter == 4:
            return date(self.year + 1, 3, 31)
        return Period(self.year, self.quarter + 1).start - timedelta(days=1)

    @property
    def slug(self) -> str:
        """The URL value, which `parse` reads back."""
        years = f"{self.year}-{(self.year + 1) % 100:02d}"
        return years if self.quarter is None else f"{years}-q{self.quarter}"

    @property
    def label(self) -> str:
        """For people: "April 2025 to March 2026", or "July to September 2025"."""
        if self.quarter is None:
            return f"April {self.year} to March {self.year + 1}"
        return f"{_QUARTER_MONTHS[self.quarter - 1]} {self.start.year}"

    @property
    def short_label(self) -> str:
        """For table headings and chart axes: "2025-26", or "Q2 2025-26"."""
        years = f"{self.year}-{(self.year + 1) % 100:02d}"
        return years if self.quarter is None else f"Q{self.quarter} {years}"

    @property
    def financial_year(self) -> Period:
        return Period(self.year)

    def quarters(self) -> tuple[Period, ...]:
        """A year's four quarters (a quarter: itself)."""
        if self.quarter is not None:
            return (self,)
        return tuple(Period(self.year, quarter) for quarter in (1, 2, 3, 4))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_of(self, today: date) -> date:
        """The date figures about status (active, on a break, …) are counted on: the period's
        last day, or today if that comes first."""
        return min(self.end, today)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The instants (UTC) the period starts and ends at, London midnight to midnight, for
        comparing stored timestamps."""
        return utc_bounds(self.start, self.end)


def utc_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants (UTC) London's day `first` starts at and the day after `last` starts at."""
    start = datetime.combine(first, time(0), tzinfo=LONDON)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=LONDON)
    return start.astimezone(UTC), end.astimezone(UTC)


def periods(today: date) -> list[Period]:
    """The periods a report offers: the last five financial years, newest first (this one
    included), each followed by its quarters that have begun, in order."""
    current = Period.financial_year_of(today)
    offered: list[Period] = []
    for back in range(FINANCIAL_YEARS_OFFERED):
        year = Period(current.year - back)
        offered.append(year)
        offered.extend(quarter for quarter in year.quarters() if quarter.start <= today)
    return offered


def offered_period(text: str | None, today: date) -> Period | None:
    """The period a URL value names, if the reports offer it today; otherwise None (a page
    then shows the current financial year, or a 404)."""
    period = Period.parse(text)
    return period if period is not None and period in periods(today) else None


# ---------------------------------------------------------------------------------------------
# What each figure is

Section = Literal["recruitment", "programme", "progression", "outcomes"]
Kind = Literal["count", "rate", "median"]
# flow: counted by event date, adds up over quarters; stock: counted on the `as_of` date;
# snapshot: read from the stored progress summary, which describes today only.
Basis = Literal["flow", "stock", "snapshot"]


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    section: Section
    kind: Kind
    description: str
    basis: Basis | None = None  # counts only
    numerator: str | None = None  # rates only: count keys
    denominator: str | None = None


def _count(key: str, label: str, section: Section, basis: Basis, description: str) -> Definition:
    return Definition(key, label, section, "count", description, basis=basis)


def _rate(
    key: str, label: str, section: Section, numerator: str, denominator: str, description: str
) -> Definition:
    return Definition(key, label, section, "rate", description, None, numerator, denominator)


FIGURES: tuple[Definition, ...] = (
    # Recruitment
    _count(
        "applications",
        "Applications",
        "recruitment",
        "flow",
        "Applications made in the period, counted for the vacancy's employing borough.",
    ),
    _count(
        "local_applications",
        "Local applications",
        "recruitment",
        "flow",
        "Applications from residents of the employing borough.",
    ),
    _count(
        "eligible_applications",
        "Eligible applications",
        "recruitment",
        "flow",
        "Applications that met the vacancy's eligibility rule when they were made.",
    ),
    _count(
        "hired_applications",
        "Applications that led to a hire",
        "recruitment",
        "flow",
        "Applications made in the period that have been hired (the last step of the funnel).",
    ),
    _count(
        "hires",
        "Hires",
        "recruitment",
        "flow",
        "Applicants hired in the period (the date of the move to hired).",
    ),
    Definition(
        "median_days_to_hire",
        "Median days to hire",
        "recruitment",
        "median",
        "Days from the application to the hire, for the hires in the period: the middle value.",
    ),
    _rate(
        "local_share",
        "Local share",
        "recruitment",
        "local_applications",
        "applications",
        "Local applications as a share of applications.",
    ),
    _rate(
        "eligible_share",
        "Eligible share",
        "recruitment",
        "eligible_applications",
        "applications",
        "Eligible applications as a share of applications.",
    ),
    # Programme
    _count(
        "starts",
        "Starts",
        "programme",
        "flow",
        "Apprentices whose start date is in the period; not those waiting to start, who never "
        "started, or who left within the 42-day qualifying period.",
    ),
    _count(
        "active",
        "Active",
        "programme",
        "stock",
        "Apprentices in learning on the period's last day (or today, if sooner).",
    ),
    _count(
        "on_break",
        "On a break",
        "programme",
        "stock",
        "Apprentices on a break in learning on the period's last day (or today, if sooner).",
    ),
    # Progression
    _count(
        "otj_on_target",
        "Off-the-job on target",
        "progression",
        "snapshot",
        "Active apprentices whose approved off-the-job hours are at least the hours expected to "
        "date (from the stored progress summary, so for the current period only).",
    ),
    _rate(
        "otj_on_target_rate",
        "Off-the-job on target",
        "progression",
        "otj_on_target",
        "active",
        "Active apprentices on target for off-the-job hours, as a share of active apprentices.",
    ),
    _count(
        "milestones_due",
        "Milestones due",
        "progression",
        "flow",
        "Milestones due in the period whose due date has passed, of apprentices who had not "
        "left by then.",
    ),
    _count(
        "milestones_on_time",
        "Milestones signed off on time",
        "progression",
        "flow",
        "Of those, milestones signed off on or before their due date.",
    ),
    _rate(
        "milestones_on_time_rate",
        "Milestones on time",
        "progression",
        "milestones_on_time",
        "milestones_due",
        "Milestones signed off by their due date, as a share of milestones due.",
    ),
    _count(
        "reviews_overdue",
        "Reviews overdue",
        "progression",
        "snapshot",
        "Active apprentices whose next progress review date has passed (from the stored "
        "progress summary, so for the current period only).",
    ),
    _count(
        "mentored",
        "Active with a mentor",
        "progression",
        "stock",
        "Active apprentices with a mentor on the period's last day (or today, if sooner).",
    ),
    _rate(
        "mentor_coverage",
        "Mentor coverage",
        "progression",
        "mentored",
        "active",
        "Active apprentices with a current mentor, as a share of active apprentices.",
    ),
    # Outcomes
    _count(
        "leavers",
        "Leavers",
        "outcomes",
        "flow",
        "Apprentices who completed or withdrew in the period, not counting withdrawals within "
        "the 42-day qualifying period.",
    ),
    _count(
        "early_leavers",
        "Early leavers (within 42 days)",
        "outcomes",
        "flow",
        "Withdrawals in the period within the 42-day qualifying period, counted apart: they "
        "are not starts and not leavers.",
    ),
    _count(
        "completers",
        "Completers",
        "outcomes",
        "flow",
        "Leavers who completed, or who withdrew because the end-point assessment was not achieved.",
    ),
    _count("achievers", "Achievers", "outcomes", "flow", "Leavers who completed."),
    _rate(
        "achievement_rate",
        "Achievement rate",
        "outcomes",
        "achievers",
        "leavers",
        "Achievers as a share of leavers.",
    ),
    _rate(
        "retention_rate",
        "Retention rate",
        "outcomes",
        "completers",
        "leavers",
        "Completers as a share of leavers.",
    ),
    _count(
        "known_6m",
        "Completers with a known destination at 6 months",
        "outcomes",
        "flow",
        "Completers who left in the period whose destination 6 months on is recorded and known.",
    ),
    _count(
        "in_work_6m",
        "In work or further learning at 6 months",
        "outcomes",
        "flow",
        "Of those, completers in work (any sector) or in further learning.",
    ),
    _count(
        "with_council_6m",
        "With the council at 6 months",
        "outcomes",
        "flow",
        "Of those, completers working for the same council.",
    ),
    _count(
        "known_12m",
        "Completers with a known destination at 12 months",
        "outcomes",
        "flow",
        "Completers who left in the period whose destination 12 months on is recorded and known.",
    ),
    _count(
        "with_council_12m",
        "With the council at 12 months",
        "outcomes",
        "flow",
        "Of those, completers working for the same council.",
    ),
    _rate(
        "progression_rate",
        "Progression into work or learning",
        "outcomes",
        "in_work_6m",
        "known_6m",
        "Completers in work or further learning at 6 months, as a share of completers with a "
        "known destination then.",
    ),
    _rate(
        "with_council_6m_rate",
        "Still with the council at 6 months",
        "outcomes",
        "with_council_6m",
        "known_6m",
        "Completers with the same council at 6 months, as a share of completers with a known "
        "destination then.",
    ),
    _rate(
        "with_council_12m_rate",
        "Still with the council at 12 months",
        "outcomes",
        "with_council_12m",
        "known_12m",
        "Completers with the same council at 12 months, as a share of completers with a known "
        "destination then.",
    ),
)
FIGURE: dict[str, Definition] = {figure.key: figure for figure in FIGURES}
FLOW_KEYS: tuple[str, ...] = tuple(f.key for f in FIGURES if f.basis == "flow")
STOCK_KEYS: tuple[str, ...] = tuple(f.key for f in FIGURES if f.basis in ("stock", "snapshot"))
SNAPSHOT_KEYS: tuple[str, ...] = tuple(f.key for f in FIGURES if f.basis == "snapshot")
COUNT_KEYS: tuple[str, ...] = tuple(f.key for f in FIGURES if f.kind == "count")
RATE_KEYS: tuple[str, ...] = tuple(f.key for f in FIGURES if f.kind == "rate")

# The overview's headline figures, and the funnel's steps in order.
HEADLINE: tuple[str, ...] = (
    "applications",
    "hires",
    "starts",
    "active",
    "leavers",
    "achievement_rate",
    "retention_rate",
    "progression_rate",
)
FUNNEL: tuple[str, ...] = (
    "applications",
    "eligible_applications",
    "local_applications",
    "hired_applications",
)


def figures_in(section: Section) -> tuple[Definition, ...]:
    return tuple(figure for figure in FIGURES if figure.section == section)


# ---------------------------------------------------------------------------------------------
# Who counts: the definitions of DESIGN.md's table, as SQL conditions on an apprentice row.

_A = Apprentice
_WAITING = ApprenticeStatus.WAITING_TO_START.value
_ACTIVE = ApprenticeStatus.ACTIVE.value
_ON_BREAK = ApprenticeStatus.ON_BREAK.value
_WITHDRAWN = ApprenticeStatus.WITHDRAWN.value
_COMPLETED = ApprenticeStatus.COMPLETED.value
_IN_WORK_OR_LEARNING = (
    Destination.SAME_COUNCIL.value,
    Destination.OTHER_PUBLIC_SECTOR.value,
    Destination.PRIVATE_SECTOR.value,
    Destination.FURTHER_LEARNING.value,
)


def _never_started() -> ColumnElement[bool]:
    """Withdrawn while waiting to start: no withdrawal reason is recorded then (as
    app.domain.destinations reads it)."""
    return and_(_A.status == _WITHDRAWN, _A.withdrawal_reason.is_(None))


def _started() -> ColumnElement[bool]:
    """Ever in learning: not waiting to start and not withdrawn before starting."""
    return and_(_A.status != _WAITING, not_(_never_started()))


def _start() -> ColumnElement[bool]:
    """Counted as a start: started, and not a withdrawal within the 42-day qualifying period
    (such a start does not count)."""
    return and_(_started(), _A.left_in_qualifying_period.is_(False))


def _leave_date() -> ColumnElement[date]:
    """The event date of leaving: completion or withdrawal."""
    return case(
        (_A.status == _COMPLETED, _A.completed_on),
        (_A.status == _WITHDRAWN, _A.withdrawn_on),
    )


def _early_leaver() -> ColumnElement[bool]:
    """Withdrew after starting, within the 42-day qualifying period (flagged on withdrawal)."""
    return and_(_started(), _A.status == _WITHDRAWN, _A.left_in_qualifying_period.is_(True))


# Leaver, completer and achiever are app.domain.destinations' conditions, so the reports and
# the destinations pages count the same people:
# - leaver: completed, or withdrew after starting and not within the qualifying period;
# - completer: completed, or withdrew because the end-point assessment was not achieved;
# - achiever: completed.


def _leaver() -> ColumnElement[bool]:
    return destinations.leaver_condition()


def _completer() -> ColumnElement[bool]:
    return and_(destinations.leaver_condition(), destinations.completer_condition())


def _achiever() -> ColumnElement[bool]:
    return and_(destinations.leaver_condition(), destinations.achiever_condition())


def _in_learning_on(day: date) -> ColumnElement[bool]:
    """Started, with a start date on or before the day, and not left by then."""
    return and_(
        _started(),
        _A.start_date <= day,
        or_(_A.withdrawn_on.is_(None), _A.withdrawn_on > day),
        or_(_A.completed_on.is_(None), _A.completed_on > day),
    )


def _status_moved_to_by(day: date) -> Any:
    """The status of the apprentice's latest recorded move dated on or before the day (None
    when there is none); the record of creation (no from-status) is not a move."""
    event = ApprenticeStatusEvent
    return func.coalesce(
        select(event.to_status)
        .where(
            event.apprentice_id == _A.id,
            event.effective_on <= day,
            event.from_status.is_not(None),
        )
        .order_by(event.effective_on.desc(), event.id.desc())
        .limit(1)
        .correlate(_A)
        .scalar_subquery(),
        "",
    )


def _active_on(day: date, today: date) -> ColumnElement[bool]:
    """In learning and not on a break on the day. Today: the stored status. Earlier days: the
    dates of starting and leaving, and the latest recorded move (a pause or a return)."""
    if day >= today:
        return _A.status == _ACTIVE
    return and_(_in_learning_on(day), _status_moved_to_by(day) != _ON_BREAK)


def _on_break_on(day: date, today: date) -> ColumnElement[bool]:
    if day >= today:
        return _A.status == _ON_BREAK
    return and_(_in_learning_on(day), _status_moved_to_by(day) == _ON_BREAK)


def _mentored_on(day: date) -> Any:
    """The apprentices with a mentor assignment under way on the day (today: the current,
    open-ended one), once each: a subquery to join (a correlated EXISTS inside the sums ran once
    per apprentice)."""
    assignment = MentorAssignment
    return (
        select(assignment.apprentice_id)
        .where(
            assignment.start_date <= day,
            or_(assignment.end_date.is_(None), assignment.end_date > day),
        )
        .distinct()
        .subquery("mentored")
    )


# Inclusive ranges of days (London dates) to count events on; None: every day.
Days = Sequence[tuple[date, date]] | None


def _utc_spans(days: Days, column: Any) -> ColumnElement[bool]:
    """The stored timestamp (naive UTC) falls on one of the London days."""
    if days is None:
        return and_(True)
    return or_(
        false(),  # no days: nothing
        *(
            and_(column >= start, column < end)
            for start, end in (utc_bounds(first, last) for first, last in days)
        ),
    )


def date_spans(days: Days, column: Any) -> ColumnElement[bool]:
    if days is None:
        return and_(True)
    return or_(false(), *(column.between(first, last) for first, last in days))


def _first_hires(days: Days = None) -> Any:
    """Each hired application's first move to hired: (application_id, hired_at); with `days`,
    only those whose first move to hired was on one of them."""
    hired = ApplicationEvent.to_stage == Stage.HIRED.value
    if days is None:
        return (
            select(
                ApplicationEvent.application_id,
                func.min(ApplicationEvent.occurred_at).label("hired_at"),
            )
            .where(hired)
            .group_by(ApplicationEvent.application_id)
            .subquery("first_hire")
        )
    # A move to hired on the days with no earlier one for the same application: found from
    # the days' moves alone (grouping every application's moves read all of them).
    earlier = aliased(ApplicationEvent, name="earlier")
    return (
        select(
            ApplicationEvent.application_id,
            ApplicationEvent.occurred_at.label("hired_at"),
        )
        .where(
            hired,
            _utc_spans(days, ApplicationEvent.occurred_at),
            ~exists().where(
                earlier.application_id == ApplicationEvent.application_id,
                earlier.to_stage == Stage.HIRED.value,
                or_(
                    earlier.occurred_at < ApplicationEvent.occurred_at,
                    and_(
                        earlier.occurred_at == ApplicationEvent.occurred_at,
                        earlier.id < ApplicationEvent.id,
                    ),
                ),
            ),
        )
        .subquery("first_hire")
    )


def _flag(condition: ColumnElement[bool]) -> Any:
    return case((condition, 1), else_=0)


# ---------------------------------------------------------------------------------------------
# Raw figures (exact; never shown as they are)

# The key of the figures for all the boroughs asked for together (London, when that is all).
ALL = None


@dataclass(frozen=True)
class RawFigures:
    """Exact figures for one period, per borough.

    `flows` holds the counts that add up over quarters, per (borough id, quarter 1–4 of the
    period's financial year) — every quarter of the year, whichever period was asked for, so
    the presentation can protect the year and its quarters as one table. `stocks` holds the
    counts on `as_of`; snapshot counts (read from the stored progress summary) are None when the
    period ended before today. `median_days_to_hire` is for the period, per borough and for
    `ALL`."""

    period: Period
    today: date
    boroughs: Mapping[int, str]  # id → name, in name order
    all_boroughs: bool  # every borough was asked for: the total is London's
    flows: Mapping[tuple[int, int], Mapping[str, int]]
    stocks: Mapping[int, Mapping[str, int | None]]
    median_days_to_hire: Mapping[int | None, float | None]

    @property
    def as_of(self) -> date:
        return self.period.as_of(self.today)

    @property
    def snapshot(self) -> bool:
        """Whether the period includes today, so the stored summary describes it."""
        return self.period.contains(self.today)

    def count(self, key: str, borough_id: int | None = ALL, quarter: int | None = None) -> int:
        """A count for the period (or one quarter of its year), for a borough or for ALL."""
        ids = list(self.boroughs) if borough_id is ALL else [borough_id]
        if key in STOCK_KEYS:
            values = [self.stocks.get(i, {}).get(key) for i in ids]
            return sum(value or 0 for value in values)
        quarters = [quarter] if quarter else [p.quarter for p in self.period.quarters()]
        return sum(self.flows.get((i, q), {}).get(key, 0) for i in ids for q in quarters)

    def figures(self, borough_id: int | None = ALL) -> dict[str, int | float | None]:
        """Every count of the period (snapshot counts None outside the current period) and
        the median days to hire, for a borough or for ALL: for tests and checks, not display."""
        result: dict[str, int | float | None] = {
            key: self.count(key, borough_id) for key in COUNT_KEYS
        }
        if not self.snapshot:
            result.update(dict.fromkeys(SNAPSHOT_KEYS))
        result["median_days_to_hire"] = self.median_days_to_hire.get(borough_id)
        return result


def _borough_filter(column: Any, boroughs: Collection[int] | None) -> ColumnElement[bool]:
    return column.in_(sorted(boroughs)) if boroughs is not None else and_(True)


def raw_figures(
    session: Session,
    period: Period,
    boroughs: Collection[int] | None = None,
    *,
    today: date,
) -> RawFigures:
    """Exact figures for the period per borough (`boroughs` None: all 33), in a fixed number of
    queries (five) whatever the data size: the counts that add up over days from the figures
    stored per borough and day (app.domain.report_facts keeps them current), or from the
    records themselves while those figures have not been built."""
    names = _borough_names(session, boroughs)
    flows: dict[tuple[int, int], dict[str, int]] = {
        (borough_id, quarter): dict.fromkeys(FLOW_KEYS, 0)
        for borough_id in names
        for quarter in (1, 2, 3, 4)
    }
    year = period.financial_year
    stored = facts_built(session)
    for row in session.execute(_flows_query(session, year, boroughs, today, stored)).mappings():
        target = flows.get((row["borough_id"], row["quarter"] - year.index + 1))
        if target is not None:
            for key in FLOW_KEYS:
                target[key] += int(row[key] or 0)
    stocks = _stocks(session, period, boroughs, today)
    return RawFigures(
        period=period,
        today=today,
        boroughs=names,
        all_boroughs=boroughs is None,
        flows=flows,
        stocks={b: stocks.get(b, _empty_stocks(period.contains(today))) for b in names},
        median_days_to_hire=_median_days_to_hire(session, period, boroughs, stored),
    )


def _borough_names(session: Session, boroughs: Collection[int] | None) -> dict[int, str]:
    rows = session.execute(
        select(Borough.id, Borough.name)
        .where(_borough_filter(Borough.id, boroughs))
        .order_by(Borough.name)
    ).all()
    return {borough_id: name for borough_id, name in rows}  # noqa: C416 (typed)


def _sums(facts: Any, keys: Sequence[str], measures: Sequence[str]) -> Select:
    """Sum each measure of a subquery of 0/1 facts per group of keys (grouping by plain
    columns of a subquery, so PostgreSQL never has to match two copies of an expression)."""
    return select(
        *(facts.c[key] for key in keys),
        *(func.sum(facts.c[measure]).label(measure) for measure in measures),
    ).group_by(*(facts.c[key] for key in keys))


def facts_built(session: Session) -> bool:
    """Whether the figures stored per borough and day describe every record."""
    return session.execute(select(exists().select_from(report_facts_state))).scalar() is True


def _flows_query(
    session: Session, year: Period, boroughs: Collection[int] | None, today: date, stored: bool
) -> Select:
    """The year's counts per borough and quarter index. Milestones count once their due date
    has passed (so each has a settled answer)."""
    spans = [(year.start, year.end)]
    if stored:
        source = report_day_figures
        where = and_(
            source.c.day.between(year.start, year.end),
            _borough_filter(source.c.borough_id, boroughs),
        )
    else:
        source = day_facts(session, spans)
        where = _borough_filter(source.c.borough_id, boroughs)
    due = source.c.day < today
    facts = (
        select(
            source.c.borough_id,
            dialect.financial_quarter_index(source.c.day).label("quarter"),
            *(
                case((due, source.c[key]), else_=0).label(key)
                if key in _MILESTONE_KEYS
                else source.c[key]
                for key in FLOW_KEYS
            ),
        )
        .where(where)
        .subquery("flows")
    )
    return _sums(facts, ("borough_id", "quarter"), FLOW_KEYS)


_MILESTONE_KEYS = frozenset({"milestones_due", "milestones_on_time"})


def day_facts(session: Session, days: Days) -> Any:
    """Every count that adds up over days, per employing borough and event date, counted from
    the records (for the days in `days`): the definition the stored figures are kept equal to.
    Columns: borough_id, day and each of FLOW_KEYS."""
    bind = session.get_bind()
    zeros = dict.fromkeys(FLOW_KEYS, 0)

    def source(borough: Any, day: Any, **measures: Any) -> Select:
        columns = {**zeros, **measures}
        return select(
            borough.label("borough_id"),
            day.label("day"),
            *(
                (value if not isinstance(value, int) else literal(value)).label(key)
                for key, value in columns.items()
            ),
        )

    submitted_on = dialect.london_date(bind, Application.submitted_at)
    applications = (
        source(
            Vacancy.employing_borough_id,
            submitted_on,
            applications=1,
            local_applications=_flag(Application.is_local),
            eligible_applications=_flag(Application.eligible),
            hired_applications=_flag(Application.stage == Stage.HIRED.value),
        )
        .select_from(Application)
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(_utc_spans(days, Application.submitted_at))
    )
    hire_facts = _hire_facts(session, days)
    hires = source(hire_facts.c.borough_id, hire_facts.c.day, hires=1)
    starts = source(_A.employing_borough_id, _A.start_date, starts=1).where(
        _start(), date_spans(days, _A.start_date)
    )
    leavers = _leaver_facts(days, source)
    milestones = _milestone_facts(session, days, source)
    everything = union_all(applications, hires, starts, leavers, milestones).subquery("events")
    # A record without its event date belongs to no period (and has no day to be stored on).
    dated = _sums(everything, ("borough_id", "day"), FLOW_KEYS).where(everything.c.day.is_not(None))
    return dated.subquery("day_facts")


def _hire_facts(session: Session, days: Days) -> Any:
    """One row per application first hired on one of the days: borough, day, days to hire."""
    bind = session.get_bind()
    first_hire = _first_hires(days)
    hired_on = dialect.london_date(bind, first_hire.c.hired_at)
    return (
        select(
            Vacancy.employing_borough_id.label("borough_id"),
            hired_on.label("day"),
            dialect.days_between(
                bind, dialect.london_date(bind, Application.submitted_at), hired_on
            ).label("days_to_hire"),
        )
        .select_from(first_hire)
        .join(Application, Application.id == first_hire.c.application_id)
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(_utc_spans(days, first_hire.c.hired_at))
        .subquery("hire_facts")
    )


def hire_day_facts(session: Session, days: Days) -> Any:
    """Hires per borough, day of first hire and days from application to hire, counted from
    the records: what the stored hire counts are kept equal to."""
    facts = _hire_facts(session, days)
    return (
        select(
            facts.c.borough_id,
            facts.c.day,
            facts.c.days_to_hire,
            func.count().label("hires"),
        )
        .group_by(facts.c.borough_id, facts.c.day, facts.c.days_to_hire)
        .subquery("hire_day_facts")
    )


def _median_days_to_hire(
    session: Session, period: Period, boroughs: Collection[int] | None, stored: bool
) -> dict[int | None, float | None]:
    """The median days from application to first hire of the hires in the period, per borough
    and for all of them together (ALL), from the counts of hires per number of days."""
    if stored:
        source = report_hire_days
        where = and_(
            source.c.day.between(period.start, period.end),
            _borough_filter(source.c.borough_id, boroughs),
        )
    else:
        source = hire_day_facts(session, [(period.start, period.end)])
        where = _borough_filter(source.c.borough_id, boroughs)
    statement = (
        select(source.c.borough_id, source.c.days_to_hire, func.sum(source.c.hires))
        .where(where)
        .group_by(source.c.borough_id, source.c.days_to_hire)
    )
    counts: dict[int | None, dict[int, int]] = {}
    for borough_id, days, hires in session.execute(statement).all():
        for key in (borough_id, ALL):
            per_days = counts.setdefault(key, {})
            per_days[days] = per_days.get(days, 0) + int(hires)
    return {key: _weighted_median(per_days) for key, per_days in counts.items()}


def _weighted_median(counts: Mapping[int, int]) -> float | None:
    """The median of a multiset given as value → how many times (the mean of the middle two
    values for an even total)."""
    total = sum(counts.values())
    if total == 0:
        return None
    middle = ((total - 1) // 2, total // 2)  # positions, counting from 0
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < 2 and middle[len(found)] < seen:
            found.append(value)
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def _leaver_facts(days: Days, source: Callable[..., Select]) -> Select:
    """Leavers, early leavers, completers, achievers and completers' destinations, on the
    leave date."""
    six = aliased(Outcome, name="six_months")
    twelve = aliased(Outcome, name="twelve_months")
    completer = _completer()

    def known(outcome: Any) -> ColumnElement[bool]:
        return and_(
            completer,
            outcome.destination.is_not(None),
            outcome.destination != Destination.UNKNOWN.value,
        )

    same_council = Destination.SAME_COUNCIL.value
    leave_date = _leave_date()
    return (
        source(
            _A.employing_borough_id,
            leave_date,
            leavers=_flag(_leaver()),
            early_leavers=_flag(_early_leaver()),
            completers=_flag(completer),
            achievers=_flag(_achiever()),
            known_6m=_flag(known(six)),
            in_work_6m=_flag(and_(known(six), six.destination.in_(_IN_WORK_OR_LEARNING))),
            with_council_6m=_flag(and_(known(six), six.destination == same_council)),
            known_12m=_flag(known(twelve)),
            with_council_12m=_flag(and_(known(twelve), twelve.destination == same_council)),
        )
        .outerjoin(
            six, and_(six.apprentice_id == _A.id, six.follow_up == FollowUp.SIX_MONTHS.value)
        )
        .outerjoin(
            twelve,
            and_(twelve.apprentice_id == _A.id, twelve.follow_up == FollowUp.TWELVE_MONTHS.value),
        )
        .where(
            or_(_leaver(), _early_leaver()),
            date_spans(days, leave_date),
            # The same, on indexed columns, so a few days are found without reading everyone.
            or_(date_spans(days, _A.completed_on), date_spans(days, _A.withdrawn_on)),
        )
    )


def _milestone_facts(session: Session, days: Days, source: Callable[..., Select]) -> Select:
    """Milestones on their due date, of apprentices who had started and had not left before
    it; on time when signed off on or before the due date (the London date of the sign-off)."""
    bind = session.get_bind()
    signed_on = dialect.london_date(bind, Milestone.decided_at)
    on_time = and_(
        Milestone.status == MilestoneStatus.SIGNED_OFF.value, signed_on <= Milestone.due_date
    )
    leave_date = _leave_date()
    return (
        source(
            _A.employing_borough_id,
            Milestone.due_date,
            milestones_due=1,
            milestones_on_time=_flag(on_time),
        )
        .select_from(Milestone)
        .join(_A, _A.id == Milestone.apprentice_id)
        .where(
            _started(),
            or_(leave_date.is_(None), leave_date >= Milestone.due_date),
            date_spans(days, Milestone.due_date),
        )
    )


def _empty_stocks(snapshot: bool) -> dict[str, int | None]:
    stocks: dict[str, int | None] = dict.fromkeys(STOCK_KEYS, 0)
    if not snapshot:
        stocks.update(dict.fromkeys(SNAPSHOT_KEYS))
    return stocks


def _stocks(
    session: Session, period: Period, boroughs: Collection[int] | None, today: date
) -> dict[int, dict[str, int | None]]:
    """Active, on a break and mentored on the period's `as_of` date; off-the-job on target and
    reviews overdue from the stored summary, for a period that includes today."""
    day = period.as_of(today)
    active = _active_on(day, today)
    mentored = _mentored_on(day)
    summary = ProgressSummary
    facts = (
        select(
            _A.employing_borough_id.label("borough_id"),
            _flag(active).label("active"),
            _flag(_on_break_on(day, today)).label("on_break"),
            _flag(and_(active, mentored.c.apprentice_id.is_not(None))).label("mentored"),
            _flag(and_(active, summary.approved_hours >= summary.expected_hours)).label(
                "otj_on_target"
            ),
            _flag(and_(active, summary.next_review_due < today)).label("reviews_overdue"),
        )
        .outerjoin(summary, summary.apprentice_id == _A.id)
        .outerjoin(mentored, mentored.c.apprentice_id == _A.id)
        .where(
            # Today only the stored statuses count, so the rest need not be read.
            _A.status.in_((_ACTIVE, _ON_BREAK)) if day >= today else _A.status != _WAITING,
            _borough_filter(_A.employing_borough_id, boroughs),
        )
        .subquery()
    )
    statement = _sums(facts, ("borough_id",), STOCK_KEYS)
    snapshot = period.contains(today)
    result: dict[int, dict[str, int | None]] = {}
    for row in session.execute(statement).mappings():
        values: dict[str, int | None] = {key: int(row[key] or 0) for key in STOCK_KEYS}
        if not snapshot:
            values.update(dict.fromkeys(SNAPSHOT_KEYS))
        result[row["borough_id"]] = values
    return result


# ---------------------------------------------------------------------------------------------
# Presentation under disclosure control

PolicyFactory = Callable[[bool], Policy]
"""Gives the policy for controlled figures (True) or exact ones (False); a page passes
`policy_from_config(current_app.config)` so the settings apply."""

NOT_APPLICABLE = "–"
REPORT_ROLES = frozenset({Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN})


def default_policy(controlled: bool) -> Policy:
    return Policy() if controlled else Policy.exact()


def policy_from_config(config: Mapping[str, Any]) -> PolicyFactory:
    def factory(controlled: bool) -> Policy:
        return Policy.from_config(config, controlled=controlled)

    return factory


def exact_boroughs(viewer: User) -> frozenset[int] | None:
    """The boroughs whose figures the viewer sees exactly; None means every borough and London
    (admins and programme-wide coordinators). A borough lead or coordinator: their own borough.
    Anyone else: none."""
    if viewer.roles.isdisjoint(REPORT_ROLES):
        return frozenset()
    return borough_scope(viewer)


@dataclass(frozen=True)
class Shown:
    """One figure as the viewer may see it: `text` is what to print ("1,235", "[c]", "45%",
    "12.5", "–"); `value` the number shown (None when suppressed or not applicable), for sorting
    and charts; `suppressed` whether it is withheld under disclosure control (then `text` is
    "[c]" and the footnote applies)."""

    value: int | float | None
    text: str
    suppressed: bool = False

    @classmethod
    def of_cell(cls, cell: Cell) -> Shown:
        return cls(cell.value, cell.shown, cell.suppressed)


NOT_RECORDED = Shown(None, NOT_APPLICABLE)


@dataclass(frozen=True)
class Row:
    """One borough's figures (or London's, `borough_id` None) for the period, keyed by the
    `FIGURES` keys: every count, rate and the median days to hire."""

    borough_id: int | None
    name: str
    exact: bool  # shown exactly (the viewer's own borough, or an exact viewer)
    figures: Mapping[str, Shown]

    def __getitem__(self, key: str) -> Shown:
        return self.figures[key]

    @property
    def any_suppressed(self) -> bool:
        return any(shown.suppressed for shown in self.figures.values())


@dataclass(frozen=True)
class Report:
    """The figures for one period as one viewer may see them: a row per borough asked for (in
    name order), the London row (None unless the figures cover every borough), and the
    footnote when anything shown is suppressed. `snapshot` False: the summary-based counts
    (off-the-job on target, reviews overdue) are not available for the period ("–")."""

    period: Period
    as_of: date
    snapshot: bool
    rows: tuple[Row, ...]
    london: Row | None
    footnote: str | None

    def row(self, borough_id: int) -> Row:
        for row in self.rows:
            if row.borough_id == borough_id:
                return row
        raise KeyError(borough_id)

    @property
    def all_rows(self) -> tuple[Row, ...]:
        """The borough rows, then London's."""
        return self.rows + ((self.london,) if self.london is not None else ())


@dataclass(frozen=True)
class _Grid:
    """A protected table of one count: cells per (borough, column), each borough's total over
    the columns, London per column and London's total."""

    cells: Mapping[tuple[int, Hashable], Cell]
    row_totals: Mapping[int, Cell]
    london: Mapping[Hashable, Cell]
    london_total: Cell


def _london_cell(true: int, others: Cell, policy: Policy) -> Cell:
    """London's figure for a viewer who sees some boroughs exactly: withheld whenever the other
    boroughs' total is, since London minus the exact boroughs would give that total away."""
    return Cell(None, true) if others.suppressed else count(true, policy)


def _protect_grid(
    values: Mapping[tuple[int, Hashable], int],
    rows: Sequence[int],
    columns: Sequence[Hashable],
    exact: frozenset[int] | None,
    policies: PolicyFactory,
) -> _Grid:
    """Protect a table of counts (boroughs × columns, with totals) for a viewer who sees the
    `exact` boroughs exactly (None: everything). The controlled boroughs are protected as one
    table with primary and secondary suppression (disclosure.protect_table); the exact ones are
    left out of it, and London follows the controlled boroughs' totals (`_london_cell`)."""
    if exact is None:
        table = protect_table(values, rows, columns, policies(False))
        return _Grid(table.cells, table.row_totals, table.column_totals, table.total)
    controlled, precise = policies(True), policies(False)
    hidden = [row for row in rows if row not in exact]
    table = protect_table(values, hidden, columns, controlled)
    cells = dict(table.cells)
    row_totals = dict(table.row_totals)
    for row in rows:
        if row in exact:
            for column in columns:
                cells[row, column] = count(values.get((row, column), 0), precise)
            row_totals[row] = count(sum(values.get((row, c), 0) for c in columns), precise)
    london = {
        column: _london_cell(
            sum(values.get((row, column), 0) for row in rows),
            table.column_totals[column],
            controlled,
        )
        for column in columns
    }
    grand = sum(values.get((row, column), 0) for row in rows for column in columns)
    return _Grid(cells, row_totals, london, _london_cell(grand, table.total, controlled))


_QUARTERS = (1, 2, 3, 4)
_NOW = "now"


def _count_cells(
    raw: RawFigures, exact: frozenset[int] | None, policies: PolicyFactory
) -> dict[int | None, dict[str, Cell]]:
    """Every count of the report, protected, per borough and for London (key None)."""
    rows = list(raw.boroughs)
    cells: dict[int | None, dict[str, Cell]] = {row: {} for row in [*rows, None]}
    for key in FLOW_KEYS:
        values = {(b, q): raw.flows.get((b, q), {}).get(key, 0) for b in rows for q in _QUARTERS}
        grid = _protect_grid(values, rows, _QUARTERS, exact, policies)
        for row in rows:
            quarter = raw.period.quarter
            cells[row][key] = grid.cells[row, quarter] if quarter else grid.row_totals[row]
        quarter = raw.period.quarter
        cells[None][key] = grid.london[quarter] if quarter else grid.london_total
    for key in STOCK_KEYS:
        values = {(b, _NOW): raw.stocks.get(b, {}).get(key) or 0 for b in rows}
        grid = _protect_grid(values, rows, (_NOW,), exact, policies)
        for row in rows:
            cells[row][key] = grid.cells[row, _NOW]
        cells[None][key] = grid.london[_NOW]
    return cells


def _shown_rate(numerator: Cell, denominator: Cell, policy: Policy) -> Shown:
    """A rate from the counts as shown; "–" when there is nobody to rate (a shown zero)."""
    if denominator.value == 0 and not denominator.suppressed:
        return NOT_RECORDED
    value = rate(numerator, denominator, policy)
    if value is None:
        return Shown(None, SUPPRESSED, True)
    return Shown(value, f"{value}%")


def _shown_median(median: float | None, hires: Cell, policy: Policy) -> Shown:
    """The median days to hire. Under control: only when the hires it rests on are shown and
    at least the minimum denominator (8), and then in whole days."""
    if median is None:
        return NOT_RECORDED
    if policy.controlled:
        if hires.suppressed or hires.true < policy.minimum_denominator:
            return Shown(None, SUPPRESSED, True)
        whole = int(median + 0.5)
        return Shown(whole, f"{whole:,}")
    text = f"{median:,.0f}" if median == int(median) else f"{median:,.1f}"
    return Shown(median, text)


def _row(
    raw: RawFigures,
    borough_id: int | None,
    name: str,
    cells: Mapping[str, Cell],
    policy: Policy,
) -> Row:
    figures: dict[str, Shown] = {}
    for definition in FIGURES:
        key = definition.key
        if definition.kind == "count":
            snapshot_missing = definition.basis == "snapshot" and not raw.snapshot
            figures[key] = NOT_RECORDED if snapshot_missing else Shown.of_cell(cells[key])
        elif definition.kind == "rate":
            numerator, denominator = definition.numerator, definition.denominator
            assert numerator is not None and denominator is not None
            if FIGURE[numerator].basis == "snapshot" and not raw.snapshot:
                figures[key] = NOT_RECORDED
            else:
                figures[key] = _shown_rate(cells[numerator], cells[denominator], policy)
    figures["median_days_to_hire"] = _shown_median(
        raw.median_days_to_hire.get(borough_id), cells["hires"], policy
    )
    return Row(borough_id, name, not policy.controlled, figures)


def report_for(
    viewer: User,
    raw: RawFigures,
    *,
    show: Collection[int] | None = None,
    policy_factory: PolicyFactory = default_policy,
) -> Report:
    """The period's figures as `viewer` may see them: exactly for the boroughs they see exactly
    (`exact_boroughs`), otherwise every count through disclosure control with secondary
    suppression across boroughs, quarters and London, and every rate from the counts as shown
    (none on a denominator under 8). `show` picks the borough rows to return (default: every
    borough in `raw`); protection always covers every borough in `raw`, so the figures shown
    for a borough never depend on which others are shown.

    `raw` must cover every borough (`raw_figures(..., boroughs=None)`) unless the viewer sees
    every borough in it exactly; then there is no London row."""
    exact = exact_boroughs(viewer)
    if not raw.all_boroughs and exact is not None and not set(raw.boroughs) <= exact:
        raise ValueError("figures under disclosure control must cover every borough")
    cells = _count_cells(raw, exact, policy_factory)
    controlled, precise = policy_factory(True), policy_factory(False)
    wanted = set(raw.boroughs) if show is None else set(show)
    rows = tuple(
        _row(raw, b, name, cells[b], precise if exact is None or b in exact else controlled)
        for b, name in raw.boroughs.items()
        if b in wanted
    )
    london = None
    if raw.all_boroughs:
        london = _row(raw, None, "London", cells[None], precise if exact is None else controlled)
    everything = rows + ((london,) if london is not None else ())
    return Report(
        period=raw.period,
        as_of=raw.as_of,
        snapshot=raw.snapshot,
        rows=rows,
        london=london,
        footnote=FOOTNOTE if any(row.any_suppressed for row in everything) else None,
    )


def funnel(row: Row) -> list[tuple[Definition, Shown]]:
    """The recruitment funnel's steps for one row, in order (applications → eligible → local →
    hired); the row's "median_days_to_hire" goes beside it."""
    return [(FIGURE[key], row[key]) for key in FUNNEL]


# ---------------------------------------------------------------------------------------------
# Trends by cohort start quarter

TREND_FIGURES: tuple[Definition, ...] = (
    _count("starts", "Starts", "programme", "flow", FIGURE["starts"].description),
    _count(
        "cohort_leavers",
        "Leavers",
        "outcomes",
        "flow",
        "Of the starts in the quarter, those who have since left (completed or withdrew, not "
        "within the 42-day qualifying period).",
    ),
    _count(
        "cohort_achievers",
        "Achievers",
        "outcomes",
        "flow",
        "Of the starts in the quarter, those who have since completed.",
    ),
)
TREND_KEYS: tuple[str, ...] = tuple(figure.key for figure in TREND_FIGURES)


@dataclass(frozen=True)
class RawTrends:
    """Exact starts, leavers and achievers per borough and quarter of start (by quarter index,
    `Period.index`), over the financial years `years` (oldest first)."""

    today: date
    years: tuple[Period, ...]
    boroughs: Mapping[int, str]
    all_boroughs: bool
    counts: Mapping[tuple[int, int], Mapping[str, int]]

    @property
    def quarters(self) -> tuple[Period, ...]:
        """The quarters shown: those begun by today, oldest first."""
        return tuple(
            quarter
            for year in self.years
            for quarter in year.quarters()
            if quarter.start <= self.today
        )

    def count(self, key: str, quarter: Period, borough_id: int | None = ALL) -> int:
        ids = list(self.boroughs) if borough_id is ALL else [borough_id]
        return sum(self.counts.get((i, quarter.index), {}).get(key, 0) for i in ids)


def raw_trends(
    session: Session, boroughs: Collection[int] | None = None, *, today: date
) -> RawTrends:
    """Starts per quarter of start over the last five financial years, with how many of those
    starters have since left and achieved, per borough: two queries."""
    names = _borough_names(session, boroughs)
    current = Period.financial_year_of(today)
    years = tuple(Period(current.year - back) for back in reversed(range(FINANCIAL_YEARS_OFFERED)))
    facts = (
        select(
            _A.employing_borough_id.label("borough_id"),
            dialect.financial_quarter_index(_A.start_date).label("quarter"),
            literal(1).label("starts"),
            _flag(_leaver()).label("cohort_leavers"),
            _flag(_achiever()).label("cohort_achievers"),
        )
        .where(
            _start(),
            _A.start_date.between(years[0].start, years[-1].end),
            _borough_filter(_A.employing_borough_id, boroughs),
        )
        .subquery()
    )
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for row in session.execute(_sums(facts, ("borough_id", "quarter"), TREND_KEYS)).mappings():
        counts[row["borough_id"], row["quarter"]] = {key: int(row[key] or 0) for key in TREND_KEYS}
    return RawTrends(today, years, names, boroughs is None, counts)


@dataclass(frozen=True)
class TrendRow:
    """One borough's (or London's, `borough_id` None) series: for each `TREND_KEYS` key, one
    figure per quarter of `TrendReport.quarters`."""

    borough_id: int | None
    name: str
    exact: bool
    series: Mapping[str, tuple[Shown, ...]]

    def __getitem__(self, key: str) -> tuple[Shown, ...]:
        return self.series[key]


@dataclass(frozen=True)
class TrendReport:
    quarters: tuple[Period, ...]
    rows: tuple[TrendRow, ...]
    london: TrendRow | None
    footnote: str | None

    def row(self, borough_id: int) -> TrendRow:
        for row in self.rows:
            if row.borough_id == borough_id:
                return row
        raise KeyError(borough_id)


def trends_for(
    viewer: User,
    raw: RawTrends,
    *,
    show: Collection[int] | None = None,
    policy_factory: PolicyFactory = default_policy,
) -> TrendReport:
    """The trends as `viewer` may see them, protected per financial year exactly as
    `report_for` protects a year and its quarters (so a quarter's starts read the same here and
    in the report for that quarter)."""
    exact = exact_boroughs(viewer)
    if not raw.all_boroughs and exact is not None and not set(raw.boroughs) <= exact:
        raise ValueError("figures under disclosure control must cover every borough")
    rows = list(raw.boroughs)
    cells: dict[tuple[int | None, str, int], Cell] = {}
    for year in raw.years:
        for key in TREND_KEYS:
            values = {
                (b, q): raw.counts.get((b, year.index + q - 1), {}).get(key, 0)
                for b in rows
                for q in _QUARTERS
            }
            grid = _protect_grid(values, rows, _QUARTERS, exact, policy_factory)
            for q in _QUARTERS:
                for b in rows:
                    cells[b, key, year.index + q - 1] = grid.cells[b, q]
                cells[None, key, year.index + q - 1] = grid.london[q]
    quarters = raw.quarters

    def trend_row(borough_id: int | None, name: str, is_exact: bool) -> TrendRow:
        series = {
            key: tuple(Shown.of_cell(cells[borough_id, key, q.index]) for q in quarters)
            for key in TREND_KEYS
        }
        return TrendRow(borough_id, name, is_exact, series)

    wanted = set(rows) if show is None else set(show)
    trend_rows = tuple(
        trend_row(b, name, exact is None or b in exact)
        for b, name in raw.boroughs.items()
        if b in wanted
    )
    london = trend_row(None, "London", exact is None) if raw.all_boroughs else None
    shown = [*trend_rows, *([london] if london is not None else [])]
    suppressed = any(
        s.suppressed for row in shown for values in row.series.values() for s in values
    )
    return TrendReport(quarters, trend_rows, london, FOOTNOTE if suppressed else None)


# ---------------------------------------------------------------------------------------------
# Equality breakdowns: always under disclosure control, for every viewer

MEASURES: dict[str, str] = {
    "applicants": "Applicants",
    "hires": "Hires",
    "completers": "Completers",
}
NOT_KNOWN = "not_known"


@dataclass(frozen=True)
class Question:
    """An equality monitoring question and its fixed categories (each a group of stored
    answers). Not answered, no record, or a record whose owner objected: "Not known"."""

    key: str
    label: str
    categories: tuple[tuple[str, str], ...]  # (key, label), "Not known" last
    answers: Mapping[str, tuple[str, ...]] = field(repr=False)  # category → stored answers


def _simple_question(key: str, label: str, choices: Iterable[tuple[str, str]]) -> Question:
    choices = tuple(choices)
    return Question(
        key,
        label,
        (*choices, (NOT_KNOWN, "Not known")),
        {value: (value,) for value, _ in choices},
    )


def _ethnic_group_question() -> Question:
    """The five broad ONS 2021 groups (fixed, coarser groupings keep cells larger)."""
    categories: list[tuple[str, str]] = []
    answers: dict[str, tuple[str, ...]] = {}
    for group, choices in ETHNIC_GROUPS:
        key = choices[0][0].split("_")[0]
        categories.append((key, group))
        answers[key] = tuple(value for value, _ in choices)
    categories.append((PREFER_NOT_TO_SAY, "Prefer not to say"))
    answers[PREFER_NOT_TO_SAY] = (PREFER_NOT_TO_SAY,)
    return Question(
        "ethnic_group", "Ethnic group", (*categories, (NOT_KNOWN, "Not known")), answers
    )


QUESTIONS: dict[str, Question] = {
    question.key: question
    for question in (
        _simple_question("gender", "Gender", GENDERS),
        _ethnic_group_question(),
        _simple_question("disability", "Disability", YES_NO_PREFER_NOT),
        _simple_question("care_experience", "Care experience", YES_NO_PREFER_NOT),
    )
}


@dataclass(frozen=True)
class RawEquality:
    """Exact counts per (measure, question, category, borough id) for a financial year, over
    every borough. Never shown as they are: `equality_table` controls them."""

    period: Period
    boroughs: Mapping[int, str]
    counts: Mapping[tuple[str, str, str, int], int]

    def count(
        self, measure: str, question: str, category: str, borough_id: int | None = ALL
    ) -> int:
        ids = list(self.boroughs) if borough_id is ALL else [borough_id]
        return sum(self.counts.get((measure, question, category, i), 0) for i in ids)


def _people(session: Session, days: Days, boroughs: Collection[int] | None) -> Any:
    """(measure, borough_id, application_id, day): the applicants (on the London date of the
    application), the hires (of the first move to hired) and the completers (on the leave date;
    an apprentice not hired through an application has no monitoring answers)."""
    bind = session.get_bind()
    first = _first_hires(days)

    def measure(name: str) -> Any:
        return cast(literal(name), String(12)).label("measure")

    applicants = (
        select(
            measure("applicants"),
            Vacancy.employing_borough_id.label("borough_id"),
            Application.id.label("application_id"),
            dialect.london_date(bind, Application.submitted_at).label("day"),
        )
        .select_from(Application)
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(
            _utc_spans(days, Application.submitted_at),
            _borough_filter(Vacancy.employing_borough_id, boroughs),
        )
    )
    hires = (
        select(
            measure("hires"),
            Vacancy.employing_borough_id,
            Application.id,
            dialect.london_date(bind, first.c.hired_at),
        )
        .select_from(first)
        .join(Application, Application.id == first.c.application_id)
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(
            _utc_spans(days, first.c.hired_at),
            _borough_filter(Vacancy.employing_borough_id, boroughs),
        )
    )
    leave_date = _leave_date()
    completers = (
        select(measure("completers"), _A.employing_borough_id, Application.id, leave_date)
        .select_from(_A)
        .outerjoin(Application, Application.apprentice_id == _A.id)
        .where(
            _completer(),
            leave_date.is_not(None),
            date_spans(days, leave_date),
            or_(date_spans(days, _A.completed_on), date_spans(days, _A.withdrawn_on)),
            _borough_filter(_A.employing_borough_id, boroughs),
        )
    )
    return union_all(applicants, hires, completers).subquery("people")


def equality_month_facts(
    session: Session, days: Days, boroughs: Collection[int] | None = None
) -> Any:
    """People per month, borough, measure, monitoring question and category, counted from the
    records (people counted on one of `days`, in one of `boroughs`, None: all): the definition
    the stored equality counts are kept equal to. Records whose owner objected are not used."""
    bind = session.get_bind()
    people = _people(session, days, boroughs)
    monitoring = EqualityMonitoring
    joined = and_(
        monitoring.application_id == people.c.application_id, monitoring.objected.is_(False)
    )
    # Each person's answers are joined once (a CTE, so PostgreSQL computes it once), then read
    # question by question.
    answered = (
        select(
            dialect.month_start(bind, people.c.day).label("month"),
            people.c.measure,
            people.c.borough_id,
            *(getattr(monitoring, key).label(key) for key in QUESTIONS),
        )
        .select_from(people)
        .outerjoin(monitoring, joined)
        .cte("answered")
    )
    per_question = []
    for question in QUESTIONS.values():
        answer = answered.c[question.key]
        category = case(
            *((answer.in_(values), key) for key, values in question.answers.items()),
            else_=NOT_KNOWN,
        )
        per_question.append(
            select(
                answered.c.month,
                answered.c.borough_id,
                answered.c.measure,
                cast(literal(question.key), String(20)).label("question"),
                category.label("category"),
            )
        )
    facts = union_all(*per_question).subquery("equality_facts")
    keys = (facts.c.month, facts.c.borough_id, facts.c.measure, facts.c.question, facts.c.category)
    return select(*keys, func.count().label("people")).group_by(*keys).subquery("equality_months")


def raw_equality(session: Session, period: Period) -> RawEquality:
    """Applicants, hires and completers of a financial year by each monitoring answer, per
    borough, for every borough (three queries): from the counts stored per month, or from the
    records while those have not been built."""
    if not period.is_year:
        raise ValueError("equality breakdowns are by financial year only")
    names = _borough_names(session, None)
    if facts_built(session):
        source: Any = report_equality_months
        where = source.c.month.between(period.start, period.end)
    else:
        source = equality_month_facts(session, [(period.start, period.end)])
        where = and_(True)
    keys = (source.c.measure, source.c.question, source.c.category, source.c.borough_id)
    statement = select(*keys, func.sum(source.c.people).label("n")).where(where).group_by(*keys)
    counts = {
        (row.measure, row.question, row.category, row.borough_id): int(row.n)
        for row in session.execute(statement)
    }
    return RawEquality(period, names, counts)


@dataclass(frozen=True)
class EqualityTable:
    """One measure by one question's categories (rows) and borough (columns), with London per
    category and each borough's total, all under disclosure control with secondary
    suppression. The page may show some borough columns only; the protection covers all."""

    period: Period
    question: Question
    measure: str
    measure_label: str
    boroughs: Mapping[int, str]
    cells: Mapping[tuple[str, int], Shown]  # (category, borough id)
    london: Mapping[str, Shown]  # per category
    borough_totals: Mapping[int, Shown]
    total: Shown

    def footnote_for(self, borough_ids: Collection[int] | None = None) -> str | None:
        """The footnote if anything in the columns shown (default all) or London's is
        suppressed."""
        ids = set(self.boroughs) if borough_ids is None else set(borough_ids)
        shown = [s for (_, b), s in self.cells.items() if b in ids]
        shown += [s for b, s in self.borough_totals.items() if b in ids]
        shown += [*self.london.values(), self.total]
        return FOOTNOTE if any(s.suppressed for s in shown) else None


def equality_table(
    raw: RawEquality,
    question: str,
    measure: str,
    *,
    policy_factory: PolicyFactory = default_policy,
) -> EqualityTable:
    """The breakdown of a measure ("applicants", "hires", "completers") by a question
    ("gender", "ethnic_group", "disability", "care_experience"): always controlled, whoever
    views it, the viewer's own borough included."""
    asked = QUESTIONS[question]
    policy = policy_factory(True)
    categories = [key for key, _ in asked.categories]
    columns = list(raw.boroughs)
    values = {
        (category, b): raw.counts.get((measure, question, category, b), 0)
        for category in categories
        for b in columns
    }
    table = protect_table(values, categories, columns, policy)
    return EqualityTable(
        period=raw.period,
        question=asked,
        measure=measure,
        measure_label=MEASURES[measure],
        boroughs=raw.boroughs,
        cells={key: Shown.of_cell(cell) for key, cell in table.cells.items()},  # type: ignore[misc]
        london={c: Shown.of_cell(cell) for c, cell in table.row_totals.items()},  # type: ignore[misc]
        borough_totals={b: Shown.of_cell(cell) for b, cell in table.column_totals.items()},  # type: ignore[misc]
        total=Shown.of_cell(table.total),
    )
