"""Changing your own password, and staying signed in from the timeout warning."""

from __future__ import annotations

from app.domain.passwords import verify_password
from app.models import Role, User
from tests import builders
from tests.conftest import csrf_token, sign_in_client
from tests.html_checks import check_page, error_messages

OLD = "the old passphrase here"
NEW = "a brand new passphrase"


def change(client, current, new, confirm=None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "password": new,
            "confirm": new if confirm is None else confirm,
            "csrf_token": csrf_token(client),
        },
    )


def test_changing_your_password_ends_your_other_sessions_but_not_this_one(app, client, db_session):
    user = builders.create_user(db_session, roles=[Role.MENTOR], password=OLD)
    sign_in_client(app, client, user)
    laptop = app.test_client()
    sign_in_client(app, laptop, user)
    assert check_page(client.get("/account/password")).select_one("#current_password")

    response = change(client, OLD, NEW)
    assert response.status_code == 302
    assert response.location == "/mentor/"
    assert "Your password has been changed" in check_page(client.get("/mentor/")).get_text()
    assert laptop.get("/mentor/").status_code == 302  # the other session has ended
    db_session.expire_all()
    assert verify_password(db_session.get(User, user.id).password_hash, NEW)


def test_a_wrong_current_password_changes_nothing(app, client, db_session):
    user = builders.create_user(db_session, password=OLD)
    sign_in_client(app, client, user)
    response = change(client, "not my password", NEW)
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Your current password is not right"]
    db_session.expire_all()
    assert verify_password(db_session.get(User, user.id).password_hash, OLD)


def test_keep_alive_renews_an_idle_session(client, login_as, frozen_clock):
    login_as(Role.APPRENTICE)
    client.get("/apprentice/")
    frozen_clock.advance(minutes=28)
    response = client.post("/session/keep-alive", headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 200
    assert response.json == {"idle_seconds": 1800}
    frozen_clock.advance(minutes=28)  # 56 minutes since the page, 28 since staying signed in
    assert client.get("/apprentice/").status_code == 200


def test_keep_alive_needs_the_csrf_token(client, login_as):
    login_as(Role.APPRENTICE)
    assert client.post("/session/keep-alive").status_code == 400


def test_signed_in_pages_carry_the_timeout_warning(client, login_as, get_page):
    login_as(Role.APPRENTICE)
    dialog = get_page("/apprentice/").select_one("dialog#timeout-warning")
    assert dialog["data-idle-seconds"] == "1800"
    assert dialog["data-keep-alive-url"] == "/session/keep-alive"
    assert dialog.select_one("button[data-timeout-stay]").get_text(strip=True) == "Stay signed in"
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    assert get_page("/").select_one("dialog#timeout-warning") is None
