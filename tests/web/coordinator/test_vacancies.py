"""Vacancy pages for coordinators: the list with each vacancy's state and applications by stage,
a vacancy's page, and adding, changing and publishing vacancies (the employing borough's
coordinators only)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.models import AuditEvent, Role, Stage, Vacancy
from tests import builders
from tests.conftest import csrf_token
from tests.html_checks import check_page, error_messages, text_of

TODAY = date(2026, 11, 27)
XSS = '<script>alert("x")</script>'


def form_data(cohort, standard, **changes) -> dict[str, object]:
    data = {
        "title": "Junior developer apprentice",
        "cohort": str(cohort.id),
        "standard": str(standard.id),
        "description": "Build services for residents.\n\nLearn on the job.",
        "positions": "3",
        "hourly_pay": "13.85",
        "closing_date": ["31", "1", "2027"],
        "residence_rule": "own",
        "educated_route": "yes",
        "care_leaver_route": "no",
        "minimum_age": "16",
    }
    data.update(changes)
    return data


def cohort_and_standard(db_session, lead: str = "Hackney"):
    standard = builders.create_standard(db_session, title="Software developer", level=4)
    cohort = builders.create_cohort(
        db_session, lead=lead, standard=standard, start_date=date(2027, 3, 1), name="Spring 2027"
    )
    return cohort, standard


def table_rows(page) -> list[list[str]]:
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.select("td")]
        for row in page.select("tbody tr")
    ]


def vacancies_in(db_session) -> list[Vacancy]:
    db_session.expire_all()
    return db_session.scalars(select(Vacancy).order_by(Vacancy.id)).all()


def audit_actions(db_session) -> list[tuple[str, str | None]]:
    return [
        (event.action, event.target_type)
        for event in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


# The list


def test_the_list_shows_the_viewers_vacancies_with_state_and_counts_by_stage(
    get_page, login_as, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    open_one = builders.create_vacancy(db_session, title="Open one", closing_date=date(2027, 2, 1))
    for stage in (Stage.SUBMITTED, Stage.SUBMITTED, Stage.SCREENING):
        builders.create_application(db_session, open_one, stage=stage)
    builders.create_vacancy(
        db_session, title="Draft one", published=False, closing_date=date(2027, 1, 20)
    )
    filled = builders.create_vacancy(
        db_session, title="Filled one", positions=1, closing_date=date(2027, 1, 10)
    )
    builders.create_application(db_session, filled, stage=Stage.HIRED)
    builders.create_vacancy(db_session, title="Past one", closing_date=TODAY - timedelta(days=1))
    builders.create_vacancy(db_session, borough="Camden", title="Camden's own")

    page = get_page("/coordinator/vacancies")
    rows = table_rows(page)
    assert [row[0].split(" Software")[0] for row in rows] == [
        "Open one",
        "Draft one",
        "Filled one",
        "Past one",
    ]
    assert [row[3] for row in rows] == ["Open", "Draft", "Closed", "Closed"]
    assert rows[0][4:] == ["3", "Submitted: 2 Screening: 1"]
    assert rows[1][4:] == ["0", "None"]
    assert rows[2][4:] == ["1", "Hired: 1"]
    assert "Camden's own" not in text_of(page)
    link = page.select_one("tbody a")
    assert link["href"] == f"/coordinator/vacancies/{open_one.id}"
    assert "Showing 1 to 4 of 4 vacancies" in text_of(page)


def test_a_programme_wide_coordinator_sees_every_boroughs_vacancies(get_page, login_as, db_session):
    login_as(Role.COORDINATOR, programme_wide=True)
    builders.create_vacancy(db_session, borough="Camden", title="Camden's own")
    rows = table_rows(get_page("/coordinator/vacancies"))
    assert [row[1] for row in rows] == ["Camden"]


def test_no_vacancies_yet(get_page, login_as):
    login_as(Role.COORDINATOR)
    assert "There are no vacancies yet." in text_of(get_page("/coordinator/vacancies"))


def test_other_roles_cannot_reach_vacancy_pages(client, login_as, db_session):
    vacancy = builders.create_vacancy(db_session)
    login_as(Role.MENTOR)
    for url in (
        "/coordinator/vacancies",
        "/coordinator/vacancies/new",
        f"/coordinator/vacancies/{vacancy.id}",
        f"/coordinator/vacancies/{vacancy.id}/edit",
        f"/coordinator/vacancies/{vacancy.id}/publish",
    ):
        assert client.get(url).status_code == 403, url


def test_the_list_paginates_in_a_fixed_number_of_queries(
    client, get_page, login_as, db_session, count_queries
):
    login_as(Role.COORDINATOR, borough="Hackney")
    cohort = builders.create_cohort(db_session, start_date=date(2027, 3, 1))
    stages = list(Stage)

    def add_vacancies(numbers) -> None:
        for number in numbers:
            vacancy = builders.create_vacancy(
                db_session,
                cohort=cohort,
                title=f"Vacancy {number:02d}",
                published=number % 3 != 0,
                closing_date=date(2027, 1, 1) + timedelta(days=number),
            )
            builders.create_application(db_session, vacancy, stage=stages[number % len(stages)])

    add_vacancies(range(2))
    client.get("/coordinator/vacancies")  # the first page of a session stores its CSRF token
    with count_queries() as few:
        assert client.get("/coordinator/vacancies").status_code == 200
    add_vacancies(range(2, 40))
    with count_queries() as many:
        assert client.get("/coordinator/vacancies").status_code == 200
    assert many.count == few.count
    assert any("GROUP BY" in statement for statement in many.statements)
    page = get_page("/coordinator/vacancies?page=2")
    assert len(table_rows(page)) == 15
    assert "Showing 26 to 40 of 40 vacancies" in text_of(page)


# A vacancy's page


def test_the_vacancy_page_shows_details_rule_and_counts(get_page, login_as, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    vacancy = builders.create_vacancy(db_session, title="Data apprentice", published=False)
    for stage in (Stage.SUBMITTED, Stage.OFFERED, Stage.OFFERED):
        builders.create_application(db_session, vacancy, stage=stage)

    page = get_page(f"/coordinator/vacancies/{vacancy.id}")
    text = text_of(page)
    assert page.select_one("h1").get_text(strip=True) == "Data apprentice"
    assert "Draft" in text
    assert "Residents cannot see this vacancy until it is published." in text
    assert "£13.85 an hour" in text
    assert "31 January 2027" in text
    assert "Residents can apply if they: live in Hackney, or" in text
    assert "are a care leaver supported by Hackney" in text
    assert "be 16 or older on 1 March 2027, when the apprenticeship starts" in text
    counts = {
        row.select_one("th").get_text(strip=True): row.select_one("td").get_text(strip=True)
        for row in page.select("tbody tr")
    }
    assert counts["Submitted"] == "1"
    assert counts["Offered"] == "2"
    assert counts["Hired"] == "0"
    assert counts["Total"] == "3"
    hrefs = {a["href"] for a in page.select("main a")}
    assert f"/coordinator/vacancies/{vacancy.id}/applications" in hrefs
    assert f"/coordinator/vacancies/{vacancy.id}/edit" in hrefs
    assert f"/coordinator/vacancies/{vacancy.id}/publish" in hrefs


def test_a_published_vacancy_links_to_its_public_page(get_page, login_as, db_session):
    login_as(Role.COORDINATOR)
    vacancy = builders.create_vacancy(db_session, closing_date=TODAY - timedelta(days=2))
    page = get_page(f"/coordinator/vacancies/{vacancy.id}")
    assert "Closed The closing date has passed." in text_of(page)
    hrefs = {a["href"] for a in page.select("main a")}
    assert f"/vacancies/{vacancy.id}" in hrefs
    assert f"/coordinator/vacancies/{vacancy.id}/publish" not in hrefs


def test_another_boroughs_vacancy_is_not_found(client, login_as, post_form, db_session):
    cohort, standard = cohort_and_standard(db_session, lead="Camden")
    vacancy = builders.create_vacancy(
        db_session, borough="Camden", cohort=cohort, title="Camden's", published=False
    )
    login_as(Role.COORDINATOR, borough="Hackney")
    for url in (
        f"/coordinator/vacancies/{vacancy.id}",
        f"/coordinator/vacancies/{vacancy.id}/edit",
        f"/coordinator/vacancies/{vacancy.id}/publish",
        "/coordinator/vacancies/999999",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        check_page(response)
    edit = post_form(
        f"/coordinator/vacancies/{vacancy.id}/edit",
        form_data(cohort, standard, title="Taken over", row_version="1"),
    )
    assert edit.status_code == 404
    publish = post_form(f"/coordinator/vacancies/{vacancy.id}/publish", {"row_version": "1"})
    assert publish.status_code == 404
    [stored] = vacancies_in(db_session)
    assert (stored.title, stored.status, stored.row_version) == ("Camden's", "draft", 1)


# Adding


def test_a_coordinator_adds_a_draft_vacancy_for_their_borough(
    client, get_page, login_as, post_form, db_session
):
    actor = login_as(Role.COORDINATOR, borough="Hackney")
    cohort, standard = cohort_and_standard(db_session)
    page = get_page("/coordinator/vacancies/new")
    assert page.select_one("#employing_borough") is None
    assert "The employing borough is Hackney." in text_of(page)
    # Defaults: residents of the borough, both other routes, aged 16.
    assert page.select_one("input[name=residence_rule][value=own]").has_attr("checked")
    assert page.select_one("input[name=educated_route][value=yes]").has_attr("checked")
    assert page.select_one("#minimum_age")["value"] == "16"
    assert page.select_one(f"#cohort option[value='{cohort.id}']").get_text() == (
        "Spring 2027 (starts 1 March 2027)"
    )

    response = post_form("/coordinator/vacancies/new", form_data(cohort, standard))
    [vacancy] = vacancies_in(db_session)
    assert response.status_code == 302
    assert response.location == f"/coordinator/vacancies/{vacancy.id}"
    assert (vacancy.title, vacancy.status, vacancy.employing_borough_id) == (
        "Junior developer apprentice",
        "draft",
        actor.borough_id,
    )
    assert (vacancy.educated_route, vacancy.care_leaver_route, vacancy.closing_date) == (
        True,
        False,
        date(2027, 1, 31),
    )
    assert audit_actions(db_session) == [("created", "vacancy")]
    page = check_page(client.get(response.location))
    assert "Junior developer apprentice added as a draft" in page.get_text()


def test_a_list_rule_names_its_boroughs_without_needing_javascript(
    get_page, login_as, post_form, db_session
):
    login_as(Role.COORDINATOR)
    cohort, standard = cohort_and_standard(db_session)
    page = get_page("/coordinator/vacancies/new")
    # The 33 boroughs are plain checkboxes in the page: nothing hides them or needs a script.
    boxes = page.select("input[type=checkbox][name=eligible_boroughs]")
    assert len(boxes) == 33
    assert page.select(".govuk-radios__conditional") == []
    legend = page.select_one("#eligible_boroughs").find_parent("fieldset").legend
    assert legend.get_text(strip=True) == "Which boroughs’ residents can apply?"

    ids = [builders.get_borough(db_session, name).id for name in ("Islington", "Camden")]
    response = post_form(
        "/coordinator/vacancies/new",
        form_data(cohort, standard, residence_rule="list", eligible_boroughs=[str(i) for i in ids]),
    )
    assert response.status_code == 302
    page = get_page(response.location)
    assert "Residents can apply if they: live in Camden or Islington, or" in text_of(page)
    page = get_page(response.location + "/edit")
    checked = [box["value"] for box in page.select("input[name=eligible_boroughs][checked]")]
    assert sorted(checked) == sorted(str(i) for i in ids)


def test_boroughs_ticked_for_another_rule_are_not_kept(get_page, login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    cohort, standard = cohort_and_standard(db_session)
    camden = builders.get_borough(db_session, "Camden")
    response = post_form(
        "/coordinator/vacancies/new",
        form_data(cohort, standard, residence_rule="london", eligible_boroughs=[str(camden.id)]),
    )
    assert response.status_code == 302
    page = get_page(response.location)
    assert "Residents can apply if they: live in a London borough, or" in text_of(page)
    assert (
        get_page(response.location + "/edit").select("input[name=eligible_boroughs][checked]") == []
    )


def test_a_list_rule_without_boroughs_is_refused_with_the_list_shown(
    login_as, post_form, db_session
):
    login_as(Role.COORDINATOR)
    cohort, standard = cohort_and_standard(db_session)
    response = post_form(
        "/coordinator/vacancies/new", form_data(cohort, standard, residence_rule="list")
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Select the boroughs whose residents can apply"]
    assert page.select_one("input[name=residence_rule][value=list]").has_attr("checked")
    assert vacancies_in(db_session) == []


def test_an_invalid_form_keeps_what_was_typed_and_stores_nothing(login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    cohort, standard = cohort_and_standard(db_session)
    response = post_form(
        "/coordinator/vacancies/new",
        form_data(
            cohort,
            standard,
            title=XSS,
            hourly_pay="thirteen",
            positions="0",
            closing_date=["31", "2", "2027"],
        ),
    )
    assert response.status_code == 400
    page = check_page(response)
    assert page.title.get_text().startswith("Error: ")
    assert error_messages(page) == [
        "Positions must be between 1 and 500",
        "Hourly pay must be an amount of money, like 13.85",
        "Closing date must be a real date",
    ]
    assert page.select_one("#title")["value"] == XSS
    assert page.select_one("#hourly_pay")["value"] == "thirteen"
    assert page.select_one("#positions")["value"] == "0"
    assert page.select_one("#description").get_text().startswith("Build services")
    assert XSS not in response.get_data(as_text=True)
    assert vacancies_in(db_session) == []


def test_pay_below_the_apprentice_minimum_wage_is_refused(login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    cohort, standard = cohort_and_standard(db_session)
    response = post_form(
        "/coordinator/vacancies/new", form_data(cohort, standard, hourly_pay="£7.99")
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "Hourly pay must be at least £8.00, the apprentice minimum wage"
    ]
    assert page.select_one("#hourly_pay")["value"] == "£7.99"
    assert vacancies_in(db_session) == []


def test_a_borough_coordinator_cannot_send_another_employing_borough(
    login_as, post_form, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    cohort, standard = cohort_and_standard(db_session)
    camden = builders.get_borough(db_session, "Camden")
    response = post_form(
        "/coordinator/vacancies/new",
        form_data(cohort, standard, employing_borough=str(camden.id)),
    )
    assert response.status_code == 400
    assert "You can only run vacancies for your own borough" in check_page(response).get_text()
    assert vacancies_in(db_session) == []


def test_a_programme_wide_coordinator_chooses_the_employing_borough(
    get_page, login_as, post_form, db_session
):
    login_as(Role.COORDINATOR, programme_wide=True)
    cohort, standard = cohort_and_standard(db_session, lead="Camden")
    assert get_page("/coordinator/vacancies/new").select_one("#employing_borough") is not None
    camden = builders.get_borough(db_session, "Camden")
    response = post_form(
        "/coordinator/vacancies/new",
        form_data(cohort, standard, employing_borough=str(camden.id)),
    )
    assert response.status_code == 302
    [vacancy] = vacancies_in(db_session)
    assert vacancy.employing_borough_id == camden.id


def test_a_cohort_the_coordinator_cannot_see_is_not_offered(
    get_page, login_as, post_form, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    hidden, standard = cohort_and_standard(db_session, lead="Camden")
    page = get_page("/coordinator/vacancies/new")
    assert page.select_one(f"#cohort option[value='{hidden.id}']") is None
    response = post_form("/coordinator/vacancies/new", form_data(hidden, standard))
    assert response.status_code == 400
    assert vacancies_in(db_session) == []


# Changing


def test_a_coordinator_changes_a_vacancy(client, get_page, login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    cohort, standard = cohort_and_standard(db_session)
    vacancy = builders.create_vacancy(db_session, cohort=cohort)
    page = get_page(f"/coordinator/vacancies/{vacancy.id}/edit")
    assert page.select_one("#title")["value"] == vacancy.title
    assert page.select_one("#hourly_pay")["value"] == "13.85"
    assert page.select_one("#row_version")["value"] == "1"

    response = post_form(
        f"/coordinator/vacancies/{vacancy.id}/edit",
        form_data(cohort, standard, title="Renamed", positions="6", row_version="1"),
    )
    assert response.status_code == 302
    [stored] = vacancies_in(db_session)
    assert (stored.title, stored.positions, stored.row_version) == ("Renamed", 6, 2)
    event = db_session.scalars(select(AuditEvent)).one()
    assert event.action == "updated"
    assert "title" in event.fields_changed and "positions" in event.fields_changed


def test_a_stale_edit_is_refused_with_409_and_keeps_what_was_typed(login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    cohort, standard = cohort_and_standard(db_session)
    vacancy = builders.create_vacancy(db_session, cohort=cohort, title="Original")
    # Someone else saves first.
    vacancy.title = "Theirs"
    db_session.commit()

    response = post_form(
        f"/coordinator/vacancies/{vacancy.id}/edit",
        form_data(cohort, standard, title="Mine", row_version="1"),
    )
    assert response.status_code == 409
    page = check_page(response)
    text = text_of(page)
    assert "Someone else changed this record" in text
    assert "The vacancy’s current details" in text
    assert page.select_one("#title")["value"] == "Mine"
    assert page.select_one("#row_version")["value"] == "2"
    [stored] = vacancies_in(db_session)
    assert (stored.title, stored.row_version) == ("Theirs", 2)


def test_an_invalid_edit_is_400_and_changes_nothing(login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    cohort, standard = cohort_and_standard(db_session)
    vacancy = builders.create_vacancy(db_session, cohort=cohort, title="Original")
    response = post_form(
        f"/coordinator/vacancies/{vacancy.id}/edit",
        form_data(cohort, standard, title="", minimum_age="15", row_version="1"),
    )
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "Enter the vacancy’s title",
        "Minimum age must be between 16 and 99",
    ]
    [stored] = vacancies_in(db_session)
    assert (stored.title, stored.row_version) == ("Original", 1)


# Publishing


def test_a_coordinator_publishes_a_draft(client, get_page, login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    vacancy = builders.create_vacancy(db_session, published=False)
    page = get_page(f"/coordinator/vacancies/{vacancy.id}/publish")
    assert "apply until the end of 31 January 2027" in text_of(page)
    assert page.select_one("#row_version")["value"] == "1"
    assert page.select_one("main form[method=post] button").get_text(strip=True) == (
        "Publish vacancy"
    )

    response = post_form(f"/coordinator/vacancies/{vacancy.id}/publish", {"row_version": "1"})
    assert response.status_code == 302
    assert response.location == f"/coordinator/vacancies/{vacancy.id}"
    [stored] = vacancies_in(db_session)
    assert stored.status == "published"
    assert stored.published_at is not None
    assert audit_actions(db_session) == [("updated", "vacancy")]
    assert "is published" in check_page(client.get(response.location)).get_text()
    # Residents can now see it.
    assert client.get(f"/vacancies/{vacancy.id}").status_code == 200


def test_a_draft_that_cannot_be_published_says_why(get_page, login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    vacancy = builders.create_vacancy(
        db_session, published=False, closing_date=TODAY - timedelta(days=1)
    )
    page = get_page(f"/coordinator/vacancies/{vacancy.id}/publish")
    assert "You cannot publish this vacancy yet." in text_of(page)
    assert "Change the closing date: it has passed" in text_of(page)
    assert page.select_one("main form[method=post]") is None

    response = post_form(f"/coordinator/vacancies/{vacancy.id}/publish", {"row_version": "1"})
    assert response.status_code == 400
    assert "Change the closing date: it has passed" in text_of(check_page(response))
    [stored] = vacancies_in(db_session)
    assert stored.status == "draft"


def test_an_already_published_vacancy_is_not_published_again(
    get_page, login_as, post_form, db_session
):
    login_as(Role.COORDINATOR)
    vacancy = builders.create_vacancy(db_session, published=True)
    page = get_page(f"/coordinator/vacancies/{vacancy.id}/publish")
    assert "This vacancy is already published" in text_of(page)
    response = post_form(f"/coordinator/vacancies/{vacancy.id}/publish", {"row_version": "1"})
    assert response.status_code == 400
    assert audit_actions(db_session) == []


def test_publishing_from_a_stale_page_is_409(login_as, post_form, db_session):
    login_as(Role.COORDINATOR)
    vacancy = builders.create_vacancy(db_session, published=False)
    vacancy.title = "Changed meanwhile"
    db_session.commit()
    response = post_form(f"/coordinator/vacancies/{vacancy.id}/publish", {"row_version": "1"})
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in text_of(page)
    assert page.select_one("#row_version")["value"] == "2"
    [stored] = vacancies_in(db_session)
    assert stored.status == "draft"


# Nothing typed is rendered unescaped


def test_a_title_and_description_with_markup_are_shown_escaped(
    client, login_as, post_form, db_session
):
    login_as(Role.COORDINATOR)
    cohort, standard = cohort_and_standard(db_session)
    response = post_form(
        "/coordinator/vacancies/new",
        form_data(cohort, standard, title=XSS, description=f"Line one\n{XSS}"),
    )
    assert response.status_code == 302
    for url in (response.location, "/coordinator/vacancies", f"{response.location}/edit"):
        page = client.get(url)
        html = page.get_data(as_text=True)
        assert XSS not in html, url
        assert "&lt;script&gt;" in html, url
        assert not check_page(page).select("main script"), url


# Random input


CHARACTERS = st.characters(exclude_categories=("Cs",))
NOISE = st.one_of(
    st.text(CHARACTERS, max_size=30),
    st.text(st.characters(categories=("Cc",)), min_size=1, max_size=5),
    st.builds(
        lambda piece, n: (piece or "x") * n, st.text(CHARACTERS, max_size=5), st.integers(1, 6000)
    ),
    st.sampled_from(["", " ", "0", "-1", "8", "7.999", "£8.00", "13.855", "1e3", "١٢", XSS]),
)


@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "title",
                "description",
                "positions",
                "hourly_pay",
                "minimum_age",
                "residence_rule",
                "educated_route",
                "cohort",
                "standard",
                "eligible_boroughs",
            ]
        ),
        NOISE,
        max_size=4,
    ),
    closing_date=st.one_of(
        st.lists(st.one_of(st.integers(-5, 10_000).map(str), NOISE), max_size=4),
        st.just(["31", "1", "2027"]),
    ),
)
def test_random_input_never_fails_and_never_stores_an_invalid_vacancy(
    app, client, login_as, db_session, fields, closing_date
):
    login_as(Role.COORDINATOR)  # each example: a new coordinator and cohort
    cohort, standard = cohort_and_standard(db_session)
    data = form_data(cohort, standard, closing_date=closing_date)
    data.update(fields)
    data["csrf_token"] = csrf_token(client)
    response = client.post("/coordinator/vacancies/new", data=data)
    assert response.status_code in (302, 400), response.status_code
    check_page(client.get("/coordinator/vacancies"))
    for vacancy in vacancies_in(db_session):
        assert 8 <= vacancy.hourly_pay <= 100
        assert 1 <= vacancy.positions <= 500
        assert 16 <= vacancy.minimum_age <= 99
        assert vacancy.title.strip() == vacancy.title and 0 < len(vacancy.title) <= 200
        assert 0 < len(vacancy.description) <= 5000
        assert vacancy.closing_date < cohort.start_date
        assert vacancy.status == "draft"
