"""Coordinators' pipeline pages: the list (counts, filters, search, pages, bulk moves), the
export, an application's page, moving one, hiring, and importing a CSV file."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.models import (
    Application,
    ApplicationEvent,
    ApplicationImport,
    Apprentice,
    AuditEvent,
    EqualityMonitoring,
    GuaranteedInterview,
    Role,
    Stage,
    User,
)
from tests import builders
from tests.conftest import csrf_token
from tests.html_checks import check_page, error_messages, text_of

S = Stage


def date_parts(name: str, value: date) -> dict[str, list[str]]:
    return {name: [str(value.day), str(value.month), str(value.year)]}


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def reload(db_session, application) -> Application:
    db_session.expire_all()
    return db_session.get(Application, application.id)


def listed(page) -> list[str]:
    return [
        row.select("td")[1].find("a").get_text(strip=True)
        for row in page.select("#applications tbody tr")
    ]


def selection(*applications) -> list[str]:
    return [f"{a.id}:{a.row_version}" for a in applications]


def audits(db_session, action: str) -> list[AuditEvent]:
    db_session.expire_all()
    return db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.fixture
def vacancy(db_session):
    return builders.create_vacancy(db_session, borough="Hackney", title="Junior developer")


@pytest.fixture
def coordinator(login_as):
    return login_as(Role.COORDINATOR, borough="Hackney", name="Cora Coordinator")


def base(vacancy) -> str:
    return f"/coordinator/vacancies/{vacancy.id}/applications"


# The list


def test_the_list_counts_filters_and_searches(get_page, coordinator, db_session, vacancy):
    ada = builders.create_application(db_session, vacancy, name="Ada Able")
    bea = builders.create_application(
        db_session, vacancy, name="Bea Camden", residence="Camden", stage=S.SCREENING
    )
    cy = builders.create_application(db_session, vacancy, name="Cy Ineligible", eligible=False)
    cy.guaranteed_interview = GuaranteedInterview.DISABILITY.value
    db_session.commit()
    builders.create_application(db_session, vacancy, name="Di Done", stage=S.REJECTED)
    other = builders.create_vacancy(db_session, borough="Hackney", title="Other")
    builders.create_application(db_session, other, name="Eve Elsewhere")

    page = get_page(base(vacancy))
    assert listed(page) == ["Ada Able", "Bea Camden", "Cy Ineligible", "Di Done"]
    counts = {
        cell["data-stage"]: cell.get_text(" ", strip=True)
        for cell in page.select("#stage-counts td[data-stage]")
    }
    assert counts["submitted"].startswith("2") and counts["screening"].startswith("1")
    assert counts["rejected"].startswith("1") and counts["hired"].startswith("0")

    assert listed(get_page(f"{base(vacancy)}?stage=screening")) == ["Bea Camden"]
    assert listed(get_page(f"{base(vacancy)}?eligible=no")) == ["Cy Ineligible"]
    assert listed(get_page(f"{base(vacancy)}?local=no")) == ["Bea Camden"]
    assert listed(get_page(f"{base(vacancy)}?interview=yes")) == ["Cy Ineligible"]
    assert listed(get_page(f"{base(vacancy)}?interview=no&stage=submitted")) == ["Ada Able"]
    assert listed(get_page(f"{base(vacancy)}?q=bea")) == ["Bea Camden"]
    assert listed(get_page(f"{base(vacancy)}?q={ada.reference.lower()}")) == ["Ada Able"]
    assert listed(get_page(f"{base(vacancy)}?q=%25")) == []  # a wildcard is just a character
    assert "No applications match" in text_of(get_page(f"{base(vacancy)}?q=zzz"))
    # Nonsense is ignored, not an error, and is not passed on to the page's links.
    page = get_page(f"{base(vacancy)}?stage=emperor&eligible=x&page=-1&vacancy_id=9&_external=1")
    assert len(listed(page)) == 4
    assert "_external" not in page.select_one("a[href*='/export']")["href"]
    # The filters are kept in the export and bulk-move links.
    page = get_page(f"{base(vacancy)}?stage=screening")
    assert page.select_one("a[href*='/export']")["href"].endswith("export?stage=screening")
    assert page.select_one("main form[method=post]")["action"].endswith("move?stage=screening")
    assert bea.id and page.select_one("#stage option[selected]")["value"] == "screening"


def test_the_list_is_paginated_in_a_fixed_number_of_queries(
    client, coordinator, db_session, count_queries, get_page, vacancy
):
    url = base(vacancy)
    for number in range(2):
        builders.create_application(db_session, vacancy, name=f"Early {number}")
    client.get(url)  # the first page of a session stores its CSRF token
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for number in range(38):
        builders.create_application(
            db_session,
            vacancy,
            name=f"Later {number:02d}",
            residence="Camden" if number % 2 else None,
            stage=S.SCREENING if number % 3 else S.SUBMITTED,
        )
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count
    page = get_page(f"{url}?page=2")
    assert len(listed(page)) == 15
    assert "Showing 26 to 40 of 40 applications" in text_of(page)


def test_another_boroughs_vacancy_and_applications_are_not_found(
    client, coordinator, db_session, post_form
):
    camden = builders.create_vacancy(db_session, borough="Camden")
    theirs = builders.create_application(db_session, camden, stage=S.OFFERED)
    for url in (
        base(camden),
        f"{base(camden)}/export",
        f"{base(camden)}/import",
        f"/coordinator/applications/{theirs.id}",
        f"/coordinator/applications/{theirs.id}/move",
        f"/coordinator/applications/{theirs.id}/hire",
    ):
        assert client.get(url).status_code == 404, url
    response = post_form(
        f"{base(camden)}/move", {"selected": selection(theirs), "to_stage": "withdrawn"}
    )
    assert response.status_code == 404
    response = post_form(
        f"/coordinator/applications/{theirs.id}/move", {"to_stage": "withdrawn", "row_version": "1"}
    )
    assert response.status_code == 404
    response = post_form(
        f"/coordinator/applications/{theirs.id}/hire",
        {**date_parts("right_to_work_checked_on", date(2026, 11, 20)), "row_version": "1"},
    )
    assert response.status_code == 404
    assert reload(db_session, theirs).stage == "offered"
    assert audits(db_session, "exported") == [] and audits(db_session, "viewed_record") == []


def test_a_programme_wide_coordinator_and_an_admin_see_every_borough(client, login_as, db_session):
    camden = builders.create_vacancy(db_session, borough="Camden")
    theirs = builders.create_application(db_session, camden)
    login_as(Role.COORDINATOR, borough="Hackney", programme_wide=True)
    assert client.get(base(camden)).status_code == 200
    login_as(Role.ADMIN)
    assert client.get(f"/coordinator/applications/{theirs.id}").status_code == 200


@pytest.mark.parametrize("role", [Role.MENTOR, Role.APPRENTICE, Role.BOROUGH_LEAD])
def test_other_roles_are_refused(client, login_as, db_session, vacancy, role):
    application = builders.create_application(db_session, vacancy)
    login_as(role, borough="Hackney")
    assert client.get(base(vacancy)).status_code == 403
    assert client.get(f"/coordinator/applications/{application.id}").status_code == 403
    assert client.get(f"{base(vacancy)}/export").status_code == 403


# Bulk moves


def test_a_bulk_move_moves_the_selected_ones(coordinator, post_form, db_session, vacancy):
    first = builders.create_application(db_session, vacancy)
    second = builders.create_application(db_session, vacancy)
    untouched = builders.create_application(db_session, vacancy)
    response = post_form(
        f"{base(vacancy)}/move?stage=submitted",
        {"selected": selection(first, second), "to_stage": "screening", "note": "First sift"},
    )
    assert response.status_code == 302
    assert response.location.endswith("/applications?stage=submitted")
    assert [reload(db_session, a).stage for a in (first, second, untouched)] == [
        "screening",
        "screening",
        "submitted",
    ]
    event = db_session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == first.id)
        .order_by(ApplicationEvent.id.desc())
    ).first()
    assert (event.to_stage, event.note, event.actor_user_id) == (
        "screening",
        "First sift",
        coordinator.id,
    )


def test_the_flash_says_how_many_moved(client, coordinator, post_form, db_session, vacancy):
    chosen = [builders.create_application(db_session, vacancy) for _ in range(2)]
    post_form(f"{base(vacancy)}/move", {"selected": selection(*chosen), "to_stage": "screening"})
    assert "2 applications moved to screening" in text_of(check_page(client.get(base(vacancy))))


def test_a_bulk_move_that_cannot_all_happen_moves_none_and_says_which(
    coordinator, post_form, db_session, vacancy
):
    fine = builders.create_application(db_session, vacancy, name="Ada Able")
    done = builders.create_application(db_session, vacancy, name="Rex Rejected", stage=S.REJECTED)
    response = post_form(
        f"{base(vacancy)}/move",
        {"selected": selection(fine, done), "to_stage": "screening", "note": "Typed note"},
    )
    assert response.status_code == 400
    page = check_page(response)
    message = error_messages(page)[0]
    assert "No applications were moved" in message and "Rex Rejected" in message
    assert "Ada Able" not in message
    assert page.select_one(".govuk-error-summary a")["href"] == "#selected"
    # What was chosen and typed is kept.
    assert {box["value"] for box in page.select("input[name=selected][checked]")} == set(
        selection(fine, done)
    )
    assert page.select_one("#note").get_text() == "Typed note"
    assert reload(db_session, fine).stage == "submitted"


def test_a_bulk_move_needs_a_selection_and_a_stage(coordinator, post_form, db_session, vacancy):
    builders.create_application(db_session, vacancy)
    response = post_form(f"{base(vacancy)}/move", {"to_stage": ""})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "Select at least one application",
        "Select the stage to move the applications to",
    ]


def test_a_bulk_rejection_needs_a_reason(coordinator, post_form, db_session, vacancy):
    chosen = builders.create_application(db_session, vacancy)
    response = post_form(
        f"{base(vacancy)}/move", {"selected": selection(chosen), "to_stage": "rejected"}
    )
    assert response.status_code == 400
    assert "Enter the reason" in error_messages(check_page(response))[0]
    assert reload(db_session, chosen).stage == "submitted"


def test_a_stale_bulk_move_is_409(coordinator, post_form, db_session, vacancy):
    chosen = builders.create_application(db_session, vacancy)
    listed_as = selection(chosen)
    chosen.stage = S.SCREENING.value  # someone else moved it meanwhile
    db_session.commit()
    response = post_form(
        f"{base(vacancy)}/move", {"selected": listed_as, "to_stage": "rejected", "reason": "No"}
    )
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed" in text_of(page)
    # Still ticked, now with the current version, so moving it again goes through.
    assert page.select_one("input[name=selected][checked]")["value"] == f"{chosen.id}:2"
    assert reload(db_session, chosen).stage == "screening"


def test_a_forged_selection_is_refused(coordinator, post_form, db_session, vacancy):
    other = builders.create_vacancy(db_session, borough="Hackney", title="Other")
    elsewhere = builders.create_application(db_session, other)
    response = post_form(
        f"{base(vacancy)}/move", {"selected": selection(elsewhere), "to_stage": "screening"}
    )
    assert response.status_code == 404
    response = post_form(f"{base(vacancy)}/move", {"selected": ["1;DROP"], "to_stage": "screening"})
    assert response.status_code == 400
    assert reload(db_session, elsewhere).stage == "submitted"


# The export


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_export_is_the_filtered_list_streamed_neutralised_and_audited(
    client, coordinator, db_session, vacancy
):
    builders.create_application(db_session, vacancy, name='=HYPERLINK("http://x")')
    builders.create_application(
        db_session, vacancy, name="Bea Camden", residence="Camden", stage=S.SCREENING
    )
    builders.create_application(db_session, vacancy, name="Olu Outside", residence=None)
    response = client.get(f"{base(vacancy)}/export?stage=submitted")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        rf'attachment; filename="applications-vacancy-{vacancy.id}-2026-11-27\.csv"', disposition
    )
    rows = read_csv(response)
    header = rows[0]
    assert header[:5] == ["Reference", "Submitted", "Source", "Stage", "Name"]
    named = {row[4]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(named) == {'\'=HYPERLINK("http://x")', "Olu Outside"}
    olu = named["Olu Outside"]
    assert olu["Borough of residence"] == "Outside London"
    assert olu["Stage"] == "Submitted" and olu["Eligible"] == "Yes"
    assert olu["Submitted"] == "2026-11-20 09:30"
    assert olu["Guaranteed interview"] == "No"
    event = audits(db_session, "exported")[0]
    assert (event.actor_user_id, event.target_type, event.target_id) == (
        coordinator.id,
        "vacancy",
        vacancy.id,
    )
    assert "email" in event.fields_changed and "Olu" not in str(event.fields_changed)


# An application's page


def test_the_application_page_shows_the_answers_reasons_and_history_and_is_audited(
    get_page, post_form, coordinator, db_session, vacancy
):
    application = builders.create_application(
        db_session, vacancy, name="Amara Jones", email="amara@example.org", eligible=False
    )
    application.guaranteed_interview = GuaranteedInterview.CARE_LEAVER.value
    application.eligibility_reasons = ["Will be 15 on 1 March 2027", "Does not live in Hackney"]
    db_session.commit()
    response = post_form(
        f"/coordinator/applications/{application.id}/move",
        {"to_stage": "screening", "note": "Checked by phone", "row_version": "2"},
    )
    assert response.status_code == 302

    page = get_page(f"/coordinator/applications/{application.id}")
    text = text_of(page)
    assert page.select_one("h1").get_text(strip=True) == "Amara Jones"
    for expected in (
        application.reference,
        "amara@example.org",
        "2 April 2006",
        "E8 1EA",
        "Not eligible",
        "Yes, as a care leaver",
        "I would like to learn to build services for my neighbours.",
    ):
        assert expected in text, expected
    assert [li.get_text() for li in page.select("#eligibility-reasons li")] == [
        "Will be 15 on 1 March 2027",
        "Does not live in Hackney",
    ]
    history = [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.select("#history tbody tr")
    ]
    assert history[0][1:3] == ["Applied", "The applicant"]
    assert history[1][1:] == ["Submitted to screening", "Cora Coordinator", "Checked by phone"]
    viewed = audits(db_session, "viewed_record")
    assert [(e.target_type, e.target_id) for e in viewed] == [("application", application.id)]


def test_user_input_is_escaped_everywhere(get_page, coordinator, db_session, vacancy):
    application = builders.create_application(db_session, vacancy, name="<script>alert(1)</script>")
    for url in (base(vacancy), f"/coordinator/applications/{application.id}"):
        response_text = str(get_page(url))
        assert "<script>alert(1)</script>" not in response_text


# Moving one application


def test_the_move_page_offers_the_legal_stages_only(get_page, coordinator, db_session, vacancy):
    application = builders.create_application(db_session, vacancy, stage=S.OFFERED)
    page = get_page(f"/coordinator/applications/{application.id}/move")
    values = [radio["value"] for radio in page.select("input[name=to_stage]")]
    assert values == ["rejected", "withdrawn"]  # hired only by hiring
    assert page.select_one(f"a[href='/coordinator/applications/{application.id}/hire']")


def test_moving_an_application(post_form, coordinator, db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    response = post_form(
        f"/coordinator/applications/{application.id}/move",
        {"to_stage": "screening", "row_version": "1"},
    )
    assert response.status_code == 302
    assert response.location == f"/coordinator/applications/{application.id}"
    assert reload(db_session, application).stage == "screening"


def test_rejecting_without_a_reason_is_400_with_the_input_kept(
    post_form, coordinator, db_session, vacancy
):
    application = builders.create_application(db_session, vacancy)
    response = post_form(
        f"/coordinator/applications/{application.id}/move",
        {"to_stage": "rejected", "note": "Kept note", "row_version": "1"},
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Enter the reason for rejecting the application"]
    assert page.select_one("input[name=to_stage][value=rejected]").has_attr("checked")
    assert page.select_one("#note").get_text() == "Kept note"
    assert reload(db_session, application).stage == "submitted"


def test_an_overlong_reason_is_refused(post_form, coordinator, db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    response = post_form(
        f"/coordinator/applications/{application.id}/move",
        {"to_stage": "rejected", "reason": "x" * 501, "row_version": "1"},
    )
    assert response.status_code == 400
    assert reload(db_session, application).stage == "submitted"


def test_a_forged_stage_is_refused(post_form, coordinator, db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    for stage in ("hired", "offered", "emperor"):
        response = post_form(
            f"/coordinator/applications/{application.id}/move",
            {"to_stage": stage, "row_version": "1"},
        )
        assert response.status_code == 400
    assert reload(db_session, application).stage == "submitted"


def test_a_stale_move_is_409_and_keeps_what_was_typed(post_form, coordinator, db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    application.phone = "07700 900000"  # someone else saved a change: version 2
    db_session.commit()
    response = post_form(
        f"/coordinator/applications/{application.id}/move",
        {"to_stage": "withdrawn", "note": "They phoned", "row_version": "1"},
    )
    assert response.status_code == 409
    page = check_page(response)
    assert page.select_one("input[name=row_version]")["value"] == "2"
    assert page.select_one("#note").get_text() == "They phoned"
    assert reload(db_session, application).stage == "submitted"


def test_a_final_application_cannot_be_moved(get_page, post_form, coordinator, db_session, vacancy):
    application = builders.create_application(db_session, vacancy, stage=S.WITHDRAWN)
    page = get_page(f"/coordinator/applications/{application.id}/move")
    assert "cannot be moved any further" in text_of(page)
    assert page.select_one("input[name=to_stage]") is None
    response = post_form(
        f"/coordinator/applications/{application.id}/move",
        {"to_stage": "screening", "row_version": "1"},
    )
    assert response.status_code == 400


# Hiring


INVITATION = re.compile(r"http://localhost(/account/invitation/\S+)")


def hire_form(**changes) -> dict:
    return {
        **date_parts("right_to_work_checked_on", date(2026, 11, 20)),
        **date_parts("start_date", date(2027, 3, 1)),
        "contracted_hours": "35",
        "row_version": "1",
        **changes,
    }


def test_hiring_makes_an_apprentice_and_sends_the_invitation(
    client, get_page, post_form, coordinator, db_session, vacancy, mailbox
):
    application = builders.create_application(
        db_session, vacancy, name="Amara Jones", email="amara@example.org", stage=S.OFFERED
    )
    page = get_page(f"/coordinator/applications/{application.id}/hire")
    assert page.select_one("#allow_over_positions") is None  # positions are free
    assert page.select_one("#start_date-year")["value"] == "2027"  # the cohort's start
    assert page.select_one("#contracted_hours")["value"] == "35"

    response = post_form(f"/coordinator/applications/{application.id}/hire", hire_form())
    assert response.status_code == 302
    apprentice = db_session.scalars(select(Apprentice)).one()
    assert response.location == f"/coordinator/apprentices/{apprentice.id}"
    application = reload(db_session, application)
    assert (application.stage, application.apprentice_id) == ("hired", apprentice.id)
    assert application.right_to_work_checked_on == date(2026, 11, 20)
    assert [mail.to for mail in mailbox] == ["amara@example.org"]
    assert INVITATION.search(mailbox[0].body)
    shown = text_of(check_page(client.get(response.location)))
    assert "Amara Jones hired" in shown
    # The application links to the apprentice's record.
    page = get_page(f"/coordinator/applications/{application.id}")
    assert page.select_one(f"a[href='/coordinator/apprentices/{apprentice.id}']")


def test_hiring_needs_the_right_to_work_check_date(
    post_form, coordinator, db_session, vacancy, mailbox
):
    application = builders.create_application(db_session, vacancy, stage=S.OFFERED)
    response = post_form(
        f"/coordinator/applications/{application.id}/hire",
        hire_form(right_to_work_checked_on=["", "", ""], contracted_hours="30"),
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Enter the date you checked their right to work in the UK"]
    assert page.select_one("#contracted_hours")["value"] == "30"
    response = post_form(
        f"/coordinator/applications/{application.id}/hire",
        hire_form(**date_parts("right_to_work_checked_on", date(2026, 12, 1))),
    )
    assert response.status_code == 400
    assert "today or in the past" in error_messages(check_page(response))[0]
    assert count(db_session, Apprentice) == 0 and mailbox == []


def test_a_full_vacancy_offers_the_override_which_is_audited(
    get_page, post_form, coordinator, db_session, mailbox
):
    vacancy = builders.create_vacancy(db_session, positions=1)
    builders.create_application(db_session, vacancy, stage=S.HIRED)
    application = builders.create_application(db_session, vacancy, stage=S.OFFERED)
    page = get_page(f"/coordinator/applications/{application.id}/hire")
    assert page.select_one("#allow_over_positions") is not None
    assert "The vacancy’s one position is filled." in text_of(page)

    response = post_form(f"/coordinator/applications/{application.id}/hire", hire_form())
    assert response.status_code == 400
    page = check_page(response)
    assert page.select_one(".govuk-error-summary a")["href"] == "#allow_over_positions"
    assert count(db_session, Apprentice) == 0

    response = post_form(
        f"/coordinator/applications/{application.id}/hire", hire_form(allow_over_positions="y")
    )
    assert response.status_code == 302
    assert count(db_session, Apprentice) == 1
    override = [e for e in audits(db_session, "updated") if e.target_type == "vacancy"]
    assert [e.fields_changed for e in override] == [["allow_over_positions"]]


def test_a_vacancy_filled_since_the_page_was_shown_offers_the_override(
    post_form, coordinator, db_session
):
    vacancy = builders.create_vacancy(db_session, positions=1)
    application = builders.create_application(db_session, vacancy, stage=S.OFFERED)
    builders.create_application(db_session, vacancy, stage=S.HIRED)  # hired meanwhile
    response = post_form(
        f"/coordinator/applications/{application.id}/hire",
        hire_form(contracted_hours="30"),  # sent from a page without the override
    )
    assert response.status_code == 400
    page = check_page(response)
    assert page.select_one(".govuk-error-summary a")["href"] == "#allow_over_positions"
    assert page.select_one("#contracted_hours")["value"] == "30"
    assert count(db_session, Apprentice) == 0


def test_only_an_offered_applicant_can_be_hired(
    get_page, post_form, coordinator, db_session, vacancy
):
    application = builders.create_application(db_session, vacancy, stage=S.SCREENING)
    page = get_page(f"/coordinator/applications/{application.id}/hire")
    assert "offered the job" in text_of(page)
    assert page.select_one("form[method=post] #right_to_work_checked_on-day") is None
    response = post_form(f"/coordinator/applications/{application.id}/hire", hire_form())
    assert response.status_code == 400
    assert count(db_session, Apprentice) == 0


def test_an_email_with_an_account_is_a_problem_for_the_page(
    post_form, coordinator, db_session, vacancy, mailbox
):
    application = builders.create_application(
        db_session, vacancy, email="taken@example.org", stage=S.OFFERED
    )
    builders.create_user(db_session, roles=[Role.MENTOR], email="taken@example.org")
    response = post_form(f"/coordinator/applications/{application.id}/hire", hire_form())
    assert response.status_code == 400
    page = check_page(response)
    assert "already exists" in text_of(page.select_one(".govuk-error-summary"))
    assert page.select_one("#right_to_work_checked_on-day")["value"] == "20"
    assert count(db_session, Apprentice) == 0 and mailbox == []


def test_a_stale_hire_is_409(post_form, coordinator, db_session, vacancy):
    application = builders.create_application(db_session, vacancy, stage=S.OFFERED)
    application.phone = "07700 900000"
    db_session.commit()
    response = post_form(f"/coordinator/applications/{application.id}/hire", hire_form())
    assert response.status_code == 409
    assert check_page(response).select_one("input[name=row_version]")["value"] == "2"
    assert count(db_session, Apprentice) == 0


def test_a_failure_while_hiring_leaves_nothing(
    app, post_form, coordinator, db_session, vacancy, monkeypatch, mailbox
):
    from app.domain import pipeline

    def fail(*args, **kwargs):
        raise RuntimeError("injected failure")

    application = builders.create_application(
        db_session, vacancy, email="amara@example.org", stage=S.OFFERED
    )
    users_before = count(db_session, User)
    monkeypatch.setattr(pipeline, "enter_hired", fail)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = post_form(f"/coordinator/applications/{application.id}/hire", hire_form())
    assert response.status_code == 500
    assert count(db_session, Apprentice) == 0
    assert count(db_session, User) == users_before
    assert reload(db_session, application).stage == "offered"
    assert mailbox == []


# Importing


HEADER = (
    "name,email,phone,date_of_birth,postcode,residence_borough,educated_in_borough,care_leaver,"
    "right_to_work,full_time_education,guaranteed_interview,supporting_statement,submitted_on\n"
)
GOOD_LINES = (
    "Amara Jones,amara@example.org,07700 900 982,2006-05-17,E8 1EA,Hackney,no,no,yes,no,no,"
    "I want to build services for my neighbours.,2026-11-20",
    "Sam Okafor,sam@example.org,020 7946 0000,17/01/2005,N1 9GU,Islington,yes,no,yes,no,"
    "care_leaver,I taught myself to code at the library.,",
)


def csv_file(*lines: str, name: str = "open-day.csv") -> tuple[io.BytesIO, str]:
    return io.BytesIO((HEADER + "".join(f"{line}\n" for line in lines)).encode()), name


def test_the_import_page_documents_the_columns(get_page, coordinator, vacancy):
    page = get_page(f"{base(vacancy)}/import")
    columns = [code.get_text() for code in page.select("#columns td code")]
    assert columns[:3] == ["name", "email", "phone"] and "supporting_statement" in columns
    assert page.select_one("main form[method=post]")["enctype"] == "multipart/form-data"


def test_importing_creates_applications_once(post_form, coordinator, db_session, vacancy):
    response = post_form(f"{base(vacancy)}/import", {"csv_file": csv_file(*GOOD_LINES)})
    assert response.status_code == 200
    page = check_page(response)
    assert "2 applications added" in text_of(page)
    assert len(page.select("#added li")) == 2
    assert count(db_session, Application) == 2
    assert {a.source for a in db_session.scalars(select(Application))} == {"import"}

    again = post_form(f"{base(vacancy)}/import", {"csv_file": csv_file(*GOOD_LINES, name="b.csv")})
    assert again.status_code == 200
    assert "already imported" in text_of(check_page(again))
    assert count(db_session, Application) == 2
    assert count(db_session, ApplicationImport) == 1


def test_a_file_with_a_bad_row_imports_nothing_and_lists_each_problem(
    post_form, coordinator, db_session, vacancy
):
    bad = "Bo Bell,bo@example.org,07700 900 983,2006-05-17,NOT A CODE,Hackney,no,no,yes,no,no,Hi,"
    response = post_form(f"{base(vacancy)}/import", {"csv_file": csv_file(*GOOD_LINES, bad)})
    assert response.status_code == 400
    page = check_page(response)
    assert "nothing was imported" in error_messages(page)[0]
    rows = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in page.select("#problems tbody tr")
    ]
    assert rows == [["4", "postcode", "Enter a real UK postcode, like E8 1EA"]]
    assert count(db_session, Application) == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Select a CSV file"),
        ((io.BytesIO(b"a,b\n"), "applicants.xlsx"), "The selected file must be a CSV file"),
        ((io.BytesIO(b"x" * (2 * 1024 * 1024 + 1)), "big.csv"), "smaller than 2 MB"),
        ((io.BytesIO(b""), "empty.csv"), "The selected file is empty"),
    ],
)
def test_the_upload_is_checked(client, coordinator, db_session, vacancy, upload, message):
    fields = {"csrf_token": csrf_token(client)}
    if upload:
        fields["csv_file"] = FileStorage(stream=upload[0], filename=upload[1])
    boundary, body = encode_multipart(fields)
    response = client.post(
        f"{base(vacancy)}/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    page = check_page(response)
    assert message in error_messages(page)[0]
    assert page.select_one(".govuk-error-summary a")["href"] == "#csv_file"
    assert count(db_session, Application) == 0


# Equality answers never appear against a person


EQUALITY_VALUES = {
    "gender": "Zebra-gender-test",
    "ethnic_group": "Ethnic-test-value",
    "disability": "Disability-test-value",
    "age_band": "Ageband-test-value",
    "care_experience": "Care-test-value",
}


def test_no_pipeline_page_or_export_shows_equality_answers(
    client, coordinator, db_session, vacancy, post_form
):
    applicant = builders.create_application(
        db_session, vacancy, name="Amara Jones", stage=S.OFFERED
    )
    db_session.add(EqualityMonitoring(application_id=applicant.id, **EQUALITY_VALUES))
    db_session.commit()
    app_id = applicant.id
    responses = {
        "list": client.get(base(vacancy)),
        "filtered list": client.get(f"{base(vacancy)}?stage=offered&q=amara"),
        "application": client.get(f"/coordinator/applications/{app_id}"),
        "move": client.get(f"/coordinator/applications/{app_id}/move"),
        "hire": client.get(f"/coordinator/applications/{app_id}/hire"),
        "export": client.get(f"{base(vacancy)}/export"),
        "import": client.get(f"{base(vacancy)}/import"),
        "move refused": post_form(f"/coordinator/applications/{app_id}/move", {"row_version": "1"}),
        "hire refused": post_form(f"/coordinator/applications/{app_id}/hire", {"row_version": "1"}),
        "bulk refused": post_form(f"{base(vacancy)}/move", {"selected": selection(applicant)}),
    }
    for name, response in responses.items():
        assert response.status_code in (200, 400), name
        body = response.get_data(as_text=True)
        if name != "import":
            assert "Amara Jones" in body, name  # the applicant really is on the page
        for value in EQUALITY_VALUES.values():
            assert value not in body, f"{value} appears on the {name} page"
        for word in ("Zebra", "Ethnic-test"):
            assert word.lower() not in body.lower(), name


# Property-based: whatever is typed or forged, never a 5xx and never a stored invalid move

ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["", " ", "\x00", "\r\n", "x" * 2001, "=1+1", "<script>", "rejected"])
STAGE_VALUES = st.sampled_from([stage.value for stage in Stage]) | ODD_TEXT


@given(to_stage=STAGE_VALUES, reason=ODD_TEXT, note=ODD_TEXT, version=ODD_TEXT)
def test_the_move_form_never_fails_whatever_is_sent(
    post_form, coordinator, db_session, vacancy, to_stage, reason, note, version
):
    application = builders.create_application(db_session, vacancy)
    response = post_form(
        f"/coordinator/applications/{application.id}/move",
        {"to_stage": to_stage, "reason": reason, "note": note, "row_version": version},
    )
    assert response.status_code in (302, 400, 409), response.status_code
    stored = reload(db_session, application)
    if response.status_code == 302:
        assert stored.stage in ("screening", "rejected", "withdrawn")
        assert stored.stage != "rejected" or (stored.rejection_reason or "").strip()
        event = db_session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .order_by(ApplicationEvent.id.desc())
        ).first()
        assert event.note is None or ("\x00" not in event.note and len(event.note) <= 2000)
    else:
        assert stored.stage == "submitted"
        check_page(response)


@given(selected=st.lists(ODD_TEXT, max_size=4), to_stage=STAGE_VALUES, reason=ODD_TEXT)
def test_the_bulk_form_never_fails_whatever_is_sent(
    post_form, coordinator, db_session, vacancy, selected, to_stage, reason
):
    application = builders.create_application(db_session, vacancy)
    response = post_form(
        f"{base(vacancy)}/move",
        {"selected": [*selected, f"{application.id}:1"], "to_stage": to_stage, "reason": reason},
    )
    assert response.status_code in (302, 400, 404, 409), response.status_code
    if response.status_code != 302:
        assert reload(db_session, application).stage == "submitted"


@given(q=ODD_TEXT, stage=ODD_TEXT, eligible=ODD_TEXT, page=ODD_TEXT)
def test_the_list_and_export_never_fail_whatever_the_filters(
    client, coordinator, db_session, vacancy, q, stage, eligible, page
):
    builders.create_application(db_session, vacancy, name="Ada Able")
    query = {"q": q, "stage": stage, "eligible": eligible, "interview": q, "page": page}
    response = client.get(base(vacancy), query_string=query)
    assert response.status_code == 200
    check_page(response)
    export = client.get(f"{base(vacancy)}/export", query_string=query)
    assert export.status_code == 200
    assert export.get_data(as_text=True).startswith("\ufeffReference,")
