"""The needs-attention page: a fixed number of queries, filters that keep their values, pages,
and the coordinator's scope."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.domain import progress
from app.models import ApprenticeStatus, LogEntry, Role, Standard
from tests import builders
from tests.html_checks import text_of

URL = "/coordinator/needs-attention"
START = date(2026, 6, 1)


@pytest.fixture
def cohort(db_session):
    standard = builders.create_standard(db_session, min_otj_hours=10)
    return builders.create_cohort(db_session, name="Hackney 2026", standard=standard)


def add_people(db_session, cohort, count, *, prefix="Person", borough="Hackney", hours=False):
    """Active apprentices, red for want of approved hours (or on track with them), whose
    summaries are stored."""
    standard = db_session.get(Standard, cohort.standard_id)
    made = []
    for number in range(count):
        apprentice = builders.create_apprentice(
            db_session,
            cohort=cohort,
            standard=standard,
            borough=borough,
            name=f"{prefix} {number:02d}",
            status=ApprenticeStatus.ACTIVE,
            start_date=START,
        )
        if hours:
            db_session.add(
                LogEntry(
                    apprentice_id=apprentice.id,
                    entry_date=date(2026, 10, 1),
                    hours=Decimal(8),
                    activity_type="teaching",
                    description="Workshop",
                    status="approved",
                    submitted_at=datetime(2026, 10, 1, tzinfo=UTC),
                )
            )
        made.append(apprentice)
    db_session.commit()
    with_app = [apprentice.id for apprentice in made]
    progress.refresh_summaries(db_session, with_app)
    db_session.commit()
    return made


def listed(page) -> list[str]:
    return [row.select_one("td a").get_text(strip=True) for row in page.select("tbody tr")]


def selected(page, name) -> str:
    option = page.select_one(f"select#{name} option[selected]")
    return option["value"] if option is not None else ""


def test_the_coordinator_home_links_to_the_page(get_page, login_as):
    login_as(Role.COORDINATOR)
    page = get_page("/coordinator/")
    links = [a.get_text(strip=True) for a in page.select("main ul.govuk-list")[0].select("a")]
    assert links[:2] == ["Vacancies", "Needs attention"]
    assert page.select_one(f"a[href='{URL}']") is not None


def test_the_same_number_of_queries_for_3_and_60_apprentices(
    app, client, db_session, login_as, count_queries, get_page, cohort
):
    login_as(Role.COORDINATOR, borough="Hackney")
    add_people(db_session, cohort, 3, prefix="Early")
    client.get(URL)  # the first page of a session stores its CSRF token
    with count_queries() as few:
        assert client.get(URL).status_code == 200
    add_people(db_session, cohort, 57, prefix="Later")
    with count_queries() as many:
        assert client.get(URL).status_code == 200
    assert many.count == few.count
    page = get_page(f"{URL}?page=3")
    assert len(listed(page)) == 10
    assert "Showing 51 to 60 of 60 apprentices" in text_of(page)
    # Read from the stored summaries: no summary is recomputed by the page.
    records = re.compile(r"\b(from|join)\s+(log_entry|milestone|progress_review)\b")
    assert not [statement for statement in many.statements if records.search(statement.lower())]


def test_a_row_shows_the_colour_and_its_reasons(get_page, login_as, db_session, cohort):
    login_as(Role.COORDINATOR, borough="Hackney")
    (apprentice,) = add_people(db_session, cohort, 1, prefix="Hana")
    page = get_page(URL)
    (row,) = page.select("tbody tr")
    cells = [cell.get_text(" ", strip=True) for cell in row.select("td")]
    assert cells[0] == "Hana 00 Hackney 2026, Hackney"
    assert cells[1] == "Red"
    assert "0 of 2.5 off-the-job hours expected by now (0%)" in cells[2]
    assert "Progress review 95 days late" in cells[2]
    assert cells[3] == "24 August 2026 (overdue)"
    assert cells[4] == "None waiting"
    link = row.select_one("td a")["href"]
    assert link == f"/coordinator/apprentices/{apprentice.id}/progress"


def test_filters_keep_their_values_and_pages_keep_the_filters(
    get_page, login_as, db_session, cohort
):
    login_as(Role.COORDINATOR, borough="Hackney")
    add_people(db_session, cohort, 27, prefix="Red")
    add_people(db_session, cohort, 2, prefix="Fine", hours=True)  # on track: not listed
    other = builders.create_cohort(
        db_session, name="Second", standard=db_session.get(Standard, cohort.standard_id)
    )
    add_people(db_session, other, 1, prefix="Other")

    url = f"{URL}?colour=red&reason=hours&sort=name&cohort={cohort.id}"
    page = get_page(url)
    assert (selected(page, "colour"), selected(page, "reason"), selected(page, "sort")) == (
        "red",
        "hours",
        "name",
    )
    assert selected(page, "cohort") == str(cohort.id)
    assert page.select_one("select#borough") is None  # a borough's coordinator: their own
    assert listed(page)[:2] == ["Red 00", "Red 01"]
    assert "Showing 1 to 25 of 27 apprentices" in text_of(page)
    following = page.select_one(".govuk-pagination__next a")["href"]
    for kept in ("colour=red", "reason=hours", "sort=name", f"cohort={cohort.id}", "page=2"):
        assert kept in following
    second = get_page(following)
    assert listed(second) == ["Red 25", "Red 26"]
    assert selected(second, "colour") == "red"

    assert listed(get_page(f"{URL}?cohort={other.id}")) == ["Other 00"]
    assert listed(get_page(f"{URL}?colour=amber")) == []
    assert "No apprentices need attention with these filters." in text_of(
        get_page(f"{URL}?colour=amber")
    )


def test_odd_filter_values_are_ignored(get_page, login_as, db_session, cohort):
    login_as(Role.COORDINATOR, borough="Hackney")
    add_people(db_session, cohort, 2)
    page = get_page(f"{URL}?colour=purple&reason=%00&sort=x&cohort=abc&borough=%C2%B2&page=-1")
    assert listed(page) == ["Person 00", "Person 01"]


def test_the_borough_filter_is_offered_to_those_who_see_every_borough(
    get_page, login_as, db_session, cohort
):
    add_people(db_session, cohort, 1, prefix="Hackney")
    camden_cohort = builders.create_cohort(
        db_session, lead="Camden", standard=db_session.get(Standard, cohort.standard_id)
    )
    add_people(db_session, camden_cohort, 1, prefix="Camden", borough="Camden")
    login_as(Role.COORDINATOR, borough="Hackney", programme_wide=True)
    page = get_page(URL)
    assert page.select_one("select#borough") is not None
    assert sorted(listed(page)) == ["Camden 00", "Hackney 00"]
    camden = builders.get_borough(db_session, "Camden")
    page = get_page(f"{URL}?borough={camden.id}")
    assert listed(page) == ["Camden 00"]
    assert selected(page, "borough") == str(camden.id)


def test_a_borough_coordinator_sees_only_their_scope(get_page, login_as, db_session, cohort):
    add_people(db_session, cohort, 1, prefix="Hackney")
    camden_cohort = builders.create_cohort(
        db_session, lead="Camden", standard=db_session.get(Standard, cohort.standard_id)
    )
    add_people(db_session, camden_cohort, 1, prefix="Camden", borough="Camden")
    login_as(Role.COORDINATOR, borough="Camden")
    assert listed(get_page(URL)) == ["Camden 00"]
    # A borough's own coordinator cannot widen the list with a borough in the address.
    hackney = builders.get_borough(db_session, "Hackney")
    assert listed(get_page(f"{URL}?borough={hackney.id}")) == ["Camden 00"]


def test_nobody_needs_attention(get_page, login_as):
    login_as(Role.COORDINATOR, borough="Hackney")
    assert "No apprentices need attention." in text_of(get_page(URL))
