"""The dated rules of apprenticeships, on both sides of the dates they change."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain import apprenticeship_rules as rules


@pytest.mark.parametrize(
    ("start", "months"),
    [
        (date(2017, 5, 1), 12),
        (date(2025, 7, 31), 12),
        (date(2025, 8, 1), 8),
        (date(2026, 9, 1), 8),
    ],
)
def test_the_minimum_duration_follows_the_start_date(start, months):
    assert rules.minimum_duration_months(start) == months


def test_the_earliest_practical_period_end_either_side_of_1_august_2025():
    # 12 months from 31 July 2025, counting the first day: the last day is 30 July 2026.
    assert rules.earliest_practical_period_end(date(2025, 7, 31)) == date(2026, 7, 30)
    # 8 months from 1 August 2025: the last day is 31 March 2026.
    assert rules.earliest_practical_period_end(date(2025, 8, 1)) == date(2026, 3, 31)


def test_meets_minimum_duration_at_the_boundary():
    assert rules.meets_minimum_duration(date(2025, 7, 31), date(2026, 7, 30))
    assert not rules.meets_minimum_duration(date(2025, 7, 31), date(2026, 7, 29))
    # The same 8-month practical period is refused a day earlier and accepted from 1 August.
    assert not rules.meets_minimum_duration(date(2025, 7, 31), date(2026, 3, 31))
    assert rules.meets_minimum_duration(date(2025, 8, 1), date(2026, 3, 31))
    assert not rules.meets_minimum_duration(date(2025, 8, 1), date(2026, 3, 30))


def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert rules.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert rules.add_months(date(2026, 9, 1), 24) == date(2028, 9, 1)


def test_default_practical_period_end_uses_the_typical_duration():
    assert rules.default_practical_period_end(date(2026, 9, 1), 24) == date(2028, 8, 31)
    # Never shorter than the legal minimum, whatever the standard says.
    assert rules.default_practical_period_end(date(2025, 7, 31), 6) == date(2026, 7, 30)
    assert rules.default_practical_period_end(date(2025, 8, 1), 6) == date(2026, 3, 31)


def test_default_planned_end_adds_the_assessment_period():
    assert rules.DEFAULT_EPA_PERIOD_MONTHS == 3
    assert rules.default_planned_end_date(date(2028, 8, 31)) == date(2028, 11, 30)


def test_the_qualifying_period_is_42_days_counting_the_first():
    start = date(2026, 9, 1)
    assert rules.qualifying_period_last_day(start) == date(2026, 10, 12)
    # Leaving on day 41 is within the period; on day 42 the period is complete.
    assert rules.left_within_qualifying_period(start, date(2026, 10, 11))
    assert not rules.left_within_qualifying_period(start, date(2026, 10, 12))
    assert rules.left_within_qualifying_period(start, start)


def test_age_on_a_date():
    assert rules.age_on(date(2010, 9, 1), date(2026, 9, 1)) == 16
    assert rules.age_on(date(2010, 9, 2), date(2026, 9, 1)) == 15
    assert rules.age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert rules.age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
