"""Structural checks run on every page a test fetches (after Notify admin's client_request)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import html5lib
from bs4 import BeautifulSoup

FOCUSABLE = {"input", "select", "textarea", "button"}


def check_page(response: Any) -> BeautifulSoup:
    assert response.mimetype == "text/html", response.mimetype
    text = response.get_data(as_text=True)
    check_html(text)
    return BeautifulSoup(text, "html.parser")


def check_html(text: str) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(text)
    except html5lib.html5parser.ParseError as error:
        raise AssertionError(f"not valid HTML5: {error}") from None
    page = BeautifulSoup(text, "html.parser")

    title = page.title.get_text(strip=True) if page.title else ""
    assert title, "the page has no title"

    ids = Counter(tag["id"] for tag in page.find_all(id=True))
    duplicates = [value for value, count in ids.items() if count > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"

    for form in page.find_all("form"):
        assert form.get("action"), f"a form has no action: {form.get('class')}"
        method = (form.get("method") or "get").lower()
        if method == "post":
            assert form.find("input", attrs={"name": "csrf_token"}), (
                f"POST form to {form['action']} has no CSRF token"
            )

    for link in page.select(".govuk-error-summary__list a"):
        target_id = link["href"].removeprefix("#")
        target = page.find(id=target_id)
        assert target is not None, f"error summary links to missing #{target_id}"
        focusable = target.name in FOCUSABLE or target.has_attr("tabindex")
        assert focusable, (
            f"error summary links to #{target_id}, a <{target.name}> that cannot take focus"
        )
    if page.select_one(".govuk-error-summary"):
        assert title.startswith("Error: "), "a page with errors must start its title with 'Error: '"


def text_of(page: BeautifulSoup) -> str:
    """The visible text of the main content, whitespace collapsed."""
    main = page.find("main") or page
    return " ".join(main.get_text(" ").split())


def error_messages(page: BeautifulSoup) -> list[str]:
    return [" ".join(a.get_text(" ").split()) for a in page.select(".govuk-error-summary__list li")]
