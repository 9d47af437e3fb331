"""Off-the-job targets: each rule period, full- and part-time, statutory leave, breaks, and
starts on each boundary date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.domain.otj import (
    Break,
    OtjRule,
    Programme,
    break_days,
    expected_hours_to_date,
    planned_target,
    rule_for_start,
)


def programme(start, days, hours="37.5", published=None, breaks=()):
    """A practical period of `days` days, both ends included."""
    return Programme(
        start_date=start,
        practical_period_end=start + timedelta(days=days - 1),
        contracted_hours=Decimal(hours),
        published_minimum_hours=published,
        breaks=tuple(breaks),
    )


@pytest.mark.parametrize(
    ("start", "rule"),
    [
        (date(2022, 7, 31), OtjRule.TWENTY_PERCENT),
        (date(2022, 8, 1), OtjRule.SIX_HOURS_FULL_TIME),
        (date(2025, 7, 31), OtjRule.SIX_HOURS_FULL_TIME),
        (date(2025, 8, 1), OtjRule.PUBLISHED_MINIMUM),
    ],
)
def test_the_rule_in_force_on_each_boundary_date(start, rule):
    assert rule_for_start(start) is rule


# A practical period of 365 days is 52.143 weeks less 5.596 weeks of statutory leave
# (5.6 a year): 46.547 working weeks.
YEAR = 365


@pytest.mark.parametrize(
    ("start", "hours", "published", "planned"),
    [
        # Before August 2022: 20% of contracted hours, full- or part-time alike.
        (date(2021, 9, 1), "37.5", None, Decimal("349.1")),  # 7.5 h x 46.547 weeks
        (date(2021, 9, 1), "20", None, Decimal("186.2")),  # 4 h x 46.547
        # August 2022 to July 2025: 6 hours a week full-time, 20% part-time.
        (date(2023, 9, 1), "37.5", None, Decimal("279.3")),  # 6 h x 46.547
        (date(2023, 9, 1), "30", None, Decimal("279.3")),  # 30 hours is full-time
        (date(2023, 9, 1), "29.5", None, Decimal("274.6")),  # 5.9 h x 46.547
        (date(2023, 9, 1), "20", None, Decimal("186.2")),
        # From August 2025: the standard's published minimum, whatever the hours.
        (date(2025, 9, 1), "37.5", 280, Decimal("280.0")),
        (date(2025, 9, 1), "20", 280, Decimal("280.0")),
    ],
)
def test_planned_hours_for_each_rule_period(start, hours, published, planned):
    target = planned_target(programme(start, YEAR, hours, published))
    assert target.planned_hours == planned


def test_statutory_leave_is_left_out():
    # 731 days: 104.429 weeks less 11.207 weeks of leave = 93.221 weeks of 6 hours.
    target = planned_target(programme(date(2024, 1, 1), 731, "37.5"))
    assert target.planned_hours == Decimal("559.3")


def test_a_recent_start_without_a_published_minimum_falls_back_and_says_so():
    target = planned_target(programme(date(2025, 9, 1), YEAR, "37.5", None))
    assert target.rule is OtjRule.SIX_HOURS_FULL_TIME and target.fallback
    assert target.planned_hours == Decimal("279.3")


def test_expected_hours_grow_with_the_practical_period():
    # 100 days: 14.286 weeks less 1.533 of leave = 12.752 weeks of 6 hours = 76.5 hours.
    plan = programme(date(2023, 9, 1), 100, "37.5")
    assert planned_target(plan).planned_hours == Decimal("76.5")
    assert expected_hours_to_date(plan, date(2023, 8, 31)) == 0
    assert expected_hours_to_date(plan, date(2023, 9, 1)) == Decimal("0.8")  # 1 day of 100
    assert expected_hours_to_date(plan, date(2023, 10, 20)) == Decimal("38.3")  # 50 days
    assert expected_hours_to_date(plan, date(2030, 1, 1)) == Decimal("76.5")  # never more


def test_a_break_accrues_nothing_and_extends_the_period():
    pause = Break(started=date(2023, 10, 1), returned=date(2023, 10, 11))  # 10 days off
    plain = programme(date(2023, 9, 1), 100, "37.5")
    paused = programme(date(2023, 9, 1), 100, "37.5", breaks=[pause])
    # During and after the break, the paused apprentice is 10 days behind the plain one.
    assert expected_hours_to_date(paused, date(2023, 10, 30)) == expected_hours_to_date(
        plain, date(2023, 10, 20)
    )
    # The planned total is the same; it is reached 10 days later.
    assert planned_target(paused).planned_hours == planned_target(plain).planned_hours
    assert expected_hours_to_date(paused, date(2023, 12, 9)) < planned_target(plain).planned_hours
    assert expected_hours_to_date(paused, date(2023, 12, 19)) == planned_target(plain).planned_hours


def test_an_open_break_stops_accrual_until_today():
    pause = Break(started=date(2023, 10, 1))
    paused = programme(date(2023, 9, 1), 100, "37.5", breaks=[pause])
    assert expected_hours_to_date(paused, date(2023, 10, 25)) == expected_hours_to_date(
        paused, date(2023, 9, 30)
    )
    assert break_days([pause], date(2023, 10, 25)) == 25
