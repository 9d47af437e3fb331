"""Invitation and reset links: signed, expiring, single-use; reset answers the same for anyone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.domain.account_links import Purpose, make_token
from app.models import User
from tests import builders
from tests.conftest import csrf_token
from tests.html_checks import check_page, error_messages, text_of
from tests.web.auth.test_sign_in import sign_in

NEW_PASSWORD = "tangerine harbour lighthouse"


def link_path(app, user, purpose):
    return f"/account/{purpose.value}/{make_token(app.config['SECRET_KEY'], user, purpose)}"


def choose_password(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(
        path,
        data={
            "password": password,
            "confirm": password if confirm is None else confirm,
            "csrf_token": csrf_token(client),
        },
    )


def test_reset_mails_a_link_that_sets_the_password_once(client, db_session, mailbox):
    builders.create_user(db_session, email="kemi@example.org", password="an old passphrase here")
    page = check_page(
        client.post(
            "/account/reset-password",
            data={"email": "Kemi@Example.org", "csrf_token": csrf_token(client)},
        )
    )
    assert "Check your email" in text_of(page)
    (mail,) = mailbox
    assert mail.to == "kemi@example.org"
    assert mail.subject == "Set a new password for Digital Apprenticeships"
    assert "works once and for 1 hour" in mail.body
    url = re.search(r"http://localhost(/account/reset/\S+)", mail.body).group(1)

    form = check_page(client.get(url))
    assert "Set a new password" in text_of(form)
    response = choose_password(client, url)
    assert response.status_code == 302
    assert response.location == "/sign-in?password_set=1"
    assert sign_in(client, "kemi@example.org", NEW_PASSWORD).status_code == 302

    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    again = client.get(url)
    assert again.status_code == 410
    assert "This link has already been used" in text_of(check_page(again))
    assert choose_password(client, url, "another fine passphrase").status_code == 410


def test_reset_answers_the_same_for_an_unknown_email(client, db_session, mailbox):
    builders.create_user(db_session, email="known@example.org")
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        response = client.post(
            "/account/reset-password", data={"email": email, "csrf_token": csrf_token(client)}
        )
        assert response.status_code == 200
        answers.append(text_of(check_page(response)).replace(email, "EMAIL"))
    assert answers[0] == answers[1]
    assert [mail.to for mail in mailbox] == ["known@example.org"]


def test_reset_link_expires_after_an_hour(app, client, db_session, frozen_clock):
    user = builders.create_user(db_session)
    path = link_path(app, user, Purpose.RESET)
    frozen_clock.advance(minutes=59)
    assert client.get(path).status_code == 200
    frozen_clock.advance(minutes=2)
    response = client.get(path)
    assert response.status_code == 410
    page = check_page(response)
    assert "This link has expired" in text_of(page)
    assert page.select_one("a[href='/account/reset-password']")


def test_invitation_link_lasts_seven_days(app, client, db_session, frozen_clock):
    user = builders.create_user(db_session)
    path = link_path(app, user, Purpose.INVITATION)
    frozen_clock.advance(days=6, hours=23)
    assert "Choose your password" in text_of(check_page(client.get(path)))
    frozen_clock.advance(hours=2)
    assert client.get(path).status_code == 410


@pytest.mark.parametrize("tamper", ["truncate", "other purpose", "garbage"])
def test_tampered_links_are_refused(app, client, db_session, tamper):
    user = builders.create_user(db_session)
    token = make_token(app.config["SECRET_KEY"], user, Purpose.INVITATION)
    path = {
        "truncate": f"/account/invitation/{token[:-3]}",
        "other purpose": f"/account/reset/{token}",  # an invitation token is not a reset token
        "garbage": "/account/invitation/not-a-token",
    }[tamper]
    response = client.get(path)
    assert response.status_code == 410
    assert "This link is not valid" in text_of(check_page(response))
    assert client.get(f"/account/upgrade/{token}").status_code == 404


def test_deactivating_an_account_kills_its_links(app, client, db_session):
    user = builders.create_user(db_session)
    path = link_path(app, user, Purpose.INVITATION)
    user.is_active = False
    db_session.commit()
    assert client.get(path).status_code == 410


def test_a_weak_or_mismatched_password_is_refused_and_nothing_changes(app, client, db_session):
    user = builders.create_user(db_session, name="Priya Shah", email="priya.shah@example.org")
    path = link_path(app, user, Purpose.INVITATION)
    cases = [
        ("short", None, "Password must be 12 characters or more"),
        ("Qwerty123456!", None, "Password is too common"),
        ("Hackney2026!!", None, "must not be based on your name"),
        ("PriyaShah1990", None, "must not be based on your name"),
        ("a good long passphrase", "a different one", "The passwords do not match"),
    ]
    for password, confirm, message in cases:
        response = choose_password(client, path, password, confirm)
        assert response.status_code == 400
        messages = error_messages(check_page(response))
        assert len(messages) == 1 and message in messages[0], (password, messages)
    db_session.expire_all()
    assert db_session.scalars(select(User.password_hash).where(User.id == user.id)).one() is None
    assert choose_password(client, path).status_code == 302  # the link still works


def test_setting_a_password_ends_every_session_of_the_user(app, client, db_session):
    from tests.conftest import sign_in_client

    user = builders.create_user(db_session, password="the first passphrase")
    other_device = app.test_client()
    sign_in_client(app, other_device, user)
    assert other_device.get("/coordinator/").status_code == 200
    assert choose_password(client, link_path(app, user, Purpose.RESET)).status_code == 302
    assert other_device.get("/coordinator/").status_code == 302
