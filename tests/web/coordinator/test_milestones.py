"""Coordinators of the employing borough add milestones by hand, regenerate them from the
templates, and sign off or return coordinator milestones; a host borough only reads, a mentor
milestone is the mentor's, and another borough's apprentice is not found."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import milestones
from app.models import (
    Apprentice,
    ApprenticeStatus,
    AuditEvent,
    Milestone,
    MilestoneTemplate,
    Role,
    User,
)
from tests import builders
from tests.html_checks import check_page, error_messages, text_of


@pytest.fixture
def apprentice(db_session):
    """Employed by Hackney, placed with Camden, started 1 September 2026, with an induction
    (coordinator) and a portfolio checkpoint (mentor) milestone."""
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
    builders.create_placement(db_session, record, host="Camden")
    milestones.generate_milestones(db_session, record)
    db_session.commit()
    return record


def milestone_called(db_session, apprentice, title) -> Milestone:
    db_session.expire_all()
    return db_session.scalars(
        select(Milestone).where(Milestone.apprentice_id == apprentice.id, Milestone.title == title)
    ).one()


def submit(db_session, apprentice, title, text="Done", links=()) -> Milestone:
    owner = db_session.get(User, apprentice.user_id)
    milestones.submit_evidence(
        db_session, milestone_called(db_session, apprentice, title), owner, text, list(links)
    )
    db_session.commit()
    return milestone_called(db_session, apprentice, title)


def events(db_session, action: str) -> list[AuditEvent]:
    db_session.expire_all()
    return db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# Adding by hand


def test_adds_a_milestone(get_page, login_as, post_form, db_session, apprentice):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/apprentices/{apprentice.id}/milestones/new"
    page = get_page(url)
    assert page.select_one("h1").get_text(strip=True) == "Add a milestone"
    assert "runs from 1 September 2026" in text_of(page)
    response = post_form(
        url,
        {
            "title": "Team presentation",
            "kind": "custom",
            "due_date": ["15", "1", "2027"],
            "signer": "mentor",
            "required_for_gateway": "yes",
        },
    )
    assert response.status_code == 302
    assert response.location == f"/coordinator/apprentices/{apprentice.id}/progress"
    added = milestone_called(db_session, apprentice, "Team presentation")
    assert (added.due_date, added.signer, added.template_id, added.required_for_gateway) == (
        date(2027, 1, 15),
        "mentor",
        None,
        True,
    )
    created = [e for e in events(db_session, "created") if e.target_id == added.id]
    assert [(e.target_type, e.actor_user_id) for e in created] == [("milestone", coordinator.id)]


def test_an_invalid_milestone_is_refused_with_the_input_kept(
    login_as, post_form, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/apprentices/{apprentice.id}/milestones/new"
    response = post_form(
        url, {"title": "Presentation", "due_date": ["31", "2", "2027"], "signer": "mentor"}
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Select the kind",
        "Due date must be a real date",
        "Select yes if it must be signed off before the gateway",
    ]
    assert page.select_one("#title")["value"] == "Presentation"
    assert page.select_one("#due_date-day")["value"] == "31"
    # The form is fine, the date is before the start: the domain refuses it.
    response = post_form(
        url,
        {
            "title": "Presentation",
            "kind": "custom",
            "due_date": ["1", "8", "2026"],
            "signer": "mentor",
            "required_for_gateway": "no",
        },
    )
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "The due date must be on or after the start of the apprenticeship, 1 September 2026"
    ]
    assert len(milestones.milestones_of(db_session, apprentice.id)) == 2


# Regenerating


def test_regenerates_after_the_start_date_moved(
    get_page, login_as, post_form, client, db_session, apprentice
):
    submit(db_session, apprentice, "Induction")
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    milestones.sign_off(db_session, milestone_called(db_session, apprentice, "Induction"), admin)
    db_session.get(Apprentice, apprentice.id).start_date = date(2026, 9, 8)
    db_session.commit()
    login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/apprentices/{apprentice.id}/milestones/regenerate"
    page = get_page(url)
    text = text_of(page)
    assert "Portfolio checkpoint: due 8 December 2026 instead of 1 December 2026" in text
    assert "Induction (signed off)" in text
    response = post_form(url, {})
    assert response.status_code == 302
    assert response.location == f"/coordinator/apprentices/{apprentice.id}/progress"
    assert milestone_called(db_session, apprentice, "Portfolio checkpoint").due_date == date(
        2026, 12, 8
    )
    assert milestone_called(db_session, apprentice, "Induction").due_date == date(2026, 9, 15)
    page = get_page(url)
    assert "Nothing to change" in text_of(page)
    assert page.select_one(f"form[action='{url}']") is None


# Deciding


def test_shows_the_evidence_and_signs_it_off(get_page, login_as, post_form, db_session, apprentice):
    milestone = submit(
        db_session,
        apprentice,
        "Induction",
        text="<script>alert('x')</script>\nSecond line",
        links=["https://example.org/work?a=1&b=2"],
    )
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/milestones/{milestone.id}/decide"
    page = get_page(url)
    assert page.select_one("h1").get_text(strip=True) == "Induction"
    assert page.select_one("main script") is None
    assert "<script>alert('x')</script>" in text_of(page)
    link = page.select_one("a[href='https://example.org/work?a=1&b=2']")
    assert link.get_text(strip=True) == "https://example.org/work?a=1&b=2"
    assert link["rel"] == ["noopener", "noreferrer"]
    labels = [label.get_text(strip=True) for label in page.select("label.govuk-radios__label")]
    assert labels == ["Sign off", "Return with a comment"]
    (viewed,) = events(db_session, "viewed_record")
    assert (viewed.actor_user_id, viewed.target_type, viewed.target_id) == (
        coordinator.id,
        "milestone",
        milestone.id,
    )
    response = post_form(url, {"row_version": "2", "decision": "sign_off", "comment": ""})
    assert response.status_code == 302
    assert response.location == f"/coordinator/apprentices/{apprentice.id}/progress"
    stored = milestone_called(db_session, apprentice, "Induction")
    assert (stored.status, stored.decided_by_id, stored.comment) == (
        "signed_off",
        coordinator.id,
        None,
    )
    page = get_page(url)
    assert page.select_one(f"form[action='{url}']") is None
    assert "Signed off by" in text_of(page)


def test_returning_needs_a_comment(login_as, post_form, db_session, apprentice):
    milestone = submit(db_session, apprentice, "Induction")
    login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/milestones/{milestone.id}/decide"
    response = post_form(url, {"row_version": "2", "decision": "return", "comment": ""})
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Enter a comment saying what needs to change"]
    assert page.select_one("input[name=decision][value=return]").has_attr("checked")
    response = post_form(url, {"row_version": "2"})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Select sign off or return"]
    response = post_form(
        url, {"row_version": "2", "decision": "return", "comment": "Add the checklist"}
    )
    assert response.status_code == 302
    stored = milestone_called(db_session, apprentice, "Induction")
    assert (stored.status, stored.comment) == ("returned", "Add the checklist")


def test_a_stale_decision_is_409(engine, login_as, post_form, db_session, apprentice):
    milestone = submit(db_session, apprentice, "Induction")
    login_as(Role.COORDINATOR, borough="Hackney")
    with Session(engine) as other:
        other.get(Milestone, milestone.id).evidence_text = "Changed meanwhile"
        other.commit()
    url = f"/coordinator/milestones/{milestone.id}/decide"
    response = post_form(url, {"row_version": "2", "decision": "return", "comment": "Redo"})
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in text_of(page)
    assert "Changed meanwhile" in text_of(page)  # the evidence as it is now
    assert page.select_one("#comment").get_text() == "Redo"
    assert page.select_one("#row_version")["value"] == "3"
    assert milestone_called(db_session, apprentice, "Induction").status == "submitted"


def test_nothing_to_decide_before_evidence(get_page, login_as, post_form, db_session, apprentice):
    milestone = milestone_called(db_session, apprentice, "Induction")
    login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/milestones/{milestone.id}/decide"
    page = get_page(url)
    assert "Amara Jones has not submitted evidence yet" in text_of(page)
    assert page.select_one(f"form[action='{url}']") is None
    response = post_form(url, {"row_version": "1", "decision": "sign_off"})
    assert response.status_code == 409
    assert "There is nothing to decide: this milestone is not started" in text_of(
        check_page(response)
    )
    assert milestone_called(db_session, apprentice, "Induction").status == "not_started"


def test_a_mentor_milestone_is_refused_with_a_clear_message(
    client, login_as, post_form, db_session, apprentice
):
    milestone = submit(db_session, apprentice, "Portfolio checkpoint")
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    url = f"/coordinator/milestones/{milestone.id}/decide"
    response = client.get(url)
    assert response.status_code == 403
    page = check_page(response)
    assert (
        "Only Amara Jones’s current mentor can sign off or return this milestone. Amara Jones "
        "does not have a mentor at the moment." in text_of(page)
    )
    assert page.select_one(f"form[action='{url}']") is None
    assert "Done" in text_of(page)  # the evidence is still shown
    response = post_form(url, {"row_version": "2", "decision": "sign_off"})
    assert response.status_code == 403
    assert milestone_called(db_session, apprentice, "Portfolio checkpoint").status == "submitted"
    refusals = events(db_session, "access_refused")
    assert {(e.actor_user_id, e.target_type, e.target_id) for e in refusals} == {
        (coordinator.id, "milestone", milestone.id)
    }


def test_a_host_borough_may_not_change_milestones(
    client, login_as, post_form, db_session, apprentice
):
    milestone = submit(db_session, apprentice, "Induction")
    host = login_as(Role.COORDINATOR, borough="Camden")
    for url in (
        f"/coordinator/apprentices/{apprentice.id}/milestones/new",
        f"/coordinator/apprentices/{apprentice.id}/milestones/regenerate",
        f"/coordinator/milestones/{milestone.id}/decide",
    ):
        assert client.get(url).status_code == 403, url
    response = post_form(
        f"/coordinator/milestones/{milestone.id}/decide",
        {"row_version": "2", "decision": "sign_off"},
    )
    assert response.status_code == 403
    assert milestone_called(db_session, apprentice, "Induction").status == "submitted"
    refusal = events(db_session, "access_refused")[0]
    assert (refusal.actor_user_id, refusal.target_type) == (host.id, "apprentice")


def test_another_boroughs_apprentice_is_not_found(client, login_as, db_session, apprentice):
    milestone = milestone_called(db_session, apprentice, "Induction")
    login_as(Role.COORDINATOR, borough="Islington")
    for url in (
        f"/coordinator/apprentices/{apprentice.id}/milestones/new",
        f"/coordinator/apprentices/{apprentice.id}/milestones/regenerate",
        f"/coordinator/milestones/{milestone.id}/decide",
        "/coordinator/milestones/999999/decide",
    ):
        assert client.get(url).status_code == 404, url


def test_a_programme_wide_coordinator_and_an_admin_may_decide(
    client, login_as, db_session, apprentice
):
    milestone = submit(db_session, apprentice, "Induction")
    url = f"/coordinator/milestones/{milestone.id}/decide"
    login_as(Role.COORDINATOR, borough="Camden", programme_wide=True)
    assert client.get(url).status_code == 200
    login_as(Role.ADMIN, borough="Camden")
    assert client.get(url).status_code == 200


def test_links_that_are_not_web_addresses_are_never_links(get_page, login_as, db_session):
    """Stored before any check (an import, a bug): shown as text, not as a link."""
    record = builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    milestone = Milestone(
        apprentice_id=record.id,
        title="Induction",
        kind="induction",
        signer="coordinator",
        due_date=date(2026, 9, 15),
        status="submitted",
        evidence_text="See links",
        evidence_links=["javascript:alert(1)", 'https://example.org/"><b>x</b>'],
    )
    db_session.add(milestone)
    db_session.commit()
    login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page(f"/coordinator/milestones/{milestone.id}/decide")
    assert page.select_one("a[href^='javascript']") is None
    assert "javascript:alert(1)" in text_of(page)
    assert page.select_one("main b") is None
    (link,) = page.select("main ul a[rel]")
    assert link["href"] == 'https://example.org/"><b>x</b>'
