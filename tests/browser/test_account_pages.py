"""The pages of an invitation and a password reset, in a real browser, pass axe in every state."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from app.domain.account_links import Purpose, make_token
from tests import builders
from tests.browser.test_crawl import AXE, axe_violations, describe

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(page.url, violations)


def test_accepting_an_invitation(page: Page, live_server: LiveServer, app, db_session) -> None:
    page.context.add_init_script(path=AXE)
    invited = builders.create_user(db_session, name="Femi Ade", email="femi@example.org")
    link = (
        f"/account/invitation/{make_token(app.config['SECRET_KEY'], invited, Purpose.INVITATION)}"
    )

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    assert_accessible(page)

    page.get_by_label("New password", exact=True).fill("Femi Ade 2026!")
    page.get_by_label("Confirm new password").fill("Femi Ade 2026!")
    page.get_by_role("button", name="Save password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must not be based on your name")
    assert_accessible(page)

    page.get_by_label("New password", exact=True).fill("orange kites over hills")
    page.get_by_label("Confirm new password").fill("orange kites over hills")
    page.get_by_role("button", name="Save password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your password has been saved"
    )
    assert_accessible(page)

    page.goto(link)  # a second use
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert_accessible(page)


def test_asking_for_a_reset(page: Page, live_server: LiveServer) -> None:
    page.context.add_init_script(path=AXE)
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    assert_accessible(page)
    page.get_by_label("Email address").fill("mentor@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)
