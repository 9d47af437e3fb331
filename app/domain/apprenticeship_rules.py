"""The dated rules of English apprenticeships, in one place.

Where a rule changed over time, the rule in force on the apprentice's start date applies
(see ../shared/reference/domain-rules.md for the sources). Numbers live in the tables below,
not in the code that uses them.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

# The legal minimum duration of the practical period, by start date: (first start date the
# rule applies to, months). 12 months until 31 July 2025; 8 months from 1 August 2025
# (SI 2025/599, the Apprenticeships (Miscellaneous Provisions) (England) (Amendment)
# Regulations 2025). Sorted by date; the last row whose date is on or before the start wins.
MINIMUM_DURATION_MONTHS: tuple[tuple[date, int], ...] = (
    (date.min, 12),
    (date(2025, 8, 1), 8),
)

# An apprentice must be in learning for 42 days before the start counts; the period starts
# again on the return from a break in learning. A leaver within it is not counted as a start.
QUALIFYING_PERIOD_DAYS = 42

# Not a legal rule: our default for the time between the end of the practical period and the
# planned end date, allowing for the gateway and a typical end-point assessment period of
# 3 months. Coordinators can change the planned end date of any apprentice.
DEFAULT_EPA_PERIOD_MONTHS = 3

# Apprentices must be over compulsory school age; we take it as 16 on the start date.
MINIMUM_AGE_AT_START = 16


def add_months(start: date, months: int) -> date:
    """The same day of the month `months` later, or the month's last day if it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def period_end(start: date, months: int) -> date:
    """The last day of a period of whole months that starts on (and includes) `start`:
    12 months from 1 September 2026 end on 31 August 2027."""
    return add_months(start, months) - timedelta(days=1)


def minimum_duration_months(start: date) -> int:
    """The legal minimum length of the practical period, in months, for this start date."""
    months = MINIMUM_DURATION_MONTHS[0][1]
    for applies_from, rule_months in MINIMUM_DURATION_MONTHS:
        if start >= applies_from:
            months = rule_months
    return months


def earliest_practical_period_end(start: date) -> date:
    """The earliest the practical period may end for this start date."""
    return period_end(start, minimum_duration_months(start))


def meets_minimum_duration(start: date, practical_period_end: date) -> bool:
    return practical_period_end >= earliest_practical_period_end(start)


def default_practical_period_end(start: date, typical_duration_months: int) -> date:
    """The end of the practical period the standard's typical duration gives, never shorter
    than the legal minimum."""
    months = max(typical_duration_months, minimum_duration_months(start))
    return period_end(start, months)


def default_planned_end_date(practical_period_end: date) -> date:
    """The practical period's end plus a typical end-point assessment period (3 months)."""
    return add_months(practical_period_end, DEFAULT_EPA_PERIOD_MONTHS)


def qualifying_period_last_day(qualifying_period_start: date) -> date:
    """The 42nd day in learning, counting the first day as day 1."""
    return qualifying_period_start + timedelta(days=QUALIFYING_PERIOD_DAYS - 1)


def left_within_qualifying_period(qualifying_period_start: date, last_day: date) -> bool:
    """Whether someone whose last day in learning is `last_day` left within the qualifying
    period: fewer than 42 days in learning, counting both the first and the last day."""
    return last_day < qualifying_period_last_day(qualifying_period_start)


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years; someone born on 29 February has a birthday on 1 March in other
    years."""
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)
