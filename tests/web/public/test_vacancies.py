"""Vacancies for residents: the list of open vacancies (filters, pagination, a fixed number of
queries), a vacancy's page (drafts not found, closed ones say so), the start page's short list,
and nothing anyone typed rendered unescaped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.models import Stage
from tests import builders
from tests.html_checks import check_page, text_of

TODAY = date(2026, 11, 27)
XSS = '<img src=x onerror="alert(1)">'


def titles(page) -> list[str]:
    return [link.get_text(strip=True) for link in page.select("main h3 a")]


def summary(block) -> dict[str, str]:
    return {
        row.select_one("dt").get_text(strip=True): " ".join(row.select_one("dd").get_text().split())
        for row in block.select(".govuk-summary-list__row")
    }


# The list


def test_the_list_shows_open_vacancies_only_with_their_key_facts(get_page, db_session):
    standard = builders.create_standard(db_session, title="Data analyst", level=4)
    cohort = builders.create_cohort(
        db_session, lead="Camden", standard=standard, start_date=date(2027, 3, 1)
    )
    builders.create_vacancy(
        db_session,
        borough="Camden",
        cohort=cohort,
        title="Data apprentice",
        closing_date=date(2027, 1, 15),
    )
    builders.create_vacancy(db_session, title="Developer apprentice", closing_date=date(2027, 2, 1))
    builders.create_vacancy(db_session, title="A draft", published=False)
    builders.create_vacancy(db_session, title="Closed yesterday", closing_date=TODAY - timedelta(1))
    filled = builders.create_vacancy(db_session, title="All filled", positions=1)
    builders.create_application(db_session, filled, stage=Stage.HIRED)

    page = get_page("/vacancies")
    assert titles(page) == ["Data apprentice", "Developer apprentice"]
    assert "2 open vacancies" in text_of(page)
    first = summary(page.select_one("main dl"))
    assert first == {
        "Borough": "Camden",
        "Apprenticeship": "Data analyst (level 4)",
        "Pay": "£13.85 an hour",
        "Closing date": "15 January 2027",
    }
    link = page.select_one("main h3 a")
    assert link["href"].startswith("/vacancies/")


def test_no_open_vacancies(get_page, db_session):
    builders.create_vacancy(db_session, published=False)
    text = text_of(get_page("/vacancies"))
    assert "There are no open vacancies at the moment." in text
    assert "0 open vacancies" in text


def test_the_list_filters_by_borough_and_standard(get_page, db_session):
    analyst = builders.create_standard(db_session, title="Data analyst", level=4)
    analysts = builders.create_cohort(
        db_session, lead="Camden", standard=analyst, start_date=date(2027, 3, 1)
    )
    builders.create_vacancy(db_session, borough="Camden", cohort=analysts, title="Camden data")
    builders.create_vacancy(db_session, borough="Hackney", title="Hackney developer")
    camden = builders.get_borough(db_session, "Camden")

    page = get_page(f"/vacancies?borough={camden.id}")
    assert titles(page) == ["Camden data"]
    assert page.select_one(f"#borough option[value='{camden.id}']").has_attr("selected")
    assert titles(get_page(f"/vacancies?standard={analyst.id}")) == ["Camden data"]
    hackney = builders.get_borough(db_session, "Hackney")
    page = get_page(f"/vacancies?borough={hackney.id}&standard={analyst.id}")
    assert titles(page) == []
    assert "There are no open vacancies that match your filters." in text_of(page)
    # Nonsense filters are ignored rather than failing.
    for query in ("borough=abc", "standard=99999999999999999999", "borough=%00&page=-1"):
        assert len(titles(get_page(f"/vacancies?{query}"))) == 2, query


def test_the_list_paginates_in_a_fixed_number_of_queries(
    client, get_page, db_session, count_queries
):
    cohort = builders.create_cohort(db_session, start_date=date(2027, 3, 1))
    boroughs = ["Hackney", "Camden", "Islington"]

    def add_vacancies(numbers) -> None:
        for number in numbers:
            vacancy = builders.create_vacancy(
                db_session,
                borough=boroughs[number % 3],
                cohort=cohort,
                title=f"Vacancy {number:02d}",
                closing_date=date(2027, 1, 1) + timedelta(days=number),
                positions=2,
            )
            builders.create_application(db_session, vacancy, stage=Stage.HIRED)

    add_vacancies(range(2))
    client.get("/vacancies")
    with count_queries() as few:
        assert client.get("/vacancies").status_code == 200
    add_vacancies(range(2, 40))
    with count_queries() as many:
        assert client.get("/vacancies").status_code == 200
    assert many.count == few.count
    page = get_page("/vacancies?page=2")
    assert len(titles(page)) == 15
    assert "Showing 26 to 40 of 40 vacancies" in text_of(page)
    # A filter narrows the count too.
    camden = builders.get_borough(db_session, "Camden")
    page = get_page(f"/vacancies?borough={camden.id}")
    assert len(titles(page)) == 13


# A vacancy's page


def test_an_open_vacancy_says_who_can_apply_and_offers_to_start(get_page, db_session):
    vacancy = builders.create_vacancy(db_session, title="Developer apprentice")
    page = get_page(f"/vacancies/{vacancy.id}")
    text = text_of(page)
    assert page.select_one("h1").get_text(strip=True) == "Developer apprentice"
    assert "You can apply if you: live in Hackney, or went to a secondary school or college" in text
    assert "are a care leaver supported by Hackney" in text
    assert "You must also: be 16 or older on 1 March 2027, when the apprenticeship starts" in text
    assert "have the right to work in the UK" in text
    assert "Closing date 31 January 2027" in text
    assert "Apply by the end of 31 January 2027" in text
    start = page.select_one("a.govuk-button--start")
    assert start["href"] == f"/vacancies/{vacancy.id}/apply"
    assert "This vacancy has closed" not in text


@pytest.mark.parametrize("why", ["closing date passed", "positions filled"])
def test_a_closed_vacancy_says_so_and_offers_no_way_to_apply(get_page, db_session, why):
    if why == "closing date passed":
        vacancy = builders.create_vacancy(db_session, closing_date=TODAY - timedelta(days=1))
    else:
        vacancy = builders.create_vacancy(db_session, positions=2)
        for _ in range(2):
            builders.create_application(db_session, vacancy, stage=Stage.HIRED)
    page = get_page(f"/vacancies/{vacancy.id}")
    assert "This vacancy has closed." in text_of(page)
    assert page.select_one("a.govuk-button--start") is None
    assert page.select_one(f"a[href='/vacancies/{vacancy.id}/apply']") is None


def test_a_draft_or_missing_vacancy_is_not_found(client, db_session):
    draft = builders.create_vacancy(db_session, published=False)
    for url in (f"/vacancies/{draft.id}", "/vacancies/999999"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in check_page(response).get_text()


def test_the_vacancy_page_runs_a_fixed_number_of_queries(client, db_session, count_queries):
    vacancy = builders.create_vacancy(db_session)
    client.get(f"/vacancies/{vacancy.id}")
    with count_queries() as log:
        assert client.get(f"/vacancies/{vacancy.id}").status_code == 200
    assert log.count <= 5, log.statements


# The start page


def test_the_start_page_lists_up_to_five_open_vacancies(get_page, db_session):
    assert "There are no open vacancies at the moment." in text_of(get_page("/"))
    cohort = builders.create_cohort(db_session, start_date=date(2027, 3, 1))
    for number in range(7):
        builders.create_vacancy(
            db_session,
            cohort=cohort,
            title=f"Vacancy {number}",
            closing_date=date(2027, 1, 1) + timedelta(days=number),
        )
    builders.create_vacancy(db_session, cohort=cohort, title="Draft", published=False)
    page = get_page("/")
    assert titles(page) == [f"Vacancy {number}" for number in range(5)]
    assert page.select_one("main a[href='/vacancies']") is not None


# Nothing typed is rendered unescaped


def test_markup_in_a_vacancy_is_shown_escaped_everywhere(client, db_session):
    vacancy = builders.create_vacancy(db_session, title=XSS)
    vacancy.description = f"First paragraph\n\n{XSS}\nsecond line"
    db_session.commit()
    for url in ("/", "/vacancies", f"/vacancies/{vacancy.id}"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert XSS not in html, url
        assert "&lt;img src=x" in html, url
        page = check_page(response)
        assert page.select("main img") == [], url
    page = check_page(client.get(f"/vacancies/{vacancy.id}"))
    paragraphs = [p.get_text() for p in page.select("main p.govuk-body")]
    assert "First paragraph" in paragraphs
    assert f"{XSS}second line" in paragraphs
