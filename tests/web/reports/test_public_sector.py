"""The public-sector return, headcount and scaling pages: who may see and change what, other
boroughs under disclosure control, the audited CSV in the return's shape, invalid input kept
with a GOV.UK error, a stale headcount edit answered 409, and a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select, update

from app.models import ApprenticeStatus, AuditEvent, Borough, BoroughHeadcount, Role
from tests import builders
from tests.html_checks import check_page, error_messages, text_of

RETURN = "/reports/public-sector-return"
HEADCOUNT = "/reports/headcount"
SCALING = "/reports/scaling"


def add(db_session, borough: str, count: int, start: date = date(2026, 5, 1)) -> None:
    cohort = builders.create_cohort(db_session, lead=borough)
    for _ in range(count):
        builders.create_apprentice(
            db_session,
            borough=borough,
            cohort=cohort,
            status=ApprenticeStatus.ACTIVE,
            start_date=start,
        )


@pytest.fixture
def boroughs(db_session):
    """Hackney: 2 starts in 2026-27 and a headcount of 1,000; Camden (a partner): 12 starts
    and a headcount of 400."""
    add(db_session, "Hackney", 2)
    add(db_session, "Camden", 12)
    ids = {name: builders.get_borough(db_session, name).id for name in ("Hackney", "Camden")}
    db_session.execute(update(Borough).where(Borough.name == "Camden").values(is_partner=True))
    db_session.add_all(
        [
            BoroughHeadcount(borough_id=ids["Hackney"], financial_year=2026, headcount=1000),
            BoroughHeadcount(borough_id=ids["Camden"], financial_year=2026, headcount=400),
        ]
    )
    db_session.commit()
    return ids


def rows_of(page, selector: str) -> dict[str, list[str]]:
    rows = {}
    for row in page.select(f"{selector} tbody tr"):
        cells = [" ".join(cell.get_text(" ").split()) for cell in row.select("th, td")]
        rows[cells[0]] = cells[1:]
    return rows


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


# The return


def test_a_lead_sees_their_borough_exactly_and_others_under_control(login_as, get_page, boroughs):
    login_as(Role.BOROUGH_LEAD)
    page = get_page(RETURN)
    rows = rows_of(page, ".app-chart__table")
    assert rows["Hackney"] == ["2", "2", "1,000", "0.20%"]
    assert rows["Camden"] == ["10", "10", "400", "2.50%"]  # 12 rounded; 10 / 400
    assert "London" in rows
    chart = page.select_one("svg#chart-public-sector-return")
    assert chart.select_one("line.app-chart__reference") is not None
    assert "Former public-sector target: 2.3% of headcount" in chart.get_text()
    # Leads do not record headcount.
    assert page.find("a", string="Record headcount") is None


def test_an_admin_sees_every_borough_exactly(login_as, get_page, boroughs):
    login_as(Role.ADMIN)
    rows = rows_of(get_page(f"{RETURN}?group=all"), ".app-chart__table")
    assert rows["Camden"] == ["12", "12", "400", "3.00%"]
    assert rows["Westminster"] == ["0", "0", "–", "–"]


def test_a_coordinator_sees_only_their_own_borough(login_as, get_page, boroughs):
    login_as(Role.COORDINATOR)
    page = get_page(RETURN)
    assert list(rows_of(page, ".app-chart__table")) == ["Hackney"]
    assert page.find("a", string="Record headcount")["href"] == HEADCOUNT


@pytest.mark.parametrize("role", [Role.APPRENTICE, Role.MENTOR])
def test_apprentices_and_mentors_are_refused(client, login_as, role):
    login_as(role)
    for url in (RETURN, f"{RETURN}/csv", HEADCOUNT, SCALING):
        assert client.get(url).status_code == 403


def test_the_csv_is_the_return_for_every_year_and_is_audited(
    client, login_as, db_session, boroughs
):
    lead = login_as(Role.BOROUGH_LEAD)
    rows = read_csv(client.get(f"{RETURN}/csv?period=2026-27"))
    assert rows[0] == [
        "Organisation",
        "ONS code",
        "Financial year",
        "Period start",
        "Period end",
        "Headcount",
        "New apprentice starts in the period",
        "Total apprentices in the period",
        "Starts as a percentage of headcount",
        "Figures",
    ]
    by_key = {(row[0], row[2]): row for row in rows[1:] if len(row) > 1}
    assert by_key["Hackney", "2026-27"] == [
        "Hackney",
        "E09000012",
        "2026-27",
        "2026-04-01",
        "2027-03-31",
        "1000",
        "2",
        "2",
        "0.2",
        "Exact",
    ]
    assert by_key["Camden", "2026-27"][5:] == ["400", "10", "10", "2.5", "Under disclosure control"]
    assert by_key["Camden", "2022-23"][5:9] == ["", "0", "0", ""]
    assert {year for _, year in by_key} == {"2022-23", "2023-24", "2024-25", "2025-26", "2026-27"}
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "exported")).one()
    assert (event.actor_user_id, event.target_type) == (lead.id, "report_public_sector_return")


def test_the_return_runs_a_fixed_number_of_queries(client, login_as, db_session, count_queries):
    login_as(Role.BOROUGH_LEAD)
    client.get(RETURN)  # the first page of a session stores its CSRF token
    counts = []
    for size in (2, 30):
        add(db_session, "Camden", size)
        with count_queries() as log:
            assert client.get(RETURN).status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1]


def test_the_return_and_the_projection_are_linked_from_the_reports_home(login_as, get_page):
    login_as(Role.BOROUGH_LEAD)
    page = get_page("/reports/")
    links = {a["href"] for a in page.select("nav[aria-label='Returns and planning'] a")}
    assert links == {RETURN, SCALING}


# Recording headcount


def test_a_coordinator_records_their_boroughs_headcount(
    client, login_as, get_page, post_form, db_session
):
    login_as(Role.COORDINATOR)
    hackney = builders.get_borough(db_session, "Hackney").id
    url = f"{HEADCOUNT}?borough={hackney}&year=2025-26"
    page = get_page(url)
    assert "Hackney, 2025-26" in text_of(page)
    response = post_form(url, {"headcount": "2,345", "row_version": ""})
    assert response.status_code == 302
    saved = db_session.scalars(select(BoroughHeadcount)).one()
    assert (saved.borough_id, saved.financial_year, saved.headcount) == (hackney, 2025, 2345)
    page = check_page(client.get(response.location))
    assert "Headcount for Hackney, 2025-26, saved" in text_of(page)
    assert page.select_one("input[name=headcount]")["value"] == "2345"
    assert rows_of(page, "#headcounts")["Hackney"][1].startswith("2,345")


def test_a_coordinator_cannot_record_another_boroughs_headcount(
    login_as, get_page, post_form, db_session
):
    login_as(Role.COORDINATOR)
    camden = builders.get_borough(db_session, "Camden").id
    response = post_form(f"{HEADCOUNT}?borough={camden}&year=2025-26", {"headcount": "900"})
    assert response.status_code == 404
    assert db_session.scalars(select(BoroughHeadcount)).all() == []
    # Asking for another borough's page shows their own instead.
    page = get_page(f"{HEADCOUNT}?borough={camden}&year=2025-26")
    assert "Hackney, 2025-26" in text_of(page)
    assert list(rows_of(page, "#headcounts")) == ["Hackney"]


def test_an_admin_records_any_boroughs_headcount(login_as, post_form, db_session):
    login_as(Role.ADMIN)
    camden = builders.get_borough(db_session, "Camden").id
    response = post_form(f"{HEADCOUNT}?borough={camden}&year=2026-27", {"headcount": "900"})
    assert response.status_code == 302
    assert db_session.scalars(select(BoroughHeadcount.headcount)).all() == [900]


def test_a_lead_may_not_record_headcount(client, login_as):
    login_as(Role.BOROUGH_LEAD)
    assert client.get(HEADCOUNT).status_code == 403


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the headcount"),
        ("0", "Headcount must be between 1 and 1,000,000"),
        ("-3", "Headcount must be between 1 and 1,000,000"),
        ("lots", "Headcount must be a whole number"),
        ("12.5", "Headcount must be a whole number"),
    ],
)
def test_invalid_headcount_is_refused_and_kept(login_as, post_form, db_session, typed, message):
    login_as(Role.COORDINATOR)
    response = post_form(f"{HEADCOUNT}?year=2025-26", {"headcount": typed, "row_version": ""})
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [message]
    assert page.select_one("input[name=headcount]")["value"] == typed
    assert db_session.scalars(select(BoroughHeadcount)).all() == []


def test_a_year_not_offered_is_not_found(login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    response = post_form(f"{HEADCOUNT}?year=2019-20", {"headcount": "100", "row_version": ""})
    assert response.status_code == 404
    assert db_session.scalars(select(BoroughHeadcount)).all() == []


def test_a_stale_headcount_edit_gets_409_and_keeps_what_was_typed(
    login_as, get_page, post_form, db_session
):
    login_as(Role.COORDINATOR)
    hackney = builders.get_borough(db_session, "Hackney").id
    db_session.add(BoroughHeadcount(borough_id=hackney, financial_year=2025, headcount=2000))
    db_session.commit()
    url = f"{HEADCOUNT}?borough={hackney}&year=2025-26"
    form = get_page(url)
    version = form.select_one("input[name=row_version]")["value"]
    assert version == "1"
    # Someone else saves first.
    assert post_form(url, {"headcount": "2100", "row_version": version}).status_code == 302
    response = post_form(url, {"headcount": "2200", "row_version": version})
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in text_of(page)
    assert "The headcount recorded now is 2,100" in text_of(page)
    assert page.select_one("input[name=headcount]")["value"] == "2200"
    assert page.select_one("input[name=row_version]")["value"] == "2"
    assert db_session.scalars(select(BoroughHeadcount.headcount)).all() == [2100]


def test_a_headcount_post_needs_a_csrf_token(client, login_as, db_session):
    login_as(Role.COORDINATOR)
    response = client.post(f"{HEADCOUNT}?year=2025-26", data={"headcount": "100"})
    assert response.status_code == 400
    assert db_session.scalars(select(BoroughHeadcount)).all() == []


# Scaling


def test_the_projection_shows_its_figures_rates_and_where_they_come_from(
    login_as, get_page, boroughs
):
    login_as(Role.BOROUGH_LEAD)
    page = get_page(f"{SCALING}?borough={boroughs['Hackney']}&intake=10&years=2")
    rows = rows_of(page, "#projection")
    assert list(rows) == ["Year 1", "Year 2"]
    assert rows["Year 2"][0] == "20"
    # No leavers yet anywhere: the rates are not known and the range is everything.
    assert rows["Year 1"][1] == "not known (0 to 10)"
    source = text_of(page.select_one("#rate-source"))
    assert "pooled over 1 borough (Camden), from 10 starts" in source  # 12, rounded
    assert len(rows_of(page, "#rates")) == 4


def test_scaling_defaults_and_a_coordinators_own_borough(login_as, get_page, boroughs):
    login_as(Role.COORDINATOR)
    page = get_page(SCALING)
    assert page.select_one("input[name=intake]")["value"] == "10"
    assert list(rows_of(page, "#projection")) == ["Year 1", "Year 2", "Year 3"]
    assert page.select_one("select[name=borough]") is None
    assert "Hackney" in text_of(page.select_one("#rate-source"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("intake=0&years=3", "Intake per year must be between 1 and 1,000"),
        ("intake=ten&years=3", "Intake per year must be a whole number"),
        ("intake=10&years=11", "Number of years must be between 1 and 10"),
        ("intake=10&years=", "Enter the number of years"),
    ],
)
def test_bad_scaling_input_gets_a_govuk_error_and_is_kept(client, login_as, query, message):
    login_as(Role.BOROUGH_LEAD)
    response = client.get(f"{SCALING}?{query}")
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [message]
    assert page.select_one("#projection") is None
    typed = dict(part.split("=") for part in query.split("&"))
    assert page.select_one("input[name=intake]")["value"] == typed["intake"]
