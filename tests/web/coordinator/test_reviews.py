"""Coordinators record progress reviews: the form, its refusals with the input kept, and who
may (the employing borough; a host borough reads only, another borough finds nothing)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import ApprenticeStatus, AuditEvent, ProgressReview, ProgressSummary, Role
from tests import builders
from tests.html_checks import check_page, error_messages, text_of

START = date(2026, 6, 1)


@pytest.fixture
def apprentice(db_session):
    return builders.create_apprentice(
        db_session,
        borough="Hackney",
        name="Amara Jones",
        status=ApprenticeStatus.ACTIVE,
        start_date=START,
    )


def url(apprentice) -> str:
    return f"/coordinator/apprentices/{apprentice.id}/reviews/new"


def review_form(**changes) -> dict:
    return {
        "review_date": ["20", "11", "2026"],
        "attendees": "Amara Jones, Morgan Lee (line manager), Tech Academy",
        "rating": "some_concerns",
        "notes": "Behind on the portfolio.\nA plan agreed.",
        "actions": "Two portfolio pieces by January",
        "next_review_date": ["1", "2", "2027"],
        **changes,
    }


def stored_reviews(db_session) -> list[ProgressReview]:
    db_session.expire_all()
    return db_session.scalars(select(ProgressReview)).all()


def test_the_form_starts_with_today_and_the_longest_gap(get_page, login_as, apprentice):
    login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page(url(apprentice))
    assert page.select_one("h1").get_text(strip=True) == "Record a progress review"
    parts = [page.select_one(f"#review_date-{part}")["value"] for part in ("day", "month", "year")]
    assert parts == ["27", "11", "2026"]
    parts = [
        page.select_one(f"#next_review_date-{part}")["value"] for part in ("day", "month", "year")
    ]
    assert parts == ["19", "02", "2027"]
    assert "At most 12 weeks after the date of the review" in text_of(page)
    assert [radio["value"] for radio in page.select("input[name=rating]")] == [
        "on_track",
        "some_concerns",
        "at_risk",
    ]


def test_a_coordinator_records_a_review(client, login_as, post_form, db_session, apprentice):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    response = post_form(url(apprentice), review_form())
    assert response.status_code == 302
    assert response.location == f"/coordinator/apprentices/{apprentice.id}/progress"
    (review,) = stored_reviews(db_session)
    assert (review.review_date, review.next_review_date, review.rating) == (
        date(2026, 11, 20),
        date(2027, 2, 1),
        "some_concerns",
    )
    assert review.recorded_by_id == coordinator.id
    assert db_session.get(ProgressSummary, apprentice.id).next_review_due == date(2027, 2, 1)
    events = db_session.scalars(select(AuditEvent)).all()
    assert ("created", "progress_review") in [(e.action, e.target_type) for e in events]

    page = check_page(client.get(response.location))
    text = text_of(page)
    assert "Progress review recorded" in text
    assert "Review on 20 November 2026" in text
    assert "Some concerns" in text


def test_an_invalid_review_is_refused_with_the_input_kept(
    post_form, login_as, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Hackney")
    response = post_form(url(apprentice), {"attendees": "Kept attendees"})
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Enter the date of the review",
        "Select how the apprentice is doing",
        "Enter notes from the review",
        "Enter the actions agreed",
        "Enter the date of the next review",
    ]
    assert page.select_one("#attendees").get_text() == "Kept attendees"

    response = post_form(url(apprentice), review_form(attendees="x" * 501))
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Who attended must be 500 characters or fewer"]
    assert stored_reviews(db_session) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"next_review_date": ["13", "2", "2027"]},
            "The next review must be at most 12 weeks after this one, on or before "
            "12 February 2027",
        ),
        ({"next_review_date": ["20", "11", "2026"]}, "must be after the date of this review"),
        ({"review_date": ["28", "11", "2026"]}, "The date of the review must be today or in"),
        ({"review_date": ["31", "5", "2026"]}, "on or after the start of the apprenticeship"),
    ],
)
def test_the_rules_refuse_with_the_input_kept(
    post_form, login_as, db_session, apprentice, changes, message
):
    login_as(Role.COORDINATOR, borough="Hackney")
    response = post_form(url(apprentice), review_form(**changes))
    assert response.status_code == 400
    page = check_page(response)
    (shown,) = error_messages(page)
    assert message in shown
    assert page.select_one("#notes").get_text() == "Behind on the portfolio.\nA plan agreed."
    assert page.select_one("input[name=rating][checked]")["value"] == "some_concerns"
    assert page.select_one("h1").get_text(strip=True) == "Record a progress review"
    assert stored_reviews(db_session) == []


def test_a_host_borough_may_not_record_a_review(
    client, login_as, post_form, db_session, apprentice
):
    builders.create_placement(db_session, apprentice, host="Camden", start_date=START)
    viewer = login_as(Role.COORDINATOR, borough="Camden")
    assert client.get(url(apprentice)).status_code == 403
    assert post_form(url(apprentice), review_form()).status_code == 403
    assert stored_reviews(db_session) == []
    refused = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_refused")
    ).all()
    assert {(e.actor_user_id, e.target_type, e.target_id) for e in refused} == {
        (viewer.id, "apprentice", apprentice.id)
    }


def test_another_borough_finds_nothing(client, login_as, post_form, db_session, apprentice):
    login_as(Role.COORDINATOR, borough="Camden")
    assert client.get(url(apprentice)).status_code == 404
    assert post_form(url(apprentice), review_form()).status_code == 404
    assert stored_reviews(db_session) == []


def test_a_mentor_uses_their_own_page(client, login_as, db_session, apprentice):
    mentor = login_as(Role.MENTOR, borough="Hackney")
    builders.assign_mentor(db_session, apprentice, mentor)
    assert client.get(url(apprentice)).status_code == 403
