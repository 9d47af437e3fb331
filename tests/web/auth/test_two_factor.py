"""Two-factor sign-in through the real forms, with the requirement switched on where it
matters: set-up, code entry, recovery codes, limits, resets, and the account pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.access import PENDING_SIGN_IN
from app.domain.account_links import Purpose
from app.models import AuditEvent, RecoveryCode, Role, User, UserSession
from config import ProductionConfig
from tests import builders
from tests.conftest import csrf_token, sign_in_client
from tests.html_checks import check_page, error_messages
from tests.web.auth.test_account_links import NEW_PASSWORD, choose_password, link_path
from tests.web.auth.test_sign_in import PASSWORD, sign_in
from tests.web.auth.two_factor_helpers import events_named, set_up_two_factor, valid_code


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)


def post(client, url, data=None):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)})


def enter_code(client, code):
    return post(client, "/sign-in/code", {"code": code})


def second_factor_events(db_session):
    db_session.expire_all()
    return [
        event.fields_changed[0]
        for event in db_session.scalars(
            select(AuditEvent).where(AuditEvent.action == "second_factor").order_by(AuditEvent.id)
        )
    ]


def test_staff_set_up_an_app_at_their_next_sign_in(client, db_session, required):
    user = builders.create_user(db_session, roles=[Role.COORDINATOR], password=PASSWORD)
    response = sign_in(client, user.email, PASSWORD)
    assert response.location == "/sign-in/set-up-authenticator"

    # Half signed in: nothing else that needs signing in can be reached.
    assert client.get("/coordinator/").location.startswith("/sign-in?next=")
    assert client.get("/account").location.startswith("/sign-in?next=")

    page = check_page(client.get("/sign-in/set-up-authenticator"))
    assert page.select_one("img.app-qr-code")["src"].startswith("data:image/svg+xml")
    secret = page.select_one("#authenticator-key").get_text().replace(" ", "")

    wrong = "000000" if valid_code(secret) != "000000" else "111111"
    response = post(client, "/sign-in/set-up-authenticator", {"code": wrong})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "The code is not right. Enter the 6-digit code your authenticator app shows now"
    ]
    assert check_page(response).select_one("input[name=code]")["value"] == wrong

    response = post(client, "/sign-in/set-up-authenticator", {"code": valid_code(secret)})
    assert response.location == "/account/recovery-codes"
    page = check_page(client.get("/account/recovery-codes"))
    codes = [item.get_text(strip=True) for item in page.select(".app-recovery-codes li")]
    assert len(codes) == 10
    assert page.select_one("a.govuk-button")["href"] == "/coordinator/"
    # Shown once.
    assert client.get("/account/recovery-codes").location == "/account"
    assert client.get("/coordinator/").status_code == 200

    db_session.expire_all()
    stored = db_session.get(User, user.id)
    assert stored.totp_secret == secret and stored.totp_enabled_at is not None
    assert second_factor_events(db_session) == ["code_refused", "set_up"]


def test_each_sign_in_asks_for_a_code_which_works_once(client, db_session, required, frozen_clock):
    user = builders.create_user(db_session, roles=[Role.BOROUGH_LEAD], password=PASSWORD)
    set_up_two_factor(db_session, user)
    assert sign_in(client, user.email, PASSWORD).location == "/sign-in/code"
    code = valid_code(user)
    assert enter_code(client, code).location == "/reports/"
    assert client.get("/reports/").status_code == 200

    post(client, "/sign-out")
    assert sign_in(client, user.email, PASSWORD).location == "/sign-in/code"
    response = enter_code(client, code)  # the same code again: a replay
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "The code is not right. Enter the code your authenticator app shows now"
    ]
    frozen_clock.advance(seconds=30)
    assert enter_code(client, valid_code(user)).location == "/reports/"
    assert second_factor_events(db_session) == [
        "set_up",
        "code_accepted",
        "code_refused",
        "code_accepted",
    ]


def test_an_expired_code_is_refused(client, db_session, required, frozen_clock):
    user = builders.create_user(db_session, roles=[Role.MENTOR], password=PASSWORD)
    set_up_two_factor(db_session, user)
    sign_in(client, user.email, PASSWORD)
    code = valid_code(user)
    frozen_clock.advance(seconds=90)
    assert enter_code(client, code).status_code == 400


def test_the_fifth_wrong_code_ends_the_attempt(client, db_session, required):
    user = builders.create_user(db_session, roles=[Role.ADMIN], password=PASSWORD)
    set_up_two_factor(db_session, user)
    sign_in(client, user.email, PASSWORD)
    wrong = "000000" if valid_code(user) != "000000" else "111111"
    for _ in range(4):
        assert enter_code(client, wrong).status_code == 400
    response = enter_code(client, wrong)
    assert response.location == "/sign-in?attempt_ended=1"
    page = check_page(client.get(response.location))
    assert "sign in again" in page.select_one(".govuk-notification-banner").get_text()
    # The sixth code, even the right one, does not sign in: back to the password.
    response = enter_code(client, valid_code(user))
    assert response.location == "/sign-in"
    assert client.get("/admin/").location.startswith("/sign-in")
    assert "attempt_ended" in second_factor_events(db_session)


def test_a_recovery_code_signs_in_once(client, db_session, required):
    user = builders.create_user(db_session, roles=[Role.COORDINATOR], password=PASSWORD)
    codes = set_up_two_factor(db_session, user)
    sign_in(client, user.email, PASSWORD)
    check_page(client.get("/sign-in/recovery-code"))
    response = post(client, "/sign-in/recovery-code", {"code": codes[3]})
    assert response.location == "/coordinator/"

    post(client, "/sign-out")
    sign_in(client, user.email, PASSWORD)
    response = post(client, "/sign-in/recovery-code", {"code": codes[3]})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "The recovery code is not right, or it has been used already"
    ]
    assert second_factor_events(db_session)[-2:] == ["recovery_code_used", "code_refused"]


def test_a_password_reset_still_asks_for_the_second_factor(app, client, db_session):
    user = builders.create_user(db_session, roles=[Role.APPRENTICE], password=PASSWORD)
    set_up_two_factor(db_session, user)
    response = choose_password(client, link_path(app, user, Purpose.RESET))
    assert response.location == "/sign-in?password_set=1"
    assert client.get("/apprentice/").location.startswith("/sign-in")
    assert sign_in(client, user.email, NEW_PASSWORD).location == "/sign-in/code"
    assert enter_code(client, valid_code(user)).location == "/apprentice/"


def test_an_admin_reset_forces_set_up_again(app, client, db_session, required):
    user = builders.create_user(db_session, roles=[Role.COORDINATOR], password=PASSWORD)
    set_up_two_factor(db_session, user)
    their_client = app.test_client()
    sign_in_client(app, their_client, user)
    assert their_client.get("/coordinator/").status_code == 200

    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    sign_in_client(app, client, admin)
    page = check_page(client.get(f"/admin/users/{user.id}"))
    assert page.select_one(f"a[href='/admin/users/{user.id}/reset-second-factor']")
    check_page(client.get(f"/admin/users/{user.id}/reset-second-factor"))
    response = post(client, f"/admin/users/{user.id}/reset-second-factor")
    assert response.location == f"/admin/users/{user.id}"

    assert their_client.get("/coordinator/").location.startswith("/sign-in")  # signed out
    assert sign_in(their_client, user.email, PASSWORD).location == ("/sign-in/set-up-authenticator")
    assert db_session.scalars(select(RecoveryCode)).all() == []
    event = events_named(db_session, "reset")
    assert [e.actor_user_id for e in event] == [admin.id]


def test_only_admins_reset_a_second_factor(app, client, db_session, login_as):
    user = builders.create_user(db_session, roles=[Role.APPRENTICE])
    set_up_two_factor(db_session, user)
    login_as(Role.COORDINATOR)
    response = client.post(
        f"/admin/users/{user.id}/reset-second-factor", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 403
    db_session.expire_all()
    assert db_session.get(User, user.id).totp_secret is not None


def test_without_the_requirement_staff_sign_in_with_a_password_alone(client, db_session):
    user = builders.create_user(db_session, roles=[Role.COORDINATOR], password=PASSWORD)
    assert sign_in(client, user.email, PASSWORD).location == "/coordinator/"


def test_apprentices_are_not_made_to_set_up_an_app(client, db_session, required):
    user = builders.create_user(db_session, roles=[Role.APPRENTICE], password=PASSWORD)
    assert sign_in(client, user.email, PASSWORD).location == "/apprentice/"


def test_an_apprentice_opts_in_from_their_account_page_with_their_password(client, db_session):
    user = builders.create_user(db_session, roles=[Role.APPRENTICE], password=PASSWORD)
    sign_in(client, user.email, PASSWORD)
    page = check_page(client.get("/account"))
    assert page.select_one("a[href='/account/authenticator']")
    page = check_page(client.get("/account/authenticator"))
    secret = page.select_one("#authenticator-key").get_text().replace(" ", "")

    response = post(
        client, "/account/authenticator", {"password": "not it", "code": valid_code(secret)}
    )
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Your password is not right"]
    db_session.expire_all()
    assert db_session.get(User, user.id).totp_secret is None

    response = post(
        client, "/account/authenticator", {"password": PASSWORD, "code": valid_code(secret)}
    )
    assert response.location == "/account/recovery-codes"
    assert len(check_page(client.get(response.location)).select(".app-recovery-codes li")) == 10

    post(client, "/sign-out")
    assert sign_in(client, user.email, PASSWORD).location == "/sign-in/code"


def test_staff_cannot_turn_off_a_required_second_factor(client, db_session, login_as, required):
    user = login_as(Role.MENTOR, password=PASSWORD)
    set_up_two_factor(db_session, user)
    page = check_page(client.get("/account/authenticator/turn-off"))
    assert "cannot be turned off" in page.get_text()
    post(client, "/account/authenticator/turn-off", {"password": PASSWORD})
    db_session.expire_all()
    assert db_session.get(User, user.id).totp_secret is not None


def test_an_apprentice_turns_it_off_with_their_password(client, db_session, login_as):
    user = login_as(Role.APPRENTICE, password=PASSWORD)
    set_up_two_factor(db_session, user)
    assert post(client, "/account/authenticator/turn-off", {"password": "nope"}).status_code == 400
    response = post(client, "/account/authenticator/turn-off", {"password": PASSWORD})
    assert response.location == "/account"
    db_session.expire_all()
    assert db_session.get(User, user.id).totp_secret is None


def test_production_refuses_to_start_with_the_requirement_off(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal/apprenticeships")
    monkeypatch.setenv("PUBLIC_URL", "https://apprenticeships.example.org")
    monkeypatch.setenv("TWO_FACTOR_REQUIRED", "false")
    with pytest.raises(RuntimeError, match="TWO_FACTOR_REQUIRED cannot be false"):
        ProductionConfig()
    monkeypatch.delenv("TWO_FACTOR_REQUIRED")
    assert ProductionConfig().TWO_FACTOR_REQUIRED is True


def test_the_pending_sign_in_is_not_a_signed_in_session(app, client, db_session, required):
    user = builders.create_user(db_session, roles=[Role.COORDINATOR], password=PASSWORD)
    set_up_two_factor(db_session, user)
    sign_in(client, user.email, PASSWORD)
    rows = db_session.scalars(select(UserSession)).all()
    assert [row.user_id for row in rows] == [None]
    with client.session_transaction() as session:
        assert PENDING_SIGN_IN in session
