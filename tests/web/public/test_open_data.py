"""The open data page and its downloads: public, streamed, cacheable, the same for everyone."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.domain.open_data import COLUMN_NAMES, DATASETS
from app.models import ApprenticeStatus, Role
from tests import builders
from tests.domain.test_open_data import check_csv, check_json

FILES = [(d.slug, kind) for d in DATASETS for kind in ("csv", "json")]


def add_apprentices(db_session, count: int, borough: str = "Hackney") -> None:
    cohort = builders.create_cohort(db_session, lead=borough)
    for _ in range(count):
        builders.create_apprentice(
            db_session,
            borough=borough,
            cohort=cohort,
            status=ApprenticeStatus.ACTIVE,
            start_date=date(2026, 5, 1),
        )


def test_the_page_is_public_and_lists_every_file_with_the_dictionary_and_licence(get_page):
    page = get_page("/open-data")
    assert page.h1.get_text(strip=True) == "Open data"
    links = {a["href"] for a in page.select("a[download]")}
    for slug, kind in FILES:
        assert f"http://localhost/open-data/{slug}/{kind}" in links
    columns = [th.get_text(strip=True) for th in page.select("tbody th[scope=row]")]
    assert columns == list(COLUMN_NAMES)
    text = page.get_text(" ", strip=True)
    assert "Open Government Licence v3.0" in text
    assert "Counts of 1 to 7 people are withheld" in text
    licence = page.select_one("a[rel=license]")
    assert "open-government-licence/version/3" in licence["href"]


def test_signed_out_visitors_reach_the_page_from_the_start_page_and_the_footer(get_page):
    start = get_page("/")
    assert start.select_one("main a[href='/open-data']") is not None
    assert start.select_one("footer a[href='/open-data']") is not None


@pytest.mark.parametrize(("slug", "kind"), FILES)
def test_each_file_streams_and_validates_against_the_dictionary(client, db_session, slug, kind):
    add_apprentices(db_session, 9)
    response = client.get(f"/open-data/{slug}/{kind}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"]
    if kind == "csv":
        assert response.mimetype == "text/csv"
        assert f"{slug}.csv" in response.headers["Content-Disposition"]
        rows = check_csv(response.get_data())
    else:
        assert response.mimetype == "application/json"
        document = json.loads(response.get_data(as_text=True))
        rows = check_json(document)
        assert document["metadata"]["dataset"] == slug
    assert rows
    if slug == "borough-financial-year":
        hackney = next(r for r in rows if r["area_name"] == "Hackney" and r["period"] == "2026-27")
        assert str(hackney["starts"]) == "10"  # 9, rounded


def test_a_cache_holding_the_current_version_gets_304_until_the_data_changes(
    client, db_session, count_queries
):
    add_apprentices(db_session, 9)
    first = client.get("/open-data/borough-quarter/csv")
    etag = first.headers["ETag"]
    with count_queries() as log:
        again = client.get("/open-data/borough-quarter/csv", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert log.count == 1  # the version only: nothing is counted

    add_apprentices(db_session, 1, borough="Camden")
    changed = client.get("/open-data/borough-quarter/csv", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_everyone_gets_the_same_controlled_figures_admins_included(client, db_session, login_as):
    add_apprentices(db_session, 3)
    anonymous = client.get("/open-data/borough-financial-year/csv").get_data()
    login_as(Role.ADMIN)
    admin = client.get("/open-data/borough-financial-year/csv")
    assert admin.get_data() == anonymous
    hackney = next(
        r for r in check_csv(anonymous) if r["area_name"] == "Hackney" and r["period"] == "2026-27"
    )
    assert hackney["starts"] == "[c]"  # 3 people: never exact, even for an admin


def test_an_unknown_file_is_not_found(client, db_session):
    assert client.get("/open-data/everything/csv").status_code == 404
    assert client.get("/open-data/borough-quarter/xml").status_code == 404


def test_a_download_runs_the_same_number_of_queries_for_few_and_many_rows(
    client, db_session, count_queries
):
    def queries() -> int:
        with count_queries() as log:
            response = client.get("/open-data/borough-quarter/json")
            response.get_data()
        return log.count

    add_apprentices(db_session, 1)
    few = queries()
    add_apprentices(db_session, 20, borough="Camden")
    assert queries() == few == 6  # the version, the boroughs and four counts
