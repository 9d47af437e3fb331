"""Who needs attention: each kind of reason, the coordinator's scope, filters, sorting and
pages, all read from the stored progress summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.domain import attention, progress
from app.domain.attention import Colour, Filters, ReasonKind, Sort
from app.models import (
    ApprenticeStatus,
    LogEntry,
    Milestone,
    ProgressReview,
    ProgressSummary,
    Role,
    Standard,
)
from tests import builders

START = date(2026, 6, 1)
TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _app(app_context):
    """The thresholds and review interval are settings of the app."""


@pytest.fixture
def standard(db_session) -> Standard:
    # A small published minimum: 8 approved hours are well ahead of what is expected by now.
    return builders.create_standard(db_session, min_otj_hours=10)


@pytest.fixture
def cohort(db_session, standard):
    return builders.create_cohort(db_session, name="Hackney 2026", standard=standard)


def entry(
    session, apprentice, *, status="approved", submitted=datetime(2026, 10, 1, 9, tzinfo=UTC)
):
    session.add(
        LogEntry(
            apprentice_id=apprentice.id,
            entry_date=submitted.date(),
            hours=Decimal(8),
            activity_type="teaching",
            description="Workshop",
            status=status,
            submitted_at=submitted,
        )
    )


def person(
    session,
    cohort,
    name,
    *,
    borough="Hackney",
    hours=True,
    next_review=date(2027, 1, 20),
    overdue_milestones=0,
    waiting_since=None,
    status=ApprenticeStatus.ACTIVE,
):
    """An apprentice who is on track unless told otherwise, with their summary stored."""
    standard = session.get(Standard, cohort.standard_id)
    apprentice = builders.create_apprentice(
        session,
        borough=borough,
        cohort=cohort,
        standard=standard,
        name=name,
        status=status,
        start_date=START,
    )
    if hours:
        entry(session, apprentice)
    if next_review is not None:
        session.add(
            ProgressReview(
                apprentice_id=apprentice.id,
                review_date=date(2026, 8, 20),
                attendees="Everyone",
                rating="on_track",
                notes="Notes",
                actions="Actions",
                next_review_date=next_review,
            )
        )
    for _ in range(overdue_milestones):
        session.add(
            Milestone(
                apprentice_id=apprentice.id,
                title="Portfolio checkpoint",
                kind="portfolio",
                signer="mentor",
                due_date=date(2026, 11, 1),
            )
        )
    if waiting_since is not None:
        entry(session, apprentice, status="submitted", submitted=waiting_since)
    session.commit()
    progress.refresh_summary(session, apprentice.id)
    session.commit()
    return apprentice


@pytest.fixture
def people(db_session, cohort):
    """One apprentice for each reason, and some who do not need attention."""
    return {
        "hours": person(db_session, cohort, "Hana Hours", hours=False),
        "review": person(db_session, cohort, "Rita Review", next_review=date(2026, 11, 10)),
        "milestones": person(db_session, cohort, "Mo Milestones", overdue_milestones=1),
        "entries": person(
            db_session,
            cohort,
            "Eli Entries",
            waiting_since=datetime(2026, 11, 1, 12, tzinfo=UTC),
        ),
        "fine": person(
            db_session, cohort, "Gus Green", waiting_since=datetime(2026, 11, 20, tzinfo=UTC)
        ),
        "withdrawn": person(
            db_session, cohort, "Will Withdrawn", hours=False, status=ApprenticeStatus.WITHDRAWN
        ),
    }


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


def listed(session, viewer, filters: Filters | None = None, **options):
    return attention.needs_attention(session, viewer, filters or Filters(), **options).rows


def names(rows) -> list[str]:
    return [row.name for row in rows]


# Each kind of reason


def test_each_kind_of_reason_appears_with_its_reason(db_session, people, coordinator):
    rows = {row.name: row for row in listed(db_session, coordinator, Filters(sort=Sort.NAME))}
    assert sorted(rows) == ["Eli Entries", "Hana Hours", "Mo Milestones", "Rita Review"]

    hours = rows["Hana Hours"]
    assert (hours.rag, hours.kinds) == ("red", {ReasonKind.HOURS})
    assert hours.reasons[0].text.startswith("0 of ")
    assert "off-the-job hours expected by now (0%)" in hours.reasons[0].text

    review = rows["Rita Review"]
    assert (review.rag, review.kinds, review.review_overdue) == (
        "amber",
        {ReasonKind.REVIEW},
        True,
    )
    assert [reason.text for reason in review.reasons] == ["Progress review 17 days late"]

    milestones = rows["Mo Milestones"]
    assert (milestones.rag, milestones.kinds) == ("amber", {ReasonKind.MILESTONES})
    assert [reason.text for reason in milestones.reasons] == ["1 milestone overdue"]

    entries = rows["Eli Entries"]
    assert (entries.rag, entries.kinds) == ("green", {ReasonKind.ENTRIES})
    assert [reason.text for reason in entries.reasons] == [
        "1 log entry waiting for approval, the oldest for 25 days"
    ]
    assert entries.oldest_waiting_since == datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_a_red_apprentice_shows_every_reason(db_session, cohort, coordinator):
    person(
        db_session,
        cohort,
        "Everything",
        hours=False,
        next_review=date(2026, 10, 1),
        overdue_milestones=2,
        waiting_since=datetime(2026, 10, 2, tzinfo=UTC),
    )
    (row,) = listed(db_session, coordinator)
    assert row.rag == "red"
    assert row.kinds == set(ReasonKind)
    texts = [reason.text for reason in row.reasons]
    assert "Progress review 57 days late" in texts
    assert "2 milestones overdue" in texts
    assert texts[-1] == "1 log entry waiting for approval, the oldest for 56 days"


def test_a_review_falls_due_after_the_summary_was_stored(db_session, cohort, coordinator):
    """The stored colour was computed before the review date passed: the list still shows it
    as overdue, because the summary holds the date."""
    apprentice = person(db_session, cohort, "Stale Sam", next_review=date(2026, 11, 10))
    progress.refresh_summaries(db_session, [apprentice.id], on=date(2026, 11, 1))
    db_session.commit()
    (row,) = listed(db_session, coordinator)
    assert row.rag == "green"  # as stored on 1 November
    assert [(reason.kind, reason.text) for reason in row.reasons] == [
        (ReasonKind.REVIEW, "Progress review 17 days late")
    ]
    assert [r.name for r in listed(db_session, coordinator, Filters(reason=ReasonKind.REVIEW))] == [
        "Stale Sam"
    ]


def test_reasons_are_classified_by_their_words():
    assert attention.kind_of("12 of 40 off-the-job hours expected by now (30%)") is ReasonKind.HOURS
    assert attention.kind_of("Progress review 3 days late") is ReasonKind.REVIEW
    assert attention.kind_of("2 milestones overdue") is ReasonKind.MILESTONES
    assert attention.kind_of("Something new") is None


def test_only_stored_summaries_are_read(db_session, cohort, coordinator):
    """An apprentice whose summary was never stored is not listed (nothing is computed here)."""
    standard = db_session.get(Standard, cohort.standard_id)
    builders.create_apprentice(
        db_session, cohort=cohort, standard=standard, status=ApprenticeStatus.ACTIVE
    )
    assert listed(db_session, coordinator) == []


# Scope


def test_the_list_is_scoped_to_the_coordinators_borough(db_session, people, coordinator, cohort):
    camden_cohort = builders.create_cohort(
        db_session, lead="Camden", standard=db_session.get(Standard, cohort.standard_id)
    )
    person(db_session, camden_cohort, "Cara Camden", borough="Camden", hours=False)
    placed = person(db_session, camden_cohort, "Pat Placed", borough="Camden", hours=False)
    builders.create_placement(db_session, placed, host="Hackney", start_date=START)
    ended = person(db_session, camden_cohort, "Ed Ended", borough="Camden", hours=False)
    builders.create_placement(
        db_session, ended, host="Hackney", start_date=START, end_date=date(2026, 8, 31)
    )
    mentee = person(db_session, camden_cohort, "Max Mentee", borough="Camden", hours=False)
    # A coordinator who also mentors: their Camden mentee is not theirs to follow up here.
    coordinator_mentor = builders.create_user(
        db_session, roles=[Role.COORDINATOR, Role.MENTOR], borough="Hackney"
    )
    builders.assign_mentor(db_session, mentee, coordinator_mentor)

    hackney = ["Eli Entries", "Hana Hours", "Mo Milestones", "Pat Placed", "Rita Review"]
    by_name = Filters(sort=Sort.NAME)
    assert names(listed(db_session, coordinator, by_name)) == hackney
    assert names(listed(db_session, coordinator_mentor, by_name)) == hackney

    camden = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    assert names(listed(db_session, camden, by_name)) == [
        "Cara Camden",
        "Ed Ended",
        "Max Mentee",
        "Pat Placed",
    ]
    everyone = sorted([*hackney, "Cara Camden", "Ed Ended", "Max Mentee"])
    central = builders.create_user(
        db_session, roles=[Role.COORDINATOR], borough="Camden", programme_wide=True
    )
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    assert names(listed(db_session, central, by_name)) == everyone
    assert names(listed(db_session, admin, by_name)) == everyone
    # Only the coordinator route counts: a mentor-only user sees nobody here.
    assert listed(db_session, builders.create_mentor(db_session), by_name) == []


# Filters


def test_filters(db_session, people, coordinator, cohort):
    other = builders.create_cohort(
        db_session, name="Second", standard=db_session.get(Standard, cohort.standard_id)
    )
    person(db_session, other, "Oona Other", hours=False)

    def filtered(**chosen) -> list[str]:
        return names(listed(db_session, coordinator, Filters(sort=Sort.NAME, **chosen)))

    assert filtered(colour=Colour.RED) == ["Hana Hours", "Oona Other"]
    assert filtered(colour=Colour.AMBER) == ["Mo Milestones", "Rita Review"]
    assert filtered(colour=Colour.GREEN) == ["Eli Entries"]
    assert filtered(reason=ReasonKind.HOURS) == ["Hana Hours", "Oona Other"]
    assert filtered(reason=ReasonKind.REVIEW) == ["Rita Review"]
    assert filtered(reason=ReasonKind.MILESTONES) == ["Mo Milestones"]
    assert filtered(reason=ReasonKind.ENTRIES) == ["Eli Entries"]
    assert filtered(cohort_id=other.id) == ["Oona Other"]
    assert filtered(cohort_id=cohort.id, colour=Colour.RED) == ["Hana Hours"]
    assert filtered(colour=Colour.GREEN, reason=ReasonKind.HOURS) == []


def test_the_borough_filter_for_those_who_see_every_borough(db_session, people, cohort):
    camden_cohort = builders.create_cohort(
        db_session, lead="Camden", standard=db_session.get(Standard, cohort.standard_id)
    )
    person(db_session, camden_cohort, "Cara Camden", borough="Camden", hours=False)
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    camden_id = builders.get_borough(db_session, "Camden").id
    hackney_id = builders.get_borough(db_session, "Hackney").id
    assert names(listed(db_session, admin, Filters(borough_id=camden_id))) == ["Cara Camden"]
    rows = listed(db_session, admin, Filters(borough_id=hackney_id, sort=Sort.NAME))
    assert names(rows) == ["Eli Entries", "Hana Hours", "Mo Milestones", "Rita Review"]
    assert {row.borough for row in rows} == {"Hackney"}
    assert {row.cohort for row in rows} == {"Hackney 2026"}


# Sorting and pages


def test_sorting(db_session, people, coordinator, cohort):
    person(
        db_session,
        cohort,
        "Aled Amber",
        next_review=date(2026, 11, 20),
        waiting_since=datetime(2026, 11, 5, tzinfo=UTC),
    )

    def order(sort: Sort) -> list[str]:
        return names(listed(db_session, coordinator, Filters(sort=sort)))

    assert order(Sort.NAME) == [
        "Aled Amber",
        "Eli Entries",
        "Hana Hours",
        "Mo Milestones",
        "Rita Review",
    ]
    # Red, then amber, then green; by name within each colour.
    assert order(Sort.SEVERITY) == [
        "Hana Hours",
        "Aled Amber",
        "Mo Milestones",
        "Rita Review",
        "Eli Entries",
    ]
    assert Filters().sort is Sort.SEVERITY
    # The review due soonest (or most overdue) first.
    assert order(Sort.REVIEW_DUE) == [
        "Rita Review",
        "Aled Amber",
        "Eli Entries",
        "Hana Hours",
        "Mo Milestones",
    ]
    # The oldest waiting entry first; nobody waiting last.
    assert order(Sort.OLDEST_WAITING)[:2] == ["Eli Entries", "Aled Amber"]
    assert order(Sort.OLDEST_WAITING)[2:] == ["Hana Hours", "Mo Milestones", "Rita Review"]


def test_pages(db_session, people, coordinator):
    first = attention.needs_attention(
        db_session, coordinator, Filters(sort=Sort.NAME), page=1, size=3
    )
    second = attention.needs_attention(
        db_session, coordinator, Filters(sort=Sort.NAME), page=2, size=3
    )
    assert first.total == second.total == 4
    assert names(first.rows) == ["Eli Entries", "Hana Hours", "Mo Milestones"]
    assert names(second.rows) == ["Rita Review"]


def test_two_queries_read_a_page(db_session, people, coordinator, count_queries):
    assert Role.COORDINATOR in coordinator.roles  # the viewer is loaded before counting
    with count_queries() as log:
        found = attention.needs_attention(db_session, coordinator, Filters(sort=Sort.NAME))
    assert found.total == 4
    assert log.count == 2


# One apprentice's summary


def test_a_summary_not_stored_yet_is_computed_but_not_stored(db_session, cohort):
    standard = db_session.get(Standard, cohort.standard_id)
    apprentice = builders.create_apprentice(
        db_session,
        cohort=cohort,
        standard=standard,
        status=ApprenticeStatus.ACTIVE,
        start_date=START,
    )
    summary = attention.summary_for(db_session, apprentice.id)
    assert summary.rag == "red"
    assert summary.computed_on == TODAY
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(ProgressSummary, apprentice.id) is None
