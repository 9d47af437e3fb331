"""Throttled sign-in: ten failures in five minutes lock an account for fifteen; an address too."""

from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEvent
from tests import builders
from tests.conftest import csrf_token
from tests.html_checks import check_page, error_messages

PASSWORD = "the correct passphrase"


def attempt(client, email, password, ip="203.0.113.7"):
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": ip},
    )


def message(response):
    return error_messages(check_page(response))


def test_the_eleventh_attempt_is_refused_with_the_same_message(client, db_session, frozen_clock):
    user = builders.create_user(db_session, email="kemi@example.org", password=PASSWORD)
    for _ in range(10):
        wrong = attempt(client, user.email, "not the passphrase")
        assert wrong.status_code == 400
    refused = attempt(client, user.email, PASSWORD)
    assert refused.status_code == 400
    assert message(refused) == message(wrong) == ["Enter a correct email address and password"]
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("locked_out") == 1
    assert actions[-1] == "sign_in_failed"  # the refused attempt is still recorded

    frozen_clock.advance(minutes=14)
    assert attempt(client, user.email, PASSWORD).status_code == 400
    frozen_clock.advance(minutes=2)  # 16 minutes after the lock
    assert attempt(client, user.email, PASSWORD).status_code == 302


def test_failures_spread_over_more_than_five_minutes_do_not_lock(client, db_session, frozen_clock):
    user = builders.create_user(db_session, password=PASSWORD)
    for _ in range(9):
        attempt(client, user.email, "wrong")
    frozen_clock.advance(minutes=6)
    for _ in range(9):
        attempt(client, user.email, "wrong")
    assert attempt(client, user.email, PASSWORD).status_code == 302


def test_unknown_emails_lock_just_like_real_ones(client, db_session):
    for _ in range(10):
        attempt(client, "nobody@example.org", "whatever")
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert actions.count("locked_out") == 1


def test_a_successful_sign_in_starts_the_count_again(client, db_session):
    user = builders.create_user(db_session, password=PASSWORD)
    for _ in range(9):
        attempt(client, user.email, "wrong")
    assert attempt(client, user.email, PASSWORD).status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    for _ in range(9):
        attempt(client, user.email, "wrong")
    assert attempt(client, user.email, PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_locked(app, client, db_session, frozen_clock):
    user = builders.create_user(db_session, password=PASSWORD)
    limit = app.config["SIGN_IN_IP_LIMIT"]
    for number in range(limit):
        attempt(client, f"guess{number}@example.org", "password guess", ip="198.51.100.9")
    assert attempt(client, user.email, PASSWORD, ip="198.51.100.9").status_code == 400
    # Another address is not affected.
    assert attempt(client, user.email, PASSWORD, ip="198.51.100.10").status_code == 302


def test_the_client_address_comes_from_the_trusted_proxy(app_factory, db_session):
    app = app_factory(TRUSTED_PROXY_HOPS=1)
    client = app.test_client()
    builders.create_user(db_session, email="proxy@example.org", password=PASSWORD)
    client.post(
        "/sign-in",
        data={"email": "proxy@example.org", "password": "wrong", "csrf_token": csrf_token(client)},
        headers={"X-Forwarded-For": "192.0.2.44"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    event = db_session.scalars(select(AuditEvent)).one()
    assert event.ip_address == "192.0.2.44"
