"""Coordinators' apprentice pages: the list, adding, importing, the record, changes and status."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.models import (
    Apprentice,
    ApprenticeImport,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditEvent,
    Role,
    Standard,
    User,
)
from app.web.forms_common import date_field
from tests import builders
from tests.conftest import csrf_token
from tests.html_checks import check_page, error_messages, text_of

S = ApprenticeStatus
LINK = re.compile(r"http://localhost(/account/invitation/\S+)")


def listed_names(page):
    return [row.select("td")[0].get_text(strip=True) for row in page.select("tbody tr")]


def date_parts(name: str, value: date) -> dict[str, list[str]]:
    return {name: [str(value.day), str(value.month), str(value.year)]}


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def reload(db_session, apprentice) -> Apprentice:
    db_session.expire_all()
    return db_session.get(Apprentice, apprentice.id)


def in_cohort(db_session, cohort, **options) -> Apprentice:
    """An apprentice of the cohort (the builder needs the cohort's standard passed in)."""
    standard = db_session.get(Standard, cohort.standard_id)
    return builders.create_apprentice(db_session, cohort=cohort, standard=standard, **options)


@pytest.fixture
def cohort(db_session):
    standard = builders.create_standard(db_session, typical_duration_months=24)
    return builders.create_cohort(db_session, name="Hackney digital 2026", standard=standard)


def new_apprentice_form(cohort, **changes) -> dict:
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "cohort": str(cohort.id),
        "standard": "",
        "training_provider": "",
        "residence_borough": "outside",
        "uln": "",
        "contracted_hours": "37.5",
        **date_parts("date_of_birth", date(2006, 5, 17)),
        **date_parts("start_date", date(2026, 9, 1)),
        "practical_period_end": ["", "", ""],
        "planned_end_date": ["", "", ""],
    }
    data.update(changes)
    return data


# The shared GOV.UK date field


class _DateForm(FlaskForm):
    class Meta:
        csrf = False

    start = date_field("Start date", required=True)
    end = date_field("End date")


@pytest.mark.parametrize(
    ("sent", "start_error", "end_error"),
    [
        ([], "Enter the start date", None),
        ([("start", "1"), ("start", "9")], "Enter the start date", None),
        ([("start", "31"), ("start", "2"), ("start", "2026")], "must be a real date", None),
        ([("start", "1"), ("start", ""), ("start", "")], "must include a month and year", None),
        ([("start", "1"), ("start", "9"), ("start", "26")], "must be a real date", None),
        ([("start", "1"), ("start", "9"), ("start", "2026"), ("end", "3")], None, "Enter the"),
    ],
)
def test_the_date_field_never_crashes_and_speaks_gov_uk(app, sent, start_error, end_error):
    with app.test_request_context(method="POST"):
        form = _DateForm(formdata=MultiDict(sent))
        form.validate()
        html = str(form.start()) + str(form.end())  # the widget renders whatever was sent
        assert 'id="start-day"' in html
        assert (form.start.errors or [None])[0] is None or start_error in form.start.errors[0]
        assert bool(form.start.errors) == bool(start_error)
        assert bool(form.end.errors) == bool(end_error)


def test_the_date_field_reads_a_real_date(app):
    with app.test_request_context(method="POST"):
        form = _DateForm(formdata=MultiDict([("start", " 1 "), ("start", "08"), ("start", "2025")]))
        assert form.validate()
        assert (form.start.data, form.end.data) == (date(2025, 8, 1), None)


# The list


def test_the_list_filters_searches_and_sorts(get_page, login_as, db_session, cohort):
    login_as(Role.COORDINATOR, borough="Hackney")
    other_standard = builders.create_standard(db_session, title="Data analyst")
    other_cohort = builders.create_cohort(db_session, name="Second", standard=other_standard)
    in_cohort(db_session, cohort, name="Cleo Active", status=S.ACTIVE, start_date=date(2026, 9, 1))
    in_cohort(db_session, other_cohort, name="Abe Waiting", start_date=date(2027, 1, 4))
    in_cohort(db_session, cohort, name="Bea Break", status=S.ON_BREAK, start_date=date(2026, 1, 5))
    # Camden's apprentice placed with Hackney now is listed; Camden's other one is not.
    placed = builders.create_apprentice(db_session, borough="Camden", name="Dev Placed")
    builders.create_placement(db_session, placed, host="Hackney", start_date=date(2026, 9, 1))
    builders.create_apprentice(db_session, borough="Camden", name="Eve Elsewhere")

    base = "/coordinator/apprentices"
    assert listed_names(get_page(base)) == ["Abe Waiting", "Bea Break", "Cleo Active", "Dev Placed"]
    assert listed_names(get_page(f"{base}?q=BEA")) == ["Bea Break"]
    assert listed_names(get_page(f"{base}?status=active")) == ["Cleo Active"]
    assert listed_names(get_page(f"{base}?cohort={other_cohort.id}")) == ["Abe Waiting"]
    assert listed_names(get_page(f"{base}?standard={other_standard.id}")) == ["Abe Waiting"]
    camden = builders.get_borough(db_session, "Camden")
    assert listed_names(get_page(f"{base}?borough={camden.id}")) == ["Dev Placed"]
    assert listed_names(get_page(f"{base}?sort=start")) == [
        "Bea Break",
        "Cleo Active",
        "Dev Placed",
        "Abe Waiting",
    ]
    assert listed_names(get_page(f"{base}?sort=status")) == [
        "Abe Waiting",
        "Dev Placed",
        "Cleo Active",
        "Bea Break",
    ]
    page = get_page(f"{base}?q=bea&status=on_break&sort=name")
    assert page.select_one("#q")["value"] == "bea"
    assert page.select_one("#status option[selected]")["value"] == "on_break"
    assert "No apprentices match" in text_of(get_page(f"{base}?q=eve"))
    # Nonsense is ignored, not an error.
    assert len(listed_names(get_page(f"{base}?status=emperor&cohort=x&sort=zzz&page=-1"))) == 4


def test_the_list_is_paginated_in_a_fixed_number_of_queries(
    client, login_as, db_session, count_queries, get_page, cohort
):
    login_as(Role.COORDINATOR, borough="Hackney")
    for number in range(2):
        in_cohort(db_session, cohort, name=f"Early {number}")
    client.get("/coordinator/apprentices")  # the first page of a session stores its CSRF token
    with count_queries() as few:
        assert client.get("/coordinator/apprentices").status_code == 200
    other = builders.create_cohort(db_session, standard=builders.create_standard(db_session))
    for number in range(38):
        apprentice = in_cohort(
            db_session,
            other if number % 2 else cohort,
            name=f"Later {number:02d}",
            residence="Camden",
        )
        builders.create_placement(db_session, apprentice, host="Hackney")
    with count_queries() as many:
        assert client.get("/coordinator/apprentices").status_code == 200
    assert many.count == few.count
    page = get_page("/coordinator/apprentices?page=2")
    assert len(listed_names(page)) == 15
    assert "Showing 26 to 40 of 40 apprentices" in text_of(page)


# Adding an apprentice


def test_a_coordinator_adds_an_apprentice_who_is_invited(
    client, login_as, post_form, get_page, db_session, mailbox, cohort
):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney", name="Cora Coordinator")
    page = get_page("/coordinator/apprentices/new")
    assert page.select_one("#employing_borough") is None  # their own borough only
    assert "Hackney" in text_of(page)

    response = post_form("/coordinator/apprentices/new", new_apprentice_form(cohort))
    assert response.status_code == 302, error_messages(check_page(response))
    apprentice = db_session.scalars(select(Apprentice)).one()
    assert response.location == f"/coordinator/apprentices/{apprentice.id}"
    assert apprentice.employing_borough_id == coordinator.borough_id
    assert apprentice.practical_period_end == date(2028, 8, 31)
    assert apprentice.planned_end_date == date(2028, 11, 30)
    assert apprentice.residence_borough_id is None

    (mail,) = mailbox
    assert mail.to == "ada@example.org"
    assert "Cora Coordinator has invited you" in mail.body
    link = LINK.search(mail.body).group(1)
    page = get_page(response.location)
    assert link in page.select_one("#invitation-link").get_text()
    # The link is shown once.
    assert page.select_one("#invitation-link") is None or True
    assert get_page(response.location).select_one("#invitation-link") is None


def test_a_short_practical_period_is_refused_and_the_input_kept(
    login_as, post_form, db_session, cohort
):
    login_as(Role.COORDINATOR, borough="Hackney")
    data = new_apprentice_form(
        cohort,
        **date_parts("start_date", date(2025, 7, 31)),
        **date_parts("practical_period_end", date(2026, 3, 31)),
    )
    response = post_form("/coordinator/apprentices/new", data)
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "The practical period must last at least 12 months for a start on 31 July 2025: it "
        "must end on or after 30 July 2026"
    ]
    assert page.select_one(".govuk-error-summary a")["href"] == "#practical_period_end-day"
    assert page.select_one("#name")["value"] == "Ada Lovelace"
    assert page.select_one("#practical_period_end-month")["value"] == "3"
    assert count(db_session, Apprentice) == 0
    assert count(db_session, User) == 1  # the coordinator only

    # From 1 August 2025 the same eight months are enough.
    data.update(date_parts("start_date", date(2025, 8, 1)))
    assert post_form("/coordinator/apprentices/new", data).status_code == 302


def test_an_invalid_form_is_400_with_the_input_kept(login_as, post_form, db_session, cohort):
    login_as(Role.COORDINATOR, borough="Hackney")
    data = new_apprentice_form(
        cohort,
        email="not an email",
        contracted_hours="lots",
        uln="123",
        date_of_birth=["30", "2", "2006"],
    )
    del data["start_date"]  # a POST without the date at all is an error, not a crash
    response = post_form("/coordinator/apprentices/new", data)
    assert response.status_code == 400
    page = check_page(response)
    assert set(error_messages(page)) == {
        "Enter an email address in the correct format, like name@example.com",
        "Date of birth must be a real date",
        "Unique learner number must be 10 digits",
        "Enter the start date",
        "Contracted hours must be a number, like 37.5",
    }
    assert page.select_one("#email")["value"] == "not an email"
    assert page.select_one("#date_of_birth-day")["value"] == "30"
    assert page.title.get_text().startswith("Error: ")
    assert count(db_session, Apprentice) == 0


def test_a_borough_coordinator_cannot_add_to_another_borough(
    login_as, post_form, db_session, cohort
):
    login_as(Role.COORDINATOR, borough="Hackney")
    camden = builders.get_borough(db_session, "Camden")
    data = new_apprentice_form(cohort, employing_borough=str(camden.id))
    response = post_form("/coordinator/apprentices/new", data)
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "You can only add apprentices employed by your own borough"
    ]
    assert count(db_session, Apprentice) == 0


def test_a_programme_wide_coordinator_chooses_the_employing_borough(
    login_as, post_form, get_page, db_session, cohort
):
    login_as(Role.COORDINATOR, borough="Hackney", programme_wide=True)
    assert get_page("/coordinator/apprentices/new").select_one("#employing_borough")
    camden = builders.get_borough(db_session, "Camden")
    response = post_form(
        "/coordinator/apprentices/new", new_apprentice_form(cohort, employing_borough="")
    )
    assert response.status_code == 400
    assert "Select a borough" in error_messages(check_page(response))
    data = new_apprentice_form(cohort, employing_borough=str(camden.id))
    assert post_form("/coordinator/apprentices/new", data).status_code == 302
    apprentice = db_session.scalars(select(Apprentice)).one()
    assert apprentice.employing_borough_id == camden.id
    assert db_session.get(User, apprentice.user_id).borough_id == camden.id


# The apprentice's page


def test_the_page_shows_every_section_and_is_audited(login_as, get_page, db_session, cohort):
    viewer = login_as(Role.COORDINATOR, borough="Hackney", name="Cora Coordinator")
    apprentice = in_cohort(
        db_session, cohort, name="Ada Lovelace", status=S.ACTIVE, uln="1234567890"
    )
    builders.create_placement(
        db_session,
        apprentice,
        host="Hackney",
        team="Data",
        start_date=date(2026, 9, 1),
        end_date=date(2026, 10, 31),
    )
    builders.create_placement(
        db_session, apprentice, host="Camden", team="Web", start_date=date(2026, 11, 1)
    )
    mentor = builders.create_mentor(db_session, name="Mo Mentor")
    builders.assign_mentor(db_session, apprentice, mentor)
    db_session.add(
        ApprenticeStatusEvent(
            apprentice_id=apprentice.id,
            from_status="waiting_to_start",
            to_status="active",
            effective_on=date(2026, 9, 1),
            actor_user_id=None,
        )
    )
    db_session.commit()

    page = get_page(f"/coordinator/apprentices/{apprentice.id}")
    text = text_of(page)
    assert page.select_one("h1").get_text(" ", strip=True).startswith("Ada Lovelace")
    for heading in ("Details", "Status", "Placements", "Mentor", "Status history"):
        assert heading in [h.get_text(strip=True) for h in page.select("h2")]
    assert "Date of birth 17 May 2006" in text
    assert "1234567890" in text
    assert "Hackney: Data" in text and "Camden: Web" in text
    assert "1 November 2026 to no end date" in text
    assert "Mo Mentor" in text
    assert "Waiting to start to Live" in text and "The service, automatically" in text
    links = {a["href"] for a in page.select("a")}
    assert f"/coordinator/apprentices/{apprentice.id}/edit" in links
    assert f"/coordinator/apprentices/{apprentice.id}/status/pause" in links
    assert f"/coordinator/apprentices/{apprentice.id}/status/withdraw" in links
    assert f"/coordinator/apprentices/{apprentice.id}/status/start" not in links
    assert f"/coordinator/apprentices/{apprentice.id}/placements/new" in links
    assert f"/coordinator/apprentices/{apprentice.id}/mentor" in links

    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "viewed_record")).one()
    assert (event.actor_user_id, event.target_type, event.target_id) == (
        viewer.id,
        "apprentice",
        apprentice.id,
    )


def test_another_boroughs_apprentice_is_not_found(login_as, client, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = builders.create_apprentice(db_session, borough="Camden", status=S.ACTIVE)
    for url in (
        f"/coordinator/apprentices/{apprentice.id}",
        f"/coordinator/apprentices/{apprentice.id}/edit",
        f"/coordinator/apprentices/{apprentice.id}/status/pause",
    ):
        assert client.get(url).status_code == 404, url


def test_the_host_borough_reads_without_change_links_or_date_of_birth(
    login_as, client, get_page, post_form, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = builders.create_apprentice(
        db_session, borough="Camden", name="Cam Placed", status=S.ACTIVE
    )
    builders.create_placement(db_session, apprentice, host="Hackney", start_date=date(2026, 9, 1))
    page = get_page(f"/coordinator/apprentices/{apprentice.id}")
    text = text_of(page)
    assert "Only coordinators of Camden" in text
    assert "Date of birth" not in text and "2006" not in text
    hrefs = [a["href"] for a in page.select("main a")]
    assert not [h for h in hrefs if "/edit" in h or "/status/" in h or "/new" in h]
    assert not [h for h in hrefs if h.endswith("/mentor") or h.endswith("/end")]

    before = reload(db_session, apprentice).row_version
    for url in (
        f"/coordinator/apprentices/{apprentice.id}/edit",
        f"/coordinator/apprentices/{apprentice.id}/status/pause",
    ):
        assert client.get(url).status_code == 403
        assert post_form(url, {"name": "Changed"}).status_code == 403
    assert reload(db_session, apprentice).row_version == before
    refused = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_refused")
    ).all()
    assert len(refused) == 4


# Changing details


def edit_form(apprentice: Apprentice, **changes) -> dict:
    data = {
        "name": "Ada Lovelace",
        "cohort": str(apprentice.cohort_id),
        "standard": str(apprentice.standard_id),
        "training_provider": str(apprentice.training_provider_id),
        "residence_borough": str(apprentice.residence_borough_id),
        "uln": "",
        "contracted_hours": "37.5",
        "row_version": str(apprentice.row_version),
        **date_parts("date_of_birth", apprentice.date_of_birth),
        **date_parts("start_date", apprentice.start_date),
        **date_parts("practical_period_end", apprentice.practical_period_end),
        **date_parts("planned_end_date", apprentice.planned_end_date),
    }
    data.update(changes)
    return data


def test_editing_changes_the_details(login_as, get_page, post_form, db_session, cohort):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = in_cohort(db_session, cohort, name="Ada Lovelace")
    page = get_page(f"/coordinator/apprentices/{apprentice.id}/edit")
    assert page.select_one("#name")["value"] == "Ada Lovelace"
    assert page.select_one("#contracted_hours")["value"] == "37.5"
    assert page.select_one("#start_date-year")["value"] == "2026"

    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/edit",
        edit_form(apprentice, name="Ada King", contracted_hours="30", uln="1234567890"),
    )
    assert response.status_code == 302
    apprentice = reload(db_session, apprentice)
    assert (str(apprentice.contracted_hours), apprentice.uln) == ("30.0", "1234567890")
    assert db_session.get(User, apprentice.user_id).name == "Ada King"


def test_an_invalid_edit_is_400_and_changes_nothing(login_as, post_form, db_session, cohort):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = in_cohort(db_session, cohort)
    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/edit",
        edit_form(apprentice, contracted_hours="49"),
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Contracted hours must be more than 0 and no more than 48 a week"
    ]
    assert page.select_one("#contracted_hours")["value"] == "49"
    assert str(reload(db_session, apprentice).contracted_hours) == "37.5"


def test_a_stale_edit_is_409_and_keeps_both_changes_apart(login_as, post_form, db_session, cohort):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = in_cohort(db_session, cohort)
    data = edit_form(apprentice, contracted_hours="20")
    # Someone else saves first.
    apprentice.contracted_hours = 30
    db_session.commit()
    response = post_form(f"/coordinator/apprentices/{apprentice.id}/edit", data)
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in " ".join(error_messages(page))
    assert page.select_one("#contracted_hours")["value"] == "20"
    assert page.select_one("input[name=row_version]")["value"] == "2"
    assert "30" in text_of(page)  # the current record is shown
    assert str(reload(db_session, apprentice).contracted_hours) == "30.0"
    # Having seen the current record, saving again replaces it.
    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/edit", {**data, "row_version": "2"}
    )
    assert response.status_code == 302
    assert str(reload(db_session, apprentice).contracted_hours) == "20.0"


# Status moves


def test_pausing_and_resuming(login_as, get_page, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney", name="Cora Coordinator")
    apprentice = builders.create_apprentice(
        db_session, status=S.ACTIVE, start_date=date(2026, 9, 1)
    )
    url = f"/coordinator/apprentices/{apprentice.id}/status/pause"
    page = get_page(url)
    assert page.select_one("#expected_return_date-day") is not None
    response = post_form(
        url,
        {
            **date_parts("effective_on", date(2026, 11, 2)),
            **date_parts("expected_return_date", date(2027, 1, 4)),
            "note": "Family reasons",
            "row_version": str(apprentice.row_version),
        },
    )
    assert response.status_code == 302
    apprentice = reload(db_session, apprentice)
    assert (apprentice.status, apprentice.expected_return_date) == ("on_break", date(2027, 1, 4))

    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/status/resume",
        {
            **date_parts("effective_on", date(2026, 11, 23)),
            "row_version": str(apprentice.row_version),
        },
    )
    assert response.status_code == 302
    apprentice = reload(db_session, apprentice)
    assert (apprentice.status, apprentice.qualifying_period_start) == (
        "active",
        date(2026, 11, 23),
    )
    text = text_of(get_page(f"/coordinator/apprentices/{apprentice.id}"))
    assert "Live to Paused" in text and "Paused to Live" in text
    assert "Cora Coordinator" in text and "Family reasons" in text


def test_withdrawing_within_42_days_is_flagged(login_as, get_page, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = builders.create_apprentice(
        db_session, status=S.ACTIVE, start_date=date(2026, 11, 2)
    )
    url = f"/coordinator/apprentices/{apprentice.id}/status/withdraw"
    response = post_form(
        url,
        {**date_parts("effective_on", date(2026, 11, 27)), "row_version": "1", "reason": ""},
    )
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Select why they left"]
    response = post_form(
        url,
        {
            **date_parts("effective_on", date(2026, 11, 27)),
            "row_version": "1",
            "reason": "better_job_elsewhere",
        },
    )
    assert response.status_code == 302
    apprentice = reload(db_session, apprentice)
    assert (apprentice.status, apprentice.left_in_qualifying_period) == ("withdrawn", True)
    text = text_of(get_page(f"/coordinator/apprentices/{apprentice.id}"))
    assert "Left within the 42-day qualifying period" in text
    assert "A better job elsewhere" in text


def test_withdrawing_someone_who_never_started_needs_no_reason(
    login_as, get_page, post_form, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = builders.create_apprentice(db_session, start_date=date(2027, 1, 4))
    url = f"/coordinator/apprentices/{apprentice.id}/status/withdraw"
    assert get_page(url).select_one("#reason") is None
    response = post_form(
        url, {**date_parts("effective_on", date(2026, 11, 27)), "row_version": "1"}
    )
    assert response.status_code == 302
    assert reload(db_session, apprentice).status == "withdrawn"
    assert "Never started" in text_of(get_page(f"/coordinator/apprentices/{apprentice.id}"))


def test_an_illegal_move_is_refused_with_the_domains_message(
    login_as, get_page, post_form, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = builders.create_apprentice(db_session, status=S.WITHDRAWN)
    url = f"/coordinator/apprentices/{apprentice.id}/status/resume"
    page = get_page(url)  # explains, offers no form
    assert "cannot be resumed" in text_of(page)
    assert page.select_one("form[method=post] #effective_on-day") is None
    response = post_form(
        url, {**date_parts("effective_on", date(2026, 11, 27)), "row_version": "1"}
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "This apprenticeship cannot be resumed: its status is “stopped”, and only an "
        "apprenticeship that is “paused” can be."
    ]
    assert page.select_one("#effective_on-day")["value"] == "27"
    assert reload(db_session, apprentice).status == "withdrawn"


def test_an_unknown_move_is_not_found(login_as, client, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = builders.create_apprentice(db_session, status=S.ACTIVE)
    assert (
        client.get(f"/coordinator/apprentices/{apprentice.id}/status/complete").status_code == 404
    )
    assert client.get(f"/coordinator/apprentices/{apprentice.id}/status/x").status_code == 404


def test_a_stale_status_move_is_409(login_as, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = builders.create_apprentice(db_session, status=S.ACTIVE)
    apprentice.contracted_hours = 30
    db_session.commit()
    response = post_form(
        f"/coordinator/apprentices/{apprentice.id}/status/pause",
        {
            **date_parts("effective_on", date(2026, 11, 2)),
            **date_parts("expected_return_date", date(2027, 1, 4)),
            "row_version": "1",
        },
    )
    assert response.status_code == 409
    page = check_page(response)
    assert page.select_one("input[name=row_version]")["value"] == "2"
    assert page.select_one("#expected_return_date-month")["value"] == "1"
    assert reload(db_session, apprentice).status == "active"


# Importing a CSV file

HEADER = (
    "name,email,date_of_birth,cohort,standard,standard_version,training_provider_ukprn,"
    "employing_borough,residence_borough,uln,start_date,practical_period_end,planned_end_date,"
    "contracted_hours\n"
)


def csv_file(*lines: str, name: str = "cohort.csv") -> tuple[io.BytesIO, str]:
    return io.BytesIO((HEADER + "".join(f"{line}\n" for line in lines)).encode()), name


GOOD_LINES = (
    "Ada Lovelace,ada@example.org,2006-05-17,Hackney digital 2026,,,,"
    "Hackney,Hackney,,2026-09-01,,,37.5",
    "Sam Okafor,sam@example.org,17/01/2005,Hackney digital 2026,,,,"
    "Hackney,outside London,,01/09/2026,,,30",
)


def test_the_import_page_documents_the_columns(login_as, get_page):
    login_as(Role.COORDINATOR, borough="Hackney")
    page = get_page("/coordinator/apprentices/import")
    columns = [code.get_text() for code in page.select("td code")]
    assert columns[:3] == ["name", "email", "date_of_birth"] and "contracted_hours" in columns
    form = page.select_one("main form[method=post]")
    assert form["enctype"] == "multipart/form-data"


def test_importing_creates_invites_and_is_idempotent(
    login_as, post_form, db_session, mailbox, cohort
):
    login_as(Role.COORDINATOR, borough="Hackney")
    response = post_form("/coordinator/apprentices/import", {"csv_file": csv_file(*GOOD_LINES)})
    assert response.status_code == 200
    page = check_page(response)
    assert "2 apprentices added" in text_of(page)
    assert count(db_session, Apprentice) == 2
    assert sorted(mail.to for mail in mailbox) == ["ada@example.org", "sam@example.org"]

    again = post_form(
        "/coordinator/apprentices/import", {"csv_file": csv_file(*GOOD_LINES, name="again.csv")}
    )
    assert again.status_code == 200
    assert "already imported" in text_of(check_page(again))
    assert count(db_session, Apprentice) == 2
    assert count(db_session, ApprenticeImport) == 1
    assert len(mailbox) == 2


def test_a_file_with_a_bad_row_imports_nothing_and_reports_each_problem(
    login_as, post_form, db_session, mailbox, cohort
):
    login_as(Role.COORDINATOR, borough="Hackney")
    bad = "Bo,bo@example.org,2006-05-17,Nope,,,,Hackney,Hackney,,2026-09-01,,,99"
    response = post_form(
        "/coordinator/apprentices/import", {"csv_file": csv_file(*GOOD_LINES, bad)}
    )
    assert response.status_code == 400
    page = check_page(response)
    assert "nothing was imported" in " ".join(error_messages(page))
    rows = [
        [cell.get_text(strip=True) for cell in row.select("td")]
        for row in page.select("#problems tbody tr")
    ]
    assert rows == [["4", "cohort", "No cohort is called “Nope”"]]
    assert count(db_session, Apprentice) == 0 and mailbox == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Select a CSV file"),
        ((io.BytesIO(b"a,b\n"), "cohort.xlsx"), "The selected file must be a CSV file"),
        ((io.BytesIO(b"x" * (2 * 1024 * 1024 + 1)), "big.csv"), "smaller than 2 MB"),
    ],
)
def test_the_upload_is_checked(client, login_as, db_session, upload, message):
    login_as(Role.COORDINATOR, borough="Hackney")
    fields = {"csrf_token": csrf_token(client)}
    if upload:
        fields["csv_file"] = FileStorage(stream=upload[0], filename=upload[1])
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(fields)
    response = client.post(
        "/coordinator/apprentices/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    page = check_page(response)
    assert message in error_messages(page)[0]
    assert page.select_one(".govuk-error-summary a")["href"] == "#csv_file"
    assert count(db_session, Apprentice) == 0
