"""A mentor reads their current mentees' records and records meetings; nobody else's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.domain import mentoring
from app.models import ApprenticeStatus, AuditEvent, MentorMeeting, Role
from tests import builders
from tests.html_checks import check_page, error_messages, text_of


@pytest.fixture
def apprentice(db_session):
    standard = builders.create_standard(db_session, title="Data analyst", level=4)
    cohort = builders.create_cohort(db_session, name="Hackney 2026", standard=standard)
    return builders.create_apprentice(
        db_session,
        borough="Hackney",
        cohort=cohort,
        name="Amara Jones",
        status=ApprenticeStatus.ACTIVE,
    )


@pytest.fixture
def mentor(login_as, db_session, apprentice):
    user = login_as(Role.MENTOR, borough="Camden", name="Sam Okafor")
    builders.assign_mentor(db_session, apprentice, user, start_date=date(2026, 9, 1))
    return user


def meetings(db_session) -> list[MentorMeeting]:
    db_session.expire_all()
    return db_session.scalars(select(MentorMeeting)).all()


def test_a_mentee_page_shows_the_programme_and_is_audited(get_page, db_session, apprentice, mentor):
    builders.create_placement(
        db_session, apprentice, host="Camden", team="Cloud", start_date=date(2026, 9, 1)
    )
    page = get_page(f"/mentor/mentees/{apprentice.id}")
    text = text_of(page)
    assert page.select_one("h1").get_text(strip=True) == "Amara Jones"
    for expected in (
        "Live",
        "Hackney 2026",
        "Data analyst (level 4",
        "1 September 2026",
        "Camden",
        "Cloud",
        "Morgan Lee",
        "No meetings recorded yet.",
    ):
        assert expected in text
    assert page.select_one("a[href='mailto:morgan.lee@example.org']") is not None
    assert "Change" not in text  # read-only
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.target_type, event.target_id) == (
        "viewed_record",
        mentor.id,
        "apprentice",
        apprentice.id,
    )


def test_records_a_meeting(client, get_page, post_form, db_session, apprentice, mentor):
    page = get_page(f"/mentor/mentees/{apprentice.id}/meetings/new")
    assert page.select_one("#met_on-day")["value"] == "27"
    response = post_form(
        f"/mentor/mentees/{apprentice.id}/meetings/new",
        {
            "met_on": ["20", "11", "2026"],
            "duration_minutes": "45",
            "notes": "Portfolio plan\nNext: the gateway",
        },
    )
    assert response.status_code == 302
    assert response.location == f"/mentor/mentees/{apprentice.id}"
    (meeting,) = meetings(db_session)
    assert (meeting.met_on, meeting.duration_minutes, meeting.mentor_user_id) == (
        date(2026, 11, 20),
        45,
        mentor.id,
    )
    page = check_page(client.get(response.location))
    assert "Meeting recorded" in text_of(page)
    row = [cell.get_text(" ", strip=True) for cell in page.select("tbody tr td")]
    assert row == ["20 November 2026", "45", "Sam Okafor", "Portfolio plan\nNext: the gateway"]
    events = db_session.scalars(select(AuditEvent)).all()
    assert ("created", "mentor_meeting") in [(e.action, e.target_type) for e in events]


def test_an_invalid_meeting_is_refused_with_the_input_kept(
    post_form, db_session, apprentice, mentor
):
    response = post_form(
        f"/mentor/mentees/{apprentice.id}/meetings/new",
        {"met_on": ["28", "11", "2026"], "duration_minutes": "600", "notes": "Kept"},
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Length of the meeting must be between 1 and 480"]
    assert page.select_one("#duration_minutes")["value"] == "600"
    assert page.select_one("#notes").get_text() == "Kept"
    # The form is fine but the date is in the future: the domain refuses it.
    response = post_form(
        f"/mentor/mentees/{apprentice.id}/meetings/new",
        {"met_on": ["28", "11", "2026"], "duration_minutes": "60", "notes": "Kept"},
    )
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "The date of the meeting must be today or in the past"
    ]
    response = post_form(f"/mentor/mentees/{apprentice.id}/meetings/new", {"notes": ""})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "Enter the date of the meeting",
        "Enter the length of the meeting",
        "Enter notes from the meeting",
    ]
    assert meetings(db_session) == []


def test_a_mentor_who_is_not_the_current_mentor_finds_nothing(
    client, post_form, login_as, db_session, apprentice
):
    current = builders.create_mentor(db_session)
    builders.assign_mentor(db_session, apprentice, current)
    login_as(Role.MENTOR, borough="Hackney")
    assert client.get(f"/mentor/mentees/{apprentice.id}").status_code == 404
    assert client.get(f"/mentor/mentees/{apprentice.id}/meetings/new").status_code == 404
    response = post_form(
        f"/mentor/mentees/{apprentice.id}/meetings/new",
        {"met_on": ["20", "11", "2026"], "duration_minutes": "45", "notes": "x"},
    )
    assert response.status_code == 404
    assert meetings(db_session) == []


def test_a_past_mentor_finds_nothing(client, db_session, apprentice, mentor):
    assignment = mentoring.current_assignment(db_session, apprentice.id)
    coordinator = builders.create_user(db_session, roles=[Role.COORDINATOR])
    mentoring.end_assignment(db_session, assignment, date(2026, 11, 1), actor=coordinator)
    db_session.commit()
    assert client.get(f"/mentor/mentees/{apprentice.id}").status_code == 404
    assert client.get(f"/mentor/mentees/{apprentice.id}/meetings/new").status_code == 404


def test_a_coordinator_cannot_use_the_mentor_pages(client, login_as, apprentice):
    login_as(Role.COORDINATOR, borough="Hackney")
    assert client.get(f"/mentor/mentees/{apprentice.id}").status_code == 403


def test_the_mentor_home_links_to_the_mentee(get_page, apprentice, mentor):
    page = get_page("/mentor/")
    assert page.select_one(f"a[href='/mentor/mentees/{apprentice.id}']") is not None
