"""The public-sector apprenticeship return: recording headcount (who may, validation, stale
edits, audit) and the return's figures pinned on hand-built data, exact for the viewer's own
borough and under disclosure control for the others, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import public_sector
from app.domain.disclosure import FOOTNOTE
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.domain.reports import Period
from app.models import ApprenticeStatus, AuditEvent, BoroughHeadcount, Role
from tests import builders

TODAY = date(2026, 11, 27)
LAST_YEAR, THIS_YEAR = Period(2025), Period(2026)
S = ApprenticeStatus


def add(session: Session, borough: str, status: S, start: date, count: int = 1, **fields) -> None:
    cohort = builders.create_cohort(session, lead=borough)
    for _ in range(count):
        person = builders.create_apprentice(
            session, borough=borough, cohort=cohort, status=status, start_date=start
        )
        for name, value in fields.items():
            setattr(person, name, value)
    session.commit()


def set_headcount(session: Session, borough: str, year: Period, headcount: int) -> None:
    borough_id = builders.get_borough(session, borough).id
    session.add(
        BoroughHeadcount(borough_id=borough_id, financial_year=year.year, headcount=headcount)
    )
    session.commit()


@pytest.fixture
def world(db_session):
    """Hackney (the lead's own borough), Camden, Islington and Lambeth."""
    # Hackney 2025-26: starts h1; total h1 and h2 (completed after the year began).
    add(db_session, "Hackney", S.ACTIVE, date(2025, 5, 1))  # h1
    add(db_session, "Hackney", S.COMPLETED, date(2024, 9, 1), completed_on=date(2025, 6, 30))
    # Left within the qualifying period: neither a start nor in the total.
    add(
        db_session,
        "Hackney",
        S.WITHDRAWN,
        date(2025, 10, 1),
        withdrawn_on=date(2025, 10, 20),
        withdrawal_reason="health",
        left_in_qualifying_period=True,
    )
    # Left on the last day of 2024-25: not in 2025-26's total.
    add(
        db_session,
        "Hackney",
        S.WITHDRAWN,
        date(2024, 1, 10),
        withdrawn_on=date(2025, 3, 31),
        withdrawal_reason="health",
    )
    add(db_session, "Hackney", S.WAITING_TO_START, date(2026, 12, 1))  # not started
    add(db_session, "Hackney", S.ACTIVE, date(2026, 4, 1))  # a 2026-27 start
    # Other boroughs, each in its own quarter of 2025-26.
    add(db_session, "Islington", S.ACTIVE, date(2025, 5, 1), 3)
    add(db_session, "Camden", S.ACTIVE, date(2025, 8, 1), 12)
    add(db_session, "Lambeth", S.ACTIVE, date(2025, 11, 1), 9)
    set_headcount(db_session, "Hackney", LAST_YEAR, 2000)
    set_headcount(db_session, "Camden", LAST_YEAR, 500)
    set_headcount(db_session, "Islington", LAST_YEAR, 1000)
    return {
        name: builders.get_borough(db_session, name).id
        for name in ("Hackney", "Camden", "Islington", "Lambeth")
    }


def figures(row) -> tuple:
    return row.starts.text, row.total.text, row.headcount_text, row.share.text


def test_an_admin_sees_every_boroughs_return_exactly(db_session, world):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    raw = public_sector.raw_return(db_session, [LAST_YEAR, THIS_YEAR])
    result = public_sector.return_for(admin, raw)
    assert figures(result.row(world["Hackney"], LAST_YEAR)) == ("1", "2", "2,000", "0.05%")
    assert figures(result.row(world["Hackney"], THIS_YEAR)) == ("1", "2", "–", "–")
    assert figures(result.row(world["Camden"], LAST_YEAR)) == ("12", "12", "500", "2.40%")
    assert figures(result.row(world["Islington"], LAST_YEAR)) == ("3", "3", "1,000", "0.30%")
    assert figures(result.row(world["Lambeth"], LAST_YEAR)) == ("9", "9", "–", "–")
    assert result.row(world["Camden"], LAST_YEAR).share.value == 2.4
    # London: not every borough has a headcount, so no share.
    assert figures(result.london[LAST_YEAR]) == ("25", "26", "–", "–")
    assert result.footnote is None


def test_a_lead_sees_their_own_borough_exactly_and_others_under_control(db_session, world):
    lead = builders.create_user(db_session, roles=[Role.BOROUGH_LEAD], borough="Hackney")
    raw = public_sector.raw_return(db_session, [LAST_YEAR, THIS_YEAR])
    result = public_sector.return_for(lead, raw)
    own = result.row(world["Hackney"], LAST_YEAR)
    assert own.exact and figures(own) == ("1", "2", "2,000", "0.05%")
    camden = result.row(world["Camden"], LAST_YEAR)
    # 12 rounds to 10; the share comes from the rounded count: 10 / 500, not 12 / 500.
    assert not camden.exact and figures(camden) == ("10", "10", "500", "2.00%")
    # 3 is suppressed, and so is its share; Lambeth's 9 is hidden too, or Islington's 3 could
    # be worked out from the total.
    assert figures(result.row(world["Islington"], LAST_YEAR)) == ("[c]", "[c]", "1,000", "[c]")
    assert result.row(world["Islington"], LAST_YEAR).share.suppressed
    assert result.row(world["Lambeth"], LAST_YEAR).starts.text == "[c]"
    assert result.row(world["Lambeth"], LAST_YEAR).total.text == "[c]"
    assert result.footnote == FOOTNOTE


def test_a_coordinator_sees_their_own_borough_from_its_figures_alone(db_session, world):
    coordinator = builders.create_user(db_session, roles=[Role.COORDINATOR])
    raw = public_sector.raw_return(db_session, [LAST_YEAR], [world["Hackney"]])
    result = public_sector.return_for(coordinator, raw)
    assert [figures(row) for row in result.rows[LAST_YEAR]] == [("1", "2", "2,000", "0.05%")]
    assert result.london == {}
    lead = builders.create_user(db_session, roles=[Role.BOROUGH_LEAD], borough="Camden")
    with pytest.raises(ValueError, match="every borough"):
        public_sector.return_for(lead, raw)


def test_the_return_runs_a_fixed_number_of_queries(db_session, world, count_queries):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    counts = []
    for extra in (0, 15):
        if extra:
            add(db_session, "Camden", S.ACTIVE, date(2025, 8, 1), extra)
        assert admin.roles  # the signed-in user is loaded before the return runs
        with count_queries() as log:
            raw = public_sector.raw_return(db_session, public_sector.return_years(TODAY))
            public_sector.return_for(admin, raw)
        counts.append(log.count)
    assert counts == [4, 4]


# Recording headcount


def record(session, actor, borough_id, headcount, *, year=LAST_YEAR, version=None):
    return public_sector.record_headcount(
        session,
        actor=actor,
        borough_id=borough_id,
        year=year,
        headcount=headcount,
        expected_version=version,
        today=TODAY,
    )


def test_a_coordinator_records_and_changes_their_boroughs_headcount(db_session):
    coordinator = builders.create_user(db_session, roles=[Role.COORDINATOR])
    hackney = builders.get_borough(db_session, "Hackney").id
    saved = record(db_session, coordinator, hackney, 2100)
    db_session.commit()
    assert (saved.headcount, saved.row_version) == (2100, 1)
    record(db_session, coordinator, hackney, 2150, version=1)
    db_session.commit()
    assert saved.headcount == 2150 and saved.row_version == 2
    events = db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "borough_headcount")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.fields_changed) for e in events] == [
        ("created", ["headcount"]),
        ("updated", ["headcount"]),
    ]


def test_a_coordinator_cannot_record_another_boroughs_headcount(db_session):
    coordinator = builders.create_user(db_session, roles=[Role.COORDINATOR])
    camden = builders.get_borough(db_session, "Camden").id
    with pytest.raises(NotFound):
        record(db_session, coordinator, camden, 900)
    lead = builders.create_user(db_session, roles=[Role.BOROUGH_LEAD])
    with pytest.raises(NotFound):
        record(db_session, lead, builders.get_borough(db_session, "Hackney").id, 900)
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    assert record(db_session, admin, camden, 900).headcount == 900
    wide = builders.create_user(db_session, roles=[Role.COORDINATOR], programme_wide=True)
    assert record(db_session, wide, camden, 950, version=1).headcount == 950


@pytest.mark.parametrize(
    ("headcount", "year", "message"),
    [
        (0, LAST_YEAR, "Headcount must be between 1 and 1,000,000"),
        (-5, LAST_YEAR, "Headcount must be between 1 and 1,000,000"),
        (1_000_001, LAST_YEAR, "Headcount must be between 1 and 1,000,000"),
        (2.5, LAST_YEAR, "Headcount must be a whole number"),
        (100, Period(2021), "Select a financial year from the list"),
        (100, Period(2027), "Select a financial year from the list"),
        (100, Period(2025, 2), "Select a financial year from the list"),
    ],
)
def test_headcount_must_be_a_positive_whole_number_for_a_year_offered(
    db_session, headcount, year, message
):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    with pytest.raises(DomainError, match=message):
        record(db_session, admin, builders.get_borough(db_session).id, headcount, year=year)
    assert db_session.scalars(select(BoroughHeadcount)).all() == []


def test_a_stale_headcount_edit_is_refused(db_session):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    hackney = builders.get_borough(db_session).id
    record(db_session, admin, hackney, 2000)
    db_session.commit()
    with pytest.raises(StaleEdit):  # loaded before anyone had recorded it
        record(db_session, admin, hackney, 2100, version=None)
    with pytest.raises(StaleEdit):  # loaded at an older version
        record(db_session, admin, hackney, 2100, version=0)
    with pytest.raises(StaleEdit):  # nothing recorded, but the form thought there was
        record(db_session, admin, hackney, 2100, year=THIS_YEAR, version=1)
    assert db_session.scalars(select(BoroughHeadcount.headcount)).all() == [2000]
