"""Cohort pages: the list with counts by status, a cohort's page with its apprentices in the
viewer's scope, and adding and changing cohorts (the lead borough's coordinators only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.models import ApprenticeStatus, AuditEvent, Cohort, Role, TrainingProvider
from tests import builders
from tests.html_checks import check_page, error_messages, text_of

ACTIVE = ApprenticeStatus.ACTIVE
WAITING = ApprenticeStatus.WAITING_TO_START
ON_BREAK = ApprenticeStatus.ON_BREAK


def form_data(provider, *, standard=None, **changes) -> dict[str, object]:
    data = {
        "name": "Hackney digital 2027",
        "standard": str(standard.id) if standard else "mixed",
        "training_provider": str(provider.id),
        "start_date": ["1", "9", "2027"],
        "planned_end_date": ["31", "8", "2029"],
        "capacity": "15",
    }
    data.update(changes)
    return data


def table_rows(page) -> list[list[str]]:
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.select("td")]
        for row in page.select("tbody tr")
    ]


def audit_actions(db_session) -> list[str]:
    return db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


# The list


def test_the_list_shows_cohorts_in_scope_with_capacity_and_counts_by_status(
    get_page, login_as, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    standard = builders.create_standard(db_session, title="Data analyst")
    own = builders.create_cohort(
        db_session, lead="Hackney", name="Hackney 2026", standard=standard, capacity=12
    )
    for status in (ACTIVE, ACTIVE, ON_BREAK):
        builders.create_apprentice(db_session, borough="Hackney", cohort=own, status=status)
    builders.create_apprentice(db_session, borough="Camden", cohort=own, status=WAITING)
    shared = builders.create_cohort(
        db_session, lead="Camden", name="Camden 2026", start_date=date(2026, 10, 1)
    )
    builders.create_apprentice(db_session, borough="Hackney", cohort=shared, status=WAITING)
    builders.create_apprentice(db_session, borough="Camden", cohort=shared, status=ACTIVE)
    hidden = builders.create_cohort(db_session, lead="Camden", name="Camden only")
    builders.create_apprentice(db_session, borough="Camden", cohort=hidden)

    page = get_page("/coordinator/cohorts")
    rows = table_rows(page)
    # Newest start first; Camden's own cohort is not listed.
    assert [row[0] for row in rows] == ["Camden 2026 Mixed standards", "Hackney 2026 Data analyst"]
    assert rows[1][1:] == ["Hackney", "1 September 2026", "12", "3", "Live: 2 Paused: 1"]
    # Only the apprentices the viewer may see are counted.
    assert rows[0][1:] == ["Camden", "1 October 2026", "20", "1", "Waiting to start: 1"]
    link = page.select_one("tbody a")
    assert link["href"] == f"/coordinator/cohorts/{shared.id}"
    assert "Showing 1 to 2 of 2 cohorts" in text_of(page)


def test_a_programme_wide_coordinator_sees_every_cohort(get_page, login_as, db_session):
    login_as(Role.COORDINATOR, programme_wide=True)
    cohort = builders.create_cohort(db_session, lead="Camden", name="Camden only")
    builders.create_apprentice(db_session, borough="Camden", cohort=cohort, status=ACTIVE)
    rows = table_rows(get_page("/coordinator/cohorts"))
    assert rows == [
        ["Camden only Mixed standards", "Camden", "1 September 2026", "20", "1", "Live: 1"]
    ]


def test_no_cohorts_yet(get_page, login_as):
    login_as(Role.COORDINATOR)
    assert "There are no cohorts yet." in text_of(get_page("/coordinator/cohorts"))


def test_other_roles_cannot_reach_cohorts(client, login_as):
    login_as(Role.MENTOR)
    assert client.get("/coordinator/cohorts").status_code == 403
    assert client.get("/coordinator/cohorts/new").status_code == 403


def test_the_list_paginates_in_a_fixed_number_of_queries(
    client, get_page, login_as, db_session, count_queries
):
    login_as(Role.COORDINATOR, borough="Hackney")
    provider = builders.create_provider(db_session)
    standard = builders.create_standard(db_session)

    def add_cohorts(numbers) -> None:
        for number in numbers:
            cohort = builders.create_cohort(
                db_session,
                name=f"Cohort {number:02d}",
                provider=provider,
                standard=standard if number % 2 else None,
                start_date=date(2026, 1, 1 + number % 28),
            )
            status = list(ApprenticeStatus)[number % len(ApprenticeStatus)]
            builders.create_apprentice(db_session, cohort=cohort, standard=standard, status=status)

    add_cohorts(range(2))
    client.get("/coordinator/cohorts")  # the first page of a session stores its CSRF token
    with count_queries() as few:
        assert client.get("/coordinator/cohorts").status_code == 200
    add_cohorts(range(2, 40))
    with count_queries() as many:
        assert client.get("/coordinator/cohorts").status_code == 200
    assert many.count == few.count
    assert any("LIMIT" in statement for statement in many.statements)
    page = get_page("/coordinator/cohorts?page=2")
    assert len(table_rows(page)) == 15
    assert "Showing 26 to 40 of 40 cohorts" in text_of(page)


# A cohort's page


def test_the_cohort_page_lists_its_apprentices_in_the_viewers_scope(get_page, login_as, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    standard = builders.create_standard(db_session, title="Software developer", level=4)
    cohort = builders.create_cohort(
        db_session, lead="Hackney", name="Hackney 2026", standard=standard
    )
    own = builders.create_apprentice(
        db_session, borough="Hackney", cohort=cohort, name="Bea Hackney", status=ACTIVE
    )
    hosted = builders.create_apprentice(
        db_session, borough="Camden", cohort=cohort, name="Ali Camden", status=ON_BREAK
    )
    builders.create_placement(db_session, hosted, host="Hackney")
    builders.create_apprentice(db_session, borough="Camden", cohort=cohort, name="Cy Hidden")

    page = get_page(f"/coordinator/cohorts/{cohort.id}")
    assert page.select_one("h1").get_text(strip=True) == "Hackney 2026"
    text = text_of(page)
    assert "Software developer (level 4" in text
    assert "Live: 1, Paused: 1" in text
    assert table_rows(page) == [
        ["Ali Camden", "Paused", "Camden", "1 September 2026"],
        ["Bea Hackney", "Live", "Hackney", "1 September 2026"],
    ]
    assert "Cy Hidden" not in text
    links = [a["href"] for a in page.select("tbody a")]
    assert links == [f"/coordinator/apprentices/{hosted.id}", f"/coordinator/apprentices/{own.id}"]
    assert page.select_one(f"a[href='/coordinator/cohorts/{cohort.id}/edit']") is not None


def test_the_cohort_page_paginates_in_a_fixed_number_of_queries(
    client, get_page, login_as, db_session, count_queries
):
    login_as(Role.COORDINATOR, borough="Hackney")
    standard = builders.create_standard(db_session)
    cohort = builders.create_cohort(db_session, lead="Hackney", standard=standard, capacity=50)

    def add_apprentices(numbers) -> None:
        for number in numbers:
            borough = "Camden" if number % 3 == 0 else "Hackney"
            apprentice = builders.create_apprentice(
                db_session, borough=borough, cohort=cohort, name=f"Apprentice {number:02d}"
            )
            if borough == "Camden":
                builders.create_placement(db_session, apprentice, host="Hackney")

    add_apprentices(range(2))
    url = f"/coordinator/cohorts/{cohort.id}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add_apprentices(range(2, 40))
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count
    page = get_page(f"{url}?page=2")
    assert len(table_rows(page)) == 15
    assert "Showing 26 to 40 of 40 apprentices" in text_of(page)


def test_another_boroughs_cohort_is_not_found(client, login_as, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    cohort = builders.create_cohort(db_session, lead="Camden", name="Camden only")
    builders.create_apprentice(db_session, borough="Camden", cohort=cohort)
    assert client.get(f"/coordinator/cohorts/{cohort.id}").status_code == 404
    assert client.get(f"/coordinator/cohorts/{cohort.id}/edit").status_code == 404
    response = post_form(f"/coordinator/cohorts/{cohort.id}/edit", {"name": "Mine"})
    assert response.status_code == 404
    assert client.get("/coordinator/cohorts/999999").status_code == 404
    db_session.expire_all()
    assert cohort.name == "Camden only"


def test_a_borough_with_apprentices_in_the_cohort_reads_it_but_cannot_change_it(
    client, get_page, login_as, post_form, db_session
):
    viewer = login_as(Role.COORDINATOR, borough="Hackney")
    cohort = builders.create_cohort(db_session, lead="Camden", name="Camden led")
    builders.create_apprentice(db_session, borough="Hackney", cohort=cohort, name="Dee Hackney")
    page = get_page(f"/coordinator/cohorts/{cohort.id}")
    assert "Dee Hackney" in text_of(page)
    assert "Only coordinators of Camden, the lead borough, can change this cohort" in text_of(page)
    assert page.select_one(f"a[href='/coordinator/cohorts/{cohort.id}/edit']") is None

    response = client.get(f"/coordinator/cohorts/{cohort.id}/edit")
    assert response.status_code == 403
    check_page(response)
    response = post_form(
        f"/coordinator/cohorts/{cohort.id}/edit",
        form_data(builders.create_provider(db_session), name="Taken over", row_version="1"),
    )
    assert response.status_code == 403
    db_session.expire_all()
    assert cohort.name == "Camden led"
    refusals = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_refused")
    ).all()
    assert [(event.actor_user_id, event.target_type, event.target_id) for event in refusals] == [
        (viewer.id, "cohort", cohort.id),
        (viewer.id, "cohort", cohort.id),
    ]


# Adding a cohort


def test_a_coordinator_adds_a_cohort_led_by_their_borough(
    client, get_page, login_as, post_form, db_session
):
    actor = login_as(Role.COORDINATOR, borough="Hackney")
    provider = builders.create_provider(db_session, name="Code Academy")
    builders.create_provider(
        db_session, name="Assessors Ltd", delivers_training=False, assesses_epa=True
    )
    standard = builders.create_standard(db_session)
    page = get_page("/coordinator/cohorts/new")
    assert page.select_one("#lead_borough") is None
    assert "The lead borough is Hackney." in text_of(page)
    offered = [option.get_text(strip=True) for option in page.select("#training_provider option")]
    assert offered == ["Select a training provider", "Code Academy"]

    response = post_form("/coordinator/cohorts/new", form_data(provider, standard=standard))
    cohort = db_session.scalars(select(Cohort)).one()
    assert response.status_code == 302
    assert response.location == f"/coordinator/cohorts/{cohort.id}"
    assert (cohort.name, cohort.standard_id, cohort.training_provider_id) == (
        "Hackney digital 2027",
        standard.id,
        provider.id,
    )
    assert (cohort.start_date, cohort.planned_end_date, cohort.capacity) == (
        date(2027, 9, 1),
        date(2029, 8, 31),
        15,
    )
    assert cohort.lead_borough_id == actor.borough_id
    assert audit_actions(db_session) == ["created"]
    page = check_page(client.get(response.location))
    assert "Hackney digital 2027 added" in text_of(page)


def test_a_borough_coordinator_cannot_send_another_lead_borough(login_as, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    camden = builders.get_borough(db_session, "Camden")
    provider = builders.create_provider(db_session)
    response = post_form(
        "/coordinator/cohorts/new", form_data(provider, lead_borough=str(camden.id))
    )
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "You can only create and lead cohorts for your own borough"
    ]
    assert db_session.scalars(select(Cohort)).all() == []


def test_a_programme_wide_coordinator_chooses_the_lead_borough(
    get_page, login_as, post_form, db_session
):
    login_as(Role.COORDINATOR, programme_wide=True)
    camden = builders.get_borough(db_session, "Camden")
    provider = builders.create_provider(db_session)
    assert get_page("/coordinator/cohorts/new").select_one("#lead_borough") is not None
    response = post_form("/coordinator/cohorts/new", form_data(provider))
    assert response.status_code == 400
    assert "Select the lead borough" in error_messages(check_page(response))
    response = post_form(
        "/coordinator/cohorts/new", form_data(provider, lead_borough=str(camden.id))
    )
    assert response.status_code == 302
    assert db_session.scalars(select(Cohort.lead_borough_id)).one() == camden.id


def test_an_empty_form_is_refused_with_every_problem(login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    response = post_form(
        "/coordinator/cohorts/new",
        {
            "name": "",
            "standard": "",
            "training_provider": "",
            "start_date": ["", "", ""],
            "planned_end_date": ["", "", ""],
            "capacity": "",
        },
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Enter the cohort’s name",
        "Select the apprenticeship standard, or mixed",
        "Select the training provider",
        "Enter the start date",
        "Enter the planned end date",
        "Enter the capacity",
    ]
    assert page.select_one(".govuk-error-summary a[href='#start_date-day']") is not None
    assert db_session.scalars(select(Cohort)).all() == []


def test_bad_dates_and_numbers_are_refused_and_what_was_typed_is_kept(
    login_as, post_form, db_session
):
    login_as(Role.COORDINATOR)
    provider = builders.create_provider(db_session)
    response = post_form(
        "/coordinator/cohorts/new",
        form_data(
            provider,
            name="Kept name",
            start_date=["31", "2", "2027"],
            planned_end_date=["1", "", "2029"],
            capacity="lots",
        ),
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Start date must be a real date",
        "Planned end date must include a month",
        "Capacity must be a whole number",
    ]
    assert page.select_one("#name")["value"] == "Kept name"
    assert page.select_one("#start_date-day")["value"] == "31"
    assert page.select_one("#start_date-month")["value"] == "2"
    assert page.select_one("#capacity")["value"] == "lots"
    assert page.select_one("#standard option[selected]")["value"] == "mixed"
    assert db_session.scalars(select(Cohort)).all() == []


def test_an_end_before_the_start_is_refused(login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    provider = builders.create_provider(db_session)
    response = post_form(
        "/coordinator/cohorts/new",
        form_data(provider, start_date=["1", "9", "2027"], planned_end_date=["1", "9", "2027"]),
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["The planned end date must be after the start date"]
    assert page.select_one("#planned_end_date-day")["value"] == "1"
    assert db_session.scalars(select(Cohort)).all() == []


def test_a_post_without_the_date_fields_is_an_error_not_a_crash(login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    provider = builders.create_provider(db_session)
    data = form_data(provider)
    del data["start_date"], data["planned_end_date"]
    response = post_form("/coordinator/cohorts/new", data)
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "Enter the start date",
        "Enter the planned end date",
    ]


# Changing a cohort


def test_the_lead_borough_changes_a_cohort(client, get_page, login_as, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    standard = builders.create_standard(db_session)
    cohort = builders.create_cohort(db_session, lead="Hackney", name="Before", standard=standard)
    page = get_page(f"/coordinator/cohorts/{cohort.id}/edit")
    assert page.select_one("#name")["value"] == "Before"
    assert page.select_one("#standard option[selected]")["value"] == str(standard.id)
    assert page.select_one("#start_date-year")["value"] == "2026"
    assert page.select_one("input[name=row_version]")["value"] == "1"

    provider = db_session.get(TrainingProvider, cohort.training_provider_id)
    response = post_form(
        f"/coordinator/cohorts/{cohort.id}/edit",
        form_data(provider, name="After", capacity="30", row_version="1"),
    )
    assert response.status_code == 302
    assert response.location == f"/coordinator/cohorts/{cohort.id}"
    db_session.expire_all()
    assert (cohort.name, cohort.standard_id, cohort.capacity, cohort.row_version) == (
        "After",
        None,
        30,
        2,
    )
    event = db_session.scalars(select(AuditEvent)).one()
    assert event.action == "updated"
    assert event.fields_changed == [
        "capacity",
        "name",
        "planned_end_date",
        "standard_id",
        "start_date",
    ]


def test_an_invalid_change_is_refused_and_nothing_changes(login_as, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    cohort = builders.create_cohort(db_session, lead="Hackney", name="Before", capacity=4)
    builders.create_apprentice(db_session, cohort=cohort, status=ACTIVE)
    builders.create_apprentice(db_session, cohort=cohort, status=ACTIVE)
    provider_id = cohort.training_provider_id
    url = f"/coordinator/cohorts/{cohort.id}/edit"
    data = {
        **form_data(builders.create_provider(db_session)),
        "training_provider": str(provider_id),
        "row_version": "1",
    }
    response = post_form(url, {**data, "name": ""})
    assert response.status_code == 400
    response = post_form(url, {**data, "name": "Too small", "capacity": "1"})
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Capacity cannot be less than the 2 apprentices already in this cohort"
    ]
    assert page.select_one("#name")["value"] == "Too small"
    db_session.expire_all()
    assert (cohort.name, cohort.capacity, cohort.row_version) == ("Before", 4, 1)
    assert audit_actions(db_session) == []


def test_a_stale_edit_is_refused_and_keeps_what_you_typed(login_as, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    cohort = builders.create_cohort(db_session, lead="Hackney", name="Original", capacity=10)
    provider_id = cohort.training_provider_id
    # Someone else saves first.
    cohort.name = "Their name"
    db_session.commit()
    url = f"/coordinator/cohorts/{cohort.id}/edit"
    data = {
        **form_data(builders.create_provider(db_session)),
        "training_provider": str(provider_id),
        "name": "My name",
        "row_version": "1",
    }
    response = post_form(url, data)
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in " ".join(error_messages(page))
    assert page.select_one("#name")["value"] == "My name"
    assert page.select_one("input[name=row_version]")["value"] == "2"
    assert "Their name" in text_of(page)  # the current details, beside the form
    db_session.expire_all()
    assert cohort.name == "Their name"
    # Having seen the current record, saving again replaces it.
    response = post_form(url, {**data, "row_version": "2"})
    assert response.status_code == 302
    db_session.expire_all()
    assert cohort.name == "My name"


def test_admins_change_any_cohort_and_choose_its_lead(login_as, get_page, post_form, db_session):
    login_as(Role.ADMIN)
    cohort = builders.create_cohort(db_session, lead="Camden", name="Camden led")
    page = get_page(f"/coordinator/cohorts/{cohort.id}/edit")
    camden = builders.get_borough(db_session, "Camden")
    assert page.select_one("#lead_borough option[selected]")["value"] == str(camden.id)
    islington = builders.get_borough(db_session, "Islington")
    data = {
        **form_data(builders.create_provider(db_session)),
        "training_provider": str(cohort.training_provider_id),
        "lead_borough": str(islington.id),
        "row_version": "1",
    }
    assert post_form(f"/coordinator/cohorts/{cohort.id}/edit", data).status_code == 302
    db_session.expire_all()
    assert cohort.lead_borough_id == islington.id
