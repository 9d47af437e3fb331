"""Your sessions: listed with browser, address and times; any or all others can be ended, and
an ended session's cookie is refused at once. An administrator can end all of a user's."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Role, UserSession
from tests import builders
from tests.conftest import csrf_token, sign_in_client
from tests.html_checks import check_page
from tests.web.auth.test_sign_in import PASSWORD, sign_in
from tests.web.auth.two_factor_helpers import events_named

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def signed_in_client(app, user, agent):
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": "198.51.100.7"})
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    return client


def post(client, url):
    return client.post(url, data={"csrf_token": csrf_token(client)})


def test_sessions_are_listed_and_another_can_be_ended(app, db_session):
    user = builders.create_user(db_session, roles=[Role.MENTOR], password=PASSWORD)
    laptop = signed_in_client(app, user, FIREFOX)
    phone = signed_in_client(app, user, SAFARI)

    page = check_page(laptop.get("/account/sessions"))
    rows = page.select("tbody tr")
    assert len(rows) == 2
    text = page.select_one("tbody").get_text(" ")
    assert "Firefox on Windows" in text and "Safari on iPhone" in text
    assert "198.51.100.7" in text
    assert "27 November 2026" in text
    # This session is marked and has no button; the other has one.
    mine = next(row for row in rows if "This session" in row.get_text())
    assert mine.select_one("form") is None
    other = next(row for row in rows if "This session" not in row.get_text())
    response = post(laptop, other.select_one("form")["action"])
    assert response.location == "/account/sessions"

    assert phone.get("/mentor/").location.startswith("/sign-in")  # its cookie is refused
    assert laptop.get("/mentor/").status_code == 200
    event = events_named(db_session, "sessions")
    assert [e.actor_user_id for e in event] == [user.id]


def test_all_other_sessions_can_be_ended_at_once(app, db_session):
    user = builders.create_user(db_session, roles=[Role.APPRENTICE], password=PASSWORD)
    first = signed_in_client(app, user, FIREFOX)
    others = [signed_in_client(app, user, SAFARI) for _ in range(2)]
    response = post(first, "/account/sessions/end-others")
    assert response.location == "/account/sessions"
    page = check_page(first.get("/account/sessions"))
    assert "signed out of 2 other sessions" in page.select_one(".govuk-notification-banner").text
    assert len(page.select("tbody tr")) == 1
    for other in others:
        assert other.get("/apprentice/").location.startswith("/sign-in")


def test_someone_elses_session_cannot_be_ended(app, client, db_session, login_as):
    someone = builders.create_user(db_session, roles=[Role.MENTOR], password=PASSWORD)
    theirs = signed_in_client(app, someone, FIREFOX)
    their_row = db_session.scalars(select(UserSession)).one()
    login_as(Role.MENTOR)
    assert post(client, f"/account/sessions/{their_row.id}/end").status_code == 404
    assert theirs.get("/mentor/").status_code == 200


def test_the_current_session_is_ended_by_signing_out_not_here(app, db_session):
    user = builders.create_user(db_session, roles=[Role.MENTOR], password=PASSWORD)
    laptop = signed_in_client(app, user, FIREFOX)
    current = db_session.scalars(select(UserSession)).one()
    assert post(laptop, f"/account/sessions/{current.id}/end").status_code == 400
    assert laptop.get("/mentor/").status_code == 200


def test_the_sessions_page_runs_the_same_queries_for_few_and_many(
    app, client, db_session, count_queries, login_as
):
    user = login_as(Role.APPRENTICE)

    def queries() -> int:
        with count_queries() as log:
            assert client.get("/account/sessions").status_code == 200
        return log.count

    queries()  # the first visit stores the form's CSRF token in the session
    few = queries()
    for _ in range(30):
        sign_in_client(app, app.test_client(), user)
    assert queries() == few


def test_an_admin_signs_a_user_out_everywhere(app, client, db_session):
    user = builders.create_user(db_session, roles=[Role.COORDINATOR], password=PASSWORD)
    devices = [signed_in_client(app, user, agent) for agent in (FIREFOX, SAFARI)]
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    sign_in_client(app, client, admin)
    page = check_page(client.get(f"/admin/users/{user.id}/end-sessions"))
    assert page.select_one("h1").get_text(strip=True).startswith("Sign ")
    response = post(client, f"/admin/users/{user.id}/end-sessions")
    assert response.location == f"/admin/users/{user.id}"
    for device in devices:
        assert device.get("/coordinator/").location.startswith("/sign-in")
    assert client.get(f"/admin/users/{user.id}").status_code == 200  # the admin carries on
    event = events_named(db_session, "sessions")
    assert [e.actor_user_id for e in event] == [admin.id]


def test_the_account_page_links_to_sessions_and_second_factor(client, login_as):
    login_as(Role.APPRENTICE)
    page = check_page(client.get("/account"))
    links = {link["href"] for link in page.select("main a")}
    assert {"/account/sessions", "/account/authenticator", "/account/password"} <= links
    nav = page.select_one("a[href='/account'][aria-current=page]")
    assert nav.get_text(strip=True) == "Your account"
