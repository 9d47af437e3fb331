"""The off-the-job log in a real browser (Chromium): the demo apprentice logs training (one
validation error first), their mentor approves it from their home, and the apprentice sees the
hours counted on theirs. axe runs on every page, the error state included."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.clock import today
from app.domain import logbook
from app.models import Apprentice, LogEntry, ProgressSummary, User
from app.seed.programme import APPRENTICE_EMAIL, MENTOR_EMAIL
from tests.browser.test_crawl import AXE, axe_violations, describe, sign_in

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

HOURS = Decimal("2.5")


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(page.url, violations)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").first.click()


def a_free_day(db_session, apprentice: Apprentice):
    """A recent day with nothing logged yet, so the demo's own entries leave room."""
    logged = {
        day
        for (day,) in db_session.execute(
            select(LogEntry.entry_date)
            .where(LogEntry.apprentice_id == apprentice.id)
            .group_by(LogEntry.entry_date)
            .having(func.sum(LogEntry.hours) > 8 - HOURS)
        )
    }
    return next(
        today() - timedelta(days=back)
        for back in range(60)
        if today() - timedelta(days=back) not in logged
    )


def approved_hours(db_session, apprentice: Apprentice) -> Decimal:
    db_session.expire_all()
    summary = db_session.get(ProgressSummary, apprentice.id)
    return summary.approved_hours if summary else Decimal(0)


def test_the_apprentice_logs_the_mentor_approves_and_the_hours_count(
    page: Page, live_server: LiveServer, db_session
) -> None:
    page.context.add_init_script(path=AXE)
    learner = db_session.scalars(select(User).where(User.email == APPRENTICE_EMAIL)).one()
    apprentice = db_session.scalars(
        select(Apprentice).where(Apprentice.user_id == learner.id)
    ).one()
    before = approved_hours(db_session, apprentice)
    day = a_free_day(db_session, apprentice)

    # The apprentice's home: hours against target, with the numbers in words.
    sign_in(page, APPRENTICE_EMAIL, live_server.password)
    expect(heading(page)).to_have_text("Your apprenticeship")
    expect(page.locator("progress")).to_be_visible()
    expect(page.locator("#hours-in-words")).to_contain_text(
        f"You have {logbook.hours_text(before)} of approved off-the-job training"
    )
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Log training").click()

    expect(heading(page)).to_have_text("Log off-the-job training")
    assert_accessible(page)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Hours", exact=True).fill("9")
    page.get_by_label("Practical training").check()
    page.get_by_label("What you did and what you learnt").fill(
        "Paired with the data team on a dashboard.\nLearnt how to write SQL joins."
    )
    ksbs = page.locator(".govuk-checkboxes__input")
    if ksbs.count():
        ksbs.first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for approval").click()

    # One validation error: the summary takes focus and links to the field; input is kept.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Hours must be 8 or fewer")
    expect(page).to_have_title(re.compile(r"^Error: Log off-the-job training"))
    page.wait_for_function("() => !!document.activeElement?.closest('.govuk-error-summary')")
    expect(page.get_by_label("What you did and what you learnt")).to_have_value(
        "Paired with the data team on a dashboard.\nLearnt how to write SQL joins."
    )
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Hours", exact=True)).to_be_focused()
    page.get_by_label("Hours", exact=True).fill(str(HOURS))
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for approval").click()

    expect(heading(page)).to_have_text("Your off-the-job training log")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Training logged and sent for approval"
    )
    assert_accessible(page)
    entry = db_session.scalars(
        select(LogEntry)
        .where(LogEntry.apprentice_id == apprentice.id)
        .order_by(LogEntry.id.desc())
        .limit(1)
    ).one()
    assert (entry.entry_date, entry.hours, entry.status) == (day, HOURS, "submitted")
    # A waiting entry can still be changed.
    with page.expect_navigation():
        page.locator(f"a[href='/apprentice/log/{entry.id}/edit']").click()
    expect(heading(page)).to_have_text("Correct your log entry")
    expect(page.get_by_label("Hours", exact=True)).to_have_value(str(HOURS))
    assert_accessible(page)
    sign_out(page)

    # Their mentor approves it from their home.
    sign_in(page, MENTOR_EMAIL, live_server.password)
    expect(heading(page)).to_have_text("Your mentees")
    assert_accessible(page)
    link = page.locator(f"a[href='/mentor/log-entries/{entry.id}/decide']")
    expect(link).to_contain_text("Jordan Mensah")
    with page.expect_navigation():
        link.click()
    expect(heading(page)).to_have_text("Approve or return a log entry")
    expect(page.locator("main")).to_contain_text("Learnt how to write SQL joins.")
    assert_accessible(page)
    page.get_by_label("Yes, approve it: its hours will count").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    expect(heading(page)).to_have_text("Your mentees")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Entry approved: 2.5 hours now count for Jordan Mensah"
    )
    expect(page.locator(f"a[href='/mentor/log-entries/{entry.id}/decide']")).to_have_count(0)
    assert_accessible(page)
    sign_out(page)

    # The apprentice sees the hours counted.
    after = before + HOURS
    assert approved_hours(db_session, apprentice) == after
    sign_in(page, APPRENTICE_EMAIL, live_server.password)
    expect(page.locator("#hours-in-words")).to_contain_text(
        f"You have {logbook.hours_text(after)} of approved off-the-job training"
    )
    expect(page.locator("progress")).to_have_attribute("value", re.compile(rf"^{after}"))
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="See all your log entries").click()
    row = page.locator("tbody tr", has_text="Paired with the data team")
    expect(row).to_contain_text("Approved")
    assert_accessible(page)


def test_the_coordinator_decides_only_without_a_mentor(
    page: Page, live_server: LiveServer, db_session
) -> None:
    """The demo coordinator (Hackney): the fallback for an apprentice without a mentor, and the
    page saying the mentor decides for one with a mentor; axe on both and on the error state."""
    page.context.add_init_script(path=AXE)
    without = _demo_apprentice(db_session, "Leon Wright")  # left; no current mentor
    with_mentor = _demo_apprentice(db_session, "Jordan Mensah")
    entries = {}
    for apprentice in (without, with_mentor):
        entries[apprentice.id] = logbook.log_entry(
            db_session,
            apprentice,
            actor=db_session.get(User, apprentice.user_id),
            entry_date=apprentice.start_date + timedelta(days=7),
            hours=Decimal("1.5"),
            activity_type="teaching",
            description="Induction workshop",
        )
    db_session.commit()

    sign_in(page, "coordinator@example.org", live_server.password)
    response = page.goto(f"/coordinator/log-entries/{entries[with_mentor.id].id}/decide")
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text(
        "Tom Reilly is the apprentice’s current mentor, so only they can approve or return"
    )
    expect(page.get_by_role("button", name="Save decision")).to_have_count(0)
    assert_accessible(page)

    response = page.goto(f"/coordinator/log-entries/{entries[without.id].id}/decide")
    assert response is not None and response.status == 200
    expect(page.locator("main")).to_contain_text("Leon Wright has no mentor at the moment")
    assert_accessible(page)
    page.get_by_label("No, return it").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a comment saying what the apprentice needs to change"
    )
    assert_accessible(page)
    page.get_by_label("Comment for the apprentice").fill("Which KSBs did it cover?")
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Entry returned to Leon Wright with your comment"
    )
    db_session.expire_all()
    assert db_session.get(LogEntry, entries[without.id].id).status == "returned"


def _demo_apprentice(db_session, name: str) -> Apprentice:
    return db_session.scalars(
        select(Apprentice).join(User, User.id == Apprentice.user_id).where(User.name == name)
    ).one()
