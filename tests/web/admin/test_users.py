"""Admins find users and view them; every view of a person's record is audited."""

from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEvent, Role
from tests import builders
from tests.html_checks import text_of


def listed_names(page):
    return [row.select("td")[0].get_text(strip=True) for row in page.select("tbody tr")]


def test_users_are_listed_with_roles_and_borough(get_page, login_as, db_session):
    login_as(Role.ADMIN, name="Ada Admin")
    builders.create_user(
        db_session, roles=[Role.COORDINATOR, Role.MENTOR], borough="Camden", name="Bola Camden"
    )
    page = get_page("/admin/users")
    rows = {
        row.select("td")[0].get_text(strip=True): [c.get_text(strip=True) for c in row.select("td")]
        for row in page.select("tbody tr")
    }
    assert rows["Bola Camden"][2:] == ["Coordinator, Mentor", "Camden", "Invited"]
    assert "Showing 1 to 2 of 2 users" in text_of(page)


def test_filters_by_text_role_and_borough(get_page, login_as, db_session):
    login_as(Role.ADMIN, name="Ada Admin")
    builders.create_user(db_session, roles=[Role.MENTOR], borough="Camden", name="Bola Mentor")
    builders.create_user(db_session, roles=[Role.MENTOR], borough="Hackney", name="Chi Mentor")
    builders.create_user(
        db_session, roles=[Role.APPRENTICE], borough="Hackney", name="Dee", email="dee@council.gov"
    )
    camden = builders.get_borough(db_session, "Camden")
    assert listed_names(get_page("/admin/users?role=mentor")) == ["Bola Mentor", "Chi Mentor"]
    assert listed_names(get_page(f"/admin/users?role=mentor&borough={camden.id}")) == [
        "Bola Mentor"
    ]
    assert listed_names(get_page("/admin/users?q=CHI")) == ["Chi Mentor"]
    assert listed_names(get_page("/admin/users?q=council.gov")) == ["Dee"]
    page = get_page("/admin/users?q=nobody")
    assert "No users match these filters." in text_of(page)
    # The filters keep what was chosen.
    page = get_page("/admin/users?q=chi&role=mentor")
    assert page.select_one("#q")["value"] == "chi"
    assert page.select_one("#role option[selected]")["value"] == "mentor"


def test_nonsense_filters_are_ignored_not_an_error(get_page, login_as):
    login_as(Role.ADMIN)
    page = get_page("/admin/users?role=emperor&borough=abc&page=-3")
    assert len(listed_names(page)) == 1


def test_users_are_paginated_on_the_server_in_a_fixed_number_of_queries(
    client, login_as, db_session, count_queries, get_page
):
    login_as(Role.ADMIN, name="Aaron Admin")
    builders.create_user(db_session, roles=[Role.MENTOR], name="Only One")
    client.get("/admin/users")  # the first page of a session stores its CSRF token
    with count_queries() as few:
        client.get("/admin/users")
    for number in range(40):
        builders.create_user(
            db_session, roles=[Role.MENTOR, Role.COORDINATOR], name=f"User {number:02d}"
        )
    with count_queries() as many:
        response = client.get("/admin/users")
    assert response.status_code == 200
    assert many.count == few.count
    page = get_page("/admin/users?page=2")
    assert len(listed_names(page)) == 17  # 42 users, 25 a page
    assert "Showing 26 to 42 of 42 users" in text_of(page)
    assert page.select_one(".govuk-pagination__prev a")["href"] == "/admin/users?page=1"
    assert any("LIMIT" in statement for statement in many.statements)


def test_viewing_a_user_is_audited(client, get_page, login_as, db_session):
    admin = login_as(Role.ADMIN)
    someone = builders.create_user(
        db_session, roles=[Role.MENTOR], name="Efe Mentor", borough="Camden"
    )
    page = get_page(f"/admin/users/{someone.id}")
    assert page.select_one("h1").get_text(strip=True) == "Efe Mentor"
    assert "Camden" in text_of(page)
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.target_type, event.target_id) == (
        "viewed_record",
        admin.id,
        "app_user",
        someone.id,
    )
