"""The stored progress summary: what it counts, its colour, and that storing equals computing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.domain import progress
from app.models import (
    KSB,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    LogEntry,
    Milestone,
    ProgressReview,
    ProgressSummary,
)
from tests import builders

TODAY = date(2026, 11, 27)
STORED = (
    "approved_hours",
    "planned_hours",
    "expected_hours",
    "ksbs_evidenced",
    "ksbs_total",
    "overdue_milestones",
    "next_milestone_due",
    "next_review_due",
    "entries_waiting",
    "rag",
    "rag_reasons",
)


def entry(session, apprentice, hours, status="approved", on=date(2026, 10, 1), ksbs=()):
    record = LogEntry(
        apprentice_id=apprentice.id,
        entry_date=on,
        hours=Decimal(hours),
        activity_type="teaching",
        description="Learning",
        status=status,
        submitted_at=datetime(2026, 10, 2, 9, tzinfo=UTC),
        ksbs=list(ksbs),
    )
    session.add(record)
    session.commit()
    return record


def milestone(session, apprentice, due, status="not_started"):
    session.add(
        Milestone(
            apprentice_id=apprentice.id,
            title="Portfolio checkpoint",
            kind="portfolio",
            signer="mentor",
            due_date=due,
            status=status,
        )
    )
    session.commit()


def stored(session, apprentice):
    session.expire_all()
    return session.get(ProgressSummary, apprentice.id)


def test_counts_only_approved_hours_and_evidenced_ksbs(db_session):
    apprentice = builders.create_apprentice(
        db_session, status=ApprenticeStatus.ACTIVE, start_date=date(2026, 1, 5)
    )
    k1, s1 = db_session.scalars(select(KSB).where(KSB.standard_id == apprentice.standard_id))
    entry(db_session, apprentice, "6", ksbs=[k1])
    entry(db_session, apprentice, "7.5", ksbs=[k1, s1])
    entry(db_session, apprentice, "3", status="submitted", ksbs=[s1])
    entry(db_session, apprentice, "2", status="returned")
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()
    summary = stored(db_session, apprentice)
    assert summary.approved_hours == Decimal("13.5")
    assert (summary.ksbs_evidenced, summary.ksbs_total) == (2, 2)
    assert summary.entries_waiting == 1
    assert summary.oldest_waiting_since == datetime(2026, 10, 2, 9, tzinfo=UTC)


def test_an_apprentice_far_behind_is_red_with_reasons(db_session):
    apprentice = builders.create_apprentice(
        db_session, status=ApprenticeStatus.ACTIVE, start_date=date(2025, 6, 2)
    )
    milestone(db_session, apprentice, TODAY - timedelta(days=10))
    milestone(db_session, apprentice, TODAY - timedelta(days=3))
    milestone(db_session, apprentice, TODAY + timedelta(days=20))
    milestone(db_session, apprentice, TODAY - timedelta(days=50), status="signed_off")
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()
    summary = stored(db_session, apprentice)
    assert summary.rag == "red"
    assert summary.overdue_milestones == 2
    assert summary.next_milestone_due == TODAY + timedelta(days=20)
    assert summary.expected_hours > 0 and summary.approved_hours == 0
    assert "2 milestones overdue" in summary.rag_reasons
    # No review yet: the first one was due 12 weeks after the start.
    assert summary.next_review_due == date(2025, 6, 2) + timedelta(weeks=12)


def test_a_review_sets_the_next_due_date(db_session):
    apprentice = builders.create_apprentice(
        db_session, status=ApprenticeStatus.ACTIVE, start_date=date(2026, 9, 1)
    )
    db_session.add(
        ProgressReview(
            apprentice_id=apprentice.id,
            review_date=date(2026, 11, 20),
            attendees="Apprentice, line manager, provider",
            rating="on_track",
            notes="Going well",
            actions="Keep going",
            next_review_date=date(2027, 2, 12),
        )
    )
    db_session.commit()
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()
    assert stored(db_session, apprentice).next_review_due == date(2027, 2, 12)


def test_only_apprentices_in_learning_have_a_colour(db_session):
    waiting = builders.create_apprentice(db_session, start_date=date(2027, 1, 4))
    progress.refresh_summary(db_session, waiting.id)
    db_session.commit()
    assert stored(db_session, waiting).rag is None


def test_a_break_holds_the_expected_hours(db_session):
    apprentice = builders.create_apprentice(
        db_session, status=ApprenticeStatus.ON_BREAK, start_date=date(2026, 1, 5)
    )
    for from_status, to_status, on in (
        ("waiting_to_start", "active", date(2026, 1, 5)),
        ("active", "on_break", date(2026, 6, 1)),
    ):
        db_session.add(
            ApprenticeStatusEvent(
                apprentice_id=apprentice.id,
                from_status=from_status,
                to_status=to_status,
                effective_on=on,
            )
        )
    db_session.commit()
    at_break = progress.compute(db_session, [apprentice.id], date(2026, 6, 1), progress.Settings())
    later = progress.compute(db_session, [apprentice.id], TODAY, progress.Settings())
    assert later[0]["expected_hours"] == at_break[0]["expected_hours"]


def test_the_stored_summary_equals_a_fresh_computation_for_everyone(db_session):
    apprentices = [
        builders.create_apprentice(
            db_session, status=ApprenticeStatus.ACTIVE, start_date=date(2026, month, 1)
        )
        for month in (1, 4, 7)
    ]
    entry(db_session, apprentices[0], "20")
    milestone(db_session, apprentices[1], TODAY - timedelta(days=1))
    assert progress.refresh_summaries(db_session, None) == 3
    db_session.commit()
    fresh = {
        row["apprentice_id"]: row
        for row in progress.compute(db_session, None, TODAY, progress.Settings())
    }
    for apprentice in apprentices:
        summary = stored(db_session, apprentice)
        assert {name: getattr(summary, name) for name in STORED} == {
            name: fresh[apprentice.id][name] for name in STORED
        }


def test_the_daily_refresh_runs_a_fixed_number_of_queries(db_session, count_queries):
    builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    with count_queries() as few:
        progress.refresh_summaries(db_session, None)
    db_session.commit()
    for _ in range(12):
        builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    with count_queries() as many:
        progress.refresh_summaries(db_session, None)
    db_session.commit()
    assert many.count == few.count
