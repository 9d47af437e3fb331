"""The report pages: who may see them, what a borough lead sees of other boroughs (under
disclosure control) and of their own (exact), that no person is ever shown, that the CSV
download is the table on the page and is audited, a fixed number of queries whatever the data
size, bad filters answered with a GOV.UK error or the default (never a 500), and that every
report is linked from the lead's home (so the browser crawl reaches each one)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from app.domain.disclosure import FOOTNOTE, SUPPRESSED
from app.models import (
    ApprenticeStatus,
    AuditEvent,
    Borough,
    EqualityMonitoring,
    Role,
)
from tests import builders
from tests.conftest import sign_in_client
from tests.html_checks import check_page, error_messages, text_of

PAGES = {
    "/reports/": "/reports/overview/csv",
    "/reports/comparison": "/reports/comparison/csv",
    "/reports/trends": "/reports/trends/csv",
    "/reports/recruitment": "/reports/recruitment/csv",
    "/reports/progression": "/reports/progression/csv",
    "/reports/outcomes": "/reports/outcomes/csv",
    "/reports/equality": "/reports/equality/csv",
}
PROGRAMME_WIDE = "programme-wide"
HACKNEY_PEOPLE = 12
CAMDEN_PEOPLE = 3
ROUNDED_OR_HIDDEN = re.compile(r"0|\d*[05]|\[c\]|–|\d+%")


def sign_in(login_as, viewer, borough="Hackney"):
    if viewer == PROGRAMME_WIDE:
        return login_as(Role.COORDINATOR, borough=borough, programme_wide=True)
    return login_as(viewer, borough=borough)


def add_people(db_session, borough: str, count: int, *, start: int = 0) -> None:
    """`count` active apprentices who started in September 2026, and as many applications
    made in November 2026, each with equality answers, in the borough."""
    standard = builders.create_standard(db_session)
    cohort = builders.create_cohort(db_session, lead=borough, standard=standard)
    vacancy = builders.create_vacancy(db_session, borough=borough, cohort=cohort)
    for number in range(start, start + count):
        builders.create_apprentice(
            db_session,
            borough=borough,
            cohort=cohort,
            status=ApprenticeStatus.ACTIVE,
            start_date=date(2026, 9, 1),
            name=f"Apprentice {borough} Person{number}",
        )
        application = builders.create_application(
            db_session,
            vacancy,
            name=f"Applicant {borough} Person{number}",
            email=f"applicant.{borough.lower()}.{number}@example.org",
            residence=borough,
        )
        db_session.add(
            EqualityMonitoring(
                application_id=application.id,
                gender="woman",
                ethnic_group="asian_indian",
                disability="no",
                care_experience="yes",
            )
        )
    db_session.commit()


@pytest.fixture
def people(db_session):
    """Twelve people in Hackney, three in Camden (a partner borough)."""
    add_people(db_session, "Hackney", HACKNEY_PEOPLE)
    add_people(db_session, "Camden", CAMDEN_PEOPLE)
    db_session.execute(update(Borough).where(Borough.name == "Camden").values(is_partner=True))
    db_session.commit()
    return {
        name: db_session.scalar(select(Borough.id).where(Borough.name == name))
        for name in ("Hackney", "Camden")
    }


def table(page, selector: str) -> list[list[str]]:
    """A table's rows as shown: each row's heading cell, then its cells."""
    found = page.select_one(selector)
    assert found is not None, selector
    rows = []
    for row in found.select("tr"):
        rows.append([" ".join(cell.get_text(" ").split()) for cell in row.select("th, td")])
    return rows


def row_named(rows: list[list[str]], name: str) -> list[str]:
    matches = [row for row in rows if row[0].removesuffix(" (your borough)") == name]
    assert len(matches) == 1, (name, rows)
    return matches[0]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


# Who may see the reports


@pytest.mark.parametrize(
    "viewer", [Role.BOROUGH_LEAD, Role.COORDINATOR, Role.ADMIN, PROGRAMME_WIDE]
)
def test_every_report_renders_with_a_chart_a_table_and_a_download(
    client, login_as, get_page, people, viewer
):
    sign_in(login_as, viewer)
    for url, download in PAGES.items():
        page = get_page(url)
        charts = page.select(".app-chart svg[role=img]")
        assert charts, url
        for chart in charts:
            assert chart.find("title").get_text() and chart.find("desc").get_text()
        assert page.select(".app-chart table.govuk-table"), url
        link = page.select_one("a[download]")
        assert urlsplit(link["href"]).path == download
        assert page.select_one("form[method=get]") is not None
        response = client.get(download)
        assert response.status_code == 200 and response.mimetype == "text/csv", download


@pytest.mark.parametrize("role", [Role.APPRENTICE, Role.MENTOR])
def test_apprentices_and_mentors_are_refused(client, login_as, role):
    login_as(role)
    for url, download in PAGES.items():
        assert client.get(url).status_code == 403, url
        assert client.get(download).status_code == 403, download


def test_signed_out_visitors_are_sent_to_sign_in(client, db_session):
    for url in [*PAGES, *PAGES.values()]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/sign-in?next=")


# What a borough lead sees


def test_a_lead_sees_their_own_borough_exactly_and_others_under_control(
    client, login_as, get_page, people
):
    sign_in(login_as, Role.BOROUGH_LEAD)
    page = get_page("/reports/comparison")
    rows = table(page, "#comparison")
    assert rows[0][:3] == ["Borough", "Applications", "Hires"]
    hackney, camden = row_named(rows, "Hackney"), row_named(rows, "Camden")
    # Applications, hires, starts, active.
    assert hackney[1:5] == ["12", "0", "12", "12"]
    assert camden[1:5] == [SUPPRESSED, "0", SUPPRESSED, SUPPRESSED]
    london = row_named(rows, "London")
    assert london[1] == SUPPRESSED  # London less Hackney would give Camden away
    assert FOOTNOTE in text_of(page)
    assert [row[0] for row in rows[1:]] == ["Camden", "Hackney (your borough)", "London"]

    # The overview, trends and every figure page of Camden: nothing exact.
    overview = table(get_page(f"/reports/?area={people['Camden']}"), ".app-chart table")
    assert overview[0] == ["Figure", "Camden", "London"]
    assert row_named(overview, "Applications")[1:] == [SUPPRESSED, SUPPRESSED]
    assert row_named(overview, "Active")[1:] == [SUPPRESSED, SUPPRESSED]
    trends = table(get_page(f"/reports/trends?area={people['Camden']}"), ".app-chart table")
    assert row_named(trends, "Q2 2026-27")[1] == SUPPRESSED
    own = table(get_page("/reports/trends"), ".app-chart table")
    assert row_named(own, "Q2 2026-27")[1] == "12"

    # The CSV file shows what the page shows.
    exported = read_csv(client.get("/reports/comparison/csv"))
    assert row_named(exported, "Camden")[1] == SUPPRESSED
    assert row_named(exported, "Hackney")[1] == "12"
    assert exported[-1] == [FOOTNOTE]


def test_a_lead_never_sees_another_boroughs_small_counts_on_any_page(
    client, login_as, get_page, people
):
    sign_in(login_as, Role.BOROUGH_LEAD)
    camden = people["Camden"]
    for url in PAGES:
        page = get_page(f"{url}?area={camden}&group=partners")
        for caption in page.select(".app-chart table caption, #comparison caption"):
            found = caption.find_parent("table")
            for row in found.select("tbody tr"):
                name = row.select_one("th").get_text(" ", strip=True)
                if name.startswith("Hackney"):
                    continue
                for cell in row.select("td"):
                    text = cell.get_text(strip=True)
                    assert text not in {"1", "2", "3", "4", "6", "7"}, (url, name, text)
                    assert ROUNDED_OR_HIDDEN.fullmatch(text), (url, name, text)


def test_admins_and_programme_wide_coordinators_see_every_borough_exactly(
    login_as, get_page, people
):
    sign_in(login_as, PROGRAMME_WIDE)
    rows = table(get_page("/reports/comparison?group=all"), "#comparison")
    assert row_named(rows, "Camden")[1] == "3"
    assert row_named(rows, "London")[1] == "15"
    assert len(rows) == 1 + 33 + 1  # the heading, every borough, London
    assert "[c] means" not in text_of(get_page("/reports/comparison?group=all"))


def test_a_coordinator_sees_their_own_borough_only(login_as, get_page, people):
    login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page("/reports/comparison?group=all")
    rows = table(page, "#comparison")
    assert [row[0] for row in rows[1:]] == ["Hackney"]
    assert page.select_one("select[name=group]") is None
    assert page.select_one("select[name=area]") is None
    overview = table(get_page(f"/reports/?area={people['Camden']}"), ".app-chart table")
    assert overview[0] == ["Figure", "Hackney"]  # another borough is not on offer
    assert row_named(overview, "Applications")[1] == "12"


def test_no_persons_name_or_answers_appear_on_any_report(client, login_as, get_page, people):
    for viewer in (Role.BOROUGH_LEAD, Role.ADMIN):
        sign_in(login_as, viewer)
        for url, download in PAGES.items():
            for area in ("", f"&area={people['Hackney']}", "&area=london"):
                text = text_of(get_page(f"{url}?question=ethnic_group{area}"))
                assert "Person" not in text and "example.org" not in text, url
                assert "Indian" not in text, url  # answers only in their broad groups
            assert "Person" not in client.get(download).get_data(as_text=True)


def test_equality_breakdowns_are_aggregates_under_control_even_for_the_own_borough(
    client, login_as, get_page, people
):
    sign_in(login_as, Role.BOROUGH_LEAD)
    page = get_page("/reports/equality?question=gender")
    rows = table(page, ".app-chart table")
    assert rows[0] == ["Gender", "Applicants", "Hires", "Completers"]
    woman = row_named(rows, "Woman")
    assert woman[1] != "12" and woman[1] in {"10", SUPPRESSED}  # rounded or withheld
    for row in rows[1:]:
        for cell in row[1:]:
            assert ROUNDED_OR_HIDDEN.fullmatch(cell), row
    assert "always under disclosure control" in text_of(page)
    admin_rows = table(get_page("/reports/equality?question=gender&area=london"), "table")
    assert all(ROUNDED_OR_HIDDEN.fullmatch(cell) for row in admin_rows[1:] for cell in row[1:])


# The CSV download


@pytest.mark.parametrize("url", list(PAGES))
def test_the_download_is_the_table_on_the_page_and_is_audited(
    client, login_as, get_page, db_session, people, url
):
    lead = sign_in(login_as, Role.BOROUGH_LEAD)
    query = "?period=2026-27&question=gender"
    page = get_page(url + query)
    exported = read_csv(client.get(PAGES[url] + query))
    if exported[-1] == [FOOTNOTE]:
        exported.pop()
        assert page.select_one("#footnote").get_text(strip=True) == FOOTNOTE
    if url == "/reports/comparison":
        shown = table(page, "#comparison")
        shown = [[cell.removesuffix(" (your borough)") for cell in row] for row in shown]
        assert exported == shown
    else:
        tables = page.select(".app-chart table")
        if len(tables) == 1:
            assert exported == table(page, ".app-chart table")
        else:
            expected = []
            for found in tables:
                caption = found.select_one("caption").get_text(" ", strip=True)
                rows = [
                    [" ".join(cell.get_text(" ").split()) for cell in row.select("th, td")]
                    for row in found.select("tr")
                ]
                expected.extend([caption, *row] for row in rows[1:])
            assert exported[0] == ["Table", *table(page, ".app-chart table")[0]]
            assert exported[1:] == expected
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "exported")).one()
    assert event.actor_user_id == lead.id
    assert event.target_type.startswith("report_")


def test_a_download_keeps_the_filters(client, login_as, get_page, people):
    sign_in(login_as, Role.ADMIN)
    page = get_page(f"/reports/?period=2025-26&area={people['Camden']}")
    href = page.select_one("a[download]")["href"]
    assert "period=2025-26" in href and f"area={people['Camden']}" in href
    exported = read_csv(client.get(href))
    assert exported[0] == ["Table", "Figure", "Camden", "London"]
    assert row_named([row[1:] for row in exported[1:]], "Applications")[1:] == ["0", "0"]


# A fixed number of queries


@pytest.mark.parametrize("url", list(PAGES))
def test_each_report_runs_a_fixed_number_of_queries(
    client, login_as, db_session, count_queries, url
):
    sign_in(login_as, Role.BOROUGH_LEAD)
    add_people(db_session, "Hackney", 2)
    add_people(db_session, "Camden", 1)
    client.get(url)  # the first page of a session stores its CSRF token
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add_people(db_session, "Hackney", 20, start=2)
    add_people(db_session, "Islington", 9)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count


# Bad filters


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("/reports/?period=2019-20", "period", "Select a period from the list"),
        ("/reports/?period=2026-27-q4", "period", "Select a period from the list"),  # not begun
        ("/reports/?period=%3Cscript%3E", "period", "Select a period from the list"),
        ("/reports/?area=999999", "area", "Select an area from the list"),
        ("/reports/recruitment?area=camden", "area", "Select an area from the list"),
        ("/reports/trends?area=", "area", "Select an area from the list"),
        ("/reports/comparison?group=everyone", "group", "Select a group of boroughs from the list"),
        ("/reports/equality?period=2026-27-q1", "period", "Select a financial year from the list"),
        ("/reports/equality?question=religion", "question", "Select a question from the list"),
        ("/reports/outcomes?period=2026-27&period=x", None, None),  # the first value counts
        ("/reports/comparison?sort=password&order=sideways", None, None),
        ("/reports/progression?unknown=1", None, None),
    ],
)
def test_bad_filters_give_a_govuk_error_or_the_default(
    client, login_as, people, url, field, message
):
    sign_in(login_as, Role.BOROUGH_LEAD)
    response = client.get(url)
    assert response.status_code == 200
    page = check_page(response)
    if message is None:
        assert not error_messages(page)
    else:
        assert error_messages(page) == [message]
        assert page.title.get_text().startswith("Error: ")
        link = page.select_one(".govuk-error-summary__list a")
        assert link["href"] == f"#{field}"
        # The page shows the default figures: the current financial year, the own borough.
    assert "Figures for April 2026 to March 2027" in text_of(page) or "trends" in url


def test_the_comparison_sorts_by_a_column_from_the_url(login_as, get_page, db_session, people):
    add_people(db_session, "Islington", 20)
    db_session.execute(update(Borough).where(Borough.name == "Islington").values(is_partner=True))
    db_session.commit()
    sign_in(login_as, Role.ADMIN)

    def order(query: str) -> list[str]:
        rows = table(get_page(f"/reports/comparison?{query}"), "#comparison")
        return [row[0].removesuffix(" (your borough)") for row in rows[1:]]

    assert order("") == ["Camden", "Hackney", "Islington", "London"]
    assert order("sort=applications") == ["Islington", "Hackney", "Camden", "London"]
    assert order("sort=applications&order=asc") == ["Camden", "Hackney", "Islington", "London"]
    assert order("sort=name&order=desc") == ["Islington", "Hackney", "Camden", "London"]
    page = get_page("/reports/comparison?sort=applications")
    heading = page.select_one("#comparison th[aria-sort]")
    assert heading["aria-sort"] == "descending"
    assert heading.get_text(strip=True) == "Applications"
    # The sorted figure is the one charted, in the same order.
    chart_rows = table(page, ".app-chart table")
    assert chart_rows[0] == ["Borough", "Applications"]
    assert [row[0] for row in chart_rows[1:]] == ["Islington", "Hackney", "Camden", "London"]
    # Choosing the heading again reverses the order; the filters stay in the link.
    href = heading.select_one("a")["href"]
    assert "order=asc" in href and "sort=applications" in href


# Reachable by links from the lead's home


def test_every_report_is_linked_from_the_leads_home(login_as, get_page, people):
    sign_in(login_as, Role.BOROUGH_LEAD)
    page = get_page("/reports/")
    assert page.select_one("h1").get_text(strip=True) == "Overview"
    linked = {urlsplit(a["href"]).path for a in page.select("nav[aria-label=Reports] a")}
    assert linked == set(PAGES)
    current = page.select_one("nav[aria-label=Reports] a[aria-current=page]")
    assert current.get_text(strip=True) == "Overview"
    # The downloads are marked as downloads, which the browser crawl leaves alone.
    for link in page.select("a[href*='/csv']"):
        assert link.has_attr("download")


def test_the_lead_home_is_their_borough_with_london_beside_it(login_as, get_page, people):
    sign_in(login_as, Role.BOROUGH_LEAD)
    rows = table(get_page("/reports/"), ".app-chart table")
    assert rows[0] == ["Figure", "Hackney", "London"]
    assert row_named(rows, "Starts")[1] == "12"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([Role.COORDINATOR], ["Coordinator", "Reports"]),
        ([Role.ADMIN], ["Administration", "Reports"]),
        ([Role.BOROUGH_LEAD], ["Reports"]),
        ([Role.COORDINATOR, Role.BOROUGH_LEAD], ["Coordinator", "Reports"]),
        ([Role.MENTOR], ["Mentees"]),
    ],
)
def test_the_navigation_leads_to_the_reports_once_for_everyone_who_may_see_them(
    app, client, db_session, get_page, roles, expected
):
    user = builders.create_user(db_session, roles=roles)
    db_session.commit()
    sign_in_client(app, client, user)
    links = get_page("/").select(".govuk-service-navigation__link")
    places = [a.get_text(strip=True) for a in links if a.get("href", "").rstrip("/") != ""]
    assert [place for place in places if place in {*expected, "Reports"}] == expected
