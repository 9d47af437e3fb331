"""Open data: every published figure obeys the disclosure rule and no withheld figure can be
worked out from the others (a property over random data, Hypothesis; the conftest loads a
fixed profile under CI=true); every file validates against the data dictionary; and a few
figures pinned on hand-built data, counted as the reports count them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.csv_writer import encoded_lines
from app.domain import open_data, reports
from app.domain.disclosure import SUPPRESSED, Policy
from app.domain.open_data import COLUMN_NAMES, DATASET, DATASETS, DICTIONARY, Area, RawOpenData
from app.domain.reports import Period
from app.models import ApprenticeStatus, Outcome
from tests import builders

TODAY = date(2026, 11, 27)  # the frozen clock's date: 2026-27, quarter 3
POLICY = Policy()
COUNTS = [c.name for c in DICTIONARY if c.type == "count"]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# ---------------------------------------------------------------------------------------------
# Checking files against the data dictionary (also used by the download tests)


def check_value(column: open_data.Column, value: Any, *, from_csv: bool) -> None:
    """One value as the dictionary says its column holds (CSV gives text; JSON numbers)."""
    where = f"{column.name}={value!r}"
    if column.type in ("text", "date"):
        assert isinstance(value, str) and value, where
        if column.values:
            assert value in column.values, where
        if column.type == "date":
            assert _DATE.fullmatch(value) and date.fromisoformat(value), where
        return
    if value == SUPPRESSED:
        return
    if column.type == "percentage" and value in ("", None):
        assert value == ("" if from_csv else None), where
        return
    if from_csv:
        assert isinstance(value, str) and value.isdigit(), where
        value = int(value)
    assert isinstance(value, int) and not isinstance(value, bool), where
    if column.type == "percentage":
        assert 0 <= value <= 100, where


def check_csv(body: bytes) -> list[dict[str, str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    records = list(csv.reader(io.StringIO(text[1:])))
    assert tuple(records[0]) == COLUMN_NAMES
    for record in records[1:]:
        assert len(record) == len(DICTIONARY)
        for column, value in zip(DICTIONARY, record, strict=True):
            check_value(column, value, from_csv=True)
    return [dict(zip(COLUMN_NAMES, record, strict=True)) for record in records[1:]]


def check_json(document: dict[str, Any]) -> list[dict[str, Any]]:
    assert set(document) == {"metadata", "rows"}
    metadata = document["metadata"]
    assert [c["name"] for c in metadata["columns"]] == list(COLUMN_NAMES)
    assert [c["type"] for c in metadata["columns"]] == [c.type for c in DICTIONARY]
    assert metadata["licence"]["name"] == "Open Government Licence v3.0"
    for row in document["rows"]:
        assert tuple(row) == COLUMN_NAMES
        for column in DICTIONARY:
            check_value(column, row[column.name], from_csv=False)
    return document["rows"]


def as_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(encoded_lines(COLUMN_NAMES, rows))


# ---------------------------------------------------------------------------------------------
# The property: random exact counts, published


# Mostly small counts, so suppression and secondary suppression happen often; many zeros.
small = st.integers(0, 40).map(lambda n: 0 if n >= 30 else n if n < 14 else n * 2)


@st.composite
def raw_data(draw: st.DrawFn) -> RawOpenData:
    size = draw(st.integers(2, 5))
    boroughs = {b: Area(f"E0900{b:04d}", f"Borough {b}") for b in range(1, size + 1)}
    quarters = open_data.published_quarters(TODAY)
    # Only periods that have begun hold events; each borough is sometimes silent throughout.
    active = draw(st.lists(st.sampled_from(list(boroughs)), min_size=1, unique=True))
    flows: dict[tuple[str, int, int], int] = {}
    for b in active:
        for quarter in draw(st.lists(st.sampled_from(quarters), max_size=6, unique=True)):
            for measure in open_data.FLOW_MEASURES:
                flows[measure, b, quarter.index] = draw(small)
            # A rate's numerator counts some of the people its denominator counts.
            for numerator, denominator in open_data.RATES.values():
                whole = flows[denominator, b, quarter.index]
                flows[numerator, b, quarter.index] = draw(st.integers(0, whole))
    days = {p.as_of(TODAY) for p in (*open_data.published_years(TODAY), *quarters)}
    stocks = {(b, day): draw(small) for b in active for day in sorted(days)}
    return RawOpenData(TODAY, boroughs, flows, stocks)


def published_rows(raw: RawOpenData) -> dict[str, list[dict[str, Any]]]:
    data = open_data.publish(raw, POLICY)
    return {
        d.slug: [
            dict(zip(COLUMN_NAMES, row, strict=True)) for row in open_data.rows(data, d, POLICY)
        ]
        for d in DATASETS
    }


def lines(files: dict[str, list[dict[str, Any]]], measure: str) -> list[list[Any]]:
    """Every set of published figures that add up: a total last, the parts before it."""

    def index(slug: str) -> dict[tuple[str, str], Any]:
        return {(row["period"], row["area_code"]): row[measure] for row in files[slug]}

    by_year, by_quarter = index("borough-financial-year"), index("borough-quarter")
    london_year, london_quarter = index("london-financial-year"), index("london-quarter")
    areas = sorted({area for _, area in by_year})
    years = open_data.published_years(TODAY)
    quarters = open_data.published_quarters(TODAY)
    found = []
    for year in years:
        begun = [q for q in quarters if q.financial_year == year]
        y = year.slug
        if measure == "active":
            # Counted on a day: the boroughs add up to London, per period.
            for period in (year, *begun):
                if period.is_year:
                    parts, total = [by_year[y, a] for a in areas], london_year[y, "E12000007"]
                else:
                    parts = [by_quarter[period.slug, a] for a in areas]
                    total = london_quarter[period.slug, "E12000007"]
                found.append([*parts, total])
            continue
        for area in areas:  # a borough's quarters add up to its year
            found.append([*(by_quarter[q.slug, area] for q in begun), by_year[y, area]])
        found.append(
            [*(london_quarter[q.slug, "E12000007"] for q in begun), london_year[y, "E12000007"]]
        )
        for q in begun:  # the boroughs add up to London, per quarter and for the year
            found.append(
                [*(by_quarter[q.slug, a] for a in areas), london_quarter[q.slug, "E12000007"]]
            )
        found.append([*(by_year[y, a] for a in areas), london_year[y, "E12000007"]])
    return found


@given(raw_data())
def test_every_published_figure_obeys_the_disclosure_rule_and_none_can_be_worked_out(raw):
    files = published_rows(raw)
    for slug, rows in files.items():
        for row in rows:
            for name in COUNTS:
                value = row[name]
                assert (
                    value == SUPPRESSED
                    or value == 0
                    or (value % POLICY.rounding_base == 0 and value > POLICY.threshold)
                ), (slug, name, value)
            for name, (numerator, denominator) in open_data.RATES.items():
                shown, top, bottom = row[name], row[numerator], row[denominator]
                if SUPPRESSED in (top, bottom):
                    assert shown == SUPPRESSED, (slug, name)
                elif bottom == 0:
                    assert shown is None
                else:  # from the rounded counts, so it reveals nothing they do not
                    assert bottom >= POLICY.minimum_denominator
                    assert shown == round(100 * top / bottom), (slug, name)
        check_csv(as_csv(tuple(row.values()) for row in rows))

    slack = POLICY.rounding_base // 2
    for measure in COUNTS:
        for line in lines(files, measure):
            withheld = line.count(SUPPRESSED)
            # A lone withheld figure among parts and their total could be worked out.
            assert withheld != 1, (measure, line)
            if withheld == 0:
                # Everything shown: the total agrees with the parts, up to rounding.
                *parts, total = line
                assert abs(total - sum(parts)) <= slack * sum(1 for v in line if v), line


def test_open_data_is_never_exact():
    raw = RawOpenData(TODAY, {1: Area("E09000012", "Hackney")}, {}, {})
    with pytest.raises(ValueError, match="always under disclosure control"):
        open_data.publish(raw, Policy.exact())


def test_every_file_has_each_area_and_period_once_oldest_first():
    raw = RawOpenData(
        TODAY, {1: Area("E09000012", "Hackney"), 2: Area("E09000007", "Camden")}, {}, {}
    )
    files = published_rows(raw)
    assert [r["period"] for r in files["london-financial-year"]] == [
        "2022-23",
        "2023-24",
        "2024-25",
        "2025-26",
        "2026-27",
    ]
    assert len(files["borough-financial-year"]) == 5 * 2
    quarters = [r["period"] for r in files["london-quarter"]]
    assert quarters[:2] == ["2022-23-q1", "2022-23-q2"]
    assert quarters[-1] == "2026-27-q3" and len(quarters) == 4 * 4 + 3  # Q4 not begun
    statuses = {r["period"]: r["status"] for r in files["london-quarter"]}
    assert statuses["2026-27-q2"] == "final" and statuses["2026-27-q3"] == "provisional"
    assert {r["area_name"] for r in files["borough-quarter"]} == {"Hackney", "Camden"}
    assert {r["area_code"] for r in files["london-quarter"]} == {"E12000007"}


# ---------------------------------------------------------------------------------------------
# Hand-built data


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def world(db_session: Session) -> Session:
    """Hackney: 22 applications in 2026-27 (12 in Q1, 9 of them local; 10 local in Q2), 3
    starts in Q1 still active, and 15 apprentices who started in September 2024: 10 completed
    and 5 withdrew in January 2026 (8 of the completers in work or learning 6 months on, 2 not).
    Camden: 10 starts in Q2, all active."""
    s = db_session
    cohorts = {b: builders.create_cohort(s, lead=b) for b in ("Hackney", "Camden")}
    vacancy = builders.create_vacancy(s, borough="Hackney", cohort=cohorts["Hackney"])
    for n in range(12):
        application = builders.create_application(
            s, vacancy, residence="Hackney" if n < 9 else "Camden"
        )
        application.submitted_at = utc(2026, 5, 1 + n, 10)
    for n in range(10):
        builders.create_application(s, vacancy).submitted_at = utc(2026, 8, 1 + n, 10)
    for _ in range(3):
        builders.create_apprentice(
            s,
            cohort=cohorts["Hackney"],
            status=ApprenticeStatus.ACTIVE,
            start_date=date(2026, 5, 1),
        )
    for _ in range(10):
        builders.create_apprentice(
            s,
            borough="Camden",
            cohort=cohorts["Camden"],
            status=ApprenticeStatus.ACTIVE,
            start_date=date(2026, 7, 1),
        )
    for n in range(15):
        person = builders.create_apprentice(
            s,
            cohort=cohorts["Hackney"],
            status=ApprenticeStatus.ACTIVE,
            start_date=date(2024, 9, 1),
        )
        if n < 10:
            person.status, person.completed_on = ApprenticeStatus.COMPLETED.value, date(2026, 1, 15)
            destination = (
                "same_council" if n < 6 else "further_learning" if n < 8 else "not_in_work"
            )
            s.add(
                Outcome(
                    apprentice_id=person.id,
                    follow_up="six_months",
                    destination=destination,
                    recorded_on=date(2026, 7, 15),
                )
            )
        else:
            person.status, person.withdrawn_on = ApprenticeStatus.WITHDRAWN.value, date(2026, 1, 15)
            person.withdrawal_reason = "better_job_elsewhere"
    s.commit()
    return s


def downloaded(session: Session, slug: str) -> dict[tuple[str, str], dict[str, Any]]:
    data = open_data.publish(open_data.raw_open_data(session, today=TODAY), POLICY)
    rows = list(open_data.rows(data, DATASET[slug], POLICY))
    check_csv(as_csv(rows))
    return {(row[1], row[6]): dict(zip(COLUMN_NAMES, row, strict=True)) for row in rows}


def test_figures_pinned_on_hand_built_data(world):
    year = downloaded(world, "borough-financial-year")
    quarter = downloaded(world, "borough-quarter")
    london_year = downloaded(world, "london-financial-year")
    london_quarter = downloaded(world, "london-quarter")

    # Applications: 12 → 10 and 10 in the quarters, 22 → 20 in the year; local 9 → 10 and 19 → 20.
    hackney_q1 = quarter["2026-27-q1", "Hackney"]
    assert (hackney_q1["applications"], hackney_q1["local_applications"]) == (10, 10)
    assert hackney_q1["local_share_percent"] == 100  # from the rounded counts
    assert year["2026-27", "Hackney"]["applications"] == 20
    assert london_year["2026-27", "London"]["applications"] == 20
    assert year["2026-27", "Camden"]["applications"] == 0  # a true zero
    assert year["2026-27", "Camden"]["local_share_percent"] is None  # nobody to rate

    # Starts: Hackney's 3 are withheld; Camden's 10 would show on their own, but London's 13
    # minus them would give Hackney's away, so they are withheld too; and London's year too,
    # since Hackney, knowing its own 3, could take them from it and find Camden's.
    assert quarter["2026-27-q1", "Hackney"]["starts"] == SUPPRESSED
    assert year["2026-27", "Hackney"]["starts"] == SUPPRESSED
    assert quarter["2026-27-q2", "Camden"]["starts"] == SUPPRESSED
    assert year["2026-27", "Camden"]["starts"] == SUPPRESSED
    assert london_quarter["2026-27-q2", "London"]["starts"] == SUPPRESSED
    assert london_year["2026-27", "London"]["starts"] == SUPPRESSED
    # Active today: the same protection; and on 30 September 2024, 15 in Hackney.
    assert year["2026-27", "Camden"]["active"] == SUPPRESSED
    assert london_year["2026-27", "London"]["active"] == SUPPRESSED
    assert quarter["2026-27-q3", "Camden"]["active"] == SUPPRESSED  # the same day as the year
    assert quarter["2024-25-q2", "Hackney"]["active"] == 15
    assert year["2024-25", "Hackney"]["starts"] == 15
    assert year["2025-26", "Hackney"]["active"] == 0  # all had left by 31 March 2026

    # Leavers in January 2026 (Q4 2025-26): 15, of whom 10 achieved (67% of the rounded
    # counts); 10 known destinations, 8 in work or learning → 10 (100%).
    leavers = quarter["2025-26-q4", "Hackney"]
    assert (leavers["leavers"], leavers["achievements"], leavers["achievement_rate_percent"]) == (
        15,
        10,
        67,
    )
    assert (
        leavers["known_destinations_6_months"],
        leavers["progressions_6_months"],
        leavers["progression_rate_percent"],
    ) == (10, 10, 100)
    assert year["2025-26", "Hackney"]["leavers"] == 15
    assert london_year["2025-26", "London"]["leavers"] == 15
    assert year["2025-26", "Hackney"]["status"] == "final"
    assert year["2026-27", "Hackney"]["status"] == "provisional"


def test_counted_as_the_reports_count(world):
    """The exact counts behind the files are the reports' own, for every borough and period."""
    raw = open_data.raw_open_data(world, today=TODAY)
    same = {
        "applications": "applications",
        "local_applications": "local_applications",
        "starts": "starts",
        "leavers": "leavers",
        "achievements": "achievers",
        "known_destinations_6_months": "known_6m",
        "progressions_6_months": "in_work_6m",
    }
    checked = 0
    for period in (Period(2024, 2), Period(2025, 4), Period(2026, 1), Period(2026, 3)):
        report = reports.raw_figures(world, period, today=TODAY)
        for borough_id in raw.boroughs:
            expected = report.figures(borough_id)
            for ours, theirs in same.items():
                assert raw.flows.get((ours, borough_id, period.index), 0) == expected[theirs]
            active = raw.stocks.get((borough_id, period.as_of(TODAY)), 0)
            assert active == expected["active"]
            checked += bool(expected["starts"] or expected["active"] or expected["leavers"])
    assert checked >= 3


def test_figures_are_counted_in_a_fixed_number_of_queries(world, count_queries):
    with count_queries() as log:
        open_data.raw_open_data(world, today=TODAY)
    assert log.count == 5


def test_the_version_changes_when_the_data_does(world):
    before = open_data.data_version(world, POLICY, today=TODAY)
    assert open_data.data_version(world, POLICY, today=date(2026, 12, 31)) == before
    assert open_data.data_version(world, POLICY, today=date(2027, 1, 1)).etag != before.etag
    assert open_data.data_version(world, Policy(threshold=9), today=TODAY).etag != before.etag

    outcome = world.query(Outcome).first()
    world.delete(outcome)
    world.commit()
    removed = open_data.data_version(world, POLICY, today=TODAY)
    assert removed.etag != before.etag
    assert removed.last_modified.tzinfo is not None
