"""A mentor records a progress review for a current mentee; nobody else's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import (
    ApprenticeStatus,
    MentorAssignment,
    ProgressReview,
    ProgressSummary,
    Role,
)
from tests import builders
from tests.html_checks import check_page, error_messages, text_of


@pytest.fixture
def apprentice(db_session):
    return builders.create_apprentice(
        db_session,
        borough="Hackney",
        name="Amara Jones",
        status=ApprenticeStatus.ACTIVE,
        start_date=date(2026, 6, 1),
    )


@pytest.fixture
def mentor(login_as, db_session, apprentice):
    user = login_as(Role.MENTOR, borough="Camden", name="Sam Okafor")
    builders.assign_mentor(db_session, apprentice, user, start_date=date(2026, 9, 1))
    return user


def url(apprentice) -> str:
    return f"/mentor/mentees/{apprentice.id}/reviews/new"


def review_form(**changes) -> dict:
    return {
        "review_date": ["25", "11", "2026"],
        "attendees": "Amara, Sam (mentor), Morgan Lee, Tech Academy",
        "rating": "on_track",
        "notes": "All good",
        "actions": "Carry on",
        "next_review_date": ["10", "2", "2027"],
        **changes,
    }


def stored_reviews(db_session) -> list[ProgressReview]:
    db_session.expire_all()
    return db_session.scalars(select(ProgressReview)).all()


def test_the_mentee_page_links_to_the_form(get_page, apprentice, mentor):
    page = get_page(f"/mentor/mentees/{apprentice.id}")
    link = page.select_one(f"a[href='{url(apprentice)}']")
    assert link.get_text(" ", strip=True) == "Record a progress review for Amara Jones"


def test_the_current_mentor_records_a_review(
    client, get_page, post_form, db_session, apprentice, mentor
):
    page = get_page(url(apprentice))
    assert page.select_one("h1").get_text(strip=True) == "Record a progress review"
    assert page.select_one(".govuk-back-link")["href"] == f"/mentor/mentees/{apprentice.id}"
    response = post_form(url(apprentice), review_form())
    assert response.status_code == 302
    assert response.location == f"/mentor/mentees/{apprentice.id}"
    (review,) = stored_reviews(db_session)
    assert (review.recorded_by_id, review.review_date, review.next_review_date) == (
        mentor.id,
        date(2026, 11, 25),
        date(2027, 2, 10),
    )
    assert db_session.get(ProgressSummary, apprentice.id).next_review_due == date(2027, 2, 10)
    assert "Progress review recorded" in text_of(check_page(client.get(response.location)))


def test_an_invalid_review_is_refused_with_the_input_kept(
    post_form, db_session, apprentice, mentor
):
    response = post_form(url(apprentice), review_form(next_review_date=["1", "3", "2027"]))
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "The next review must be at most 12 weeks after this one, on or before 17 February 2027"
    ]
    assert page.select_one("#actions").get_text() == "Carry on"
    assert stored_reviews(db_session) == []


def test_a_mentor_of_someone_else_finds_nothing(
    client, post_form, login_as, db_session, apprentice
):
    builders.assign_mentor(db_session, apprentice, builders.create_mentor(db_session))
    other = login_as(Role.MENTOR, borough="Hackney")
    builders.assign_mentor(db_session, builders.create_apprentice(db_session), other)
    assert client.get(url(apprentice)).status_code == 404
    assert post_form(url(apprentice), review_form()).status_code == 404
    assert stored_reviews(db_session) == []


def test_a_past_mentor_finds_nothing(client, post_form, db_session, apprentice, mentor):
    current = db_session.scalars(select(MentorAssignment)).one()
    current.end_date = date(2026, 11, 1)
    db_session.commit()
    assert client.get(url(apprentice)).status_code == 404
    assert post_form(url(apprentice), review_form()).status_code == 404
    assert stored_reviews(db_session) == []


def test_a_coordinator_uses_the_coordinators_page(client, login_as, apprentice):
    login_as(Role.COORDINATOR, borough="Hackney")
    assert client.get(url(apprentice)).status_code == 403
