"""Two charts with their tables on one page, in a real browser: axe finds nothing, the strict
Content-Security-Policy refuses nothing, and the charts fit a phone's screen.

The page is a throwaway route on an app of this module's own (`app` below): the shared test
app cannot take a new route once it has served a request, and a route left on it would break
the check that every endpoint is in the access policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from flask import Flask, render_template_string
from playwright.sync_api import ConsoleMessage, Error, Page, expect

from app.access import POLICY, PUBLIC
from app.charts import Series, bar_chart, line_chart, table_rows
from tests.browser.test_crawl import AXE, axe_violations, describe

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

ENDPOINT = "test_only_charts"
URL = "/test-only/charts"
BOROUGHS = ["Hackney", "Kensington and Chelsea", "Barking and Dagenham <b>", "Camden"]
QUARTERS = ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3"]

PAGE = """
{% extends "base.html" %}
{% from "components/chart.html" import chart_with_table %}
{% block title %}Charts{% endblock %}
{% block body %}
  <h1 class="govuk-heading-l">Charts</h1>
  <h2 class="govuk-heading-m">Starts by borough</h2>
  {{ chart_with_table(bars, "Starts by borough, 2025 to 2026", bar_header, bar_rows) }}
  <h2 class="govuk-heading-m">Starts each quarter</h2>
  {{ chart_with_table(lines, "Starts each quarter", line_header, line_rows) }}
{% endblock %}
"""


def charts_page() -> str:
    bar_series = [
        Series("Your borough", [40, 15, None, 0]),
        Series("London average", [35, 30, 20, 25]),
    ]
    line_series = [
        Series("Hackney", [10, 12, None, 15, 18, 21, 25]),
        Series("London", [20, 21, 22, 23, 24, 26, 27]),
        Series("Camden", [None, 5, 8, 9, 12, 14, None]),
    ]
    return render_template_string(
        PAGE,
        bars=bar_chart(
            id_prefix="starts-by-borough",
            title="Starts by borough, 2025 to 2026",
            description="Hackney had the most starts (40). Barking and Dagenham's are suppressed.",
            categories=BOROUGHS,
            series=bar_series,
            value_label="Apprentices starting",
            category_label="Borough",
        ),
        bar_header=["Borough", *(s.name for s in bar_series)],
        bar_rows=table_rows(BOROUGHS, bar_series),
        lines=line_chart(
            id_prefix="starts-each-quarter",
            title="Starts each quarter",
            description="Starts rose in every borough over the two years.",
            periods=QUARTERS,
            series=line_series,
            value_label="Apprentices starting",
            period_label="Quarter",
        ),
        line_header=["Quarter", *(s.name for s in line_series)],
        line_rows=table_rows(QUARTERS, line_series),
    )


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Iterator[Flask]:
    """An app of its own with the charts page, open to anyone while this test runs."""
    charts_app = app_factory()
    charts_app.add_url_rule(URL, endpoint=ENDPOINT, view_func=charts_page)
    POLICY[ENDPOINT] = PUBLIC
    try:
        yield charts_app
    finally:
        del POLICY[ENDPOINT]


def test_two_charts_and_their_tables_pass_axe_without_console_errors(
    page: Page, live_server: LiveServer
) -> None:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}; run `npm ci`")
    page.context.add_init_script(path=AXE)
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console error: {message.text}")

    def on_page_error(error: Error) -> None:
        errors.append(f"uncaught exception: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)

    response = page.goto(URL)
    assert response is not None and response.status == 200
    assert "style-src 'self' 'nonce-" in (response.header_value("content-security-policy") or "")

    bars = page.get_by_role("img", name=re.compile(r"^Starts by borough, 2025 to 2026 Hackney"))
    lines = page.get_by_role("img", name=re.compile(r"^Starts each quarter Starts rose"))
    expect(bars).to_be_visible()
    expect(lines).to_be_visible()
    expect(page.locator(".app-chart table.govuk-table")).to_have_count(2)
    expect(page.get_by_role("table", name="Starts by borough, 2025 to 2026")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Barking and Dagenham <b>")).to_be_visible()
    # The patterns that tell the bars apart are drawn (a CSP refusal would leave them blank).
    expect(bars.locator("pattern")).to_have_count(1)

    violations = axe_violations(page)
    assert not violations, describe(page.url, violations)

    # On a wide screen the table sits beside its chart; on a phone, below it, and nothing
    # makes the page scroll sideways.
    page.set_viewport_size({"width": 1280, "height": 900})
    chart_box = bars.bounding_box()
    table_box = page.locator(".app-chart table").first.bounding_box()
    assert chart_box and table_box
    assert table_box["x"] >= chart_box["x"] + chart_box["width"], (chart_box, table_box)

    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than a 320px screen"
    for chart in (bars, lines):
        box = chart.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    table_box = page.locator(".app-chart table").first.bounding_box()
    chart_box = bars.bounding_box()
    assert table_box and chart_box and table_box["y"] >= chart_box["y"] + chart_box["height"]

    assert errors == []
