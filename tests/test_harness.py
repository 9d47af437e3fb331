"""The harness itself: its page checks catch what they claim to, and CI never skips quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.html_checks import check_html

ROOT = Path(__file__).resolve().parent.parent
PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body>{body}</body></html>'
)


def page(body: str, title: str = "A page") -> str:
    return PAGE.format(title=title, body=body)


def test_a_good_page_passes():
    check_html(
        page(
            '<form method="post" action="/x"><input type="hidden" name="csrf_token" value="t">'
            '<input id="name" name="name"></form>'
        )
    )


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        (page("<p>one</p>", title=""), "no title"),
        (page('<p id="a"></p><p id="a"></p>'), "duplicate ids"),
        (page('<form method="post"><input name="x"></form>'), "has no action"),
        (page('<form method="post" action="/x"><input name="x"></form>'), "no CSRF token"),
        (page("<p>a stray end tag</span></p>"), "not valid HTML5"),
        (
            page(
                '<div class="govuk-error-summary"><ul class="govuk-error-summary__list">'
                '<li><a href="#start">Enter a date</a></li></ul></div><div id="start"></div>',
                title="Error: Dates",
            ),
            "cannot take focus",
        ),
        (
            page(
                '<div class="govuk-error-summary"><ul class="govuk-error-summary__list">'
                '<li><a href="#name">Enter a name</a></li></ul></div><input id="name">'
            ),
            "must start its title with 'Error: '",
        ),
    ],
)
def test_page_checks_catch_problems(html, problem):
    with pytest.raises(AssertionError, match=problem):
        check_html(html)


def run_one_database_test(**env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_sessions.py::test_visitors_who_fill_in_nothing_get_no_session",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:9/test"


def test_database_tests_skip_with_a_reason_when_postgresql_is_missing():
    result = run_one_database_test(CI="", TEST_DATABASE_URL=UNREACHABLE)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout


def test_under_ci_a_skipped_database_test_fails_the_run():
    result = run_one_database_test(CI="true", TEST_DATABASE_URL=UNREACHABLE)
    assert result.returncode == 1, result.stdout
    assert "Skipped under CI=true, which counts as a failure" in result.stdout
    assert "is not answering" in result.stdout
