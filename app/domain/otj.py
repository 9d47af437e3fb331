"""Off-the-job training targets, by the rules in force on the apprentice's start date.

Planned hours cover the practical period (the start to the planned end of the practical period;
the end-point assessment period is not part of it):
- starts before 1 August 2022: 20% of contracted hours;
- starts from 1 August 2022 to 31 July 2025: 6 hours a week for full-time apprentices (30 or
  more contracted hours), 20% of contracted hours for part-time ones;
  in both, the weeks of statutory annual leave (5.6 a year) are not counted;
- starts from 1 August 2025: the standard's published minimum number of hours.
A break in learning extends the practical period and accrues nothing. Expected hours to date grow
in proportion to the part of the practical period that has passed. Sources:
../shared/reference/domain-rules.md (OTJ rows).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal


class OtjRule(enum.Enum):
    TWENTY_PERCENT = "20% of contracted hours, less statutory leave"
    SIX_HOURS_FULL_TIME = (
        "6 hours a week if full-time (20% of contracted hours if part-time), less statutory leave"
    )
    PUBLISHED_MINIMUM = "the standard's published minimum off-the-job hours"


# (first start date the rule applies to, rule); the last row on or before the start wins.
RULES: tuple[tuple[date, OtjRule], ...] = (
    (date.min, OtjRule.TWENTY_PERCENT),
    (date(2022, 8, 1), OtjRule.SIX_HOURS_FULL_TIME),
    (date(2025, 8, 1), OtjRule.PUBLISHED_MINIMUM),
)
SHARE_OF_HOURS = Decimal("0.20")
FULL_TIME_WEEKLY_HOURS = Decimal(6)
FULL_TIME_FROM_CONTRACTED_HOURS = Decimal(30)
STATUTORY_LEAVE_WEEKS_A_YEAR = Decimal("5.6")
DAYS_A_YEAR = Decimal("365.25")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Break:
    """A break in learning: from the day it started to the day they returned (None: not yet)."""

    started: date
    returned: date | None = None


@dataclass(frozen=True)
class Programme:
    start_date: date
    practical_period_end: date
    contracted_hours: Decimal
    published_minimum_hours: int | None = None
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True)
class Target:
    planned_hours: Decimal
    rule: OtjRule
    # True when a start from August 2025 has no published minimum and the 6-hour rule is used.
    fallback: bool = False


def rule_for_start(start: date) -> OtjRule:
    chosen = RULES[0][1]
    for applies_from, rule in RULES:
        if start >= applies_from:
            chosen = rule
    return chosen


def practical_days(programme: Programme) -> int:
    """Days in the planned practical period, both ends included."""
    return (programme.practical_period_end - programme.start_date).days + 1


def _working_weeks(days: int) -> Decimal:
    weeks = Decimal(days) / 7
    return weeks - STATUTORY_LEAVE_WEEKS_A_YEAR * Decimal(days) / DAYS_A_YEAR


def planned_target(programme: Programme) -> Target:
    rule = rule_for_start(programme.start_date)
    fallback = False
    if rule is OtjRule.PUBLISHED_MINIMUM:
        if programme.published_minimum_hours:
            return Target(Decimal(programme.published_minimum_hours).quantize(TENTH), rule)
        rule, fallback = OtjRule.SIX_HOURS_FULL_TIME, True
    hours = Decimal(programme.contracted_hours)
    if rule is OtjRule.SIX_HOURS_FULL_TIME and hours >= FULL_TIME_FROM_CONTRACTED_HOURS:
        weekly = FULL_TIME_WEEKLY_HOURS
    else:
        weekly = SHARE_OF_HOURS * hours
    planned = weekly * _working_weeks(practical_days(programme))
    return Target(planned.quantize(TENTH, ROUND_HALF_UP), rule, fallback)


def break_days(breaks: Iterable[Break], until: date) -> int:
    """Days on a break up to and including `until` (the day of return is a learning day)."""
    total = 0
    for pause in breaks:
        last = (pause.returned - timedelta(days=1)) if pause.returned else until
        last = min(last, until)
        if last >= pause.started:
            total += (last - pause.started).days + 1
    return total


def learning_days_elapsed(programme: Programme, on: date) -> int:
    """Days of the practical period spent in learning by the end of `on`."""
    if on < programme.start_date:
        return 0
    elapsed = (on - programme.start_date).days + 1 - break_days(programme.breaks, on)
    return max(0, min(elapsed, practical_days(programme)))


def expected_hours_to_date(programme: Programme, on: date) -> Decimal:
    planned = planned_target(programme).planned_hours
    share = Decimal(learning_days_elapsed(programme, on)) / Decimal(practical_days(programme))
    return (planned * share).quantize(TENTH, ROUND_HALF_UP)


def practical_period_end_with_breaks(programme: Programme, on: date) -> date:
    """The practical period ends later by the days spent on breaks (so far)."""
    return programme.practical_period_end + timedelta(days=break_days(programme.breaks, on))
