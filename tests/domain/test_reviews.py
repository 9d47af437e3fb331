"""Progress reviews: who may record one, the date rules, the review interval, and the stored
summary (next review date and colour) following each review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import progress, reviews
from app.domain.errors import DomainError, NotFound
from app.models import (
    ApprenticeStatus,
    AuditEvent,
    LogEntry,
    ProgressReview,
    ProgressSummary,
    ReviewRating,
    Role,
    User,
)
from tests import builders

TODAY = date(2026, 11, 27)
START = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _app(app_context):
    """The review interval is a setting of the app."""


@pytest.fixture
def apprentice(db_session):
    """Active in Hackney since June, with approved hours well ahead of the small published
    minimum, so only the review decides the colour."""
    standard = builders.create_standard(db_session, min_otj_hours=10)
    apprentice = builders.create_apprentice(
        db_session,
        borough="Hackney",
        standard=standard,
        status=ApprenticeStatus.ACTIVE,
        start_date=START,
    )
    db_session.add(
        LogEntry(
            apprentice_id=apprentice.id,
            entry_date=date(2026, 10, 1),
            hours=Decimal(8),
            activity_type="teaching",
            description="Workshop",
            status="approved",
            submitted_at=datetime(2026, 10, 1, 9, tzinfo=UTC),
        )
    )
    db_session.commit()
    return apprentice


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


def record(db_session, apprentice, actor, **changes):
    values = {
        "review_date": date(2026, 11, 20),
        "attendees": "Amara (apprentice), Morgan Lee (line manager), Tech Academy (provider)",
        "rating": ReviewRating.ON_TRACK,
        "notes": "Good progress on the portfolio.",
        "actions": "Book the English exam by January.",
        "next_review_date": date(2027, 2, 1),
        **changes,
    }
    review = reviews.record_review(db_session, apprentice, actor=actor, **values)
    db_session.commit()
    return review


def summary_of(db_session, apprentice) -> ProgressSummary:
    db_session.expire_all()
    return db_session.get(ProgressSummary, apprentice.id)


# Who may record a review


def test_a_coordinator_of_the_employing_borough_records_a_review(
    db_session, apprentice, coordinator
):
    review = record(db_session, apprentice, coordinator, attendees="  Amara, Morgan  ")
    stored = db_session.scalars(select(ProgressReview)).one()
    assert stored.id == review.id
    assert (stored.review_date, stored.next_review_date) == (date(2026, 11, 20), date(2027, 2, 1))
    assert (stored.rating, stored.attendees, stored.recorded_by_id) == (
        "on_track",
        "Amara, Morgan",
        coordinator.id,
    )
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.target_type, event.target_id) == (
        "created",
        coordinator.id,
        "progress_review",
        review.id,
    )


def test_the_current_mentor_records_a_review(db_session, apprentice):
    mentor = builders.create_mentor(db_session, borough="Camden")
    builders.assign_mentor(db_session, apprentice, mentor)
    review = record(db_session, apprentice, mentor, rating=ReviewRating.SOME_CONCERNS)
    assert (review.recorded_by_id, review.rating) == (mentor.id, "some_concerns")


def test_an_admin_records_a_review(db_session, apprentice):
    admin = builders.create_user(db_session, roles=[Role.ADMIN], borough="Camden")
    assert record(db_session, apprentice, admin).recorded_by_id == admin.id


@pytest.mark.parametrize(
    "who",
    ["mentor_of_someone_else", "past_mentor", "host_coordinator", "other_borough", "apprentice"],
)
def test_others_may_not_record_a_review(db_session, apprentice, who):
    if who == "mentor_of_someone_else":
        actor = builders.create_mentor(db_session)
        builders.assign_mentor(db_session, builders.create_apprentice(db_session), actor)
    elif who == "past_mentor":
        actor = builders.create_mentor(db_session)
        assignment = builders.assign_mentor(db_session, apprentice, actor)
        assignment.end_date = date(2026, 10, 31)
        db_session.commit()
    elif who == "host_coordinator":
        # Placed with Camden now: Camden's coordinators read the record but do not change it.
        builders.create_placement(db_session, apprentice, host="Camden", start_date=START)
        actor = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    elif who == "other_borough":
        actor = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    else:
        actor = db_session.get(User, apprentice.user_id)
    with pytest.raises(NotFound, match="current mentor can record"):
        record(db_session, apprentice, actor)
    db_session.rollback()
    assert db_session.scalars(select(ProgressReview)).all() == []


def test_a_programme_wide_coordinator_records_for_any_borough(db_session, apprentice):
    central = builders.create_user(
        db_session, roles=[Role.COORDINATOR], borough="Camden", programme_wide=True
    )
    assert record(db_session, apprentice, central).recorded_by_id == central.id


# The rules


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"review_date": TODAY + timedelta(days=1)}, "review_date", "today or in the past"),
        (
            {"review_date": START - timedelta(days=1)},
            "review_date",
            "on or after the start of the apprenticeship, 1 June 2026",
        ),
        ({"next_review_date": date(2026, 11, 20)}, "next_review_date", "after the date of this"),
        ({"next_review_date": date(2026, 11, 19)}, "next_review_date", "after the date of this"),
        (
            {"next_review_date": date(2026, 11, 20) + timedelta(weeks=12, days=1)},
            "next_review_date",
            "at most 12 weeks after this one, on or before 12 February 2027",
        ),
        ({"attendees": "  "}, "attendees", "Enter who attended"),
        ({"attendees": "x" * 501}, "attendees", "500 characters or fewer"),
        ({"notes": ""}, "notes", "Enter notes"),
        ({"notes": "x" * 5001}, "notes", "5,000 characters or fewer"),
        ({"actions": ""}, "actions", "Enter the actions agreed"),
        ({"actions": "x" * 5001}, "actions", "5,000 characters or fewer"),
        ({"rating": "fine"}, "rating", "Select how the apprentice is doing"),
    ],
)
def test_each_rule_is_enforced(db_session, apprentice, coordinator, changes, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        record(db_session, apprentice, coordinator, **changes)
    assert refused.value.field == field
    db_session.rollback()
    assert db_session.scalars(select(ProgressReview)).all() == []


def test_today_and_exactly_the_interval_are_allowed(db_session, apprentice, coordinator):
    review = record(
        db_session,
        apprentice,
        coordinator,
        review_date=TODAY,
        next_review_date=TODAY + timedelta(weeks=12),
    )
    assert review.next_review_date == date(2027, 2, 19)


def test_the_interval_is_a_setting(db_session, apprentice, coordinator, app, monkeypatch):
    monkeypatch.setitem(app.config, "REVIEW_INTERVAL_WEEKS", 8)
    with pytest.raises(DomainError, match="at most 8 weeks after this one"):
        record(db_session, apprentice, coordinator, next_review_date=date(2027, 1, 16))
    db_session.rollback()
    assert record(db_session, apprentice, coordinator, next_review_date=date(2027, 1, 15))


@pytest.mark.parametrize("status", [ApprenticeStatus.WITHDRAWN, ApprenticeStatus.COMPLETED])
def test_an_ended_apprenticeship_takes_no_more_reviews(db_session, coordinator, status):
    apprentice = builders.create_apprentice(db_session, status=status, start_date=START)
    with pytest.raises(DomainError, match="takes no more progress reviews"):
        record(db_session, apprentice, coordinator)


# The stored summary follows


def test_the_summary_holds_the_next_review_date_and_the_colour_follows(
    db_session, apprentice, coordinator
):
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()
    before = summary_of(db_session, apprentice)
    # No review yet: the first was due 12 weeks after the start, so it is long overdue.
    assert before.next_review_due == START + timedelta(weeks=12)
    assert before.rag == "red"
    assert before.rag_reasons == ["Progress review 95 days late"]

    record(db_session, apprentice, coordinator)
    after = summary_of(db_session, apprentice)
    assert after.next_review_due == date(2027, 2, 1)
    assert (after.rag, after.rag_reasons) == ("green", [])


@pytest.mark.parametrize(
    ("review_date", "next_date", "colour", "reason"),
    [
        (date(2026, 11, 20), date(2027, 2, 1), "green", None),
        (date(2026, 9, 1), date(2026, 11, 10), "amber", "Progress review 17 days late"),
        (date(2026, 8, 1), date(2026, 10, 20), "red", "Progress review 38 days late"),
    ],
)
def test_a_review_whose_next_date_has_passed_is_overdue(
    db_session, apprentice, coordinator, review_date, next_date, colour, reason
):
    record(db_session, apprentice, coordinator, review_date=review_date, next_review_date=next_date)
    summary = summary_of(db_session, apprentice)
    assert (summary.next_review_due, summary.rag) == (next_date, colour)
    assert summary.rag_reasons == ([reason] if reason else [])


def test_the_latest_next_date_counts(db_session, apprentice, coordinator):
    record(db_session, apprentice, coordinator)
    # A review recorded late, for an earlier meeting, does not bring the next date forward.
    record(
        db_session,
        apprentice,
        coordinator,
        review_date=date(2026, 9, 1),
        next_review_date=date(2026, 11, 10),
    )
    assert summary_of(db_session, apprentice).next_review_due == date(2027, 2, 1)
    listed = reviews.reviews_for(db_session, apprentice.id)
    assert [review.review_date for review in listed] == [date(2026, 11, 20), date(2026, 9, 1)]
    assert listed[0].recorded_by.id == coordinator.id
