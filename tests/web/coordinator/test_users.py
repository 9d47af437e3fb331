"""Coordinators see the users of their borough and invite apprentices and mentors to it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Role, User
from tests import builders
from tests.html_checks import check_page, error_messages, text_of

GOOD_PASSWORD = "a long memorable phrase"
LINK = re.compile(r"http://localhost(/account/invitation/\S+)")


def listed_names(page):
    return [row.select("td")[0].get_text(strip=True) for row in page.select("tbody tr")]


def user_with_email(db_session, email):
    db_session.expire_all()
    return db_session.scalars(select(User).where(User.email == email)).one_or_none()


def audit_events(db_session, action):
    db_session.expire_all()
    return db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


# The list


def test_a_coordinator_sees_only_the_users_of_their_borough(get_page, login_as, db_session):
    login_as(Role.COORDINATOR, borough="Hackney", name="Cora Coordinator")
    builders.create_user(db_session, roles=[Role.APPRENTICE], borough="Hackney", name="Ali Local")
    builders.create_user(db_session, roles=[Role.MENTOR], borough="Hackney", name="Bea Mentor")
    builders.create_user(db_session, roles=[Role.MENTOR], borough="Camden", name="Cam Elsewhere")

    page = get_page("/coordinator/users")
    assert listed_names(page) == ["Ali Local", "Bea Mentor", "Cora Coordinator"]
    assert "Cam Elsewhere" not in text_of(page)
    assert page.select_one("#borough") is None  # one borough: nothing to choose
    assert listed_names(get_page("/coordinator/users?role=mentor")) == ["Bea Mentor"]
    assert listed_names(get_page("/coordinator/users?q=ALI")) == ["Ali Local"]
    # Filtering cannot reach past the borough.
    assert listed_names(get_page("/coordinator/users?q=cam")) == []
    camden = builders.get_borough(db_session, "Camden")
    assert "Cam Elsewhere" not in text_of(get_page(f"/coordinator/users?borough={camden.id}"))
    page = get_page("/coordinator/users?q=bea&role=mentor")
    assert page.select_one("#q")["value"] == "bea"
    assert page.select_one("#role option[selected]")["value"] == "mentor"


def test_a_programme_wide_coordinator_sees_every_borough(get_page, login_as, db_session):
    login_as(Role.COORDINATOR, borough="Hackney", programme_wide=True, name="Central Cat")
    builders.create_user(db_session, roles=[Role.MENTOR], borough="Camden", name="Cam Elsewhere")
    page = get_page("/coordinator/users")
    assert listed_names(page) == ["Cam Elsewhere", "Central Cat"]
    camden = builders.get_borough(db_session, "Camden")
    assert listed_names(get_page(f"/coordinator/users?borough={camden.id}")) == ["Cam Elsewhere"]


def test_the_list_runs_a_fixed_number_of_queries(
    client, login_as, db_session, count_queries, get_page
):
    login_as(Role.COORDINATOR, borough="Hackney", name="Aaron Coordinator")
    builders.create_user(db_session, roles=[Role.MENTOR], name="Only One")
    client.get("/coordinator/users")  # the first page of a session stores its CSRF token
    with count_queries() as few:
        client.get("/coordinator/users")
    for number in range(40):
        builders.create_user(
            db_session, roles=[Role.APPRENTICE, Role.MENTOR], name=f"User {number:02d}"
        )
        builders.create_user(db_session, roles=[Role.MENTOR], borough="Camden")
    with count_queries() as many:
        response = client.get("/coordinator/users")
    assert response.status_code == 200
    assert many.count == few.count
    page = get_page("/coordinator/users?page=2")
    assert len(listed_names(page)) == 17  # 42 Hackney users, 25 a page
    assert "Showing 26 to 42 of 42 users" in text_of(page)


@pytest.mark.parametrize("role", [Role.MENTOR, Role.APPRENTICE, Role.BOROUGH_LEAD, Role.ADMIN])
def test_only_coordinators_reach_these_pages(client, login_as, post_form, db_session, role):
    login_as(role)
    someone = builders.create_user(db_session, roles=[Role.APPRENTICE])
    for url in (
        "/coordinator/users",
        f"/coordinator/users/{someone.id}",
        "/coordinator/users/invite",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        check_page(response)
    response = post_form("/coordinator/users/invite", {"name": "X", "email": "x@example.org"})
    assert response.status_code == 403
    assert post_form(f"/coordinator/users/{someone.id}/invitation").status_code == 403
    assert user_with_email(db_session, "x@example.org") is None


# One user


def test_viewing_a_user_of_the_borough_is_audited(get_page, login_as, db_session):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    someone = builders.create_user(
        db_session, roles=[Role.APPRENTICE], borough="Hackney", name="Ali Local"
    )
    page = get_page(f"/coordinator/users/{someone.id}")
    assert page.select_one("h1").get_text(strip=True) == "Ali Local"
    [event] = audit_events(db_session, "viewed_record")
    assert (event.actor_user_id, event.target_type, event.target_id) == (
        coordinator.id,
        "app_user",
        someone.id,
    )


def test_a_user_of_another_borough_is_not_found(get_page, login_as, post_form, db_session, mailbox):
    login_as(Role.COORDINATOR, borough="Hackney")
    camden_user = builders.create_user(db_session, roles=[Role.MENTOR], borough="Camden")
    get_page(f"/coordinator/users/{camden_user.id}", 404)
    response = post_form(f"/coordinator/users/{camden_user.id}/invitation")
    assert response.status_code == 404
    assert mailbox == []
    assert audit_events(db_session, "viewed_record") == []


# Inviting


def test_a_coordinator_invites_an_apprentice_to_their_borough_and_the_link_works_once(
    app, client, login_as, post_form, db_session, mailbox
):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney", name="Cora Coordinator")
    page = check_page(client.get("/coordinator/users/invite"))
    assert [box["value"] for box in page.select("input[name=roles]")] == ["apprentice", "mentor"]
    assert page.select_one("#borough") is None
    assert "Hackney" in text_of(page)
    assert page.select_one("input[name=programme_wide]") is None

    response = post_form(
        "/coordinator/users/invite",
        {"name": "Ali Apprentice", "email": "ali@example.org", "roles": ["apprentice"]},
    )
    assert response.status_code == 302
    invited = user_with_email(db_session, "ali@example.org")
    assert response.location == f"/coordinator/users/{invited.id}"
    assert (invited.roles, invited.borough_id, invited.is_programme_wide) == (
        {Role.APPRENTICE},
        coordinator.borough_id,
        False,
    )
    [created] = audit_events(db_session, "created")
    assert (created.actor_user_id, created.target_id) == (coordinator.id, invited.id)

    [mail] = mailbox
    assert mail.to == "ali@example.org"
    assert "Cora Coordinator has invited you" in mail.body
    url = LINK.search(mail.body).group(0)
    page = check_page(client.get(response.location))
    assert "Invitation sent to Ali Apprentice" in text_of(page)
    assert page.select_one("#invitation-link").get_text(strip=True) == url

    invitee = app.test_client()
    path = LINK.search(mail.body).group(1)
    form_page = check_page(invitee.get(path))
    token = form_page.select_one("input[name=csrf_token]")["value"]
    response = invitee.post(
        path, data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.location == "/sign-in?password_set=1"
    again = invitee.get(path)
    assert again.status_code == 410
    assert "This link has already been used" in text_of(check_page(again))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"roles": ["admin"]}, "You can only invite apprentices and mentors"),
        ({"roles": ["mentor", "coordinator"]}, "You can only invite apprentices and mentors"),
        (
            {"roles": ["mentor"], "borough": "Camden"},
            "You can only invite people to your own borough",
        ),
        ({"roles": ["emperor"]}, "Select roles from the list"),
        ({"roles": []}, "Select at least one role"),
    ],
)
def test_a_coordinator_cannot_invite_an_admin_or_into_another_borough(
    login_as, post_form, db_session, mailbox, extra, message
):
    login_as(Role.COORDINATOR, borough="Hackney")
    data = {"name": "Sneaky Sam", "email": "sam@example.org", **extra}
    if data.get("borough") == "Camden":
        data["borough"] = str(builders.get_borough(db_session, "Camden").id)
    response = post_form("/coordinator/users/invite", data)
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [message]
    assert page.select_one("#name")["value"] == "Sneaky Sam"
    assert page.select_one("#email")["value"] == "sam@example.org"
    assert user_with_email(db_session, "sam@example.org") is None
    assert mailbox == []
    assert audit_events(db_session, "created") == []


def test_a_coordinator_cannot_make_someone_programme_wide(login_as, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    response = post_form(
        "/coordinator/users/invite",
        {"name": "Mo", "email": "mo@example.org", "roles": ["mentor"], "programme_wide": "y"},
    )
    assert response.status_code == 302
    assert user_with_email(db_session, "mo@example.org").is_programme_wide is False


def test_an_invalid_invitation_keeps_the_input(login_as, post_form, db_session, mailbox):
    login_as(Role.COORDINATOR, borough="Hackney")
    builders.create_user(db_session, email="taken@example.org")
    response = post_form(
        "/coordinator/users/invite",
        {"name": "", "email": "Taken@example.org", "roles": ["mentor"]},
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Enter their full name"]
    assert page.select_one("#email")["value"] == "Taken@example.org"
    assert [box["value"] for box in page.select("input[name=roles][checked]")] == ["mentor"]
    response = post_form(
        "/coordinator/users/invite",
        {"name": "Tam", "email": "Taken@example.org", "roles": ["mentor"]},
    )
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["A user with this email address already exists"]
    assert mailbox == []


def test_a_programme_wide_coordinator_chooses_the_borough(
    client, login_as, post_form, db_session, mailbox
):
    login_as(Role.COORDINATOR, borough="Hackney", programme_wide=True)
    page = check_page(client.get("/coordinator/users/invite"))
    assert len(page.select("#borough option")) == 34
    response = post_form(
        "/coordinator/users/invite",
        {"name": "Cam Mentor", "email": "cam@example.org", "roles": ["mentor"], "borough": ""},
    )
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Select a borough"]
    camden = builders.get_borough(db_session, "Camden")
    response = post_form(
        "/coordinator/users/invite",
        {
            "name": "Cam Mentor",
            "email": "cam@example.org",
            "roles": ["mentor"],
            "borough": str(camden.id),
        },
    )
    assert response.status_code == 302
    assert user_with_email(db_session, "cam@example.org").borough_id == camden.id
    assert len(mailbox) == 1


# New invitations


def test_a_coordinator_sends_a_new_invitation_to_an_apprentice_or_mentor_only(
    client, login_as, post_form, db_session, mailbox
):
    login_as(Role.COORDINATOR, borough="Hackney")
    waiting = builders.create_user(db_session, roles=[Role.APPRENTICE], name="Waiting Wale")
    page = check_page(client.get(f"/coordinator/users/{waiting.id}"))
    action = f"/coordinator/users/{waiting.id}/invitation"
    assert page.select_one(f"form[action='{action}']") is not None
    response = post_form(action)
    assert response.status_code == 302
    assert response.location == f"/coordinator/users/{waiting.id}"
    [mail] = mailbox
    assert mail.to == waiting.email
    assert "Invitation sent to Waiting Wale" in text_of(check_page(client.get(response.location)))

    # A colleague with a role coordinators do not give: their link is not the coordinator's to
    # see, so nothing is offered or sent.
    colleague = builders.create_user(db_session, roles=[Role.BOROUGH_LEAD], name="Lee Lead")
    action = f"/coordinator/users/{colleague.id}/invitation"
    assert (
        check_page(client.get(f"/coordinator/users/{colleague.id}")).select_one(
            f"form[action='{action}']"
        )
        is None
    )
    response = post_form(action)
    page = check_page(client.get(response.location))
    assert "No invitation was sent: you can only invite apprentices and mentors." in text_of(page)
    assert page.select_one("#invitation-link") is None

    settled = builders.create_user(
        db_session, roles=[Role.MENTOR], name="Set Sade", password=GOOD_PASSWORD
    )
    response = post_form(f"/coordinator/users/{settled.id}/invitation")
    page = check_page(client.get(response.location))
    assert "Set Sade has already chosen a password" in text_of(page)
    assert len(mailbox) == 1


def test_the_coordinator_home_links_to_users(get_page, login_as):
    login_as(Role.COORDINATOR)
    page = get_page("/coordinator/")
    assert page.select_one("a[href='/coordinator/users']") is not None
    assert page.select_one("a[href='/coordinator/users/invite']") is not None
