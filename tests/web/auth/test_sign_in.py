"""Signing in and out: the real form, sessions, redirects and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Role, UserSession
from app.sessions import hash_token
from tests import builders
from tests.conftest import csrf_token
from tests.html_checks import check_page, error_messages

PASSWORD = "a long and memorable passphrase"


def sign_in(client, email, password, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(
        url, data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )


def session_cookie(client, app):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.ADMIN, "/admin/"),
        (Role.COORDINATOR, "/coordinator/"),
        (Role.BOROUGH_LEAD, "/reports/"),
        (Role.MENTOR, "/mentor/"),
        (Role.APPRENTICE, "/apprentice/"),
    ],
)
def test_each_role_signs_in_to_its_home(client, db_session, role, home):
    user = builders.create_user(db_session, roles=[role], password=PASSWORD, name="Kemi Bello")
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response.location == home
    page = check_page(client.get(home))
    assert "Kemi Bello" in page.get_text()
    assert page.select_one("form[action='/sign-out'] button").get_text(strip=True) == "Sign out"


def test_email_is_matched_whatever_its_case(client, db_session):
    builders.create_user(db_session, email="priya.shah@example.org", password=PASSWORD)
    assert sign_in(client, "  Priya.Shah@Example.ORG ", PASSWORD).status_code == 302


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "deactivated", "no password"])
def test_failed_sign_in_gives_one_generic_message(client, db_session, case):
    user = builders.create_user(
        db_session,
        email="kemi@example.org",
        password=None if case == "no password" else PASSWORD,
        active=case != "deactivated",
    )
    email = "nobody@example.org" if case == "unknown email" else user.email
    password = "not the password at all" if case == "wrong password" else PASSWORD
    response = sign_in(client, email, password)
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Enter a correct email address and password"]
    assert page.select_one("#email")["value"] == email  # what they typed is kept
    assert page.select_one("#password").get("value") in (None, "")  # but never the password
    assert client.get("/home").status_code == 302  # still signed out


def test_empty_form_asks_for_each_field(client, db_session):
    page = check_page(sign_in(client, "", ""))
    assert error_messages(page) == ["Enter your email address", "Enter your password"]


def test_sign_in_issues_a_new_session_id(client, app, db_session):
    user = builders.create_user(db_session, password=PASSWORD)
    csrf_token(client)  # an anonymous session now exists, with its own id
    before = session_cookie(client, app)
    assert before
    sign_in(client, user.email, PASSWORD)
    after = session_cookie(client, app)
    assert after and after != before
    stored = db_session.scalars(select(UserSession.token_hash)).all()
    assert hash_token(before) not in stored  # the old id is gone from the server
    assert hash_token(after) in stored
    assert after not in stored  # only the hash of the token is kept


def test_signing_out_ends_the_session_on_the_server(client, app, db_session):
    user = builders.create_user(db_session, password=PASSWORD)
    sign_in(client, user.email, PASSWORD)
    token = session_cookie(client, app)
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.location == "/sign-in?signed_out=1"
    # Replaying the old cookie does not get back in.
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], token)
    response = client.get("/coordinator/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/admin/standards", "/admin/standards"),
        ("https://evil.example/", "/admin/"),
        ("//evil.example/", "/admin/"),
        ("/\\evil.example", "/admin/"),
        ("javascript:alert(1)", "/admin/"),
    ],
)
def test_next_only_redirects_within_the_site(client, db_session, next_url, lands_on):
    user = builders.create_user(db_session, roles=[Role.ADMIN], password=PASSWORD)
    response = sign_in(client, user.email, PASSWORD, next_url=next_url)
    assert response.status_code == 302
    assert response.location == lands_on


def test_a_protected_page_sends_you_to_sign_in_and_back(client, db_session):
    user = builders.create_user(db_session, roles=[Role.ADMIN], password=PASSWORD)
    response = client.get("/admin/standards?x=1")
    assert response.status_code == 302
    assert response.location == "/sign-in?next=/admin/standards?x%3D1"
    response = sign_in(client, user.email, PASSWORD, next_url="/admin/standards?x%3D1")
    assert response.location == "/admin/standards?x=1"


def test_sign_in_and_out_are_audited_without_the_password(client, db_session):
    user = builders.create_user(db_session, roles=[Role.MENTOR], password=PASSWORD)
    sign_in(client, user.email, "a wrong password here")
    sign_in(client, "someone.else@example.org", PASSWORD)
    sign_in(client, user.email, PASSWORD)
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_user_id, e.target_id) for e in events] == [
        ("sign_in_failed", None, user.id),
        ("sign_in_failed", None, None),
        ("sign_in", user.id, user.id),
        ("sign_out", user.id, user.id),
    ]
    signed_in = events[2]
    assert signed_in.actor_roles == "mentor"
    assert signed_in.actor_borough_id == user.borough_id
    assert signed_in.ip_address == "127.0.0.1"
    assert signed_in.request_id and len(signed_in.request_id) == 16
    for event in events:
        assert PASSWORD not in repr(vars(event))


def test_signed_in_user_visiting_sign_in_goes_home(client, login_as):
    login_as(Role.MENTOR)
    response = client.get("/sign-in")
    assert response.status_code == 302
    assert response.location == "/mentor/"


def test_a_deactivated_user_is_signed_out_at_their_next_request(client, db_session, login_as):
    user = login_as(Role.COORDINATOR)
    assert client.get("/coordinator/").status_code == 200
    user.is_active = False
    db_session.commit()
    response = client.get("/coordinator/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")
