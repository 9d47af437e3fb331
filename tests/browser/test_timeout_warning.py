"""The timeout warning: shown two minutes before the idle limit, "stay signed in" works, and
an ignored warning ends at the sign-in page saying why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_crawl import AXE, axe_violations, describe, sign_in

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_warning_before_the_idle_limit(page: Page, live_server: LiveServer, frozen_clock) -> None:
    page.context.add_init_script(path=AXE)
    page.clock.install()
    sign_in(page, "coordinator@example.org", live_server.password)
    dialog = page.locator("dialog#timeout-warning")
    expect(dialog).to_be_hidden()

    page.clock.fast_forward("27:55")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("00:10")  # 28 minutes and 5 seconds idle
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("You’re about to be signed out")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    violations = axe_violations(page)
    assert not violations, describe(page.url, violations)

    # Staying signed in renews the session on the server and closes the warning.
    frozen_clock.advance(minutes=28)
    with page.expect_response("**/session/keep-alive") as keep_alive:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert keep_alive.value.status == 200
    expect(dialog).to_be_hidden()

    # Ignored this time: the server ends the session, and the page says why.
    frozen_clock.advance(minutes=31)
    page.clock.fast_forward("31:00")
    page.wait_for_url("**/sign-in?*timed_out=1*")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out because you had not used the service for a while"
    )
