"""Scaling: what a borough could expect from adopting the programme at a given intake.

`project` is a pure function: observed rates times intake, each with a 95% Wilson score
interval, so the range is wide when the rates rest on few people and narrows as they rest on
more. `observed_rates` gathers the rates from the database: the chosen borough's own when it has
at least `PROJECTION_OWN_RATES_MIN_STARTS` starts, otherwise pooled over the partner boroughs,
with their counts under disclosure control for a viewer who may not see them exactly.

The chain, per intake (DESIGN.md's definitions, as the reports count them):

- starts: the intake;
- completions: starts × completion rate (completers ÷ leavers, the reports' retention rate);
- achievements: starts × achievement rate (achievers ÷ leavers);
- progressions into work or learning: completions × progression rate (completers in work or
  further learning at 6 months ÷ completers with a known destination then);
- staying with the council: completions × the share with the same council at 6 months.

A figure's low and high ends multiply the low and high ends of the rates it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.domain import destinations
from app.domain.disclosure import Cell, Policy, count
from app.domain.reports import _A as A
from app.domain.reports import PolicyFactory, Shown, default_policy, exact_boroughs
from app.domain.reports import _start as counted_start
from app.models import Borough, Destination, FollowUp, Outcome, User

Z_95 = 1.959963984540054  # the standard normal quantile for a two-sided 95% interval
MAXIMUM_INTAKE = 1_000
MAXIMUM_YEARS = 10
RATE_KEYS = ("completion", "achievement", "progression", "with_council")
RATE_LABELS = {
    "completion": "Completion (completers ÷ leavers)",
    "achievement": "Achievement (achievers ÷ leavers)",
    "progression": "Progression into work or learning at 6 months (÷ completers with a known "
    "destination)",
    "with_council": "With the council at 6 months (÷ completers with a known destination)",
}


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a proportion: (0, 1) when there are no trials."""
    if not 0 <= successes <= trials:
        raise ValueError("successes must be between 0 and the number of trials")
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ObservedRate:
    """A rate as successes out of trials (e.g. achievers out of leavers)."""

    successes: int
    trials: int

    def __post_init__(self) -> None:
        if not 0 <= self.successes <= self.trials:
            raise ValueError("successes must be between 0 and the number of trials")

    @property
    def known(self) -> bool:
        return self.trials > 0

    @property
    def value(self) -> float | None:
        return self.successes / self.trials if self.trials else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.trials)


UNKNOWN = ObservedRate(0, 0)


@dataclass(frozen=True)
class Rates:
    completion: ObservedRate
    achievement: ObservedRate
    progression: ObservedRate
    with_council: ObservedRate

    def __getitem__(self, key: str) -> ObservedRate:
        return getattr(self, key)


@dataclass(frozen=True)
class Projected:
    """A projected number of people: `expected` None when a rate it rests on is unknown (its
    range is then everything its inputs allow)."""

    expected: float | None
    low: float
    high: float


@dataclass(frozen=True)
class ProjectedYear:
    """What the intakes of years 1 to `year` lead to, once they finish."""

    year: int
    starts: int
    completions: Projected
    achievements: Projected
    progressions: Projected
    with_council: Projected


def _times(starts: int, *rates: ObservedRate) -> Projected:
    expected: float | None = float(starts)
    low, high = float(starts), float(starts)
    for rate in rates:
        lower, upper = rate.interval
        low, high = low * lower, high * upper
        expected = None if expected is None or rate.value is None else expected * rate.value
    return Projected(expected, low, high)


def project(rates: Rates, intake_per_year: int, years: int) -> list[ProjectedYear]:
    """For each year 1..`years`, the projected figures of that many years' intakes."""
    if not 1 <= intake_per_year <= MAXIMUM_INTAKE:
        raise ValueError(f"the intake per year is 1 to {MAXIMUM_INTAKE}")
    if not 1 <= years <= MAXIMUM_YEARS:
        raise ValueError(f"the number of years is 1 to {MAXIMUM_YEARS}")
    projected = []
    for year in range(1, years + 1):
        starts = intake_per_year * year
        projected.append(
            ProjectedYear(
                year=year,
                starts=starts,
                completions=_times(starts, rates.completion),
                achievements=_times(starts, rates.achievement),
                progressions=_times(starts, rates.completion, rates.progression),
                with_council=_times(starts, rates.completion, rates.with_council),
            )
        )
    return projected


# ---------------------------------------------------------------------------------------------
# The observed rates, from the database

_COUNT_KEYS = (
    "starts",
    "leavers",
    "completers",
    "achievers",
    "known_6m",
    "in_work_6m",
    "with_council_6m",
)
# Each rate's (successes, trials) counts.
RATE_COUNTS: Mapping[str, tuple[str, str]] = {
    "completion": ("completers", "leavers"),
    "achievement": ("achievers", "leavers"),
    "progression": ("in_work_6m", "known_6m"),
    "with_council": ("with_council_6m", "known_6m"),
}
_IN_WORK_OR_LEARNING = (
    Destination.SAME_COUNCIL.value,
    Destination.OTHER_PUBLIC_SECTOR.value,
    Destination.PRIVATE_SECTOR.value,
    Destination.FURTHER_LEARNING.value,
)


@dataclass(frozen=True)
class RateSource:
    """The rates a projection for `borough_name` uses, as the viewer may see them.

    `own`: the borough's own (it has at least `min_starts` starts); otherwise pooled over
    `boroughs`. `counts` holds every count as shown (rounded or suppressed under control);
    `rates` are worked out from the counts as shown."""

    borough_id: int
    borough_name: str
    own: bool
    boroughs: tuple[str, ...]
    exact: bool
    min_starts: int
    counts: Mapping[str, Shown]
    rates: Rates  # a withheld rate is UNKNOWN here
    withheld: frozenset[str] = frozenset()  # rate keys withheld under disclosure control

    @property
    def starts(self) -> Shown:
        return self.counts["starts"]

    @property
    def any_suppressed(self) -> bool:
        return bool(self.withheld) or any(shown.suppressed for shown in self.counts.values())


def _raw_counts(session: Session) -> dict[int, dict[str, int]]:
    """Every count, all time, per employing borough: one query."""
    six = aliased(Outcome, name="six_months")
    completer = and_(destinations.leaver_condition(), destinations.completer_condition())
    known = and_(
        completer, six.destination.is_not(None), six.destination != Destination.UNKNOWN.value
    )

    def total(condition: Any, name: str) -> Any:
        return func.sum(case((condition, 1), else_=0)).label(name)

    statement = (
        select(
            A.employing_borough_id.label("borough_id"),
            total(counted_start(), "starts"),
            total(destinations.leaver_condition(), "leavers"),
            total(completer, "completers"),
            total(
                and_(destinations.leaver_condition(), destinations.achiever_condition()),
                "achievers",
            ),
            total(known, "known_6m"),
            total(and_(known, six.destination.in_(_IN_WORK_OR_LEARNING)), "in_work_6m"),
            total(
                and_(known, six.destination == Destination.SAME_COUNCIL.value),
                "with_council_6m",
            ),
        )
        .outerjoin(six, and_(six.apprentice_id == A.id, six.follow_up == FollowUp.SIX_MONTHS.value))
        .group_by(A.employing_borough_id)
    )
    return {
        row["borough_id"]: {key: int(row[key] or 0) for key in _COUNT_KEYS}
        for row in session.execute(statement).mappings()
    }


def _pooled_cell(true: int, hidden_part: int | None, policy: Policy, controlled: bool) -> Cell:
    """A pooled count as shown. Under control it is also withheld when the part of it the
    viewer may not see exactly (`hidden_part`) is suppressed, since the pool minus the
    boroughs they see exactly would give that part away."""
    if not controlled:
        return Cell(true, true)
    if hidden_part is not None and count(hidden_part, policy).suppressed:
        return Cell(None, true)
    return count(true, policy)


def _rate_from(successes: Cell, trials: Cell, policy: Policy) -> ObservedRate | None:
    """The rate from the counts as shown; None when it is withheld under disclosure control
    (a count suppressed, or a denominator under the minimum)."""
    if trials.value == 0:
        return UNKNOWN  # nobody to rate: a true zero, shown as such
    if successes.value is None or trials.value is None:
        return None
    if policy.controlled and trials.true < policy.minimum_denominator:
        return None
    return ObservedRate(min(successes.value, trials.value), trials.value)


def observed_rates(
    session: Session,
    borough_id: int,
    *,
    viewer: User,
    min_starts: int,
    policy_factory: PolicyFactory = default_policy,
) -> RateSource:
    """The rates to project for a borough, with where they come from: two queries."""
    boroughs = session.execute(
        select(Borough.id, Borough.name, Borough.is_partner).order_by(Borough.name)
    ).all()
    names = {row.id: row.name for row in boroughs}
    if borough_id not in names:
        raise ValueError("no such borough")
    counts = _raw_counts(session)
    own_starts = counts.get(borough_id, {}).get("starts", 0)
    own = own_starts >= min_starts
    if own:
        source = [borough_id]
    else:
        # Pooled over the partner boroughs (every borough while none is marked a partner).
        source = [row.id for row in boroughs if row.is_partner] or list(names)
    exact = exact_boroughs(viewer)
    controlled = exact is not None and not set(source) <= exact
    policy = policy_factory(controlled)
    seen = set(source) & (exact or set()) if controlled else set()

    def pooled(key: str, ids: Collection[int]) -> int:
        return sum(counts.get(b, {}).get(key, 0) for b in ids)

    cells: dict[str, Cell] = {}
    for key in _COUNT_KEYS:
        hidden_part = pooled(key, set(source) - seen) if seen else None
        cells[key] = _pooled_cell(pooled(key, source), hidden_part, policy, controlled)
    found = {
        name: _rate_from(cells[successes], cells[trials], policy)
        for name, (successes, trials) in RATE_COUNTS.items()
    }
    rates = Rates(**{name: rate or UNKNOWN for name, rate in found.items()})
    return RateSource(
        borough_id=borough_id,
        borough_name=names[borough_id],
        own=own,
        boroughs=tuple(names[b] for b in source),
        exact=not controlled,
        min_starts=min_starts,
        counts={key: Shown.of_cell(cell) for key, cell in cells.items()},
        rates=rates,
        withheld=frozenset(name for name, rate in found.items() if rate is None),
    )
