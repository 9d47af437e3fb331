"""A resident applies in a real browser (Chromium), and the coordinator finds the application.

One validation error on the way, going back from check your answers to change an answer, the
receipt in the outbox, the optional equality questions, the withdrawal page the receipt links
to; axe runs on every page of the journey, error states included.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import Page, expect

from tests import builders
from tests.browser.test_crawl import AXE, axe_violations, describe, sign_in

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

STATEMENT = (
    "I run the computer club at my youth centre.\n\nI want to learn to build services that "
    "help people in Hackney."
)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(page.url, violations)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def continue_(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


def test_a_resident_applies_and_the_coordinator_finds_the_application(
    page: Page, live_server: LiveServer, app, db_session
) -> None:
    page.context.add_init_script(path=AXE)
    vacancy = builders.create_vacancy(
        db_session, borough="Hackney", title="Junior developer apprentice"
    )
    mailbox = app.extensions["mail"].sent
    mailbox.clear()

    # The privacy notice, before anything is asked.
    page.goto(f"/vacancies/{vacancy.id}/apply")
    expect(heading(page)).to_have_text("Before you apply")
    expect(page.get_by_role("link", name="full privacy notice")).to_have_attribute(
        "href", "/privacy"
    )
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Start your application").click()

    expect(heading(page)).to_have_text("What is your full name?")
    assert_accessible(page)
    page.get_by_label("What is your full name?").fill("Amara Jones")
    continue_(page)

    # One validation error: the summary takes focus and links to the field.
    expect(heading(page)).to_have_text("How can we contact you?")
    assert_accessible(page)
    page.get_by_label("Email address").fill("amara.jones-at-example.org")
    page.get_by_label("UK phone number").fill("07700 900 982")
    continue_(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Enter an email address in the correct format, like name@example.com"
    )
    expect(page).to_have_title(re.compile(r"^Error: How can we contact you\?"))
    page.wait_for_function("() => !!document.activeElement?.closest('.govuk-error-summary')")
    expect(page.get_by_label("UK phone number")).to_have_value("07700 900 982")  # kept
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Email address")).to_be_focused()
    page.get_by_label("Email address").fill("amara.jones@example.org")
    continue_(page)

    expect(heading(page)).to_have_text("What is your date of birth?")
    assert_accessible(page)
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2006")
    continue_(page)

    expect(heading(page)).to_have_text("What is your postcode?")
    assert_accessible(page)
    page.get_by_label("What is your postcode?").fill("e8 1ea")
    continue_(page)

    expect(heading(page)).to_have_text("Which London borough do you live in?")
    assert_accessible(page)
    page.get_by_label("Which London borough do you live in?").select_option(label="Hackney")
    continue_(page)

    expect(heading(page)).to_have_text("Your connection to Hackney")
    assert_accessible(page)
    page.get_by_role(
        "group", name="Did you go to a secondary school or college in Hackney?"
    ).get_by_label("Yes").check()
    page.get_by_role("group", name="Are you a care leaver supported by Hackney?").get_by_label(
        "No"
    ).check()
    continue_(page)

    expect(heading(page)).to_have_text("Do you have the right to work in the UK?")
    assert_accessible(page)
    page.get_by_label("Yes").check()
    continue_(page)

    expect(heading(page)).to_contain_text("Will you be in full-time education on 1 March 2027")
    assert_accessible(page)
    page.get_by_label("No").check()
    continue_(page)

    expect(heading(page)).to_have_text(
        "Do you want to apply under the guaranteed interview scheme?"
    )
    assert_accessible(page)
    page.get_by_label("No").check()
    continue_(page)

    expect(heading(page)).to_have_text("Supporting statement")
    page.get_by_label("Supporting statement").fill(STATEMENT)
    # GOV.UK Frontend's character count is running.
    expect(page.locator(".govuk-character-count__status")).to_contain_text("characters remaining")
    assert_accessible(page)
    continue_(page)

    # Check your answers; going back to change one.
    expect(heading(page)).to_have_text("Check your answers before sending your application")
    assert_accessible(page)
    check_url = page.url
    with page.expect_navigation():
        page.get_by_role("link", name="Change postcode").click()
    expect(page.get_by_label("What is your postcode?")).to_have_value("E8 1EA")
    expect(page.get_by_role("link", name="Back")).to_have_attribute(
        "href", urlsplit(check_url).path
    )
    page.get_by_label("What is your postcode?").fill("E5 8QN")
    continue_(page)
    assert page.url == check_url
    postcode_row = page.locator(".govuk-summary-list__row", has_text="Postcode")
    expect(postcode_row.locator(".govuk-summary-list__value")).to_have_text("E5 8QN")
    expect(page.locator("main")).to_contain_text("Lives in Hackney")

    with page.expect_navigation():
        page.get_by_role("button", name="Accept and send application").click()

    # The confirmation, with the reference; the receipt is in the outbox.
    panel = page.locator(".govuk-panel")
    expect(panel).to_contain_text("Application sent")
    reference = panel.locator("strong").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", reference), reference
    assert_accessible(page)
    (receipt,) = mailbox
    assert receipt.to == "amara.jones@example.org"
    assert reference in receipt.body
    withdraw_link = re.search(r"http://localhost(/applications/withdraw/\S+)", receipt.body)
    assert withdraw_link, receipt.body

    # The optional equality questions.
    with page.expect_navigation():
        page.get_by_role("link", name="Answer the equality questions (optional)").click()
    expect(heading(page)).to_have_text("Equality monitoring questions")
    assert_accessible(page)
    page.get_by_role("group", name="Have you ever been in care?").get_by_label(
        "Prefer not to say"
    ).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send answers").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Thank you for answering the equality questions"
    )
    assert_accessible(page)

    # The page the receipt's link opens (not used: the coordinator should find the application).
    page.goto(withdraw_link.group(1))
    expect(heading(page)).to_have_text("Withdraw your application")
    assert_accessible(page)

    # The coordinator of the employing borough finds it in the pipeline.
    sign_in(page, "coordinator@example.org", live_server.password)
    with app.test_request_context():
        pipeline = url_for("coordinator.applications", vacancy_id=vacancy.id)
    response = page.goto(pipeline)
    assert response is not None and response.status == 200, response and response.status
    main = page.locator("main")
    expect(main).to_contain_text("Amara Jones")
    expect(main).to_contain_text(reference)
    assert_accessible(page)
