"""Admins invite, change, deactivate and reactivate users; the invitation link works once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.mail import OutboxBackend, SmtpBackend
from app.models import AuditEvent, Role, User
from tests import builders
from tests.conftest import sign_in_client
from tests.html_checks import check_page, error_messages, text_of

GOOD_PASSWORD = "a long memorable phrase"
LINK = re.compile(r"http://localhost(/account/invitation/\S+)")


def invite_data(db_session, **changes):
    data = {
        "name": "Priya Shah",
        "email": "Priya.Shah@Example.org",
        "roles": ["mentor", "coordinator"],
        "borough": str(builders.get_borough(db_session, "Camden").id),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def events(db_session, action, target_id=None):
    db_session.expire_all()
    statement = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if target_id is not None:
        statement = statement.where(AuditEvent.target_id == target_id)
    return db_session.scalars(statement).all()


def user_named(db_session, email):
    db_session.expire_all()
    return db_session.scalars(select(User).where(User.email == email)).one_or_none()


def set_password_through(client, path, password=GOOD_PASSWORD):
    page = check_page(client.get(path))
    token = page.select_one("input[name=csrf_token]")["value"]
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


# Inviting


def test_invitation_is_mailed_shown_to_the_admin_and_works_once(
    app, client, login_as, post_form, db_session, mailbox
):
    admin = login_as(Role.ADMIN, name="Ada Admin")
    page = check_page(client.get("/admin/users/invite"))
    assert [box["value"] for box in page.select("input[name=roles]")] == [
        "coordinator",
        "apprentice",
        "mentor",
        "borough_lead",
        "admin",
    ]
    assert len(page.select("#borough option")) == 34  # "Select a borough" and the 33

    response = post_form("/admin/users/invite", invite_data(db_session))

    invited = user_named(db_session, "priya.shah@example.org")
    assert invited is not None
    assert response.status_code == 302
    assert response.location == f"/admin/users/{invited.id}"
    camden = builders.get_borough(db_session, "Camden")
    assert (invited.name, invited.borough_id, invited.password_hash) == (
        "Priya Shah",
        camden.id,
        None,
    )
    assert invited.roles == {Role.MENTOR, Role.COORDINATOR}
    created = events(db_session, "created", invited.id)
    assert [event.actor_user_id for event in created] == [admin.id]

    [mail] = mailbox
    assert mail.to == "priya.shah@example.org"
    assert "Ada Admin has invited you" in mail.body
    url = LINK.search(mail.body).group(0)

    page = check_page(client.get(response.location))
    banner = page.select_one(".govuk-notification-banner--success")
    assert "Invitation sent to Priya Shah" in banner.get_text()
    assert page.select_one("#invitation-link").get_text(strip=True) == url
    # The link is shown once, not on every later visit.
    assert check_page(client.get(response.location)).select_one("#invitation-link") is None

    invitee = app.test_client()
    path = LINK.search(mail.body).group(1)
    assert "Choose your password" in text_of(check_page(invitee.get(path)))
    response = set_password_through(invitee, path)
    assert response.status_code == 302
    assert response.location == "/sign-in?password_set=1"
    used = invitee.get(path)
    assert used.status_code == 410
    assert "This link has already been used" in text_of(check_page(used))


def test_an_invitation_that_could_not_be_mailed_still_shows_the_link(
    app, client, login_as, post_form, db_session, mailbox, monkeypatch
):
    login_as(Role.ADMIN)

    def refuse(mail):
        raise OSError("mail server down")

    monkeypatch.setattr(app.extensions["mail"], "send", refuse)
    response = post_form("/admin/users/invite", invite_data(db_session, roles=["apprentice"]))
    assert response.status_code == 302
    assert user_named(db_session, "priya.shah@example.org") is not None
    page = check_page(client.get(response.location))
    assert "The invitation email to Priya Shah could not be sent" in text_of(page)
    assert "Give Priya Shah this link yourself" in text_of(page)
    assert (
        page.select_one("#invitation-link")
        .get_text(strip=True)
        .startswith("http://localhost/account/invitation/")
    )
    assert mailbox == []


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        (
            {"name": "", "email": "", "roles": None, "borough": ""},
            [
                "Enter their full name",
                "Enter their email address",
                "Select at least one role",
                "Select a borough",
            ],
        ),
        (
            {"email": "priya at example"},
            ["Enter an email address in the correct format, like name@example.com"],
        ),
        ({"roles": ["emperor"]}, ["Select roles from the list"]),
        (
            {"roles": ["mentor"], "programme_wide": "y"},
            ["Only coordinators can be programme-wide"],
        ),
    ],
)
def test_an_invalid_invitation_creates_nothing_and_keeps_the_input(
    login_as, post_form, db_session, mailbox, changes, messages
):
    login_as(Role.ADMIN)
    response = post_form("/admin/users/invite", invite_data(db_session, **changes))
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == messages
    assert page.title.get_text().startswith("Error: ")
    assert page.select_one("#name")["value"] == changes.get("name", "Priya Shah")
    assert user_named(db_session, "priya.shah@example.org") is None
    assert mailbox == []


def test_a_duplicate_email_is_an_error_on_the_email_field(login_as, post_form, db_session, mailbox):
    login_as(Role.ADMIN)
    builders.create_user(db_session, email="priya.shah@example.org", name="The First Priya")
    response = post_form("/admin/users/invite", invite_data(db_session))
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["A user with this email address already exists"]
    assert page.select_one(".govuk-error-summary a")["href"] == "#email"
    assert page.select_one("#email")["value"] == "Priya.Shah@Example.org"
    assert page.select_one("#name")["value"] == "Priya Shah"
    assert [box["value"] for box in page.select("input[name=roles][checked]")] == [
        "coordinator",
        "mentor",
    ]
    assert mailbox == []
    assert len(db_session.scalars(select(User)).all()) == 2


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MENTOR, Role.BOROUGH_LEAD])
def test_only_admins_reach_user_administration(
    client, login_as, post_form, db_session, mailbox, role
):
    user = login_as(role)
    someone = builders.create_user(db_session, roles=[Role.MENTOR])
    for url in (
        "/admin/users/invite",
        f"/admin/users/{someone.id}/edit",
        f"/admin/users/{someone.id}/deactivate",
        "/admin/outbox",
    ):
        assert client.get(url).status_code == 403, url
    assert post_form("/admin/users/invite", invite_data(db_session)).status_code == 403
    assert post_form(f"/admin/users/{someone.id}/deactivate").status_code == 403
    assert post_form(f"/admin/users/{someone.id}/invitation").status_code == 403
    assert user_named(db_session, "priya.shah@example.org") is None
    assert user_named(db_session, someone.email).is_active
    assert mailbox == []
    refused = events(db_session, "access_refused")
    assert {event.actor_user_id for event in refused} == {user.id}


# Changing details, roles and the programme-wide flag


def test_edit_changes_details_and_audits_role_changes_by_field_name(
    client, login_as, post_form, db_session
):
    admin = login_as(Role.ADMIN)
    someone = builders.create_user(
        db_session, roles=[Role.MENTOR], borough="Hackney", name="Kemi Old"
    )
    page = check_page(client.get(f"/admin/users/{someone.id}/edit"))
    assert page.select_one("#name")["value"] == "Kemi Old"
    assert [box["value"] for box in page.select("input[name=roles][checked]")] == ["mentor"]
    assert page.select_one("#borough option[selected]").get_text() == "Hackney"
    version = page.select_one("input[name=row_version]")["value"]
    camden = builders.get_borough(db_session, "Camden")

    response = post_form(
        f"/admin/users/{someone.id}/edit",
        {
            "name": "Kemi New",
            "roles": ["coordinator", "mentor"],
            "borough": str(camden.id),
            "programme_wide": "y",
            "row_version": version,
        },
    )
    assert response.status_code == 302
    assert response.location == f"/admin/users/{someone.id}"
    assert "Kemi New’s details have been updated" in text_of(check_page(client.get("/admin/")))
    changed = user_named(db_session, someone.email)
    assert (changed.name, changed.borough_id, changed.is_programme_wide) == (
        "Kemi New",
        camden.id,
        True,
    )
    assert changed.roles == {Role.COORDINATOR, Role.MENTOR}
    [updated] = events(db_session, "updated", someone.id)
    [role_changed] = events(db_session, "role_changed", someone.id)
    assert (updated.actor_user_id, updated.fields_changed) == (admin.id, ["borough", "name"])
    assert (role_changed.actor_user_id, role_changed.fields_changed) == (
        admin.id,
        ["is_programme_wide", "roles"],
    )

    # Removing the flag is a role change too.
    response = post_form(
        f"/admin/users/{someone.id}/edit",
        {
            "name": "Kemi New",
            "roles": ["coordinator", "mentor"],
            "borough": str(camden.id),
            "row_version": str(changed.row_version),
        },
    )
    assert response.status_code == 302
    assert [event.fields_changed for event in events(db_session, "role_changed", someone.id)] == [
        ["is_programme_wide", "roles"],
        ["is_programme_wide"],
    ]
    assert user_named(db_session, someone.email).is_programme_wide is False


def test_a_stale_edit_is_refused_and_keeps_what_you_typed(client, login_as, post_form, db_session):
    login_as(Role.ADMIN)
    someone = builders.create_user(db_session, roles=[Role.MENTOR], name="Original Name")
    page = check_page(client.get(f"/admin/users/{someone.id}/edit"))
    version = page.select_one("input[name=row_version]")["value"]
    # Another admin saves first.
    someone.name = "Their Name"
    db_session.commit()

    data = {
        "name": "My Name",
        "roles": ["apprentice"],
        "borough": str(someone.borough_id),
        "row_version": version,
    }
    response = post_form(f"/admin/users/{someone.id}/edit", data)
    assert response.status_code == 409
    page = check_page(response)
    assert page.title.get_text().startswith("Error: ")
    assert "Someone else changed this record" in " ".join(error_messages(page))
    assert page.select_one("#name")["value"] == "My Name"
    assert [box["value"] for box in page.select("input[name=roles][checked]")] == ["apprentice"]
    assert "Their Name" in text_of(page)  # the current record, to compare with
    new_version = page.select_one("input[name=row_version]")["value"]
    assert new_version != version
    stored = user_named(db_session, someone.email)
    assert (stored.name, stored.roles) == ("Their Name", {Role.MENTOR})
    assert events(db_session, "role_changed") == []

    # Having seen the current record, saving again replaces it.
    response = post_form(f"/admin/users/{someone.id}/edit", {**data, "row_version": new_version})
    assert response.status_code == 302
    stored = user_named(db_session, someone.email)
    assert (stored.name, stored.roles) == ("My Name", {Role.APPRENTICE})


def test_an_admin_cannot_remove_their_own_admin_role(client, login_as, post_form, db_session):
    admin = login_as(Role.ADMIN, name="Ada Admin")
    page = check_page(client.get(f"/admin/users/{admin.id}/edit"))
    version = page.select_one("input[name=row_version]")["value"]
    response = post_form(
        f"/admin/users/{admin.id}/edit",
        {
            "name": "Ada Admin",
            "roles": ["coordinator"],
            "borough": str(admin.borough_id),
            "row_version": version,
        },
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["You cannot remove your own administrator role"]
    assert page.select_one(".govuk-error-summary a")["href"] == "#roles"
    assert user_named(db_session, admin.email).roles == {Role.ADMIN}
    assert events(db_session, "role_changed") == []
    # Adding a role to yourself, keeping admin, is fine.
    response = post_form(
        f"/admin/users/{admin.id}/edit",
        {
            "name": "Ada Admin",
            "roles": ["admin", "coordinator"],
            "borough": str(admin.borough_id),
            "row_version": version,
        },
    )
    assert response.status_code == 302
    assert user_named(db_session, admin.email).roles == {Role.ADMIN, Role.COORDINATOR}


def test_an_invalid_edit_keeps_the_input_and_changes_nothing(login_as, post_form, db_session):
    login_as(Role.ADMIN)
    someone = builders.create_user(db_session, roles=[Role.MENTOR], name="Kemi")
    response = post_form(
        f"/admin/users/{someone.id}/edit",
        {"name": "Kemi Changed", "borough": str(someone.borough_id), "row_version": "1"},
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Select at least one role"]
    assert page.select_one("#name")["value"] == "Kemi Changed"
    assert user_named(db_session, someone.email).name == "Kemi"


def test_a_user_that_does_not_exist_is_not_found(client, login_as, post_form):
    login_as(Role.ADMIN)
    for url in (
        "/admin/users/9999/edit",
        "/admin/users/9999/deactivate",
        "/admin/users/9999/reactivate",
    ):
        assert client.get(url).status_code == 404, url
    assert post_form("/admin/users/9999/invitation").status_code == 404


# Deactivating and reactivating


def test_deactivation_ends_their_sessions_and_reactivation_lets_them_back(
    app, client, login_as, post_form, db_session
):
    admin = login_as(Role.ADMIN)
    someone = builders.create_user(
        db_session, roles=[Role.MENTOR], name="Efe Mentor", password=GOOD_PASSWORD
    )
    their_browser = app.test_client()
    sign_in_client(app, their_browser, someone)
    assert their_browser.get("/mentor/").status_code == 200

    page = check_page(client.get(f"/admin/users/{someone.id}"))
    assert page.select_one(f"a[href='/admin/users/{someone.id}/deactivate']") is not None
    page = check_page(client.get(f"/admin/users/{someone.id}/deactivate"))
    assert "Are you sure you want to deactivate Efe Mentor’s account?" in text_of(page)

    response = post_form(f"/admin/users/{someone.id}/deactivate")
    assert response.status_code == 302
    assert response.location == f"/admin/users/{someone.id}"
    page = check_page(client.get(response.location))
    assert "Efe Mentor’s account has been deactivated" in text_of(page)
    assert page.select_one(f"a[href='/admin/users/{someone.id}/reactivate']") is not None
    assert user_named(db_session, someone.email).is_active is False
    [event] = events(db_session, "updated", someone.id)
    assert (event.actor_user_id, event.fields_changed) == (admin.id, ["is_active"])

    response = their_browser.get("/mentor/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")

    page = check_page(client.get(f"/admin/users/{someone.id}/reactivate"))
    assert "They will be able to sign in again with their password." in text_of(page)
    response = post_form(f"/admin/users/{someone.id}/reactivate")
    assert response.status_code == 302
    assert user_named(db_session, someone.email).is_active is True
    assert "Efe Mentor’s account has been reactivated" in text_of(check_page(client.get("/admin/")))


def test_an_admin_cannot_deactivate_themselves(client, login_as, post_form, db_session):
    admin = login_as(Role.ADMIN)
    page = check_page(client.get(f"/admin/users/{admin.id}"))
    assert page.select_one(f"a[href='/admin/users/{admin.id}/deactivate']") is None
    page = check_page(client.get(f"/admin/users/{admin.id}/deactivate"))
    assert "You cannot deactivate your own account" in text_of(page)
    assert page.select_one("main form") is None

    response = post_form(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 400
    page = check_page(response)
    assert page.title.get_text().startswith("Error: ")
    assert error_messages(page) == ["You cannot deactivate or reactivate yourself"]
    assert user_named(db_session, admin.email).is_active is True
    assert client.get("/admin/").status_code == 200  # still signed in


# New invitations


def test_a_new_invitation_goes_only_to_an_active_user_without_a_password(
    app, client, login_as, post_form, db_session, mailbox
):
    login_as(Role.ADMIN)
    waiting = builders.create_user(db_session, roles=[Role.APPRENTICE], name="Waiting Wale")
    page = check_page(client.get(f"/admin/users/{waiting.id}"))
    assert page.select_one(f"form[action='/admin/users/{waiting.id}/invitation']") is not None

    response = post_form(f"/admin/users/{waiting.id}/invitation")
    assert response.status_code == 302
    assert response.location == f"/admin/users/{waiting.id}"
    [mail] = mailbox
    assert mail.to == waiting.email
    page = check_page(client.get(response.location))
    assert "Invitation sent to Waiting Wale" in text_of(page)
    path = LINK.search(mail.body).group(1)
    assert set_password_through(app.test_client(), path).status_code == 302

    # Now they have a password: nothing is offered, and a forced request sends nothing.
    page = check_page(client.get(f"/admin/users/{waiting.id}"))
    assert page.select_one(f"form[action='/admin/users/{waiting.id}/invitation']") is None
    response = post_form(f"/admin/users/{waiting.id}/invitation")
    assert response.status_code == 302
    page = check_page(client.get(response.location))
    assert "No invitation was sent: Waiting Wale has already chosen a password." in text_of(page)
    assert len(mailbox) == 1

    gone = builders.create_user(db_session, roles=[Role.MENTOR], name="Gone Gina", active=False)
    response = post_form(f"/admin/users/{gone.id}/invitation")
    page = check_page(client.get(response.location))
    assert "No invitation was sent: Gone Gina’s account is deactivated." in text_of(page)
    assert len(mailbox) == 1


# The outbox


def test_the_outbox_lists_sent_mail_newest_first(
    client, get_page, login_as, post_form, db_session, frozen_clock
):
    login_as(Role.ADMIN)
    first = builders.create_user(db_session, roles=[Role.MENTOR], name="First Person")
    second = builders.create_user(db_session, roles=[Role.MENTOR], name="Second Person")
    post_form(f"/admin/users/{first.id}/invitation")
    frozen_clock.advance(minutes=20)  # within the idle limit
    post_form(f"/admin/users/{second.id}/invitation")

    assert get_page("/admin/").select_one("a[href='/admin/outbox']") is not None
    page = get_page("/admin/outbox")
    bodies = [pre.get_text() for pre in page.select("main pre")]
    assert bodies[0].startswith("Dear Second Person")
    assert bodies[1].startswith("Dear First Person")
    assert second.email in text_of(page)
    assert "27 November 2026 at 10:50am" in text_of(page)
    assert "27 November 2026 at 10:30am" in text_of(page)


def test_the_outbox_reads_the_development_folder(
    app, client, get_page, login_as, monkeypatch, tmp_path
):
    login_as(Role.ADMIN)
    folder = OutboxBackend(tmp_path, app.config["MAIL_SENDER"])
    monkeypatch.setitem(app.extensions, "mail", folder)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "outbox")
    assert "No mail has been sent yet." in text_of(get_page("/admin/outbox"))
    from app.mail import send_mail

    with app.test_request_context():
        someone = type("Someone", (), {"name": "Dee Folder"})()
        send_mail("dee@example.org", "Hello", "invitation", user=someone, url="u", valid_for="x")
    page = get_page("/admin/outbox")
    assert "Hello" in text_of(page)
    assert "dee@example.org" in text_of(page)


def test_there_is_no_outbox_when_mail_really_leaves(app, client, login_as, monkeypatch, get_page):
    login_as(Role.ADMIN)
    monkeypatch.setitem(app.extensions, "mail", SmtpBackend(app.config))
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    get_page("/admin/outbox", 404)
    assert get_page("/admin/").select_one("a[href='/admin/outbox']") is None


def test_admin_pages_offer_inviting(get_page, login_as):
    login_as(Role.ADMIN)
    assert get_page("/admin/").select_one("a[href='/admin/users/invite']") is not None
    assert get_page("/admin/users").select_one("a[href='/admin/users/invite']") is not None


def test_a_new_invitation_retires_the_earlier_link_and_is_audited(
    app, client, login_as, post_form, db_session, mailbox
):
    admin = login_as(Role.ADMIN)
    post_form("/admin/users/invite", invite_data(db_session))
    invited = user_named(db_session, "priya.shah@example.org")
    first = LINK.search(mailbox[0].body).group(1)
    post_form(f"/admin/users/{invited.id}/invitation")
    second = LINK.search(mailbox[1].body).group(1)
    assert first != second
    assert app.test_client().get(first).status_code == 410
    assert set_password_through(app.test_client(), second).status_code == 302
    renewed = events(db_session, "updated", invited.id)
    assert [(e.actor_user_id, e.fields_changed) for e in renewed][0] == (admin.id, ["invitation"])
