"""A mentor signs off or returns their current mentees' mentor milestones; nobody else's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import milestones
from app.models import (
    ApprenticeStatus,
    AuditEvent,
    MentorAssignment,
    Milestone,
    MilestoneTemplate,
    Role,
    User,
)
from tests import builders
from tests.conftest import sign_in_client
from tests.html_checks import check_page, error_messages, text_of


@pytest.fixture
def apprentice(db_session):
    for name, kind, weeks, signer in (
        ("Induction", "induction", 2, "coordinator"),
        ("Portfolio checkpoint", "portfolio", 13, "mentor"),
    ):
        db_session.add(
            MilestoneTemplate(name=name, kind=kind, due_offset_weeks=weeks, signer=signer)
        )
    db_session.commit()
    record = builders.create_apprentice(
        db_session, borough="Hackney", name="Amara Jones", status=ApprenticeStatus.ACTIVE
    )
    milestones.generate_milestones(db_session, record)
    db_session.commit()
    owner = db_session.get(User, record.user_id)
    for milestone in milestones.milestones_of(db_session, record.id):
        milestones.submit_evidence(
            db_session, milestone, owner, "My portfolio so far", ["https://example.org/p"]
        )
    db_session.commit()
    return record


@pytest.fixture
def mentor(login_as, db_session, apprentice):
    """Signed in: the apprentice's current mentor, from another borough."""
    user = login_as(Role.MENTOR, borough="Camden", name="Sam Okafor")
    builders.assign_mentor(db_session, apprentice, user, start_date=date(2026, 9, 1))
    return user


def milestone_called(db_session, apprentice, title) -> Milestone:
    db_session.expire_all()
    return db_session.scalars(
        select(Milestone).where(Milestone.apprentice_id == apprentice.id, Milestone.title == title)
    ).one()


def decide_url(db_session, apprentice, title) -> str:
    return f"/mentor/milestones/{milestone_called(db_session, apprentice, title).id}/decide"


def test_signs_off_a_mentor_milestone(client, get_page, post_form, db_session, apprentice, mentor):
    url = decide_url(db_session, apprentice, "Portfolio checkpoint")
    page = get_page(url)
    text = text_of(page)
    assert page.select_one("h1").get_text(strip=True) == "Portfolio checkpoint"
    assert "My portfolio so far" in text
    assert page.select_one("a[href='https://example.org/p']")["rel"] == ["noopener", "noreferrer"]
    assert page.select_one(f"form[action='{url}']") is not None
    viewed = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "viewed_record"))
    assert [(event.actor_user_id, event.target_type) for event in viewed] == [
        (mentor.id, "milestone")
    ]
    response = post_form(url, {"row_version": "2", "decision": "sign_off", "comment": "Great"})
    assert response.status_code == 302
    assert response.location == f"/mentor/mentees/{apprentice.id}"
    stored = milestone_called(db_session, apprentice, "Portfolio checkpoint")
    assert (stored.status, stored.decided_by_id, stored.comment) == (
        "signed_off",
        mentor.id,
        "Great",
    )
    event = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "updated", AuditEvent.actor_user_id == mentor.id
        )
    ).one()
    assert (event.target_type, event.target_id) == ("milestone", stored.id)
    assert "Portfolio checkpoint signed off" in text_of(check_page(client.get(response.location)))


def test_returns_with_a_comment_and_refuses_without(post_form, db_session, apprentice, mentor):
    url = decide_url(db_session, apprentice, "Portfolio checkpoint")
    response = post_form(url, {"row_version": "2", "decision": "return", "comment": " "})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Enter a comment saying what needs to change"]
    response = post_form(
        url, {"row_version": "2", "decision": "return", "comment": "Add the code review"}
    )
    assert response.status_code == 302
    stored = milestone_called(db_session, apprentice, "Portfolio checkpoint")
    assert (stored.status, stored.comment) == ("returned", "Add the code review")


def test_a_stale_decision_is_409(engine, post_form, db_session, apprentice, mentor):
    milestone = milestone_called(db_session, apprentice, "Portfolio checkpoint")
    with Session(engine) as other:
        other.get(Milestone, milestone.id).evidence_text = "Updated meanwhile"
        other.commit()
    response = post_form(
        f"/mentor/milestones/{milestone.id}/decide",
        {"row_version": "2", "decision": "sign_off", "comment": "Fine"},
    )
    assert response.status_code == 409
    page = check_page(response)
    assert "Updated meanwhile" in text_of(page)
    assert page.select_one("#comment").get_text() == "Fine"
    assert milestone_called(db_session, apprentice, "Portfolio checkpoint").status == "submitted"


def test_a_coordinator_milestone_is_not_the_mentors(
    client, post_form, db_session, apprentice, mentor
):
    url = decide_url(db_session, apprentice, "Induction")
    response = client.get(url)
    assert response.status_code == 403
    page = check_page(response)
    assert (
        "Only a coordinator of Hackney, the employing borough, can sign off or return this "
        "milestone." in text_of(page)
    )
    assert page.select_one(f"form[action='{url}']") is None
    response = post_form(url, {"row_version": "2", "decision": "sign_off"})
    assert response.status_code == 403
    assert milestone_called(db_session, apprentice, "Induction").status == "submitted"
    refusal = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_refused")
    ).first()
    assert (refusal.actor_user_id, refusal.target_type) == (mentor.id, "milestone")


def test_a_past_mentor_finds_nothing(client, post_form, db_session, apprentice, mentor):
    assignment = db_session.scalars(select(MentorAssignment)).one()
    assignment.end_date = date(2026, 11, 20)
    db_session.commit()
    url = decide_url(db_session, apprentice, "Portfolio checkpoint")
    assert client.get(url).status_code == 404
    response = post_form(url, {"row_version": "2", "decision": "sign_off"})
    assert response.status_code == 404
    assert milestone_called(db_session, apprentice, "Portfolio checkpoint").status == "submitted"


def test_another_mentors_mentee_is_not_found(client, db_session, apprentice, mentor):
    other = builders.create_mentor(db_session)
    builders.assign_mentor(
        db_session,
        builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE),
        other,
    )
    url = decide_url(db_session, apprentice, "Portfolio checkpoint")
    sign_in_client(client.application, client, other)
    assert client.get(url).status_code == 404
    assert client.get("/mentor/milestones/999999/decide").status_code == 404


def test_other_roles_cannot_reach_the_mentor_page(client, login_as, db_session, apprentice):
    url = decide_url(db_session, apprentice, "Portfolio checkpoint")
    login_as(Role.COORDINATOR, borough="Hackney")
    assert client.get(url).status_code == 403
