"""Server-side sessions: limits enforced on the server, whatever the cookie says."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Role, UserSession


def test_idle_sessions_end_after_30_minutes(client, login_as, frozen_clock):
    login_as(Role.COORDINATOR)
    assert client.get("/coordinator/").status_code == 200
    frozen_clock.advance(minutes=29)
    assert client.get("/coordinator/").status_code == 200
    frozen_clock.advance(minutes=29)  # activity keeps it alive
    assert client.get("/coordinator/").status_code == 200
    frozen_clock.advance(minutes=31)
    response = client.get("/coordinator/")
    assert response.status_code == 302
    assert "timed_out=1" in response.location
    assert "signed out because you had not used the service" in client.get(
        response.location
    ).get_data(as_text=True)


def test_sessions_end_after_12_hours_even_when_active(client, login_as, frozen_clock):
    login_as(Role.COORDINATOR)
    for _ in range(24):  # active every 25 minutes for 10 hours
        frozen_clock.advance(minutes=25)
        assert client.get("/coordinator/").status_code == 200
    frozen_clock.advance(minutes=25)
    assert client.get("/coordinator/").status_code == 200  # 10h 25m
    for _ in range(4):
        frozen_clock.advance(minutes=25)
        client.get("/coordinator/")
    frozen_clock.advance(minutes=25)  # 12h 15m
    assert client.get("/coordinator/").status_code == 302


def test_an_expired_session_is_removed_from_the_store(client, db_session, login_as, frozen_clock):
    login_as(Role.MENTOR)
    client.get("/mentor/")
    assert db_session.scalar(select(func.count()).select_from(UserSession)) == 1
    frozen_clock.advance(minutes=45)
    client.get("/mentor/")
    assert db_session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_visitors_who_fill_in_nothing_get_no_session(client, db_session):
    client.get("/")
    client.get("/privacy")
    assert client.get_cookie("session") is None
    assert db_session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_last_seen_is_written_at_most_once_a_minute(client, login_as, count_queries, frozen_clock):
    login_as(Role.MENTOR)
    client.get("/mentor/")
    frozen_clock.advance(seconds=5)
    with count_queries() as quiet:
        client.get("/mentor/")
    frozen_clock.advance(seconds=61)
    with count_queries() as touched:
        client.get("/mentor/")
    assert not any(s.startswith("UPDATE user_session") for s in quiet.statements)
    assert sum(s.startswith("UPDATE user_session") for s in touched.statements) == 1


def test_a_visitors_form_token_outlives_the_signed_in_idle_limit(client, frozen_clock):
    """A resident may spend an hour on an application; their CSRF token must still be good."""
    from tests.conftest import csrf_token

    token = csrf_token(client)
    frozen_clock.advance(minutes=90)
    response = client.post(
        "/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400  # a wrong password, not an expired form
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    frozen_clock.advance(minutes=241)
    response = client.post(
        "/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": token}
    )
    assert "had expired" in response.get_data(as_text=True)
