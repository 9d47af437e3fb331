"""Open data: aggregate figures anyone may download and a city data store may publish as is.

Four files (`DATASETS`), each as CSV and JSON: every borough and London as a whole, per
financial year and per quarter, for the financial years the reports offer
(app.domain.reports.periods): applications and the local share, starts, active apprentices,
leavers, achievements, and progression into work or learning. The figures are counted as the
reports count them (the conditions are app.domain.reports' own), in a fixed number of queries.

Everyone gets the same, controlled figures, admins included: never exact counts. Every count
goes through app.domain.disclosure. Counts that add up over quarters are protected per
financial year as one table of boroughs × quarters, with each borough's year as the row total
and London as the column total (`protect_table`, with secondary suppression), so no suppressed
cell can be recovered from London's figures or from the quarters against the year; active
apprentices (counted on a day) are protected per day as boroughs with London as the total.
Rates are worked out from the counts as shown.

Three layers: `raw_open_data` (exact counts, never shown), `publish` (the controlled figures)
and `rows` (a file's rows, generated one at a time so downloads stream). `DICTIONARY` describes
every column; `data_version` says when the figures last changed (for ETag and Last-Modified),
in one query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from app import dialect
from app.clock import LONDON as LONDON_TIME
from app.domain import destinations, reports
from app.domain.disclosure import SUPPRESSED, Cell, Policy, protect_table, rate
from app.domain.reports import Period
from app.models import (
    Application,
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    Borough,
    Destination,
    FollowUp,
    Outcome,
    Vacancy,
)

# Bump when the files' columns or their meaning change, so cached copies are replaced.
FORMAT_VERSION = 1
LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# The ONS code of the London region (the 33 local authorities together).
LONDON_CODE = "E12000007"
LONDON_NAME = "London"
LONDON = None  # the key of London's figures, beside the borough ids

# ---------------------------------------------------------------------------------------------
# The files and their columns

ColumnType = Literal["text", "date", "count", "percentage"]
TYPE_MEANINGS: dict[str, str] = {
    "text": "Text.",
    "date": "A date, YYYY-MM-DD.",
    "count": f'A whole number of people, or "{SUPPRESSED}" when withheld.',
    "percentage": (
        f'A whole percentage (0 to 100), "{SUPPRESSED}" when withheld, or empty (null in JSON) '
        "when there is nobody to count it over."
    ),
}
Rule = Literal["count", "rate", "none"]
RULE_NAMES: dict[str, str] = {"count": "Count rule", "rate": "Rate rule", "none": "None"}


def rule_texts(policy: Policy) -> dict[str, str]:
    """What each disclosure rule says, with the policy's settings."""
    return {
        "count": (
            f'Counts of 1 to {policy.threshold} people are withheld ("{SUPPRESSED}"); other '
            f"counts are rounded to the nearest {policy.rounding_base}; true zeros are shown as 0. "
            "A count is also withheld when it could be worked out from the figures shown (from "
            "London's total, or from the quarters and the year)."
        ),
        "rate": (
            "A whole percentage worked out from the rounded counts; withheld when either count is "
            f"withheld or the count it is a share of is under {policy.minimum_denominator}."
        ),
        "none": "Describes the row, not people.",
    }


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    meaning: str
    rule: Rule
    values: tuple[str, ...] = ()  # the only values a text column takes, when fixed


DICTIONARY: tuple[Column, ...] = (
    Column(
        "period_type",
        "text",
        'The kind of period: "financial_year" (1 April to 31 March) or "quarter".',
        "none",
        ("financial_year", "quarter"),
    ),
    Column(
        "period",
        "text",
        'The period: "2025-26" for the financial year from 1 April 2025, "2025-26-q1" for its '
        "first quarter (April to June 2025).",
        "none",
    ),
    Column("period_start", "date", "The first day of the period.", "none"),
    Column("period_end", "date", "The last day of the period.", "none"),
    Column(
        "status",
        "text",
        '"final" once the period has ended; "provisional" while it is under way (the figures '
        "may still change).",
        "none",
        ("final", "provisional"),
    ),
    Column(
        "area_code",
        "text",
        f"The ONS code of the borough (E09000001 to E09000033), or {LONDON_CODE} for London as "
        "a whole.",
        "none",
    ),
    Column("area_name", "text", 'The borough, or "London".', "none"),
    Column(
        "applications",
        "count",
        "Applications made in the period to the borough's apprenticeship vacancies.",
        "count",
    ),
    Column(
        "local_applications",
        "count",
        "Of those, applications from residents of the borough (for London: each from a "
        "resident of the borough they applied to).",
        "count",
    ),
    Column(
        "local_share_percent",
        "percentage",
        "Local applications as a share of applications.",
        "rate",
    ),
    Column(
        "starts",
        "count",
        "Apprentices the borough employs whose start date is in the period; not those who left "
        "within the 42-day qualifying period.",
        "count",
    ),
    Column(
        "active",
        "count",
        "Apprentices in learning (not on a break) on the period's last day, or on the day the "
        "figures were produced while the period is under way.",
        "count",
    ),
    Column(
        "leavers",
        "count",
        "Apprentices who completed or withdrew in the period; not withdrawals within the 42-day "
        "qualifying period.",
        "count",
    ),
    Column(
        "achievements",
        "count",
        "Of those, apprentices who completed (passed their end-point assessment).",
        "count",
    ),
    Column(
        "achievement_rate_percent",
        "percentage",
        "Achievements as a share of leavers.",
        "rate",
    ),
    Column(
        "known_destinations_6_months",
        "count",
        "Apprentices who finished their apprenticeship in the period (completed, or withdrew "
        "after not achieving the end-point assessment) whose destination 6 months on is known.",
        "count",
    ),
    Column(
        "progressions_6_months",
        "count",
        "Of those, apprentices in work (with any employer) or in further learning 6 months on.",
        "count",
    ),
    Column(
        "progression_rate_percent",
        "percentage",
        "Progressions into work or learning as a share of known destinations at 6 months.",
        "rate",
    ),
)
COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in DICTIONARY)

# Counts that add up over the quarters of a year, and the one counted on a day.
FLOW_MEASURES: tuple[str, ...] = (
    "applications",
    "local_applications",
    "starts",
    "leavers",
    "achievements",
    "known_destinations_6_months",
    "progressions_6_months",
)
STOCK_MEASURE = "active"
# Each rate: (numerator, denominator).
RATES: dict[str, tuple[str, str]] = {
    "local_share_percent": ("local_applications", "applications"),
    "achievement_rate_percent": ("achievements", "leavers"),
    "progression_rate_percent": ("progressions_6_months", "known_destinations_6_months"),
}

Level = Literal["borough", "london"]
PeriodType = Literal["financial_year", "quarter"]


@dataclass(frozen=True)
class Dataset:
    slug: str  # in the file's URL and name
    title: str
    level: Level
    period_type: PeriodType

    @property
    def description(self) -> str:
        areas = "Each London borough" if self.level == "borough" else "London as a whole"
        periods = "financial year" if self.period_type == "financial_year" else "quarter"
        return f"{areas}, per {periods}."


DATASETS: tuple[Dataset, ...] = (
    Dataset("borough-financial-year", "Boroughs by financial year", "borough", "financial_year"),
    Dataset("borough-quarter", "Boroughs by quarter", "borough", "quarter"),
    Dataset("london-financial-year", "London by financial year", "london", "financial_year"),
    Dataset("london-quarter", "London by quarter", "london", "quarter"),
)
DATASET: dict[str, Dataset] = {dataset.slug: dataset for dataset in DATASETS}


@dataclass(frozen=True)
class Area:
    code: str
    name: str


# ---------------------------------------------------------------------------------------------
# Raw figures (exact; never shown as they are)


@dataclass(frozen=True)
class RawOpenData:
    """Exact counts. `flows`: (measure, borough id, quarter index `Period.index`) → count, over
    `years`; `stocks`: (borough id, day) → active apprentices on the day, for each period's
    `as_of` day. Missing keys are zeros."""

    today: date
    boroughs: Mapping[int, Area]  # in name order
    flows: Mapping[tuple[str, int, int], int]
    stocks: Mapping[tuple[int, date], int]

    @property
    def years(self) -> tuple[Period, ...]:
        return published_years(self.today)


def _start_of(period: Period) -> date:
    return period.start


def published_years(today: date) -> tuple[Period, ...]:
    """The financial years published: those the reports offer, oldest first."""
    return tuple(sorted((p for p in reports.periods(today) if p.is_year), key=_start_of))


def published_quarters(today: date) -> tuple[Period, ...]:
    """Their quarters that have begun, oldest first."""
    return tuple(sorted((p for p in reports.periods(today) if not p.is_year), key=_start_of))


def _stock_days(today: date) -> tuple[date, ...]:
    periods = [*published_years(today), *published_quarters(today)]
    return tuple(sorted({period.as_of(today) for period in periods}))


def _flag(condition: ColumnElement[bool]) -> Any:
    return case((condition, 1), else_=0)


def _grouped(facts: Any, measures: tuple[str, ...]) -> Any:
    return select(
        facts.c.borough_id,
        facts.c.quarter,
        *(func.sum(facts.c[m]).label(m) for m in measures),
    ).group_by(facts.c.borough_id, facts.c.quarter)


def raw_open_data(session: Session, *, today: date) -> RawOpenData:
    """Exact counts for every borough and published period: five queries, whatever the data
    size. Who counts as what is app.domain.reports' (and app.domain.destinations')."""
    names = session.execute(
        select(Borough.id, Borough.ons_code, Borough.name).order_by(Borough.name)
    ).all()
    boroughs = {borough_id: Area(code, name) for borough_id, code, name in names}
    years = published_years(today)
    first, last = years[0], years[-1]
    flows: dict[tuple[str, int, int], int] = {}
    for statement, measures in _flow_queries(session, first, last):
        for row in session.execute(statement).mappings():
            for measure in measures:
                key = (measure, row["borough_id"], row["quarter"])
                flows[key] = flows.get(key, 0) + int(row[measure] or 0)
    return RawOpenData(today, boroughs, flows, _stocks(session, today))


def _flow_queries(session: Session, first: Period, last: Period) -> list[tuple[Any, tuple]]:
    bind = session.get_bind()
    start, end = first.utc_bounds()[0], last.utc_bounds()[1]
    applications = (
        select(
            Vacancy.employing_borough_id.label("borough_id"),
            dialect.financial_quarter_index(
                dialect.london_date(bind, Application.submitted_at)
            ).label("quarter"),
            literal(1).label("applications"),
            _flag(Application.is_local).label("local_applications"),
        )
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(Application.submitted_at >= start, Application.submitted_at < end)
        .subquery()
    )
    starts = (
        select(
            Apprentice.employing_borough_id.label("borough_id"),
            dialect.financial_quarter_index(Apprentice.start_date).label("quarter"),
            literal(1).label("starts"),
        )
        .where(reports._start(), Apprentice.start_date.between(first.start, last.end))
        .subquery()
    )
    # As app.domain.reports counts leavers, achievers and completers' known destinations.
    six = aliased(Outcome, name="six_months")
    known = and_(
        destinations.completer_condition(),
        six.destination.is_not(None),
        six.destination != Destination.UNKNOWN.value,
    )
    leave_date = reports._leave_date()
    leaver = destinations.leaver_condition()
    leavers = (
        select(
            Apprentice.employing_borough_id.label("borough_id"),
            dialect.financial_quarter_index(leave_date).label("quarter"),
            literal(1).label("leavers"),
            _flag(destinations.achiever_condition()).label("achievements"),
            _flag(known).label("known_destinations_6_months"),
            _flag(and_(known, six.destination.in_(reports._IN_WORK_OR_LEARNING))).label(
                "progressions_6_months"
            ),
        )
        .outerjoin(
            six,
            and_(six.apprentice_id == Apprentice.id, six.follow_up == FollowUp.SIX_MONTHS.value),
        )
        .where(leaver, leave_date.between(first.start, last.end))
        .subquery()
    )
    return [
        (_grouped(applications, ("applications", "local_applications")), FLOW_MEASURES[:2]),
        (_grouped(starts, ("starts",)), ("starts",)),
        (_grouped(leavers, FLOW_MEASURES[3:]), FLOW_MEASURES[3:]),
    ]


def _stocks(session: Session, today: date) -> dict[tuple[int, date], int]:
    """Active apprentices per borough on each day a published period is counted on: one
    query, a column per day."""
    days = _stock_days(today)
    statement = (
        select(
            Apprentice.employing_borough_id,
            *(
                func.sum(_flag(reports._active_on(day, today))).label(f"day_{i}")
                for i, day in enumerate(days)
            ),
        )
        .where(Apprentice.status != ApprenticeStatus.WAITING_TO_START.value)
        .group_by(Apprentice.employing_borough_id)
    )
    stocks: dict[tuple[int, date], int] = {}
    for row in session.execute(statement).all():
        for i, day in enumerate(days):
            stocks[row[0], day] = int(row[i + 1] or 0)
    return stocks


# ---------------------------------------------------------------------------------------------
# Controlled figures


@dataclass(frozen=True)
class OpenData:
    """The figures as published: a protected `Cell` per (area: borough id or LONDON, period,
    count measure)."""

    today: date
    boroughs: Mapping[int, Area]
    years: tuple[Period, ...]
    quarters: tuple[Period, ...]
    counts: Mapping[tuple[int | None, Period, str], Cell]

    def periods(self, period_type: PeriodType) -> tuple[Period, ...]:
        return self.years if period_type == "financial_year" else self.quarters


# Every borough reads these tables knowing its own figures exactly, so a line with hidden
# figures hides at least three: knowing one still leaves two that cannot be told apart.
HIDDEN_PER_LINE = 3


def publish(raw: RawOpenData, policy: Policy) -> OpenData:
    """Every count under disclosure control (see the module's notes); refuses an exact
    policy, since open data is never exact."""
    if not policy.controlled:
        raise ValueError("open data is always under disclosure control")
    boroughs = list(raw.boroughs)
    years = raw.years
    quarters = published_quarters(raw.today)
    counts: dict[tuple[int | None, Period, str], Cell] = {}
    for year in years:
        begun = [q for q in year.quarters() if q in quarters]
        for measure in FLOW_MEASURES:
            values = {
                (b, q): raw.flows.get((measure, b, year.index + q - 1), 0)
                for b in boroughs
                for q in (1, 2, 3, 4)
            }
            table = protect_table(
                values, boroughs, (1, 2, 3, 4), policy, hidden_per_line=HIDDEN_PER_LINE
            )
            counts[LONDON, year, measure] = table.total
            for b in boroughs:
                counts[b, year, measure] = table.row_totals[b]
            for quarter in begun:
                counts[LONDON, quarter, measure] = table.column_totals[quarter.quarter]
                for b in boroughs:
                    counts[b, quarter, measure] = table.cells[b, quarter.quarter]
    # Active on a day: one table per day, so a year and its last quarter (the same day) agree.
    for day in _stock_days(raw.today):
        values = {(b, day): raw.stocks.get((b, day), 0) for b in boroughs}
        table = protect_table(values, boroughs, (day,), policy, hidden_per_line=HIDDEN_PER_LINE)
        for period in (*years, *quarters):
            if period.as_of(raw.today) != day:
                continue
            counts[LONDON, period, STOCK_MEASURE] = table.column_totals[day]
            for b in boroughs:
                counts[b, period, STOCK_MEASURE] = table.cells[b, day]
    return OpenData(raw.today, raw.boroughs, years, quarters, counts)


def _rate_value(numerator: Cell, denominator: Cell, policy: Policy) -> int | str | None:
    """A rate as published: None when there is nobody to rate (a true zero shown)."""
    if denominator.value == 0:
        return None
    value = rate(numerator, denominator, policy)
    return SUPPRESSED if value is None else value


def rows(data: OpenData, dataset: Dataset, policy: Policy) -> Iterator[tuple[Any, ...]]:
    """The file's rows in `COLUMN_NAMES` order, oldest period first, boroughs by name: counts
    as whole numbers or "[c]", rates as whole numbers, "[c]" or None."""
    areas: list[tuple[int | None, Area]] = (
        list(data.boroughs.items())
        if dataset.level == "borough"
        else [(LONDON, Area(LONDON_CODE, LONDON_NAME))]
    )
    for period in data.periods(dataset.period_type):
        status = "final" if period.end < data.today else "provisional"
        for key, area in areas:
            values: dict[str, Any] = {
                "period_type": dataset.period_type,
                "period": period.slug,
                "period_start": period.start,
                "period_end": period.end,
                "status": status,
                "area_code": area.code,
                "area_name": area.name,
            }
            for measure in (*FLOW_MEASURES, STOCK_MEASURE):
                cell = data.counts[key, period, measure]
                values[measure] = SUPPRESSED if cell.suppressed else cell.value
            for name, (numerator, denominator) in RATES.items():
                values[name] = _rate_value(
                    data.counts[key, period, numerator],
                    data.counts[key, period, denominator],
                    policy,
                )
            yield tuple(values[name] for name in COLUMN_NAMES)


def metadata(dataset: Dataset, version: DataVersion, policy: Policy) -> dict[str, Any]:
    """What the JSON file says about itself before its rows."""
    return {
        "title": f"Digital apprenticeships with London councils – {dataset.title}",
        "dataset": dataset.slug,
        "description": dataset.description,
        "format_version": FORMAT_VERSION,
        "last_modified": version.last_modified.isoformat(),
        "licence": {"name": LICENCE, "url": LICENCE_URL},
        "disclosure_control": {
            "threshold": policy.threshold,
            "rounding_base": policy.rounding_base,
            "minimum_denominator": policy.minimum_denominator,
            "suppressed": SUPPRESSED,
            "rules": rule_texts(policy),
        },
        "columns": [
            {
                "name": column.name,
                "type": column.type,
                "meaning": column.meaning,
                "disclosure_rule": column.rule,
                **({"values": list(column.values)} if column.values else {}),
            }
            for column in DICTIONARY
        ],
    }


# ---------------------------------------------------------------------------------------------
# When the figures last changed


@dataclass(frozen=True)
class DataVersion:
    etag: str
    last_modified: datetime


# Every table the figures are counted from.
_SOURCES = (Application, Vacancy, Apprentice, ApprenticeStatusEvent, Outcome, Borough)


def data_version(session: Session, policy: Policy, *, today: date) -> DataVersion:
    """An ETag that changes whenever the figures may have (a row added, changed or removed in
    any table they are counted from, a new quarter begun, the disclosure settings), and the
    time they last changed: one query. Between quarters the figures depend on stored data
    only (a period under way is counted on its stored statuses), so the date alone does not
    change them."""
    columns = []
    for model in _SOURCES:
        columns.append(select(func.max(model.updated_at)).scalar_subquery())
        columns.append(select(func.count()).select_from(model).scalar_subquery())
    values = session.execute(select(*columns)).one()
    quarter = Period.quarter_of(today)
    fingerprint = repr(
        (
            FORMAT_VERSION,
            quarter.index,
            (policy.threshold, policy.rounding_base, policy.minimum_denominator),
            tuple(_text(value) for value in values),
        )
    )
    etag = hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
    changes = [_moment(value) for value in values[0::2]]
    quarter_began = datetime.combine(quarter.start, datetime.min.time(), tzinfo=LONDON_TIME)
    last_modified = max([*(c for c in changes if c is not None), quarter_began.astimezone(UTC)])
    return DataVersion(etag, last_modified.replace(microsecond=0))


def _text(value: Any) -> str:
    moment = _moment(value)
    return moment.isoformat() if moment is not None else str(value)


def _moment(value: Any) -> datetime | None:
    """A timestamp from max(updated_at): aware UTC (SQLite may give the stored text)."""
    if value is None or isinstance(value, int):
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
