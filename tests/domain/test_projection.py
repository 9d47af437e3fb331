"""The scaling projection: the Wilson interval against hand-computed values, the projection on
known inputs (its range widening when the rates rest on fewer people), and the observed rates
gathered from the database: pooled over the partner boroughs, or the borough's own once it has
enough starts, under disclosure control for a viewer who may not see them exactly."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.domain import projection
from app.domain.projection import ObservedRate, Rates, project, wilson_interval
from app.models import ApprenticeStatus, Borough, Outcome, Role
from tests import builders

S = ApprenticeStatus


# The Wilson score interval, by hand: centre (p + z²/2n) / (1 + z²/n), half-width
# z √(p(1−p)/n + z²/4n²) / (1 + z²/n), with z = 1.96.


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),  # centre 0.7167, half-width 0.2266
        (80, 100, 0.7112, 0.8666),
        (0, 10, 0.0, 0.2775),  # the upper end is z² / (n + z²)
        (10, 10, 0.7225, 1.0),
        (1, 2, 0.0945, 0.9055),
    ],
)
def test_the_wilson_interval_matches_hand_computed_values(successes, trials, low, high):
    computed = wilson_interval(successes, trials)
    assert computed == pytest.approx((low, high), abs=5e-5)


def test_no_trials_means_the_rate_could_be_anything():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert ObservedRate(0, 0).value is None
    with pytest.raises(ValueError):
        ObservedRate(5, 4)
    with pytest.raises(ValueError):
        wilson_interval(-1, 4)


def rates(n: int) -> Rates:
    """Completion 80%, achievement 70%, progression 50% and with the council 25%, each
    resting on `n` people."""
    return Rates(
        completion=ObservedRate(8 * n // 10, n),
        achievement=ObservedRate(7 * n // 10, n),
        progression=ObservedRate(n // 2, n),
        with_council=ObservedRate(n // 4, n),
    )


def test_the_projection_is_the_observed_rates_times_the_intake():
    years = project(rates(100), intake_per_year=10, years=3)
    assert [year.starts for year in years] == [10, 20, 30]
    first, _, third = years
    assert first.completions.expected == pytest.approx(8.0)
    assert first.achievements.expected == pytest.approx(7.0)
    assert first.progressions.expected == pytest.approx(4.0)  # 10 × 80% × 50%
    assert first.with_council.expected == pytest.approx(2.0)  # 10 × 80% × 25%
    assert third.completions.expected == pytest.approx(24.0)
    # The range: the intake times the ends of the Wilson interval of 80 out of 100.
    assert (first.completions.low, first.completions.high) == pytest.approx(
        (7.112, 8.666), abs=1e-3
    )
    # Two rates: the low ends multiplied, and the high ends (50 of 100: 0.4038 to 0.5962).
    assert (first.progressions.low, first.progressions.high) == pytest.approx(
        (10 * 0.7112 * 0.4038, 10 * 0.8666 * 0.5962), abs=1e-2
    )


def test_the_range_widens_when_the_rates_rest_on_fewer_starts():
    widths = []
    for n in (1000, 100, 20, 10):
        year = project(rates(n), intake_per_year=20, years=1)[0]
        assert year.completions.expected == pytest.approx(16.0)
        assert year.completions.low <= 16.0 <= year.completions.high
        widths.append(year.completions.high - year.completions.low)
    assert widths == sorted(widths)
    assert widths[0] < 1.0 < 5.0 < widths[-1]


def test_an_unknown_rate_gives_no_expected_figure_and_the_widest_range():
    unknown = Rates(ObservedRate(0, 0), ObservedRate(0, 0), ObservedRate(1, 2), ObservedRate(0, 0))
    year = project(unknown, intake_per_year=10, years=1)[0]
    assert year.completions.expected is None
    assert (year.completions.low, year.completions.high) == (0.0, 10.0)


@pytest.mark.parametrize(("intake", "years"), [(0, 3), (1001, 3), (10, 0), (10, 11)])
def test_the_projection_refuses_an_intake_or_years_out_of_range(intake, years):
    with pytest.raises(ValueError):
        project(rates(10), intake, years)


# The observed rates from the database


def add(session: Session, borough: str, count: int, *, status: S, six: str | None = None) -> None:
    """`count` apprentices who started in 2024; completers finished in 2025."""
    cohort = builders.create_cohort(session, lead=borough)
    for _ in range(count):
        person = builders.create_apprentice(
            session, borough=borough, cohort=cohort, status=status, start_date=date(2024, 1, 8)
        )
        if status == S.COMPLETED:
            person.completed_on = date(2025, 6, 30)
        if status == S.WITHDRAWN:
            person.withdrawn_on = date(2024, 9, 1)
            person.withdrawal_reason = "health"
        if six is not None:
            session.flush()
            session.add(
                Outcome(
                    apprentice_id=person.id,
                    follow_up="six_months",
                    destination=six,
                    recorded_on=date(2026, 1, 5),
                )
            )
    session.commit()


@pytest.fixture
def partners(db_session):
    """Camden and Islington are partners: 20 leavers, 16 completed (12 with a known destination
    at 6 months: 9 in work, 6 of them with the council) and 4 withdrew; and 10 still active.
    Hackney, not a partner, has 3 starts of its own, all completed."""
    add(db_session, "Camden", 6, status=S.COMPLETED, six="same_council")
    add(db_session, "Camden", 3, status=S.COMPLETED, six="private_sector")
    add(db_session, "Islington", 3, status=S.COMPLETED, six="not_in_work")
    add(db_session, "Islington", 4, status=S.COMPLETED)
    add(db_session, "Islington", 4, status=S.WITHDRAWN)
    add(db_session, "Camden", 10, status=S.ACTIVE)
    add(db_session, "Hackney", 3, status=S.COMPLETED, six="same_council")
    db_session.execute(
        update(Borough).where(Borough.name.in_(["Camden", "Islington"])).values(is_partner=True)
    )
    db_session.commit()
    return builders.get_borough(db_session, "Hackney").id


def shown(source) -> dict[str, str]:
    return {key: value.text for key, value in source.counts.items()}


def test_rates_pool_the_partner_boroughs_until_a_borough_has_enough_starts(
    db_session, partners, count_queries
):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    assert admin.roles
    with count_queries() as log:
        source = projection.observed_rates(db_session, partners, viewer=admin, min_starts=30)
    assert log.count == 2
    assert not source.own and source.exact
    assert source.boroughs == ("Camden", "Islington")
    assert shown(source) == {
        "starts": "30",
        "leavers": "20",
        "completers": "16",
        "achievers": "16",
        "known_6m": "12",
        "in_work_6m": "9",
        "with_council_6m": "6",
    }
    assert source.rates.completion == ObservedRate(16, 20)
    assert source.rates.progression == ObservedRate(9, 12)
    assert source.rates.with_council == ObservedRate(6, 12)

    own = projection.observed_rates(db_session, partners, viewer=admin, min_starts=3)
    assert own.own and own.boroughs == ("Hackney",)
    assert own.rates.completion == ObservedRate(3, 3)


def test_a_lead_sees_the_pooled_counts_under_disclosure_control(db_session, partners):
    lead = builders.create_user(db_session, roles=[Role.BOROUGH_LEAD], borough="Hackney")
    source = projection.observed_rates(db_session, partners, viewer=lead, min_starts=30)
    assert not source.exact
    assert shown(source) == {
        "starts": "30",
        "leavers": "20",
        "completers": "15",
        "achievers": "15",
        "known_6m": "10",
        "in_work_6m": "10",
        "with_council_6m": "[c]",
    }
    # Rates from the rounded counts; one resting on a suppressed count is withheld.
    assert source.rates.completion == ObservedRate(15, 20)
    assert source.rates.progression == ObservedRate(10, 10)
    assert source.withheld == {"with_council"}
    assert source.rates.with_council.value is None
    assert source.any_suppressed
    # The lead's own borough, once it has enough starts, is exact.
    own = projection.observed_rates(db_session, partners, viewer=lead, min_starts=3)
    assert own.exact and shown(own)["starts"] == "3"
