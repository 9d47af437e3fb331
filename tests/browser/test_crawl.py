"""Every page each demo account can reach, in a real browser: it loads, and axe finds nothing.

Also: the pages run under the app's strict Content-Security-Policy without a single console
error, GOV.UK Frontend's JavaScript starts, and the sign-in form's error summary works with
the keyboard the way the Design System says it should.
"""

from __future__ import annotations

from collections import Counter, deque
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from app.seed.demo import DEMO_ACCOUNTS

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MAX_PAGES = 60
# Pages of one kind (say /admin/users/<id>/edit) share a template: a few of each are enough,
# and leave room under MAX_PAGES for every other kind of page as the service grows.
SAME_KIND_LIMIT = 3
ANONYMOUS = "anonymous"

RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}
"""

LINKS = """
(links) => links.map((link) => ({
  href: link.href, raw: link.getAttribute("href"), download: link.hasAttribute("download"),
}))
"""


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the real form, as a person would."""
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if urlsplit(page.url).path == "/sign-in":
        problems = page.locator(".govuk-error-summary").all_inner_texts()
        raise AssertionError(f"could not sign in as {email}: {problems}")


def same_site_links(page: Page, origin: tuple[str, str]) -> list[str]:
    """Where this page's links lead on this site, without fragments, assets or signing out."""
    found = []
    for link in page.eval_on_selector_all("a[href]", LINKS):
        if (link["raw"] or "").startswith("#") or link["download"]:
            continue  # a fragment, or a file to download rather than a page
        url, _fragment = urldefrag(link["href"])
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != origin:
            continue
        if parts.path.startswith("/static/") or parts.path == "/sign-out":
            continue
        found.append(url)
    return found


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        raise AssertionError(f"axe-core was not loaded into {page.url}")
    return page.evaluate(RUN_AXE, AXE_TAGS)


def describe(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{url}: {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        lines.extend(f"    - {target}" for target in violation["targets"])
    return "\n".join(lines)


def kind_of(url: str) -> str:
    """/admin/users/7/edit?page=2 -> /admin/users/{id}/edit?page"""
    parts = urlsplit(url)
    path = "/".join("{id}" if segment.isdigit() else segment for segment in parts.path.split("/"))
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


def crawl(page: Page, start: list[str], *, signed_in: bool) -> tuple[list[str], list[str]]:
    """Breadth-first over same-site links from `start`. Returns (pages visited, problems)."""
    origin = tuple(urlsplit(start[0])[:2])
    queue = deque(start)
    seen = set(start)
    kinds = Counter(kind_of(url) for url in start)
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        response = page.goto(url)
        visited.append(url)
        landed = urldefrag(page.url)[0]
        seen.add(landed)
        where = url if landed == url else f"{url} (redirected to {landed})"
        if response is None:
            problems.append(f"{where}: no response")
            continue
        if response.status >= 400:
            problems.append(f"{where}: HTTP {response.status}")
            continue
        if signed_in and urlsplit(landed).path == "/sign-in":
            problems.append(f"{where}: sent to the sign-in page, so the session was lost")
            continue
        if not (response.header_value("content-type") or "").startswith("text/html"):
            continue
        violations = axe_violations(page)
        if violations:
            problems.append(describe(where, violations))
        for link in same_site_links(page, origin):
            if link not in seen and kinds[kind_of(link)] < SAME_KIND_LIMIT:
                seen.add(link)
                kinds[kind_of(link)] += 1
                queue.append(link)
    return visited, problems


@pytest.mark.parametrize("who", [*(account.email for account in DEMO_ACCOUNTS), ANONYMOUS])
def test_every_reachable_page_loads_and_passes_axe(
    page: Page, live_server: LiveServer, who: str
) -> None:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}; run `npm ci` in {ROOT}")
    # An init script is injected by the browser itself, not as a <script> element, so the
    # app's Content-Security-Policy (nonce-only) stays fully in force and does not block it.
    page.context.add_init_script(path=AXE)

    if who == ANONYMOUS:
        start = [live_server.url + "/", live_server.url + "/sign-in"]
    else:
        sign_in(page, who, live_server.password)
        start = [urldefrag(page.url)[0]]

    visited, problems = crawl(page, start, signed_in=who != ANONYMOUS)

    assert visited, f"the crawl for {who} visited nothing"
    assert not problems, f"{who}, {len(visited)} pages visited:\n\n" + "\n\n".join(problems)


def test_pages_run_under_the_content_security_policy_without_errors(
    page: Page, live_server: LiveServer
) -> None:
    """Without bypassing CSP: nothing is refused, nothing throws, GOV.UK Frontend starts."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: console error: {message.text}")

    def on_page_error(error: Error) -> None:
        errors.append(f"{page.url}: uncaught exception: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)

    def check_javascript_ran() -> None:
        body = page.locator("body")
        expect(body).to_contain_class("js-enabled")
        expect(body).to_contain_class("govuk-frontend-supported")
        # initAll() in static/js/app.mjs (a nonce'd module) marks each component it starts.
        uninitialised = page.evaluate(
            """() => [...document.querySelectorAll("[data-module]")]
                .filter((el) => !el.hasAttribute(`data-${el.dataset.module}-init`))
                .map((el) => el.dataset.module)"""
        )
        assert page.locator("[data-module]").count() > 0, page.url
        assert uninitialised == [], f"{page.url}: components not started: {uninitialised}"

    response = page.goto("/")
    assert response is not None
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self' 'nonce-" in policy, f"the app sent no strict CSP: {policy!r}"
    check_javascript_ran()
    page.goto("/sign-in")
    check_javascript_ran()
    sign_in(page, "admin@example.org", live_server.password)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_javascript_ran()

    assert errors == [], "\n".join(errors)


def test_sign_in_error_summary_takes_focus_and_links_to_the_field(
    page: Page, live_server: LiveServer
) -> None:
    page.context.add_init_script(path=AXE)
    page.goto("/sign-in")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title("Error: Sign in – Digital Apprenticeships")
    expect(summary.locator(".govuk-error-summary__list a")).to_have_text(
        ["Enter your email address", "Enter your password"]
    )
    # GOV.UK Frontend moves focus to the summary when the page loads.
    try:
        page.wait_for_function(
            "() => !!document.activeElement?.closest('.govuk-error-summary')", timeout=5000
        )
    except PlaywrightTimeoutError:
        focused = page.evaluate("() => document.activeElement?.outerHTML.slice(0, 200)")
        raise AssertionError(f"focus is not in the error summary but on {focused}") from None

    # The page in its error state (summary, messages, error styling) passes axe too.
    violations = axe_violations(page)
    assert not violations, describe(page.url, violations)

    summary.locator(".govuk-error-summary__list a").first.click()
    expect(page.locator("#email")).to_be_focused()
