"""The apprentice's home: hours against target and what is due next (from the stored progress
summary), KSB coverage and the latest log entries; and the whole loop through the homes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import gateway, logbook, progress
from app.models import (
    KSB,
    ApprenticeStatus,
    Milestone,
    ProgressReview,
    ProgressSummary,
    Role,
    User,
)
from tests import builders
from tests.conftest import sign_in_client
from tests.html_checks import check_page, text_of


@pytest.fixture
def learner(login_as):
    return login_as(Role.APPRENTICE, name="Amara Jones")


@pytest.fixture
def apprentice(db_session, learner):
    standard = builders.create_standard(
        db_session, ksbs=[("K1", "Knows the basics"), ("S1", "Writes code"), ("B1", "Curious")]
    )
    record = builders.create_apprentice(
        db_session,
        user=learner,
        standard=standard,
        status=ApprenticeStatus.ACTIVE,
        start_date=date(2026, 9, 1),
    )
    progress.refresh_summary(db_session, record.id)
    db_session.commit()
    return record


@pytest.fixture
def mentor(db_session, apprentice):
    user = builders.create_mentor(db_session, name="Sam Okafor")
    builders.assign_mentor(db_session, apprentice, user)
    return user


def codes(db_session, apprentice) -> dict[str, KSB]:
    found = db_session.scalars(select(KSB).where(KSB.standard_id == apprentice.standard_id))
    return {ksb.code: ksb for ksb in found}


def add_entry(db_session, apprentice, user, day=20, hours="2", ksb_ids=()):
    entry = logbook.log_entry(
        db_session,
        apprentice,
        actor=user,
        entry_date=date(2026, 11, day),
        hours=hours,
        activity_type="teaching",
        description="A workshop",
        ksb_ids=ksb_ids,
    )
    db_session.commit()
    return entry


def section_text(page, heading: str) -> str:
    """The text from a heading up to the next heading of the same level."""
    title = next(h for h in page.select("h2") if h.get_text(strip=True) == heading)
    parts = []
    for sibling in title.find_next_siblings():
        if sibling.name == "h2":
            break
        parts.append(sibling.get_text(" "))
    return " ".join(" ".join(parts).split())


def summary_list(page, heading: str) -> dict[str, str]:
    title = next(h for h in page.select("h2") if h.get_text(strip=True) == heading)
    rows = title.find_next("dl").select(".govuk-summary-list__row")
    return {
        " ".join(row.dt.get_text(" ").split()): " ".join(row.dd.get_text(" ").split())
        for row in rows
    }


def test_hours_against_target_come_from_the_stored_summary(get_page, db_session, apprentice):
    # The page shows what is stored, not a fresh computation.
    stored = db_session.get(ProgressSummary, apprentice.id)
    stored.approved_hours = Decimal("123.5")
    stored.expected_hours = Decimal("150")
    stored.planned_hours = Decimal("400")
    stored.entries_waiting = 2
    db_session.commit()
    page = get_page("/apprentice/")
    bar = page.select_one("progress")
    assert (bar["max"], bar["value"]) == ("400.0", "123.5")
    assert bar["aria-labelledby"] == "hours-heading"
    assert page.select_one("#hours-heading").get_text(strip=True) == (
        "Your off-the-job training hours"
    )
    assert " ".join(page.select_one("#hours-in-words").get_text().split()) == (
        "You have 123.5 hours of approved off-the-job training. By now you should have about "
        "150 hours, and you need 400 hours in all by the end of your practical period, "
        "1 September 2028. You are 26.5 hours behind."
    )
    assert bar["aria-describedby"] == "hours-in-words"
    assert summary_list(page, "Your off-the-job training hours") == {
        "Approved": "123.5 hours",
        "Expected by now": "150 hours",
        "Planned in all": "400 hours",
        "Waiting for approval": "2 entries",
    }


def test_on_track_and_target_reached_are_said(get_page, db_session, apprentice):
    stored = db_session.get(ProgressSummary, apprentice.id)
    stored.approved_hours, stored.expected_hours, stored.planned_hours = (
        Decimal(160),
        Decimal(150),
        Decimal(400),
    )
    db_session.commit()
    assert "You are on track." in text_of(get_page("/apprentice/"))
    stored.approved_hours = Decimal(410)
    db_session.commit()
    page = get_page("/apprentice/")
    assert "You have reached your target." in text_of(page)
    assert page.select_one("progress")["value"] == "400.0"  # the bar stops at full


def test_what_is_due_next(get_page, db_session, apprentice):
    for title, due in (
        ("Induction", date(2026, 9, 15)),
        ("Portfolio checkpoint", date(2027, 1, 5)),
        ("Gateway", date(2028, 6, 1)),
    ):
        db_session.add(
            Milestone(
                apprentice_id=apprentice.id,
                title=title,
                kind="portfolio",
                signer="mentor",
                due_date=due,
            )
        )
    db_session.commit()
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()
    text = section_text(get_page("/apprentice/"), "What is due next")
    assert "1 milestone is overdue" in text
    assert "Next milestone: Portfolio checkpoint, due 5 January 2027" in text
    # No review yet: the first is due 12 weeks after the start, which has passed.
    assert "Your progress review was due on 24 November 2026" in text
    db_session.add(
        ProgressReview(
            apprentice_id=apprentice.id,
            review_date=date(2026, 11, 25),
            attendees="Amara, her manager, the provider",
            rating="on_track",
            notes="Fine",
            actions="None",
            next_review_date=date(2027, 2, 17),
        )
    )
    db_session.commit()
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()
    text = section_text(get_page("/apprentice/"), "What is due next")
    assert "Next progress review: due by 17 February 2027" in text


def test_ksb_coverage_and_the_latest_entries(get_page, db_session, apprentice, learner, mentor):
    ksb = codes(db_session, apprentice)
    approved = [
        add_entry(db_session, apprentice, learner, day=2, ksb_ids=[ksb["K1"].id, ksb["S1"].id]),
        add_entry(db_session, apprentice, learner, day=3, ksb_ids=[ksb["K1"].id]),
    ]
    add_entry(db_session, apprentice, learner, day=4, ksb_ids=[ksb["B1"].id])  # waiting
    for entry in approved:
        logbook.approve_entry(db_session, entry, actor=mentor)
    db_session.commit()
    for day in range(5, 10):
        add_entry(db_session, apprentice, learner, day=day, hours="1")

    page = get_page("/apprentice/")
    coverage = section_text(page, "Knowledge, skills and behaviours")
    assert coverage.startswith(
        "2 of the 3 knowledge, skills and behaviours of your standard have evidence in approved "
        "log entries."
    )
    assert summary_list(page, "Knowledge, skills and behaviours") == {
        "K1": "Knows the basics Evidenced in 2 approved entries",
        "S1": "Writes code Evidenced in 1 approved entry",
        "B1": "Curious Not yet evidenced",
    }
    table = next(h for h in page.select("h2") if h.get_text() == "Your training log").find_next(
        "table"
    )
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in table("tr")[1:]]
    assert [row[0] for row in rows] == [f"{day} November 2026" for day in (9, 8, 7, 6, 5)]
    assert rows[0][1:] == [
        "1 hour",
        "Teaching, such as a class, lecture or workshop",
        "Waiting for approval",
    ]
    log_section = page.select_one("a[href='/apprentice/log']")
    assert log_section.get_text(strip=True) == "See all your log entries"
    assert page.select_one("a[href='/apprentice/log/new']").get_text(strip=True) == "Log training"


def test_before_any_summary_or_entry_the_home_says_so(get_page, db_session, learner):
    record = builders.create_apprentice(db_session, user=learner)  # no summary stored yet
    assert db_session.get(ProgressSummary, record.id) is None
    page = get_page("/apprentice/")
    text = text_of(page)
    assert "Your hours will appear here once your progress has been worked out." in text
    assert "You have not logged any training yet." in text
    assert page.select_one("progress") is None


def test_the_home_runs_a_fixed_number_of_queries(
    client, db_session, apprentice, learner, mentor, count_queries
):
    ksb = codes(db_session, apprentice)
    progress_milestone = Milestone(
        apprentice_id=apprentice.id,
        title="Portfolio",
        kind="portfolio",
        signer="mentor",
        due_date=date(2027, 1, 5),
    )
    db_session.add(progress_milestone)
    db_session.commit()

    def add(days):
        for day in days:
            entry = add_entry(
                db_session,
                apprentice,
                learner,
                day=day,
                hours="1",
                ksb_ids=[ksb["K1"].id, ksb["S1"].id],
            )
            logbook.approve_entry(db_session, entry, actor=mentor)
            db_session.commit()

    add(range(1, 4))
    client.get("/apprentice/")
    with count_queries() as few:
        assert client.get("/apprentice/").status_code == 200
    add(range(4, 27))
    with count_queries() as many:
        response = client.get("/apprentice/")
    assert response.status_code == 200
    assert many.count == few.count
    assert "Evidenced in 26 approved entries" in text_of(check_page(response))


def test_logged_then_approved_hours_show_on_the_apprentice_home(
    app, client, get_page, post_form, db_session, apprentice, mentor
):
    """The loop through the pages: the apprentice logs, the mentor approves from their home,
    the apprentice sees the hours counted."""
    response = post_form(
        "/apprentice/log/new",
        {
            "entry_date": ["26", "11", "2026"],
            "hours": "3.5",
            "activity_type": "practical_training",
            "description": "Built a form",
        },
    )
    assert response.status_code == 302
    learner = db_session.get(User, apprentice.user_id)

    sign_in_client(app, client, mentor)
    home = get_page("/mentor/")
    link = home.select_one("a[href^='/mentor/log-entries/']")
    decide = get_page(link["href"])
    version = decide.select_one("input[name=row_version]")["value"]
    response = post_form(link["href"], {"row_version": version, "decision": "approve"})
    assert response.status_code == 302

    sign_in_client(app, client, learner)
    page = get_page("/apprentice/")
    assert summary_list(page, "Your off-the-job training hours")["Approved"] == "3.5 hours"
    assert page.select_one("progress")["value"] == "3.5"
    assert "You have 3.5 hours of approved off-the-job training." in text_of(page)


def test_a_live_apprentice_sees_their_gateway_checklist(get_page, db_session, apprentice):
    page = get_page("/apprentice/")
    text = section_text(page, "Your gateway checklist")
    # A September 2026 start is months short of the minimum duration and has logged nothing.
    for item in ("Minimum duration", "Off-the-job training hours", "Knowledge, skills and"):
        assert item in text
    assert "Not met" in text
    assert "0 of 3 evidenced in approved log entries" in text


def test_once_confirmed_the_home_says_so_instead_of_the_checklist(get_page, db_session, apprentice):
    coordinator = builders.create_user(db_session, roles=[Role.COORDINATOR])
    gateway.confirm_gateway(
        db_session,
        apprentice,
        actor=coordinator,
        on=date(2026, 11, 20),
        exception_reason="Agreed with the provider for an early assessment",
    )
    db_session.commit()
    text = section_text(get_page("/apprentice/"), "Your gateway checklist")
    assert "confirmed your gateway on 20 November 2026" in text
    assert "Not met" not in text


def test_no_gateway_checklist_once_they_have_left(get_page, db_session, learner):
    builders.create_apprentice(db_session, user=learner, status=ApprenticeStatus.WITHDRAWN)
    db_session.commit()
    assert "Your gateway checklist" not in text_of(get_page("/apprentice/"))
