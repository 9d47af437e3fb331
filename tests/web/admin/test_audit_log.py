"""The admin audit page: filters, pages, the CSV export (itself audited), and the pages a
coordinator sees of their own borough's records only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.domain import audit
from app.models import AuditAction, AuditEvent, Role
from tests import builders


def add_events(db_session, actor, count, *, action=AuditAction.VIEWED_RECORD, target=None):
    for _ in range(count):
        audit.record(db_session, action, actor=actor, target=target)
    db_session.commit()


def rows(page):
    return page.select("tbody tr")


def test_events_are_listed_and_filtered_by_actor_action_target_and_date(
    db_session, login_as, get_page, frozen_clock
):
    admin = login_as(Role.ADMIN)
    someone = builders.create_user(db_session, email="sam.someone@example.org")
    add_events(db_session, someone, 2, target=audit.Target("apprentice", 41))
    add_events(db_session, admin, 1, action=AuditAction.EXPORTED)
    frozen_clock.advance(days=3)
    add_events(db_session, someone, 1, action=AuditAction.SIGN_IN)
    login_as(Role.ADMIN)  # the first session has timed out by now

    assert len(rows(get_page("/admin/audit"))) == 4
    assert len(rows(get_page("/admin/audit?actor=sam.someone"))) == 3
    assert len(rows(get_page(f"/admin/audit?actor={someone.id}"))) == 3
    assert len(rows(get_page("/admin/audit?action=exported"))) == 1
    page = get_page("/admin/audit?target_type=apprentice&target_id=41")
    assert len(rows(page)) == 2 and "apprentice 41" in page.get_text()
    assert len(rows(get_page("/admin/audit?date_from=30&date_from=11&date_from=2026"))) == 1
    assert len(rows(get_page("/admin/audit?date_to=27&date_to=11&date_to=2026"))) == 3


def test_nonsense_filters_are_shown_as_errors_and_ignored(login_as, get_page):
    login_as(Role.ADMIN)
    page = get_page("/admin/audit?target_id=abc&date_from=40&date_from=13&date_from=2026")
    assert "Record number must be a whole number" in page.get_text()
    assert "From must be a real date" in page.get_text()


def test_the_page_runs_the_same_queries_for_few_and_many_events(
    db_session, client, login_as, count_queries
):
    admin = login_as(Role.ADMIN)
    add_events(db_session, admin, 2)
    client.get("/admin/audit")  # the session's first touch writes; measure the next ones
    with count_queries() as few:
        assert client.get("/admin/audit").status_code == 200
    add_events(db_session, builders.create_user(db_session), 40)
    with count_queries() as many:
        page = client.get("/admin/audit")
    assert page.status_code == 200
    assert many.count == few.count
    assert "Showing 1 to 25 of" in page.get_data(as_text=True)


def test_the_csv_export_holds_the_filtered_events_and_is_audited(db_session, client, login_as):
    admin = login_as(Role.ADMIN)
    add_events(db_session, admin, 2, target=audit.Target("application", 7))
    add_events(db_session, admin, 1, action=AuditAction.SIGN_IN)

    response = client.get("/admin/audit/export?target_type=application")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    lines = response.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("Time (UTC),Actor user number")
    assert len(lines) == 3 and all(",application,7," in line for line in lines[1:])
    exported = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "exported")).one()
    assert (exported.actor_user_id, exported.target_type) == (admin.id, "audit_event")


@pytest.mark.parametrize("url", ["/admin/audit", "/admin/audit/export"])
def test_other_roles_cannot_see_the_whole_log(client, login_as, url):
    login_as(Role.COORDINATOR)
    assert client.get(url).status_code == 403


def test_a_coordinator_sees_events_about_their_boroughs_records_only(
    db_session, login_as, get_page
):
    login_as(Role.COORDINATOR, borough="Hackney")
    admin = builders.create_user(db_session, roles=[Role.ADMIN], name="Ada Admin")
    ours = builders.create_apprentice(db_session, borough="Hackney")
    theirs = builders.create_apprentice(db_session, borough="Camden")
    add_events(db_session, admin, 2, target=audit.target_of(ours))
    add_events(db_session, admin, 3, target=audit.target_of(theirs))

    page = get_page("/coordinator/audit")

    assert len(rows(page)) == 2
    assert f"apprentice {ours.id}" in page.get_text()
    assert f"apprentice {theirs.id}" not in page.get_text()
    # Filters work here too.
    assert len(rows(get_page("/coordinator/audit?action=exported"))) == 0


def test_the_admin_home_links_to_the_data_rights_pages(login_as, get_page):
    login_as(Role.ADMIN)
    links = {a["href"] for a in get_page("/admin/").select("a")}
    assert {"/admin/audit", "/admin/subject-access", "/admin/erase"} <= links


def test_events_older_than_the_page_show_in_london_time(db_session, login_as, get_page):
    admin = login_as(Role.ADMIN)
    add_events(db_session, admin, 1)
    event = db_session.scalars(select(AuditEvent)).one()
    assert event.occurred_at - datetime(2026, 11, 27, 10, 30, tzinfo=UTC) < timedelta(hours=1)
    assert "27 November 2026 at 10:30am" in get_page("/admin/audit").get_text()
