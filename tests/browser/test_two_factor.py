"""Two-factor sign-in in a real browser with the requirement on: setting up the app, the
recovery codes, entering a code and a recovery code, the account and sessions pages. Each page
passes axe, with and without errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_account_pages import assert_accessible
from tests.browser.test_crawl import AXE
from tests.web.auth.two_factor_helpers import valid_code

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

EMAIL = "coordinator@example.org"


def sign_in_with_password(page: Page, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_set_up_and_sign_in_with_a_second_factor(
    page: Page, live_server: LiveServer, app, monkeypatch, frozen_clock
) -> None:
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)
    page.context.add_init_script(path=AXE)

    sign_in_with_password(page, live_server.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#authenticator-key").inner_text().replace(" ", "")
    wrong = "000000" if valid_code(secret) != "000000" else "111111"
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)

    page.get_by_label("Code").fill(valid_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("save your recovery codes")
    assert_accessible(page)
    codes = page.locator(".app-recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/coordinator/")

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert_accessible(page)
    page.get_by_role("link", name="View your sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sessions")
    expect(page.locator("tbody")).to_contain_text("This session")
    assert_accessible(page)
    page.goto("/account/authenticator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your authenticator app")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").first.click()
    frozen_clock.advance(seconds=30)
    sign_in_with_password(page, live_server.password)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    assert_accessible(page)
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)
    page.get_by_label("Code").fill(valid_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/coordinator/")

    page.get_by_role("button", name="Sign out").first.click()
    sign_in_with_password(page, live_server.password)
    page.get_by_role("link", name="use a recovery code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a recovery code")
    assert_accessible(page)
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/coordinator/")
