"""An apprentice's progress page for coordinators: the summary in words and as a bar, milestones,
the log (paginated) and reviews; scoped like the apprentice's page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import progress
from app.models import (
    KSB,
    ApprenticeStatus,
    AuditEvent,
    LogEntry,
    Milestone,
    ProgressReview,
    ProgressSummary,
    Role,
)
from tests import builders
from tests.html_checks import text_of

START = date(2026, 6, 1)


def url(apprentice) -> str:
    return f"/coordinator/apprentices/{apprentice.id}/progress"


@pytest.fixture
def apprentice(db_session):
    standard = builders.create_standard(
        db_session,
        min_otj_hours=100,
        ksbs=[("K1", "Knows"), ("S1", "Does"), ("B1", "Behaves")],
    )
    return builders.create_apprentice(
        db_session,
        borough="Hackney",
        standard=standard,
        name="Amara Jones",
        status=ApprenticeStatus.ACTIVE,
        start_date=START,
    )


def entry(session, apprentice, hours, *, on, status="approved", ksbs=(), comment=None):
    session.add(
        LogEntry(
            apprentice_id=apprentice.id,
            entry_date=on,
            hours=Decimal(hours),
            activity_type="practical_training",
            description=f"Training on {on:%d %B}",
            status=status,
            submitted_at=datetime.combine(on, datetime.min.time(), tzinfo=UTC),
            comment=comment,
            ksbs=list(ksbs),
        )
    )


def milestone(session, apprentice, title, due, status="not_started", signer="coordinator"):
    session.add(
        Milestone(
            apprentice_id=apprentice.id,
            title=title,
            kind="custom",
            signer=signer,
            due_date=due,
            status=status,
        )
    )


def review(session, apprentice, on, next_on, recorded_by=None, rating="on_track"):
    session.add(
        ProgressReview(
            apprentice_id=apprentice.id,
            review_date=on,
            attendees="Amara, Morgan Lee",
            rating=rating,
            notes=f"Notes of {on:%d %B}",
            actions="Keep going",
            next_review_date=next_on,
            recorded_by_id=recorded_by.id if recorded_by else None,
        )
    )


@pytest.fixture
def progress_made(db_session, apprentice):
    k1, s1, _b1 = db_session.scalars(
        select(KSB).where(KSB.standard_id == apprentice.standard_id).order_by(KSB.id)
    )
    entry(db_session, apprentice, "8", on=date(2026, 9, 1), ksbs=[k1])
    entry(db_session, apprentice, "4.5", on=date(2026, 10, 1), ksbs=[k1, s1])
    entry(db_session, apprentice, "3", on=date(2026, 11, 2), status="submitted")
    entry(
        db_session,
        apprentice,
        "2",
        on=date(2026, 11, 3),
        status="returned",
        comment="Say which KSBs",
    )
    milestone(db_session, apprentice, "Induction", date(2026, 6, 15), status="signed_off")
    milestone(db_session, apprentice, "Portfolio checkpoint", date(2026, 11, 1), "submitted")
    milestone(db_session, apprentice, "Gateway", date(2028, 3, 1), signer="mentor")
    coordinator = builders.create_user(db_session, name="Cora Coordinator")
    review(db_session, apprentice, date(2026, 8, 20), date(2026, 11, 12), rating="some_concerns")
    review(db_session, apprentice, date(2026, 11, 20), date(2027, 2, 1), recorded_by=coordinator)
    db_session.commit()
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()


def rows(page, caption_start: str) -> list[list[str]]:
    table = next(
        table
        for table in page.select("table")
        if table.caption.get_text(strip=True).startswith(caption_start)
    )
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]


def test_the_page_shows_the_summary_milestones_log_and_reviews(
    get_page, login_as, db_session, apprentice, progress_made
):
    viewer = login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page(url(apprentice))
    text = text_of(page)
    assert page.select_one("h1").get_text(strip=True) == "Progress, milestones and reviews"
    # 100 hours over 732 days; 180 days have passed: 24.6 hours expected by now.
    in_words = " ".join(page.select_one("#hours-in-words").text.split())
    assert in_words == (
        "12.5 off-the-job hours approved, against 24.6 expected by now (50%) and 100 planned "
        "for the whole practical period."
    )
    bar = page.select_one("progress#hours-bar")
    assert (Decimal(bar["value"]), Decimal(bar["max"])) == (Decimal("12.5"), Decimal("100"))
    label = page.select_one("label[for=hours-bar]").get_text(" ", strip=True)
    assert label == "Approved hours out of the 100 planned: 12.5 (12%)"
    assert "2 of 3 knowledge, skills and behaviours have approved evidence" in text
    assert "Red" in page.select_one(".govuk-summary-list .govuk-tag").get_text()
    assert "12.5 of 24.6 off-the-job hours expected by now (50%)" in text
    assert "1 milestone overdue" in text
    assert "1, the oldest since 2 November 2026" in text

    assert rows(page, "Milestones") == [
        ["Induction", "15 June 2026", "Coordinator", "Signed off"],
        ["Portfolio checkpoint Sign off or return Portfolio checkpoint", "1 November 2026",
         "Coordinator", "Submitted Overdue"],
        ["Gateway", "1 March 2028", "Mentor", "Not started"],
    ]  # fmt: skip
    log = rows(page, "Log entries")
    assert [row[0] for row in log] == [
        "3 November 2026",
        "2 November 2026",
        "1 October 2026",
        "1 September 2026",
    ]
    assert log[0][1:] == [
        "2",
        "Practical training",
        "Training on 03 November",
        "Returned Say which KSBs",
    ]
    assert log[2][3] == "Training on 01 October KSBs: K1, S1"
    # No current mentor: the employing borough's coordinator approves.
    assert log[1][4] == "Waiting for approval Approve or return the entry of 2 November 2026"
    assert "a coordinator of Hackney approves or returns their entries" in text

    reviews = [h3.get_text(strip=True) for h3 in page.select("h3")]
    assert reviews == ["Review on 20 November 2026", "Review on 20 August 2026"]
    assert "Cora Coordinator" in text and "Some concerns" in text
    assert page.select_one(f"a[href='{url(apprentice).replace('progress', 'reviews/new')}']")
    for endpoint in ("milestones/new", "milestones/regenerate"):
        href = f"/coordinator/apprentices/{apprentice.id}/{endpoint}"
        assert page.select_one(f"a[href='{href}']") is not None

    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_user_id, event.target_type, event.target_id) == (
        "viewed_record",
        viewer.id,
        "apprentice",
        apprentice.id,
    )


def test_with_a_mentor_the_coordinator_does_not_approve_entries(
    get_page, login_as, db_session, apprentice, progress_made
):
    mentor = builders.create_mentor(db_session, name="Sam Okafor")
    builders.assign_mentor(db_session, apprentice, mentor)
    login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page(url(apprentice))
    assert "Sam Okafor, their mentor, approves or returns their entries." in text_of(page)
    assert "Approve or return" not in text_of(page)


def test_the_log_is_paginated(get_page, login_as, db_session, apprentice):
    for day in range(30):
        entry(db_session, apprentice, "1", on=date(2026, 9, 1) + timedelta(days=day))
    db_session.commit()
    login_as(Role.COORDINATOR, borough="Hackney")
    first = get_page(url(apprentice))
    assert len(rows(first, "Log entries")) == 25
    assert rows(first, "Log entries")[0][0] == "30 September 2026"
    second = get_page(url(apprentice) + "?page=2")
    assert [row[0] for row in rows(second, "Log entries")] == [
        "5 September 2026",
        "4 September 2026",
        "3 September 2026",
        "2 September 2026",
        "1 September 2026",
    ]
    assert "Showing 26 to 30 of 30 log entries" in text_of(second)


def test_a_summary_not_stored_yet_is_shown_and_not_stored(
    get_page, login_as, db_session, apprentice
):
    login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page(url(apprentice))
    text = text_of(page)
    assert "0 off-the-job hours approved, against 24.6 expected by now (0%)" in text
    assert "No milestones yet." in text
    assert "No log entries yet." in text
    assert "No progress reviews recorded yet." in text
    db_session.expire_all()
    assert db_session.get(ProgressSummary, apprentice.id) is None


def test_another_boroughs_apprentice_is_not_found(client, login_as, apprentice):
    login_as(Role.COORDINATOR, borough="Camden")
    assert client.get(url(apprentice)).status_code == 404


def test_a_host_borough_reads_without_changing(
    get_page, login_as, db_session, apprentice, progress_made
):
    builders.create_placement(db_session, apprentice, host="Camden", start_date=START)
    login_as(Role.COORDINATOR, borough="Camden")
    page = get_page(url(apprentice))
    text = text_of(page)
    assert "Only coordinators of Hackney, the employing borough, can change it." in text
    assert "Record a progress review" not in text
    assert "Add a milestone" not in text
    assert "Sign off or return" not in text
    assert "Approve or return" not in text
    assert "Review on 20 November 2026" in text


def test_the_apprentice_page_links_here(get_page, login_as, apprentice):
    login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page(f"/coordinator/apprentices/{apprentice.id}")
    link = page.select_one(f"a[href='{url(apprentice)}']")
    assert link.get_text(" ", strip=True).startswith("Progress, milestones and reviews")
