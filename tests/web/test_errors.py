"""Errors reach users as pages in the service's design, never as stack traces."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from app.models import Role
from tests.html_checks import check_page


def test_an_unexpected_error_shows_a_plain_page_with_a_reference(app_factory, db_session, caplog):
    app = app_factory()

    @app.get("/explode")
    def explode():
        db.session.execute(text("SELECT * FROM no_such_table_secret_name"))

    from app.access import POLICY, PUBLIC

    POLICY["explode"] = PUBLIC
    try:
        response = app.test_client().get("/explode")
    finally:
        del POLICY["explode"]
    assert response.status_code == 500
    page = check_page(response)
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in body
    for leak in ("Traceback", "no_such_table_secret_name", "SELECT", "sqlalchemy", 'File "'):
        assert leak not in body
    reference = response.headers["X-Request-Id"]
    assert f"quote reference {reference}" in page.get_text()
    assert reference in caplog.text  # the log holds what the page does not


def test_not_found_is_a_designed_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = check_page(response)
    assert page.title.get_text(strip=True) == "Page not found – Digital Apprenticeships"
    assert page.select_one("h1").get_text(strip=True) == "Page not found"


def test_forbidden_is_a_designed_page_with_a_way_home(client, login_as):
    login_as(Role.APPRENTICE)
    response = client.get("/admin/")
    assert response.status_code == 403
    page = check_page(response)
    assert (
        page.select_one("h1").get_text(strip=True) == "You do not have permission to see this page"
    )
    assert page.select_one("a[href='/home']")


def test_method_not_allowed_is_a_designed_page(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "This page cannot be used that way" in check_page(response).get_text()


def test_health_check_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_an_oversized_request_is_refused_with_a_designed_page(client, login_as):
    login_as(Role.COORDINATOR)
    # A raw body, so the test client does not spool it to a temporary file.
    response = client.post(
        "/coordinator/apprentices/import",
        data=b"x" * (4 * 1024 * 1024),
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert "The file is too big" in check_page(response).get_text()
