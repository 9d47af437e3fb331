"""A coordinator of the employing borough approves or returns log entries only while the
apprentice has no current mentor; with a mentor, the page says the mentor decides (403)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import logbook
from app.models import ApprenticeStatus, AuditEvent, EntryStatus, ProgressSummary, Role, User
from tests import builders
from tests.html_checks import check_page, error_messages, text_of


@pytest.fixture
def apprentice(db_session):
    return builders.create_apprentice(
        db_session, borough="Hackney", name="Amara Jones", status=ApprenticeStatus.ACTIVE
    )


@pytest.fixture
def entry(db_session, apprentice):
    made = logbook.log_entry(
        db_session,
        apprentice,
        actor=db_session.get(User, apprentice.user_id),
        entry_date=date(2026, 11, 20),
        hours=Decimal("4"),
        activity_type="practical_training",
        description="Built a dashboard",
    )
    db_session.commit()
    return made


def fresh(db_session, entry):
    db_session.expire_all()
    return logbook.get_entry(db_session, entry.id)


def url(entry) -> str:
    return f"/coordinator/log-entries/{entry.id}/decide"


def refusals(db_session) -> list[tuple]:
    db_session.expire_all()
    return [
        (event.target_type, event.target_id)
        for event in db_session.scalars(
            select(AuditEvent).where(AuditEvent.action == "access_refused")
        )
    ]


def test_without_a_mentor_the_coordinator_approves(
    client, get_page, post_form, login_as, db_session, apprentice, entry
):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page(url(entry))
    assert "Amara Jones has no mentor at the moment, so you approve or return their entries" in (
        text_of(page)
    )
    assert "Built a dashboard" in text_of(page)
    response = post_form(url(entry), {"row_version": str(entry.row_version), "decision": "approve"})
    assert response.status_code == 302
    assert response.location == f"/coordinator/apprentices/{apprentice.id}/progress#log"
    stored = fresh(db_session, entry)
    assert (stored.status, stored.decided_by_id) == (EntryStatus.APPROVED, coordinator.id)
    assert db_session.get(ProgressSummary, apprentice.id).approved_hours == 4


def test_without_a_mentor_the_coordinator_returns_with_a_comment(
    post_form, login_as, db_session, entry
):
    login_as(Role.COORDINATOR, borough="Hackney")
    response = post_form(url(entry), {"row_version": str(entry.row_version), "decision": "return"})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "Enter a comment saying what the apprentice needs to change"
    ]
    response = post_form(
        url(entry),
        {"row_version": str(entry.row_version), "decision": "return", "comment": "Which KSBs?"},
    )
    assert response.status_code == 302
    assert (fresh(db_session, entry).status, fresh(db_session, entry).comment) == (
        EntryStatus.RETURNED,
        "Which KSBs?",
    )


def test_with_a_current_mentor_the_mentor_decides(
    client, post_form, login_as, db_session, apprentice, entry
):
    mentor = builders.create_mentor(db_session, name="Sam Okafor")
    builders.assign_mentor(db_session, apprentice, mentor)
    login_as(Role.COORDINATOR, borough="Hackney")
    response = client.get(url(entry))
    assert response.status_code == 403
    page = check_page(response)
    text = text_of(page)
    assert (
        "Sam Okafor is the apprentice’s current mentor, so only they can approve or return the "
        "apprentice’s log entries." in text
    )
    assert "Contact Sam Okafor" in text
    assert page.select_one("input[name=decision]") is None
    response = post_form(url(entry), {"row_version": str(entry.row_version), "decision": "approve"})
    assert response.status_code == 403
    assert fresh(db_session, entry).status == EntryStatus.SUBMITTED
    assert refusals(db_session) == [("log_entry", entry.id)] * 2


def test_an_admin_is_a_fallback_too(post_form, login_as, db_session, entry):
    login_as(Role.ADMIN, borough="Camden")
    response = post_form(url(entry), {"row_version": str(entry.row_version), "decision": "approve"})
    assert response.status_code == 302
    assert fresh(db_session, entry).status == EntryStatus.APPROVED


def test_another_borough_finds_nothing_and_a_host_borough_may_not_decide(
    client, post_form, login_as, db_session, apprentice, entry
):
    login_as(Role.COORDINATOR, borough="Camden")
    assert client.get(url(entry)).status_code == 404
    assert client.get("/coordinator/log-entries/999999/decide").status_code == 404
    builders.create_placement(db_session, apprentice, host="Camden")
    assert client.get(url(entry)).status_code == 403
    response = post_form(url(entry), {"row_version": str(entry.row_version), "decision": "approve"})
    assert response.status_code == 403
    assert fresh(db_session, entry).status == EntryStatus.SUBMITTED
    assert refusals(db_session) == [("apprentice", apprentice.id)] * 2


def test_an_apprentice_who_is_also_a_coordinator_never_decides_their_own(
    client, app, post_form, db_session
):
    from tests.conftest import sign_in_client

    user = builders.create_user(db_session, roles=[Role.APPRENTICE, Role.COORDINATOR])
    apprentice = builders.create_apprentice(db_session, user=user, status=ApprenticeStatus.ACTIVE)
    own = logbook.log_entry(
        db_session,
        apprentice,
        actor=user,
        entry_date=date(2026, 11, 20),
        hours="2",
        activity_type="teaching",
        description="Mine",
    )
    db_session.commit()
    sign_in_client(app, client, user)
    response = client.get(url(own))
    assert response.status_code == 403
    assert "You cannot approve or return your own log entries." in text_of(check_page(response))
    response = post_form(url(own), {"row_version": str(own.row_version), "decision": "approve"})
    assert response.status_code == 403
    assert fresh(db_session, own).status == EntryStatus.SUBMITTED


def test_a_decided_entry_is_not_decided_again(get_page, post_form, login_as, db_session, entry):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    logbook.approve_entry(db_session, fresh(db_session, entry), actor=coordinator)
    db_session.commit()
    page = get_page(url(entry))
    assert "Approved by" in text_of(page)
    assert page.select_one("input[name=decision]") is None
    version = fresh(db_session, entry).row_version
    response = post_form(url(entry), {"row_version": str(version), "decision": "approve"})
    assert response.status_code == 409
    assert error_messages(check_page(response)) == [
        "There is nothing to decide: this entry has already been approved"
    ]
