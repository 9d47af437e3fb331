"""Coordinators see mentors of any borough with their load, change their own borough's mentors'
capacity, and assign apprentices' mentors."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.domain import mentoring
from app.models import ApprenticeStatus, AuditEvent, MentorAssignment, MentorProfile, Role
from tests import builders
from tests.html_checks import check_page, error_messages, text_of


def rows(page) -> dict[str, list[str]]:
    return {
        cells[0]: cells[1:]
        for cells in (
            [cell.get_text(" ", strip=True) for cell in row.select("td")]
            for row in page.select("tbody tr")
        )
    }


def profile_of(db_session, mentor) -> MentorProfile:
    db_session.expire_all()
    return db_session.get(MentorProfile, mentor.id)


# The list


def test_lists_the_coordinators_borough_by_default_with_load(get_page, login_as, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    full = builders.create_mentor(db_session, borough="Hackney", capacity=1, name="Ada Full")
    builders.assign_mentor(db_session, builders.create_apprentice(db_session), full)
    builders.create_mentor(db_session, borough="Hackney", capacity=3, name="Bo Free")
    builders.create_user(db_session, roles=[Role.MENTOR], borough="Hackney", name="Cy New")
    builders.create_mentor(db_session, borough="Camden", name="Di Camden")
    builders.create_user(
        db_session, roles=[Role.MENTOR], borough="Hackney", name="Ex Gone", active=False
    )
    page = get_page("/coordinator/mentors")
    assert rows(page) == {
        "Ada Full": ["Hackney", "1", "1", "Full", "Change capacity of Ada Full"],
        "Bo Free": ["Hackney", "0", "3", "3 free", "Change capacity of Bo Free"],
        "Cy New": ["Hackney", "0", "3", "3 free", "Change capacity of Cy New"],
    }
    assert page.select_one("#borough option[selected]").get_text() == "Hackney"


def test_lists_any_borough_on_request_read_only(get_page, login_as, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    builders.create_mentor(db_session, borough="Hackney", name="Bo Hackney")
    builders.create_mentor(db_session, borough="Camden", name="Di Camden")
    camden = builders.get_borough(db_session, "Camden")
    page = get_page(f"/coordinator/mentors?borough={camden.id}")
    assert rows(page) == {"Di Camden": ["Camden", "0", "3", "3 free", ""]}
    page = get_page("/coordinator/mentors?borough=all")
    assert list(rows(page)) == ["Bo Hackney", "Di Camden"]
    assert "Mentors in every borough" in text_of(page)
    # Nonsense is the default, not an error.
    assert list(rows(get_page("/coordinator/mentors?borough=999999&page=x"))) == ["Bo Hackney"]


def test_the_list_runs_a_fixed_number_of_queries(client, login_as, db_session, count_queries):
    login_as(Role.COORDINATOR, borough="Hackney")
    for number in range(2):
        builders.create_mentor(db_session, name=f"Mentor {number:02d}")
    client.get("/coordinator/mentors")  # warm up: the first page of a session stores its token
    with count_queries() as few:
        assert client.get("/coordinator/mentors?borough=all").status_code == 200
    for number in range(2, 40):
        mentor = builders.create_mentor(db_session, name=f"Mentor {number:02d}")
        if number % 3 == 0:
            builders.assign_mentor(db_session, builders.create_apprentice(db_session), mentor)
    with count_queries() as many:
        response = client.get("/coordinator/mentors?borough=all")
    assert response.status_code == 200
    assert many.count == few.count
    page = check_page(response)
    assert len(rows(page)) == 25
    assert "Showing 1 to 25 of 40 mentors" in text_of(page)


def test_other_roles_may_not_see_the_list(client, login_as):
    login_as(Role.MENTOR)
    assert client.get("/coordinator/mentors").status_code == 403


# Capacity


def test_changes_the_capacity_of_an_own_borough_mentor(client, login_as, post_form, db_session):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    mentor = builders.create_mentor(db_session, borough="Hackney", capacity=3, name="Bo")
    page = check_page(client.get(f"/coordinator/mentors/{mentor.id}/capacity"))
    assert page.select_one("#capacity")["value"] == "3"
    response = post_form(f"/coordinator/mentors/{mentor.id}/capacity", {"capacity": "5"})
    assert response.status_code == 302
    assert response.location.startswith("/coordinator/mentors?borough=")
    assert profile_of(db_session, mentor).capacity == 5
    assert "Bo can now mentor up to 5" in text_of(check_page(client.get(response.location)))
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.target_id) == (
        "updated",
        coordinator.id,
        mentor.id,
    )


def test_lowering_capacity_below_the_load_is_allowed_and_said(
    client, login_as, post_form, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    mentor = builders.create_mentor(db_session, capacity=3, name="Bo")
    for _ in range(2):
        builders.assign_mentor(db_session, builders.create_apprentice(db_session), mentor)
    response = post_form(f"/coordinator/mentors/{mentor.id}/capacity", {"capacity": "1"})
    assert response.status_code == 302
    page = check_page(client.get(response.location))
    assert "Bo mentors 2 apprentices, more than their capacity of 1" in text_of(page)
    assert rows(page)["Bo"][:4] == ["Hackney", "2", "1", "Full"]


def test_a_mentor_without_a_profile_shows_the_default_and_a_get_creates_nothing(
    get_page, login_as, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    mentor = builders.create_user(db_session, roles=[Role.MENTOR], borough="Hackney")
    page = get_page(f"/coordinator/mentors/{mentor.id}/capacity")
    assert page.select_one("#capacity")["value"] == "3"
    assert profile_of(db_session, mentor) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the capacity"),
        ("three", "Capacity must be a whole number"),
        ("-1", "Capacity must be between 0 and 50"),
    ],
)
def test_an_invalid_capacity_is_refused_with_the_input_kept(
    login_as, post_form, db_session, value, message
):
    login_as(Role.COORDINATOR, borough="Hackney")
    mentor = builders.create_mentor(db_session, capacity=3)
    response = post_form(f"/coordinator/mentors/{mentor.id}/capacity", {"capacity": value})
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [message]
    assert page.select_one("#capacity").get("value", "") == value
    assert profile_of(db_session, mentor).capacity == 3


def test_another_boroughs_mentor_capacity_is_forbidden(client, login_as, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    mentor = builders.create_mentor(db_session, borough="Camden", capacity=3)
    assert client.get(f"/coordinator/mentors/{mentor.id}/capacity").status_code == 403
    response = post_form(f"/coordinator/mentors/{mentor.id}/capacity", {"capacity": "9"})
    assert response.status_code == 403
    assert profile_of(db_session, mentor).capacity == 3


def test_someone_who_is_not_a_mentor_is_not_found(client, login_as, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    someone = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")
    assert client.get(f"/coordinator/mentors/{someone.id}/capacity").status_code == 404
    assert client.get("/coordinator/mentors/999999/capacity").status_code == 404


# Assigning


@pytest.fixture
def apprentice(db_session):
    return builders.create_apprentice(
        db_session, borough="Hackney", name="Amara Jones", status=ApprenticeStatus.ACTIVE
    )


def assign_data(mentor, *, start=date(2026, 12, 1), current=""):
    return {
        "mentor": str(mentor.id),
        "start_date": [str(start.day), str(start.month), str(start.year)],
        "current_assignment": current,
    }


def current_of(db_session, apprentice) -> MentorAssignment | None:
    db_session.expire_all()
    return mentoring.current_assignment(db_session, apprentice.id)


def test_the_form_offers_the_employing_boroughs_mentors_with_their_load(
    get_page, login_as, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Hackney")
    full = builders.create_mentor(db_session, borough="Hackney", capacity=1, name="Ada Full")
    builders.assign_mentor(db_session, builders.create_apprentice(db_session), full)
    builders.create_mentor(db_session, borough="Hackney", capacity=3, name="Bo Free")
    camden = builders.create_mentor(db_session, borough="Camden", name="Di Camden")
    page = get_page(f"/coordinator/apprentices/{apprentice.id}/mentor")
    labels = [label.get_text(strip=True) for label in page.select(".govuk-radios__label")]
    hints = [hint.get_text(strip=True) for hint in page.select(".govuk-radios__hint")]
    assert labels == ["Ada Full", "Bo Free"]
    assert hints == ["Full: mentors 1 of 1", "mentors 0 of 3"]
    assert "Amara Jones has no mentor at the moment." in text_of(page)
    assert page.select_one("#start_date-day")["value"] == "27"
    # Another borough's mentors on request.
    page = get_page(f"/coordinator/apprentices/{apprentice.id}/mentor?borough={camden.borough_id}")
    labels = [label.get_text(strip=True) for label in page.select(".govuk-radios__label")]
    assert labels == ["Di Camden"]


def test_assigns_a_mentor_from_another_borough(client, login_as, post_form, db_session, apprentice):
    login_as(Role.COORDINATOR, borough="Hackney")
    mentor = builders.create_mentor(db_session, borough="Camden", name="Di Camden")
    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/mentor?borough={mentor.borough_id}",
        assign_data(mentor),
    )
    assert response.status_code == 302
    assert response.location == f"/coordinator/apprentices/{apprentice.id}"
    current = current_of(db_session, apprentice)
    assert (current.mentor_user_id, current.start_date) == (mentor.id, date(2026, 12, 1))
    assert profile_of(db_session, mentor).current_mentees == 1


def test_changing_the_mentor_ends_the_previous_one(login_as, post_form, db_session, apprentice):
    login_as(Role.COORDINATOR, borough="Hackney")
    first = builders.create_mentor(db_session, name="Ada")
    old = builders.assign_mentor(db_session, apprentice, first, start_date=date(2026, 9, 1))
    second = builders.create_mentor(db_session, name="Bo")
    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/mentor",
        assign_data(second, current=str(old.id)),
    )
    assert response.status_code == 302
    assert current_of(db_session, apprentice).mentor_user_id == second.id
    assert db_session.get(MentorAssignment, old.id).end_date == date(2026, 11, 30)
    assert profile_of(db_session, first).current_mentees == 0


def test_a_full_mentor_is_refused_with_the_domains_message(
    login_as, post_form, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Hackney")
    first = builders.create_mentor(db_session, name="Ada")
    old = builders.assign_mentor(db_session, apprentice, first, start_date=date(2026, 9, 1))
    full = builders.create_mentor(db_session, capacity=1, name="Sam Okafor")
    builders.assign_mentor(db_session, builders.create_apprentice(db_session), full)
    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/mentor",
        assign_data(full, current=str(old.id)),
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Sam Okafor already mentors 1 apprentice, their capacity"]
    assert page.select_one(f"input[name=mentor][value='{full.id}']").has_attr("checked")
    # Nothing changed: the old mentor stays, and neither count moved.
    assert current_of(db_session, apprentice).id == old.id
    assert profile_of(db_session, first).current_mentees == 1
    assert profile_of(db_session, full).current_mentees == 1


def test_an_invalid_form_is_refused_with_the_input_kept(
    login_as, post_form, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Hackney")
    builders.create_mentor(db_session, name="Ada")
    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/mentor",
        {"start_date": ["31", "2", "2027"], "current_assignment": ""},
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Select a mentor", "Start date must be a real date"]
    assert page.select_one("#start_date-day")["value"] == "31"
    assert current_of(db_session, apprentice) is None


def test_a_mentor_assigned_meanwhile_makes_the_save_stale(
    login_as, post_form, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Hackney")
    theirs = builders.create_mentor(db_session, name="Ada Theirs")
    mine = builders.create_mentor(db_session, name="Bo Mine")
    # The form was loaded with no mentor; another coordinator assigned one since.
    builders.assign_mentor(db_session, apprentice, theirs, start_date=date(2026, 11, 1))
    response = post_form(f"/coordinator/apprentices/{apprentice.id}/mentor", assign_data(mine))
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in text_of(page)
    assert "Ada Theirs" in text_of(page.select_one(".govuk-summary-list"))
    assert page.select_one(f"input[name=mentor][value='{mine.id}']").has_attr("checked")
    current = current_of(db_session, apprentice)
    assert current.mentor_user_id == theirs.id
    assert page.select_one("#current_assignment")["value"] == str(current.id)
    assert profile_of(db_session, mine).current_mentees == 0


def test_the_host_boroughs_coordinator_may_not_assign(
    client, login_as, post_form, db_session, apprentice
):
    builders.create_placement(db_session, apprentice, host="Camden")
    mentor = builders.create_mentor(db_session, borough="Camden")
    login_as(Role.COORDINATOR, borough="Camden")
    assert client.get(f"/coordinator/apprentices/{apprentice.id}/mentor").status_code == 403
    response = post_form(f"/coordinator/apprentices/{apprentice.id}/mentor", assign_data(mentor))
    assert response.status_code == 403
    assert current_of(db_session, apprentice) is None


def test_another_boroughs_apprentice_is_not_found(client, login_as, apprentice):
    login_as(Role.COORDINATOR, borough="Camden")
    assert client.get(f"/coordinator/apprentices/{apprentice.id}/mentor").status_code == 404


def test_an_admin_may_assign(client, login_as, post_form, db_session, apprentice):
    login_as(Role.ADMIN, borough="Camden")
    mentor = builders.create_mentor(db_session, borough="Hackney")
    response = post_form(f"/coordinator/apprentices/{apprentice.id}/mentor", assign_data(mentor))
    assert response.status_code == 302
    assert current_of(db_session, apprentice).mentor_user_id == mentor.id
