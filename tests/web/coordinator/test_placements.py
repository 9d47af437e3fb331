"""Coordinators add, change and end placements of their own borough's apprentices."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import ApprenticeStatus, AuditEvent, Placement, Role
from tests import builders
from tests.html_checks import check_page, error_messages, text_of


def parts(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def form_data(db_session, *, host="Camden", start=date(2026, 9, 1), end=None, **overrides):
    data = {
        "host_borough_id": str(builders.get_borough(db_session, host).id),
        "team": "Digital services",
        "line_manager_name": "Ravi Shah",
        "line_manager_email": "ravi.shah@example.org",
        "start_date": parts(start),
        "end_date": parts(end) if end else ["", "", ""],
        "row_version": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def apprentice(db_session):
    return builders.create_apprentice(
        db_session, borough="Hackney", name="Amara Jones", status=ApprenticeStatus.ACTIVE
    )


def placements_of(db_session, apprentice) -> list[Placement]:
    db_session.expire_all()
    return db_session.scalars(
        select(Placement)
        .where(Placement.apprentice_id == apprentice.id)
        .options(joinedload(Placement.host_borough))
        .order_by(Placement.id)
    ).all()


def test_the_form_offers_boroughs_and_shows_the_apprenticeship(get_page, login_as, apprentice):
    login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page(f"/coordinator/apprentices/{apprentice.id}/placements/new")
    assert page.select_one("h1").get_text(strip=True) == "Add a placement"
    assert page.select_one("#host_borough_id option[selected]").get_text() == "Hackney"
    assert "runs from 1 September 2026" in text_of(page)
    assert "Amara Jones has no placements yet." in text_of(page)


def test_adds_a_placement(client, login_as, post_form, db_session, apprentice):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/placements/new",
        form_data(db_session, end=date(2027, 2, 28)),
    )
    assert response.status_code == 302
    assert response.location == f"/coordinator/apprentices/{apprentice.id}"
    (placement,) = placements_of(db_session, apprentice)
    assert (placement.host_borough.name, placement.start_date, placement.end_date) == (
        "Camden",
        date(2026, 9, 1),
        date(2027, 2, 28),
    )
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.target_type, event.actor_user_id) == (
        "created",
        "placement",
        coordinator.id,
    )


def test_an_invalid_form_is_refused_with_the_input_kept(
    login_as, post_form, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Hackney")
    data = form_data(
        db_session,
        team="",
        line_manager_email="not an email",
        start_date=["31", "2", "2027"],
    )
    data.pop("end_date")
    response = post_form(f"/coordinator/apprentices/{apprentice.id}/placements/new", data)
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Enter the team",
        "Enter an email address in the correct format, like name@example.com",
        "Start date must be a real date",
    ]
    assert page.select_one("#line_manager_email")["value"] == "not an email"
    assert page.select_one("#line_manager_name")["value"] == "Ravi Shah"
    assert page.select_one("#start_date-day")["value"] == "31"
    assert placements_of(db_session, apprentice) == []


def test_a_form_without_dates_is_an_error_not_a_crash(login_as, post_form, db_session, apprentice):
    login_as(Role.COORDINATOR, borough="Hackney")
    data = form_data(db_session)
    data.pop("start_date")
    data.pop("end_date")
    response = post_form(f"/coordinator/apprentices/{apprentice.id}/placements/new", data)
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Enter the start date"]


def test_an_overlapping_placement_is_refused_naming_the_clash(
    login_as, post_form, db_session, apprentice
):
    builders.create_placement(
        db_session,
        apprentice,
        host="Hackney",
        start_date=date(2026, 9, 1),
        end_date=date(2027, 1, 10),
    )
    login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/apprentices/{apprentice.id}/placements/new"
    response = post_form(url, form_data(db_session, start=date(2027, 1, 10)))
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "These dates overlap the placement with Hackney, 1 September 2026 to 10 January 2027"
    ]
    assert page.select_one("#team")["value"] == "Digital services"
    assert "Amara Jones’s placements" in text_of(page)
    assert len(placements_of(db_session, apprentice)) == 1
    # The next day is free.
    assert post_form(url, form_data(db_session, start=date(2027, 1, 11))).status_code == 302


def test_dates_outside_the_apprenticeship_or_ending_first_are_refused(
    login_as, post_form, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/apprentices/{apprentice.id}/placements/new"
    response = post_form(url, form_data(db_session, start=date(2026, 8, 1)))
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "The start date must be on or after the start of the apprenticeship, 1 September 2026"
    ]
    response = post_form(url, form_data(db_session, start=date(2026, 10, 1), end=date(2026, 9, 30)))
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "The end date must be the same as or after the start date"
    ]
    assert placements_of(db_session, apprentice) == []


def test_changes_a_placement(client, get_page, login_as, post_form, db_session, apprentice):
    placement = builders.create_placement(db_session, apprentice, host="Hackney", team="Data")
    login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/apprentices/{apprentice.id}/placements/{placement.id}/edit"
    page = get_page(url)
    assert page.select_one("#team")["value"] == "Data"
    assert page.select_one("#row_version")["value"] == "1"
    assert page.select_one("#start_date-day")["value"] == "01"
    response = post_form(url, form_data(db_session, team="Cloud", row_version="1"))
    assert response.status_code == 302
    (changed,) = placements_of(db_session, apprentice)
    assert (changed.team, changed.host_borough.name, changed.row_version) == ("Cloud", "Camden", 2)


def test_a_stale_edit_is_409_keeps_the_other_change_and_what_was_typed(
    engine, login_as, post_form, db_session, apprentice
):
    placement = builders.create_placement(db_session, apprentice, host="Hackney", team="Data")
    login_as(Role.COORDINATOR, borough="Hackney")
    with Session(engine) as other:
        other.get(Placement, placement.id).team = "Their team"
        other.commit()
    url = f"/coordinator/apprentices/{apprentice.id}/placements/{placement.id}/edit"
    response = post_form(url, form_data(db_session, team="My team", row_version="1"))
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in text_of(page)
    assert "Their team" in text_of(page.select_one(".govuk-summary-list"))
    assert page.select_one("#team")["value"] == "My team"
    assert page.select_one("#row_version")["value"] == "2"
    (stored,) = placements_of(db_session, apprentice)
    assert stored.team == "Their team"
    # Saving again, having seen the other change, goes through.
    assert post_form(url, form_data(db_session, team="My team", row_version="2")).status_code == 302


def test_ends_a_placement(get_page, login_as, post_form, db_session, apprentice):
    placement = builders.create_placement(db_session, apprentice, host="Camden")
    login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/apprentices/{apprentice.id}/placements/{placement.id}/end"
    page = get_page(url)
    assert page.select_one("h1").get_text(strip=True) == "End the placement with Camden"
    response = post_form(url, {"end_date": parts(date(2026, 12, 31)), "row_version": "1"})
    assert response.status_code == 302
    assert placements_of(db_session, apprentice)[0].end_date == date(2026, 12, 31)


def test_ending_before_the_start_is_refused(login_as, post_form, db_session, apprentice):
    placement = builders.create_placement(db_session, apprentice, start_date=date(2026, 10, 1))
    login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/apprentices/{apprentice.id}/placements/{placement.id}/end"
    response = post_form(url, {"end_date": parts(date(2026, 9, 30)), "row_version": "1"})
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["The end date must be the same as or after the start date"]
    assert page.select_one("#end_date-day")["value"] == "30"
    assert placements_of(db_session, apprentice)[0].end_date is None


def test_a_stale_end_is_409(engine, login_as, post_form, db_session, apprentice):
    placement = builders.create_placement(db_session, apprentice, team="Data")
    login_as(Role.COORDINATOR, borough="Hackney")
    with Session(engine) as other:
        other.get(Placement, placement.id).team = "Their team"
        other.commit()
    url = f"/coordinator/apprentices/{apprentice.id}/placements/{placement.id}/end"
    response = post_form(url, {"end_date": parts(date(2026, 12, 31)), "row_version": "1"})
    assert response.status_code == 409
    assert placements_of(db_session, apprentice)[0].end_date is None


def test_the_host_boroughs_coordinator_may_not_change_placements(
    client, login_as, post_form, db_session, apprentice
):
    placement = builders.create_placement(db_session, apprentice, host="Camden")
    host = login_as(Role.COORDINATOR, borough="Camden")
    base = f"/coordinator/apprentices/{apprentice.id}/placements"
    for url in (f"{base}/new", f"{base}/{placement.id}/edit", f"{base}/{placement.id}/end"):
        assert client.get(url).status_code == 403
    response = post_form(f"{base}/{placement.id}/end", {"end_date": parts(date(2026, 12, 31))})
    assert response.status_code == 403
    assert placements_of(db_session, apprentice)[0].end_date is None
    refusal = db_session.scalars(select(AuditEvent)).first()
    assert (refusal.action, refusal.actor_user_id, refusal.target_type) == (
        "access_refused",
        host.id,
        "apprentice",
    )


def test_another_boroughs_apprentice_is_not_found(client, login_as, db_session, apprentice):
    placement = builders.create_placement(db_session, apprentice, host="Hackney")
    login_as(Role.COORDINATOR, borough="Camden")
    base = f"/coordinator/apprentices/{apprentice.id}/placements"
    for url in (f"{base}/new", f"{base}/{placement.id}/edit", f"{base}/{placement.id}/end"):
        assert client.get(url).status_code == 404


def test_a_placement_of_another_apprentice_is_not_found(client, login_as, db_session, apprentice):
    other = builders.create_apprentice(db_session, borough="Hackney")
    theirs = builders.create_placement(db_session, other)
    login_as(Role.COORDINATOR, borough="Hackney")
    base = f"/coordinator/apprentices/{apprentice.id}/placements/{theirs.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.get(f"{base}/end").status_code == 404


def test_a_programme_wide_coordinator_and_an_admin_may_change(
    client, login_as, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Camden", programme_wide=True)
    assert client.get(f"/coordinator/apprentices/{apprentice.id}/placements/new").status_code == 200
    login_as(Role.ADMIN, borough="Camden")
    assert client.get(f"/coordinator/apprentices/{apprentice.id}/placements/new").status_code == 200


def test_a_mentor_may_not_reach_placement_pages(client, login_as, db_session, apprentice):
    mentor = login_as(Role.MENTOR, borough="Hackney")
    builders.assign_mentor(db_session, apprentice, mentor)
    assert client.get(f"/coordinator/apprentices/{apprentice.id}/placements/new").status_code == 403
