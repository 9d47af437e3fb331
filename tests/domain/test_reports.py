"""Report figures: every figure pinned on a small hand-built data set where the right answer is
known, including the 42-day rule, `epa_not_achieved`, destinations at 6 and 12 months and the
period each event falls in (31 March against 1 April, in London time); and a fixed number of
queries whatever the data size. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.domain import report_facts, reports
from app.domain.disclosure import FOOTNOTE, SUPPRESSED
from app.domain.reports import Period
from app.models import (
    Application,
    ApplicationEvent,
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    Cohort,
    EqualityMonitoring,
    MentorAssignment,
    Milestone,
    Outcome,
    ProgressSummary,
    Role,
    Stage,
    Vacancy,
    report_facts_state,
)
from tests import builders

TODAY = date(2026, 11, 27)  # the frozen clock's date: financial year 2026-27, quarter 3
THIS_YEAR = Period(2026)
LAST_YEAR = Period(2025)
Q1, Q2, Q3 = Period(2026, 1), Period(2026, 2), Period(2026, 3)

S = ApprenticeStatus


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Periods


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2025-26", Period(2025)),
        ("2025-26-q2", Period(2025, 2)),
        ("2025-26-Q4", Period(2025, 4)),
        ("1999-00", Period(1999)),
        ("2025-27", None),
        ("2025-26-q5", None),
        ("2025", None),
        ("2025-26-q1x", None),
        ("", None),
        (None, None),
    ],
)
def test_a_period_is_read_from_its_url_value(text, period):
    assert Period.parse(text) == period
    if period is not None:
        assert Period.parse(period.slug) == period


def test_financial_years_and_quarters_start_on_1_april():
    year = Period(2025)
    assert (year.start, year.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert [(q.start, q.end) for q in year.quarters()] == [
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
    ]
    assert Period.financial_year_of(date(2026, 3, 31)) == Period(2025)
    assert Period.financial_year_of(date(2026, 4, 1)) == Period(2026)
    assert Period.quarter_of(date(2026, 3, 31)) == Period(2025, 4)
    assert Period.quarter_of(date(2026, 4, 1)) == Period(2026, 1)
    assert Period.from_index(Period(2025, 3).index) == Period(2025, 3)
    assert year.slug == "2025-26" and Period(2025, 3).slug == "2025-26-q3"
    assert year.label == "April 2025 to March 2026"
    assert Period(2025, 4).label == "January to March 2026"
    assert Period(2025, 2).short_label == "Q2 2025-26"


def test_a_period_in_london_time_becomes_utc_bounds():
    # 1 April 2026 is in British Summer Time: London midnight is 23:00 UTC the day before.
    assert Period(2026).utc_bounds() == (utc(2026, 3, 31, 23), utc(2027, 3, 31, 23))
    # 1 January is in GMT.
    assert Period(2025, 4).utc_bounds() == (utc(2026, 1, 1), utc(2026, 3, 31, 23))


def test_the_offered_periods_are_five_financial_years_and_their_begun_quarters():
    offered = reports.periods(TODAY)
    assert [p.slug for p in offered[:4]] == ["2026-27", "2026-27-q1", "2026-27-q2", "2026-27-q3"]
    assert [p for p in offered if p.is_year] == [Period(y) for y in (2026, 2025, 2024, 2023, 2022)]
    assert len(offered) == 5 + 3 + 4 * 4
    assert reports.offered_period("2026-27-q3", TODAY) == Q3
    assert reports.offered_period("2026-27-q4", TODAY) is None  # not begun
    assert reports.offered_period("2021-22", TODAY) is None  # too old
    assert reports.offered_period("nonsense", TODAY) is None


# The hand-built data set


@dataclass
class World:
    session: Session
    hackney: int = 0
    camden: int = 0
    cohorts: dict[str, Cohort] = field(default_factory=dict)
    vacancies: dict[str, Vacancy] = field(default_factory=dict)
    people: dict[str, Apprentice] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)

    def apprentice(
        self,
        name: str,
        status: ApprenticeStatus,
        start: date,
        *,
        borough: str = "Hackney",
        withdrawn_on: date | None = None,
        reason: str | None = None,
        early: bool = False,
        completed_on: date | None = None,
        moves: tuple[tuple[str | None, str, date], ...] = (),
    ) -> Apprentice:
        person = builders.create_apprentice(
            self.session,
            borough=borough,
            cohort=self.cohorts[borough],
            status=status,
            start_date=start,
            name=name,
        )
        person.withdrawn_on = withdrawn_on
        person.withdrawal_reason = reason
        person.left_in_qualifying_period = early
        person.completed_on = completed_on
        for from_status, to_status, effective_on in moves:
            self.session.add(
                ApprenticeStatusEvent(
                    apprentice_id=person.id,
                    from_status=from_status,
                    to_status=to_status,
                    effective_on=effective_on,
                )
            )
        self.session.commit()
        self.people[name] = person
        return person

    def application(
        self,
        name: str,
        submitted: datetime,
        *,
        borough: str = "Hackney",
        residence: str | None = "Hackney",
        eligible: bool = True,
        hired: datetime | None = None,
    ) -> Application:
        application = builders.create_application(
            self.session, self.vacancies[borough], residence=residence, eligible=eligible
        )
        application.submitted_at = submitted
        if hired is not None:
            application.stage = Stage.HIRED.value
            self.session.add(
                ApplicationEvent(
                    application_id=application.id,
                    from_stage=Stage.OFFERED.value,
                    to_stage=Stage.HIRED.value,
                    occurred_at=hired,
                )
            )
        self.session.commit()
        self.applications[name] = application
        return application

    def outcome(self, name: str, follow_up: str, destination: str) -> None:
        self.session.add(
            Outcome(
                apprentice_id=self.people[name].id,
                follow_up=follow_up,
                destination=destination,
                recorded_on=TODAY,
            )
        )
        self.session.commit()

    def mentor(self, name: str, start: date, end: date | None = None) -> None:
        mentor = builders.create_mentor(self.session)
        self.session.add(
            MentorAssignment(
                apprentice_id=self.people[name].id,
                mentor_user_id=mentor.id,
                start_date=start,
                end_date=end,
            )
        )
        self.session.commit()

    def summary(self, name: str, approved: str, expected: str, review_due: date | None) -> None:
        self.session.add(
            ProgressSummary(
                apprentice_id=self.people[name].id,
                approved_hours=Decimal(approved),
                planned_hours=Decimal(300),
                expected_hours=Decimal(expected),
                next_review_due=review_due,
                computed_on=TODAY,
                updated_at=utc(2026, 11, 27, 6),
            )
        )
        self.session.commit()

    def milestone(
        self, name: str, due: date, *, signed_off_at: datetime | None = None, status: str = ""
    ) -> None:
        self.session.add(
            Milestone(
                apprentice_id=self.people[name].id,
                title="Checkpoint",
                kind="portfolio",
                signer="mentor",
                due_date=due,
                status=status or ("signed_off" if signed_off_at else "not_started"),
                decided_at=signed_off_at,
            )
        )
        self.session.commit()


@pytest.fixture(params=["stored", "counted"])
def figures_from(request: pytest.FixtureRequest, db_session: Session) -> Iterator[str]:
    """Every figure from the figures stored per borough and day, and again counted from the
    records themselves (as before those are built on a database upgraded with records)."""
    if request.param == "stored":
        yield request.param
        return
    db_session.execute(delete(report_facts_state))
    db_session.commit()
    try:
        yield request.param
    finally:
        db_session.rollback()
        report_facts.rebuild(db_session)
        db_session.commit()


@pytest.fixture
def world(db_session: Session, figures_from: str) -> World:
    """Hackney and Camden, with a known answer for every figure (see each test)."""
    w = World(db_session)
    w.hackney = builders.get_borough(db_session, "Hackney").id
    w.camden = builders.get_borough(db_session, "Camden").id
    standard = builders.create_standard(db_session)
    for borough in ("Hackney", "Camden"):
        w.cohorts[borough] = builders.create_cohort(db_session, lead=borough, standard=standard)
        w.vacancies[borough] = builders.create_vacancy(
            db_session, borough=borough, cohort=w.cohorts[borough]
        )

    # Applications to Hackney's vacancy. a3 and a4 straddle the year's end in London time:
    # 22:30 UTC on 31 March 2026 is 23:30 BST (2025-26); 23:30 UTC is 00:30 BST on 1 April.
    w.application("a1", utc(2026, 5, 10, 10), hired=utc(2026, 5, 20, 9))  # 10 days, Q1
    w.application("a2", utc(2026, 6, 1, 8), residence="Camden", hired=utc(2026, 7, 1, 8))  # 30
    w.application("a3", utc(2026, 3, 31, 22, 30))
    w.application("a4", utc(2026, 3, 31, 23, 30), residence=None)
    w.application("a5", utc(2026, 10, 5, 12), residence="Camden", eligible=False)
    w.application("a6", utc(2026, 4, 20, 12), hired=utc(2026, 4, 25, 12))  # 5 days
    # Camden's vacancy: a Hackney resident is not local to Camden.
    w.application("c1", utc(2026, 8, 1, 9), borough="Camden", hired=utc(2026, 8, 15, 9))  # 14
    w.application("c2", utc(2026, 8, 2, 9), borough="Camden", residence="Camden")

    # Hackney's apprentices.
    w.apprentice("p1", S.ACTIVE, date(2026, 4, 1))  # a start on the year's first day
    w.apprentice("p2", S.ACTIVE, date(2026, 3, 31))  # a start on the previous year's last day
    w.apprentice(
        "p3",
        S.ON_BREAK,
        date(2026, 9, 1),
        moves=(
            (S.WAITING_TO_START, S.ACTIVE, date(2026, 9, 1)),
            (S.ACTIVE, S.ON_BREAK, date(2026, 10, 1)),
        ),
    )
    w.apprentice("p4", S.WAITING_TO_START, date(2027, 1, 5))
    w.apprentice("p5", S.WITHDRAWN, date(2026, 6, 1), withdrawn_on=date(2026, 5, 20))  # never
    # Left within the 42-day qualifying period: not a start, not a leaver; an early leaver.
    w.apprentice(
        "p6",
        S.WITHDRAWN,
        date(2026, 6, 1),
        withdrawn_on=date(2026, 7, 1),
        reason="health",
        early=True,
    )
    w.apprentice("p7", S.COMPLETED, date(2024, 9, 1), completed_on=date(2026, 6, 30))
    w.apprentice(
        "p8",
        S.WITHDRAWN,
        date(2024, 9, 1),
        withdrawn_on=date(2026, 7, 15),
        reason="epa_not_achieved",
    )
    w.apprentice(
        "p9",
        S.WITHDRAWN,
        date(2025, 1, 6),
        withdrawn_on=date(2026, 9, 30),
        reason="better_job_elsewhere",
        moves=(
            (None, S.WAITING_TO_START, date(2024, 12, 1)),  # the record of creation
            (S.WAITING_TO_START, S.ACTIVE, date(2025, 1, 6)),
            (S.ACTIVE, S.ON_BREAK, date(2026, 2, 1)),
            (S.ON_BREAK, S.ACTIVE, date(2026, 5, 1)),
            (S.ACTIVE, S.WITHDRAWN, date(2026, 9, 30)),
        ),
    )
    w.apprentice("p10", S.COMPLETED, date(2024, 4, 1), completed_on=date(2026, 3, 31))
    w.apprentice("p11", S.COMPLETED, date(2024, 4, 1), completed_on=date(2026, 4, 1))
    # Camden's: one active, one completed in the year.
    w.apprentice("q1", S.ACTIVE, date(2026, 5, 1), borough="Camden")
    w.apprentice(
        "q2", S.COMPLETED, date(2024, 9, 1), borough="Camden", completed_on=date(2026, 8, 31)
    )

    # Destinations. p9 withdrew for a better job: not a completer, so not counted.
    w.outcome("p7", "six_months", "same_council")
    w.outcome("p7", "twelve_months", "same_council")
    w.outcome("p8", "six_months", "private_sector")
    w.outcome("p8", "twelve_months", "unknown")
    w.outcome("p11", "six_months", "unknown")
    w.outcome("p11", "twelve_months", "not_in_work")
    w.outcome("p9", "six_months", "same_council")
    w.outcome("p10", "six_months", "same_council")  # left in 2025-26
    w.outcome("q2", "six_months", "further_learning")

    # Mentors: p1 has one now; p2's ended on 31 May; p8's ran until they left.
    w.mentor("p1", date(2026, 4, 1))
    w.mentor("p2", date(2026, 1, 1), date(2026, 5, 31))
    w.mentor("p8", date(2024, 9, 1), date(2026, 7, 15))
    w.mentor("p3", date(2026, 9, 1))  # on a break: not counted as active

    # Stored summaries: p1 on target with a review overdue; p2 behind, review due today.
    w.summary("p1", "100", "90", date(2026, 11, 26))
    w.summary("p2", "50", "60", date(2026, 11, 27))
    w.summary("p3", "100", "10", date(2026, 1, 1))  # on a break: not counted

    # Milestones due 1 May 2026: signed off at 00:30 BST on 1 May (on time) and at 00:30 BST
    # on 2 May (late) — the UTC dates are both 1 May and 30 April respectively.
    w.milestone("p1", date(2026, 5, 1), signed_off_at=utc(2026, 4, 30, 23, 30))
    w.milestone("p1", date(2026, 5, 1), signed_off_at=utc(2026, 5, 1, 23, 30))
    w.milestone("p1", date(2026, 10, 1))  # due and not signed off
    w.milestone("p1", date(2026, 12, 15))  # not due yet
    w.milestone("p1", TODAY, status="submitted")  # due today: not settled yet
    w.milestone("p6", date(2026, 8, 1))  # due after they left
    w.milestone("p5", date(2026, 7, 1))  # never started
    w.milestone("p2", date(2026, 3, 31), signed_off_at=utc(2026, 3, 20, 12))  # in 2025-26
    return w


def figures(w: World, period: Period, borough: int | None = reports.ALL) -> dict:
    return reports.raw_figures(w.session, period, today=TODAY).figures(borough)


def test_recruitment_figures(world):
    hackney = figures(world, THIS_YEAR, world.hackney)
    # a1, a2, a4, a5, a6 (a3 is in 2025-26 by London time); local: a1, a6 (a4 lives outside
    # London); eligible: all but a5; made in the year and since hired: a1, a2, a6.
    assert {k: hackney[k] for k in reports.FUNNEL} == {
        "applications": 5,
        "eligible_applications": 4,
        "local_applications": 2,
        "hired_applications": 3,
    }
    assert hackney["hires"] == 3
    assert hackney["median_days_to_hire"] == 10  # 5, 10, 30
    camden = figures(world, THIS_YEAR, world.camden)
    assert (camden["applications"], camden["local_applications"], camden["hires"]) == (2, 1, 1)
    assert camden["median_days_to_hire"] == 14
    london = figures(world, THIS_YEAR)
    assert london["applications"] == 7
    assert london["median_days_to_hire"] == 12  # 5, 10, 14, 30: the middle two's mean
    assert figures(world, LAST_YEAR, world.hackney)["applications"] == 1  # a3


def test_each_application_and_hire_falls_in_the_quarter_of_its_date(world):
    q1 = figures(world, Q1, world.hackney)
    assert (q1["applications"], q1["hires"]) == (4, 2)  # a1, a2, a4, a6; hires a1, a6
    assert q1["median_days_to_hire"] == 7.5  # 5 and 10
    q2 = figures(world, Q2, world.hackney)
    assert (q2["applications"], q2["hires"], q2["median_days_to_hire"]) == (0, 1, 30)  # a2's hire
    q3 = figures(world, Q3, world.hackney)
    assert (q3["applications"], q3["hires"], q3["median_days_to_hire"]) == (1, 0, None)
    assert figures(world, Period(2025, 4), world.hackney)["applications"] == 1  # a3


def test_programme_figures_now(world):
    hackney = figures(world, THIS_YEAR, world.hackney)
    # Starts: p1 (1 April) and p3; not p2 (31 March, last year), p4 (waiting), p5 (never
    # started) or p6 (left within 42 days).
    assert hackney["starts"] == 2
    assert (hackney["active"], hackney["on_break"]) == (2, 1)  # p1, p2; p3
    assert hackney["mentored"] == 1  # p1 (p2's mentor left; p3 is on a break)
    assert hackney["otj_on_target"] == 1  # p1
    assert hackney["reviews_overdue"] == 1  # p1 (p2's is due today)
    assert figures(world, LAST_YEAR, world.hackney)["starts"] == 1  # p2
    assert figures(world, Period(2024), world.hackney)["starts"] == 5  # p7-p11
    assert figures(world, Period(2024, 4), world.hackney)["starts"] == 1  # p9, 6 January 2025


def test_status_figures_for_a_past_period_are_counted_on_its_last_day(world):
    # 31 March 2026: in learning p2 (started that day), p7, p8, p9, p11; p10 completed that
    # day; p9 was on a break (paused 1 February, back 1 May).
    last_year = figures(world, LAST_YEAR, world.hackney)
    assert (last_year["active"], last_year["on_break"]) == (4, 1)
    assert last_year["mentored"] == 2  # p2's mentor (1 January to 31 May) and p8's
    # The summary describes today only: no such figures for a past period.
    assert last_year["otj_on_target"] is None and last_year["reviews_overdue"] is None
    # 30 June 2026: p1, p2, p6 (left on 1 July), p8, p9 (back from the break); p7 completed
    # that day; p11 on 1 April.
    q1 = figures(world, Q1, world.hackney)
    assert (q1["active"], q1["on_break"], q1["mentored"]) == (5, 0, 2)  # mentors: p1, p8


def test_outcome_figures_with_the_42_day_rule_and_epa_not_achieved(world):
    hackney = figures(world, THIS_YEAR, world.hackney)
    # Leavers: p7 (completed), p8 (epa_not_achieved), p9 (withdrew), p11 (completed 1 April);
    # not p10 (31 March: last year), p6 (within 42 days, counted apart) or p5 (never started).
    assert hackney["leavers"] == 4
    assert hackney["early_leavers"] == 1
    assert hackney["completers"] == 3  # p7, p8, p11
    assert hackney["achievers"] == 2  # p7, p11
    # 6 months: p7 same council, p8 private sector, p11 unknown (not known); p9 not a completer.
    assert (hackney["known_6m"], hackney["in_work_6m"], hackney["with_council_6m"]) == (2, 2, 1)
    # 12 months: p7 same council, p11 not in work, p8 unknown.
    assert (hackney["known_12m"], hackney["with_council_12m"]) == (2, 1)
    last_year = figures(world, LAST_YEAR, world.hackney)
    assert (last_year["leavers"], last_year["achievers"], last_year["with_council_6m"]) == (1, 1, 1)
    camden = figures(world, THIS_YEAR, world.camden)
    assert (camden["completers"], camden["known_6m"], camden["in_work_6m"]) == (1, 1, 1)
    assert camden["with_council_6m"] == 0  # further learning


def test_leavers_fall_in_the_quarter_of_their_leave_date(world):
    q1 = figures(world, Q1, world.hackney)
    assert (q1["leavers"], q1["achievers"], q1["early_leavers"]) == (2, 2, 0)  # p7, p11
    q2 = figures(world, Q2, world.hackney)
    assert (q2["leavers"], q2["completers"], q2["early_leavers"]) == (2, 1, 1)  # p8, p9; p6


def test_milestones_on_time_by_the_london_date_of_the_sign_off(world):
    hackney = figures(world, THIS_YEAR, world.hackney)
    assert (hackney["milestones_due"], hackney["milestones_on_time"]) == (3, 1)
    q1 = figures(world, Q1, world.hackney)
    assert (q1["milestones_due"], q1["milestones_on_time"]) == (2, 1)
    last_year = figures(world, LAST_YEAR, world.hackney)
    assert (last_year["milestones_due"], last_year["milestones_on_time"]) == (1, 1)


def test_an_admin_sees_every_rate_exactly(world):
    admin = builders.create_user(world.session, roles=[Role.ADMIN])
    raw = reports.raw_figures(world.session, THIS_YEAR, today=TODAY)
    report = reports.report_for(admin, raw)
    hackney = report.row(world.hackney)
    assert hackney.exact and report.london is not None and report.london.exact
    expected = {
        "local_share": "40%",  # 2 of 5
        "eligible_share": "80%",  # 4 of 5
        "achievement_rate": "50%",  # 2 of 4 leavers
        "retention_rate": "75%",  # 3 of 4
        "progression_rate": "100%",  # 2 of 2 known
        "with_council_6m_rate": "50%",  # 1 of 2
        "with_council_12m_rate": "50%",  # 1 of 2
        "otj_on_target_rate": "50%",  # 1 of 2 active
        "milestones_on_time_rate": "33%",  # 1 of 3
        "mentor_coverage": "50%",  # 1 of 2
    }
    assert {key: hackney[key].text for key in expected} == expected
    assert hackney["median_days_to_hire"].text == "10"
    assert report.london["applications"].text == "7"
    assert report.london["median_days_to_hire"].text == "12"
    assert report.footnote is None
    assert set(reports.RATE_KEYS) == set(expected)


def test_a_lead_sees_their_own_borough_exactly_and_the_rest_under_control(world):
    lead = builders.create_user(world.session, roles=[Role.BOROUGH_LEAD], borough="Camden")
    raw = reports.raw_figures(world.session, THIS_YEAR, today=TODAY)
    report = reports.report_for(lead, raw, show=[world.hackney, world.camden])
    camden, hackney, london = report.row(world.camden), report.row(world.hackney), report.london
    assert camden.exact and camden["applications"].text == "2"
    assert camden["median_days_to_hire"].text == "14"
    assert not hackney.exact
    assert hackney["applications"].text == SUPPRESSED  # 5
    assert hackney["achievement_rate"].text == SUPPRESSED  # on 4 leavers
    assert hackney["median_days_to_hire"].text == SUPPRESSED  # on 3 hires
    assert hackney["hired_applications"].suppressed
    assert london is not None and not london.exact
    assert london["applications"].text == SUPPRESSED  # 7
    assert report.footnote == FOOTNOTE
    assert [row.name for row in report.rows] == ["Camden", "Hackney"]


def test_a_past_period_shows_no_summary_figures(world):
    admin = builders.create_user(world.session, roles=[Role.ADMIN])
    report = reports.report_for(admin, reports.raw_figures(world.session, LAST_YEAR, today=TODAY))
    hackney = report.row(world.hackney)
    assert not report.snapshot and report.as_of == date(2026, 3, 31)
    assert hackney["otj_on_target"].text == reports.NOT_APPLICABLE
    assert hackney["otj_on_target_rate"].text == reports.NOT_APPLICABLE
    assert hackney["mentor_coverage"].text == "50%"  # 2 of 4


def test_trends_by_quarter_of_start(world):
    raw = reports.raw_trends(world.session, today=TODAY)
    hackney = world.hackney
    assert raw.count("starts", Period(2026, 1), hackney) == 1  # p1
    assert raw.count("starts", Period(2025, 4), hackney) == 1  # p2
    # Started July–September 2024: p7 (completed), p8 (epa_not_achieved): both leavers.
    q = Period(2024, 2)
    assert (raw.count("starts", q, hackney), raw.count("cohort_leavers", q, hackney)) == (2, 2)
    assert raw.count("cohort_achievers", q, hackney) == 1
    assert raw.count("starts", Period(2026, 2), hackney) == 1  # p3; p6 left within 42 days
    admin = builders.create_user(world.session, roles=[Role.ADMIN])
    report = reports.trends_for(admin, raw)
    assert report.quarters[0] == Period(2022, 1) and report.quarters[-1] == Q3
    index = report.quarters.index(q)
    assert report.row(hackney)["cohort_leavers"][index].text == "2"
    assert report.london is not None and report.london["starts"][index].text == "3"  # q2 too


def test_equality_breakdowns_by_answer_without_objections(world):
    session = world.session
    answers = {
        "a1": ("woman", "asian_indian", "no", "yes", False),
        "a2": ("man", "black_african", "yes", "no", False),
        "a5": ("woman", "white_british", "prefer_not_to_say", "no", True),  # objected
        "a6": ("woman", "asian_chinese", None, None, False),
    }
    for name, (gender, ethnic, disability, care, objected) in answers.items():
        session.add(
            EqualityMonitoring(
                application_id=world.applications[name].id,
                gender=gender,
                ethnic_group=ethnic,
                disability=disability,
                care_experience=care,
                objected=objected,
            )
        )
    world.applications["a1"].apprentice_id = world.people["p7"].id  # a completer
    session.commit()
    raw = reports.raw_equality(session, THIS_YEAR)
    hackney = world.hackney
    assert raw.count("applicants", "gender", "woman", hackney) == 2  # a1, a6 (a5 objected)
    assert raw.count("applicants", "gender", "man", hackney) == 1
    assert raw.count("applicants", "gender", "not_known", hackney) == 2  # a4, a5
    assert raw.count("applicants", "ethnic_group", "asian", hackney) == 2
    assert raw.count("hires", "ethnic_group", "black", hackney) == 1  # a2
    assert raw.count("hires", "disability", "not_known", hackney) == 1  # a6 did not answer
    assert raw.count("completers", "care_experience", "yes", hackney) == 1  # p7, through a1
    assert raw.count("completers", "care_experience", "not_known", hackney) == 2  # p8, p11
    assert raw.count("completers", "gender", "not_known") == 3  # p8, p11 and Camden's q2
    table = reports.equality_table(raw, "gender", "applicants")
    # Under control for every viewer, the own borough included: 2, 1 and 2 are all hidden.
    assert table.cells["woman", hackney].text == SUPPRESSED
    assert table.borough_totals[hackney].text == SUPPRESSED
    assert table.footnote_for([hackney]) == FOOTNOTE
    with pytest.raises(ValueError):
        reports.raw_equality(session, Q1)


def test_figures_for_a_set_of_boroughs(world):
    raw = reports.raw_figures(world.session, THIS_YEAR, [world.camden], today=TODAY)
    assert list(raw.boroughs) == [world.camden] and not raw.all_boroughs
    assert raw.figures()["applications"] == 2
    coordinator = builders.create_user(world.session, borough="Camden")
    report = reports.report_for(coordinator, raw)
    assert report.london is None and report.row(world.camden)["applications"].text == "2"
    lead = builders.create_user(world.session, roles=[Role.BOROUGH_LEAD], borough="Hackney")
    with pytest.raises(ValueError):
        reports.report_for(lead, raw)  # Camden is not the lead's: needs every borough


# A fixed number of queries whatever the data size


def populate(session: Session, size: int) -> None:
    """`size` apprentices and applications of every kind, spread over two boroughs."""
    standard = builders.create_standard(session)
    mentor = builders.create_mentor(session, capacity=size)
    statuses = [S.ACTIVE, S.ON_BREAK, S.WITHDRAWN, S.COMPLETED, S.WAITING_TO_START]
    for borough in ("Hackney", "Camden"):
        cohort = builders.create_cohort(session, lead=borough, standard=standard)
        vacancy = builders.create_vacancy(session, borough=borough, cohort=cohort)
        for number in range(size // 2 + (borough == "Hackney") * (size % 2)):
            status = statuses[number % len(statuses)]
            person = builders.create_apprentice(
                session, borough=borough, cohort=cohort, status=status, start_date=date(2026, 4, 6)
            )
            person.withdrawn_on = date(2026, 9, 1) if status is S.WITHDRAWN else None
            person.withdrawal_reason = "health" if status is S.WITHDRAWN else None
            person.completed_on = date(2026, 10, 1) if status is S.COMPLETED else None
            application = builders.create_application(session, vacancy)
            application.submitted_at = utc(2026, 5, 1 + number % 20, 10)
            application.apprentice_id = person.id
            session.add_all(
                [
                    ApplicationEvent(
                        application_id=application.id,
                        to_stage="hired",
                        occurred_at=utc(2026, 6, 1, 10),
                    ),
                    Outcome(
                        apprentice_id=person.id,
                        follow_up="six_months",
                        destination="same_council",
                        recorded_on=TODAY,
                    ),
                    Milestone(
                        apprentice_id=person.id,
                        title="Checkpoint",
                        kind="portfolio",
                        signer="mentor",
                        due_date=date(2026, 7, 1),
                        status="signed_off",
                        decided_at=utc(2026, 6, 30, 10),
                    ),
                    MentorAssignment(
                        apprentice_id=person.id,
                        mentor_user_id=mentor.id,
                        start_date=date(2026, 4, 6),
                    ),
                    EqualityMonitoring(application_id=application.id, gender="woman"),
                ]
            )
            session.commit()


@pytest.mark.parametrize("period", [THIS_YEAR, Q2, LAST_YEAR], ids=lambda p: p.slug)
def test_a_fixed_number_of_queries_whatever_the_data_size(db_session, count_queries, period):
    lead = builders.create_user(db_session, roles=[Role.BOROUGH_LEAD])
    used = []
    for size in (3, 40):
        populate(db_session, 3 if not used else size - 3)  # 3, then 40 in all
        assert lead.roles  # the signed-in user is loaded before any report runs
        with count_queries() as log:
            raw = reports.raw_figures(db_session, period, today=TODAY)
            figures_queries = log.count
            trends = reports.raw_trends(db_session, today=TODAY)
            equality = reports.raw_equality(db_session, period.financial_year)
            reports.report_for(lead, raw)
            reports.trends_for(lead, trends)
            reports.equality_table(equality, "ethnic_group", "hires")
        used.append((figures_queries, log.count))
        assert raw.figures()["applications"] == (size if period == THIS_YEAR else 0)
    assert used == [(5, 10), (5, 10)]  # figures 5, trends 2, equality 3, presentation none


# Random data: the SQL figures agree with the definitions worked out in Python

people = st.lists(
    st.tuples(
        st.sampled_from(["Hackney", "Camden"]),
        st.sampled_from(list(S)),
        st.dates(date(2024, 10, 1), date(2026, 11, 27)),  # start
        st.integers(0, 500),  # days in learning before leaving
        st.sampled_from([None, "health", "epa_not_achieved"]),  # withdrawal reason
    ),
    max_size=8,
)


def expected_figures(specs, period: Period, borough: str) -> dict[str, int]:
    """The figures by DESIGN.md's definitions, one person at a time."""
    result = dict.fromkeys(["starts", "leavers", "early_leavers", "completers", "achievers"], 0)
    result |= {"active": 0, "on_break": 0}
    for where, status, start, reason, left, early in specs:
        if where != borough:
            continue
        started = status is not S.WAITING_TO_START and not (
            status is S.WITHDRAWN and reason is None
        )
        if period.contains(TODAY):  # the stored status
            result["active"] += status is S.ACTIVE
            result["on_break"] += status is S.ON_BREAK
        else:  # in learning on the last day (no recorded breaks here)
            day = period.end
            result["active"] += started and start <= day and (left is None or left > day)
        if started and not early and period.contains(start):
            result["starts"] += 1
        if not started or left is None or not period.contains(left):
            continue
        if early:
            result["early_leavers"] += 1
            continue
        if status in (S.COMPLETED, S.WITHDRAWN):
            result["leavers"] += 1
            result["completers"] += status is S.COMPLETED or reason == "epa_not_achieved"
            result["achievers"] += status is S.COMPLETED
    return result


@settings(max_examples=25)  # each example writes to the database
@given(people)
def test_random_apprentices_are_counted_as_defined(db_session, specs):
    session = db_session
    session.execute(delete(Apprentice))
    session.commit()
    stored = []
    for borough, status, start, days, reason in specs:
        left = min(start + timedelta(days=days), TODAY)
        if status not in (S.WITHDRAWN, S.COMPLETED):
            left, reason = None, None
        if status is S.COMPLETED:
            reason = None
        early = status is S.WITHDRAWN and reason is not None and left < start + timedelta(41)
        person = builders.create_apprentice(
            session, borough=borough, status=status, start_date=start
        )
        person.withdrawn_on = left if status is S.WITHDRAWN else None
        person.completed_on = left if status is S.COMPLETED else None
        person.withdrawal_reason = reason
        person.left_in_qualifying_period = early
        session.commit()
        stored.append((borough, status, start, reason, left, early))
    for period in (THIS_YEAR, LAST_YEAR, Q2):
        raw = reports.raw_figures(session, period, today=TODAY)
        for borough in ("Hackney", "Camden"):
            got = raw.figures(builders.get_borough(session, borough).id)
            expected = expected_figures(stored, period, borough)
            assert {key: got[key] for key in expected} == expected, (period, borough)
