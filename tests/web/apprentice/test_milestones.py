"""An apprentice sees their own milestones (overdue shown clearly, what to do next) and submits
evidence for them; nobody else's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import milestones
from app.models import ApprenticeStatus, AuditEvent, Milestone, MilestoneTemplate, Role
from tests import builders
from tests.html_checks import check_page, error_messages, text_of

TEMPLATES = (
    # name, kind, weeks after the start, signer
    ("Induction", "induction", 2, "coordinator"),
    ("Portfolio checkpoint", "portfolio", 13, "mentor"),
    ("Gateway", "gateway", 86, "coordinator"),
)


@pytest.fixture
def apprentice(db_session, login_as):
    """Signed in; started 1 August 2026, so induction (15 August) and the portfolio checkpoint
    (31 October) are overdue on 27 November 2026."""
    for name, kind, weeks, signer in TEMPLATES:
        db_session.add(
            MilestoneTemplate(name=name, kind=kind, due_offset_weeks=weeks, signer=signer)
        )
    db_session.commit()
    user = login_as(Role.APPRENTICE, name="Amara Jones")
    record = builders.create_apprentice(
        db_session, user=user, status=ApprenticeStatus.ACTIVE, start_date=date(2026, 8, 1)
    )
    milestones.generate_milestones(db_session, record)
    db_session.commit()
    return record


def milestone_called(db_session, apprentice, title) -> Milestone:
    db_session.expire_all()
    return db_session.scalars(
        select(Milestone).where(Milestone.apprentice_id == apprentice.id, Milestone.title == title)
    ).one()


def rows(page) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in page.select("tbody tr")
    ]


def test_lists_milestones_with_overdue_and_what_to_do_next(get_page, apprentice):
    page = get_page("/apprentice/milestones")
    assert page.select_one("h1").get_text(strip=True) == "Your milestones"
    text = text_of(page)
    assert "You have 2 overdue milestones." in text
    assert "What to do next Submit evidence for Induction , which was due on 15 August 2026" in (
        text
    )
    assert rows(page) == [
        ["Induction", "15 August 2026", "Not started Overdue", "Submit evidence for Induction"],
        [
            "Portfolio checkpoint",
            "31 October 2026",
            "Not started Overdue",
            "Submit evidence for Portfolio checkpoint",
        ],
        ["Gateway", "25 March 2028", "Not started", "Submit evidence for Gateway"],
    ]
    assert page.select(".govuk-tag--red")[0].get_text(strip=True) == "Overdue"


def test_each_status_says_what_happens_next(get_page, db_session, apprentice):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    owner = db_session.get(type(admin), apprentice.user_id)
    for title in ("Induction", "Portfolio checkpoint"):
        milestones.submit_evidence(
            db_session, milestone_called(db_session, apprentice, title), owner, "Done", []
        )
    milestones.sign_off(db_session, milestone_called(db_session, apprentice, "Induction"), admin)
    db_session.commit()
    page = get_page("/apprentice/milestones")
    assert rows(page)[0][2:] == [
        "Signed off",
        "Nothing: signed off on 27 November 2026. See it : Induction",
    ]
    assert rows(page)[1][2:] == [
        "Waiting for sign-off Overdue",
        "Nothing: waiting for your mentor to sign it off. "
        "See your evidence for Portfolio checkpoint",
    ]
    assert "You have 1 overdue milestone." in text_of(page)
    assert "Submit evidence for Gateway , due by 25 March 2028" in text_of(page)


def test_submits_evidence(client, get_page, post_form, db_session, apprentice):
    milestone = milestone_called(db_session, apprentice, "Induction")
    url = f"/apprentice/milestones/{milestone.id}/evidence"
    page = get_page(url)
    assert page.select_one("h1").get_text(strip=True) == "Induction"
    assert page.select_one("#row_version")["value"] == "1"
    response = post_form(
        url,
        {
            "row_version": "1",
            "evidence_text": "Completed the induction\nwith my line manager",
            "links": "https://example.org/induction\n\nhttp://example.org/notes\n",
        },
    )
    assert response.status_code == 302
    assert response.location == "/apprentice/milestones"
    stored = milestone_called(db_session, apprentice, "Induction")
    assert (stored.status, stored.evidence_text, stored.evidence_links) == (
        "submitted",
        "Completed the induction\nwith my line manager",
        ["https://example.org/induction", "http://example.org/notes"],
    )
    page = check_page(client.get(response.location))
    assert "Evidence submitted for Induction" in text_of(page)
    event = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.target_type == "milestone", AuditEvent.action == "updated"
        )
    ).one()
    assert (event.action, event.actor_user_id) == ("updated", apprentice.user_id)
    # The page now shows the evidence, with links that are links, and no form.
    page = get_page(url)
    assert page.select_one("form[action='" + url + "']") is None
    link = page.select_one("a[href='https://example.org/induction']")
    assert link["rel"] == ["noopener", "noreferrer"]
    assert "Waiting for your coordinator to sign it off." in text_of(page)


def test_invalid_evidence_is_refused_with_the_input_kept(post_form, db_session, apprentice):
    milestone = milestone_called(db_session, apprentice, "Induction")
    url = f"/apprentice/milestones/{milestone.id}/evidence"
    response = post_form(url, {"row_version": "1", "evidence_text": "", "links": "x"})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Describe your evidence"]
    response = post_form(
        url,
        {
            "row_version": "1",
            "evidence_text": "My work",
            "links": 'https://example.org/ok\njavascript:alert("x")',
        },
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Link 2 must be a web address starting with https:// or http://, like "
        "https://example.org/my-work"
    ]
    assert page.select_one("#links").get_text() == 'https://example.org/ok\njavascript:alert("x")'
    assert page.select_one("#evidence_text").get_text() == "My work"
    assert page.select_one("a[href^='javascript']") is None
    assert milestone_called(db_session, apprentice, "Induction").status == "not_started"


def test_a_returned_milestone_shows_the_comment_and_is_resubmitted(
    get_page, post_form, db_session, apprentice
):
    admin = builders.create_user(db_session, roles=[Role.ADMIN], name="Cora Coordinator")
    owner = db_session.get(type(admin), apprentice.user_id)
    milestone = milestone_called(db_session, apprentice, "Induction")
    milestones.submit_evidence(db_session, milestone, owner, "First go", ["https://example.org/a"])
    milestones.return_milestone(
        db_session,
        milestone_called(db_session, apprentice, "Induction"),
        admin,
        "Add the <b>signed</b> checklist",
    )
    db_session.commit()
    listing = get_page("/apprentice/milestones")
    assert "Correct your evidence for Induction" in text_of(listing)
    url = f"/apprentice/milestones/{milestone.id}/evidence"
    page = get_page(url)
    text = text_of(page)
    assert "returned by Cora Coordinator on 27 November 2026" in text
    assert "Add the <b>signed</b> checklist" in text  # shown as text, not markup
    assert page.select_one("main b") is None
    assert page.select_one("#evidence_text").get_text() == "First go"
    assert page.select_one("#links").get_text() == "https://example.org/a"
    response = post_form(
        url, {"row_version": page.select_one("#row_version")["value"], "evidence_text": "Again"}
    )
    assert response.status_code == 302
    assert milestone_called(db_session, apprentice, "Induction").status == "submitted"


def test_a_stale_submission_is_409_with_the_input_kept(engine, post_form, db_session, apprentice):
    milestone = milestone_called(db_session, apprentice, "Induction")
    with Session(engine) as other:
        other.get(Milestone, milestone.id).title = "Induction week"
        other.commit()
    url = f"/apprentice/milestones/{milestone.id}/evidence"
    response = post_form(url, {"row_version": "1", "evidence_text": "Mine"})
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in text_of(page)
    assert page.select_one("#evidence_text").get_text() == "Mine"
    assert page.select_one("#row_version")["value"] == "2"
    assert post_form(url, {"row_version": "2", "evidence_text": "Mine"}).status_code == 302


def test_evidence_cannot_be_sent_twice(post_form, db_session, apprentice):
    milestone = milestone_called(db_session, apprentice, "Induction")
    url = f"/apprentice/milestones/{milestone.id}/evidence"
    assert post_form(url, {"row_version": "1", "evidence_text": "One"}).status_code == 302
    response = post_form(url, {"row_version": "2", "evidence_text": "Two"})
    assert response.status_code == 409
    assert "it is waiting for sign-off" in text_of(check_page(response))
    assert milestone_called(db_session, apprentice, "Induction").evidence_text == "One"


def test_someone_elses_milestone_is_not_found(client, post_form, db_session, apprentice):
    other = builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    milestones.generate_milestones(db_session, other)
    db_session.commit()
    theirs = milestone_called(db_session, other, "Induction")
    url = f"/apprentice/milestones/{theirs.id}/evidence"
    assert client.get(url).status_code == 404
    assert post_form(url, {"row_version": "1", "evidence_text": "Mine"}).status_code == 404
    assert milestone_called(db_session, other, "Induction").status == "not_started"
    assert "Portfolio checkpoint" in text_of(check_page(client.get("/apprentice/milestones")))
    assert client.get("/apprentice/milestones/999999/evidence").status_code == 404


def test_an_apprentice_without_a_record_sees_a_message(get_page, login_as):
    login_as(Role.APPRENTICE)
    page = get_page("/apprentice/milestones")
    assert "Your apprenticeship record has not been set up yet." in text_of(page)


def test_other_roles_cannot_reach_the_apprentice_pages(client, login_as, db_session, apprentice):
    milestone = milestone_called(db_session, apprentice, "Induction")
    login_as(Role.COORDINATOR)
    assert client.get("/apprentice/milestones").status_code == 403
    assert client.get(f"/apprentice/milestones/{milestone.id}/evidence").status_code == 403
