"""The end-of-apprenticeship pages: the gateway, English and maths, end-point assessment,
destinations and the approaching-the-end list; scoping (404 another borough, 403 a host borough's
change), invalid forms (400) and a fixed number of queries on the list."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.domain import progress
from app.models import (
    KSB,
    Apprentice,
    ApprenticeStatus,
    EpaAttempt,
    GatewayConfirmation,
    GradeSet,
    LogEntry,
    Outcome,
    Role,
)
from tests import builders
from tests.html_checks import check_page, error_messages, text_of

S = ApprenticeStatus


def date_parts(name: str, value: date) -> dict[str, list[str]]:
    return {name: [str(value.day), str(value.month), str(value.year)]}


def reload(db_session, apprentice) -> Apprentice:
    db_session.expire_all()
    return db_session.get(Apprentice, apprentice.id)


def make_apprentice(db_session, *, borough="Hackney", start=date(2025, 9, 1), **options):
    """Live, started 1 September 2025, aged 20 then, English and maths opted out: with 10 of 10
    off-the-job hours approved covering the one KSB, every gateway item is met."""
    standard = builders.create_standard(
        db_session,
        min_otj_hours=10,
        ksbs=[("K1", "Knows things")],
        grade_set=options.pop("grade_set", GradeSet.PASS_MERIT_DISTINCTION.value),
    )
    apprentice = builders.create_apprentice(
        db_session,
        borough=borough,
        standard=standard,
        status=S.ACTIVE,
        start_date=start,
        date_of_birth=options.pop("born", date(2005, 3, 1)),
        name=options.pop("name", None),
    )
    apprentice.english_maths_opted_in = options.pop("opted_in", False)
    ksb = db_session.scalars(select(KSB).where(KSB.standard_id == standard.id)).one()
    db_session.add(
        LogEntry(
            apprentice_id=apprentice.id,
            entry_date=start,
            hours=10,
            activity_type="teaching",
            description="Training",
            status="approved",
            submitted_at=datetime(2025, 9, 5, 12, tzinfo=UTC),
            ksbs=[ksb],
        )
    )
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()
    return apprentice


def confirm(db_session, apprentice, on=date(2026, 9, 1)):
    db_session.add(GatewayConfirmation(apprentice_id=apprentice.id, confirmed_on=on, checklist=[]))
    db_session.commit()


def pages(apprentice_id):
    return [
        f"/coordinator/apprentices/{apprentice_id}/gateway",
        f"/coordinator/apprentices/{apprentice_id}/english-and-maths",
        f"/coordinator/apprentices/{apprentice_id}/end-point-assessment/new",
        f"/coordinator/apprentices/{apprentice_id}/destinations/end",
    ]


# The gateway


def test_the_gateway_checklist_and_its_confirmation(login_as, get_page, post_form, db_session):
    coordinator = login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = make_apprentice(db_session, name="Grace Hopper")
    url = f"/coordinator/apprentices/{apprentice.id}/gateway"

    page = get_page(url)
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in page.select(".govuk-summary-list__row")
    }
    assert rows["Off-the-job training hours"] == "Met 10 of 10 planned hours approved"
    assert rows["Knowledge, skills and behaviours"].startswith("Met 1 of 1 evidenced")
    assert rows["English and maths"].startswith("Met Not required. Aged 20")
    assert "Every item is met." in text_of(page)
    assert page.select_one("textarea") is None

    response = post_form(url, {})
    assert response.status_code == 302
    assert response.location == url
    confirmation = db_session.scalars(select(GatewayConfirmation)).one()
    assert confirmation.confirmed_by_id == coordinator.id

    page = get_page(url)
    assert "Gateway confirmed" in text_of(page)
    assert "The checklist when the gateway was confirmed" in text_of(page)
    assert page.select_one("form[method=post][action$='/gateway']") is None

    response = post_form(url, {})
    assert response.status_code == 409
    assert "The gateway was confirmed on 27 November 2026" in text_of(check_page(response))


def test_an_exception_needs_a_reason(login_as, get_page, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = make_apprentice(db_session, start=date(2026, 9, 1))
    url = f"/coordinator/apprentices/{apprentice.id}/gateway"
    page = get_page(url)
    assert "Not met" in text_of(page)
    assert page.select_one("textarea#exception_reason") is not None

    response = post_form(url, {"exception_reason": ""})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "Give the reason for confirming the gateway when not every item is met"
    ]
    assert db_session.scalars(select(GatewayConfirmation)).all() == []

    response = post_form(url, {"exception_reason": "Prior learning recognised"})
    assert response.status_code == 302
    confirmation = db_session.scalars(select(GatewayConfirmation)).one()
    assert confirmation.exception_reason == "Prior learning recognised"
    assert "Prior learning recognised" in text_of(get_page(url))


def test_another_boroughs_apprentice_is_not_found(login_as, get_page, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = make_apprentice(db_session, borough="Camden")
    for url in pages(apprentice.id):
        get_page(url, status=404)
        assert post_form(url, {}).status_code == 404


def test_a_host_borough_reads_without_forms_and_may_not_change(
    login_as, get_page, post_form, db_session
):
    apprentice = make_apprentice(db_session, borough="Hackney", opted_in=None)
    builders.create_placement(db_session, apprentice, host="Camden", start_date=date(2026, 9, 1))
    login_as(Role.COORDINATOR, borough="Camden")
    changes = "form[method=post]:not([action='/sign-out'])"
    gateway = get_page(pages(apprentice.id)[0])
    assert gateway.select(changes) == []
    assert "Only coordinators of Hackney, the employing borough" in text_of(gateway)
    confirm(db_session, apprentice)  # so the assessment page would offer its form
    for url in pages(apprentice.id):
        page = get_page(url)
        assert page.select(changes) == [], url
        if "gateway" not in url:
            assert "Only coordinators of Hackney, the employing borough" in text_of(page)
        assert post_form(url, {"opted_in": "yes"}).status_code == 403
    assert reload(db_session, apprentice).english_maths_opted_in is None
    assert len(db_session.scalars(select(GatewayConfirmation)).all()) == 1


def test_an_admin_confirms_for_any_borough(login_as, post_form, db_session):
    login_as(Role.ADMIN, borough="Camden")
    apprentice = make_apprentice(db_session, borough="Hackney")
    assert post_form(f"/coordinator/apprentices/{apprentice.id}/gateway", {}).status_code == 302


# English and maths


def test_recording_the_employers_decision(login_as, get_page, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = make_apprentice(db_session, opted_in=None)
    url = f"/coordinator/apprentices/{apprentice.id}/english-and-maths"
    page = get_page(url)
    assert "Optional: the employer’s decision is not recorded" in text_of(page)
    version = page.select_one("input[name=row_version]")["value"]

    response = post_form(url, {"row_version": version})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "Select whether they will take English and maths"
    ]

    response = post_form(url, {"row_version": version, "opted_in": "yes"})
    assert response.status_code == 302
    assert response.location == f"/coordinator/apprentices/{apprentice.id}/gateway"
    assert reload(db_session, apprentice).english_maths_opted_in is True

    response = post_form(url, {"row_version": version, "opted_in": "no"})  # the old version
    assert response.status_code == 409
    page = check_page(response)
    assert page.select_one("input[name=opted_in][value=no]").has_attr("checked")
    assert reload(db_session, apprentice).english_maths_opted_in is True


def test_no_decision_where_the_rules_require_english_and_maths(
    login_as, get_page, post_form, db_session
):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = make_apprentice(db_session, born=date(2008, 3, 1), opted_in=None)  # 17
    url = f"/coordinator/apprentices/{apprentice.id}/english-and-maths"
    page = get_page(url)
    assert "Required by the rules" in text_of(page)
    assert page.select_one("input[name=opted_in]") is None
    assert post_form(url, {"row_version": "1", "opted_in": "no"}).status_code == 409


# End-point assessment


def test_results_after_the_gateway_a_fail_then_a_pass(login_as, get_page, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    assessor = builders.create_provider(
        db_session, name="Assess Ltd", delivers_training=False, assesses_epa=True
    )
    builders.create_provider(db_session, name="Train Ltd")
    apprentice = make_apprentice(db_session, grade_set=GradeSet.PASS_DISTINCTION.value)
    url = f"/coordinator/apprentices/{apprentice.id}/end-point-assessment/new"
    page = get_page(url)
    assert "The gateway must be confirmed" in text_of(page)
    assert page.select_one("input[name=grade]") is None

    confirm(db_session, apprentice)
    page = get_page(url)
    assert [i["value"] for i in page.select("input[name=grade]")] == [
        "fail",
        "pass",
        "distinction",
    ]
    assert [o.get_text() for o in page.select("#organisation_id option")] == [
        "Select an organisation",
        "Assess Ltd",
    ]

    fail = {
        **date_parts("assessed_on", date(2026, 10, 5)),
        "organisation_id": str(assessor.id),
        "grade": "fail",
        "next_attempt_on": ["", "", ""],
        "note": "",
    }
    response = post_form(url, fail)
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "Enter the date of the next attempt (the resit or retake)"
    ]
    response = post_form(url, {**fail, **date_parts("next_attempt_on", date(2026, 11, 20))})
    assert response.status_code == 302
    assert response.location == url
    assert reload(db_session, apprentice).status == S.ACTIVE.value
    assert "20 November 2026" in text_of(get_page(url))

    response = post_form(url, {**fail, "grade": "merit"})  # not in this standard's set
    assert response.status_code == 400
    assert len(db_session.scalars(select(EpaAttempt)).all()) == 1

    passed = {
        **fail,
        **date_parts("assessed_on", date(2026, 11, 20)),
        "grade": "distinction",
    }
    response = post_form(url, passed)
    assert response.status_code == 302
    assert response.location == f"/coordinator/apprentices/{apprentice.id}"
    record = reload(db_session, apprentice)
    assert (record.status, record.completed_on, record.completion_grade) == (
        S.COMPLETED.value,
        date(2026, 11, 20),
        "distinction",
    )
    assert len(db_session.scalars(select(EpaAttempt)).all()) == 2
    page = get_page(f"/coordinator/apprentices/{apprentice.id}")
    assert "Result recorded: Distinction. The apprenticeship is completed." in text_of(page)
    page = get_page(url)
    assert "completed the apprenticeship on 20 November 2026" in text_of(page)
    assert page.select_one("input[name=grade]") is None


# Destinations


def completed(db_session, on=date(2026, 5, 27), **options):
    apprentice = make_apprentice(db_session, **options)
    apprentice.status = S.COMPLETED.value
    apprentice.completed_on = on
    apprentice.completion_grade = "pass"
    db_session.commit()
    return apprentice


def test_recording_destinations(login_as, get_page, post_form, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = completed(db_session, on=date(2026, 6, 1))
    base = f"/coordinator/apprentices/{apprentice.id}/destinations"
    get_page(f"{base}/next-year", status=404)

    page = get_page(f"{base}/end")
    assert "Completed on 1 June 2026" in text_of(page)
    assert "A completer" in text_of(page)
    response = post_form(f"{base}/end", {**date_parts("recorded_on", date(2026, 6, 2))})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Select where they are now"]
    response = post_form(
        f"{base}/end",
        {"destination": "same_council", **date_parts("recorded_on", date(2026, 6, 2))},
    )
    assert response.status_code == 302
    outcome = db_session.scalars(select(Outcome)).one()
    assert (outcome.follow_up, outcome.destination) == ("end", "same_council")
    assert "Working for the same council" in text_of(get_page(f"{base}/end"))

    page = get_page(f"{base}/six-months")  # due on 1 December 2026
    assert "can be recorded from 1 December 2026" in text_of(page)
    assert page.select_one("input[name=destination]") is None
    response = post_form(
        f"{base}/six-months",
        {"destination": "same_council", **date_parts("recorded_on", date(2026, 11, 27))},
    )
    assert response.status_code == 409


def test_no_destination_for_a_live_apprentice(login_as, get_page, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = make_apprentice(db_session)
    page = get_page(f"/coordinator/apprentices/{apprentice.id}/destinations/end")
    assert "completers and leavers only" in text_of(page)
    assert page.select_one("input[name=destination]") is None


# Links


def test_the_pages_are_linked(login_as, get_page, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    apprentice = completed(db_session)
    page = get_page(f"/coordinator/apprentices/{apprentice.id}")
    hrefs = {a["href"] for a in page.select("a[href]")}
    assert set(pages(apprentice.id)) - {pages(apprentice.id)[1]} <= hrefs
    assert "/coordinator/approaching-the-end" in {
        a["href"] for a in get_page("/coordinator/").select("a[href]")
    }


# Approaching the end


def populate(db_session, count, cohort, standard, assessor):
    """`count` apprentices in each list: gateway due, assessment booked, follow-up due."""
    for number in range(count):
        builders.create_apprentice(
            db_session,
            cohort=cohort,
            standard=standard,
            status=S.ACTIVE,
            start_date=date(2025, 2, 1),
            name=f"Gateway {number:02d}",
        )
        booked = builders.create_apprentice(
            db_session,
            cohort=cohort,
            standard=standard,
            status=S.ACTIVE,
            start_date=date(2024, 9, 1),
            name=f"Booked {number:02d}",
        )
        confirm(db_session, booked)
        if number % 2:
            db_session.add(
                EpaAttempt(
                    apprentice_id=booked.id,
                    assessed_on=date(2026, 10, 1),
                    organisation_id=assessor.id,
                    grade="fail",
                    next_attempt_on=date(2027, 1, 10),
                )
            )
        done = builders.create_apprentice(
            db_session,
            cohort=cohort,
            standard=standard,
            status=S.COMPLETED,
            start_date=date(2024, 1, 8),
            name=f"Done {number:02d}",
        )
        done.completed_on = date(2026, 1, 10)
        done.completion_grade = "pass"
        db_session.commit()
    builders.create_apprentice(
        db_session, borough="Camden", status=S.ACTIVE, start_date=date(2025, 2, 1)
    )


def test_approaching_the_end(login_as, get_page, db_session):
    login_as(Role.COORDINATOR, borough="Hackney")
    assessor = builders.create_provider(db_session, assesses_epa=True)
    standard = builders.create_standard(db_session)
    cohort = builders.create_cohort(db_session, standard=standard)
    populate(db_session, 2, cohort, standard, assessor)

    page = get_page("/coordinator/approaching-the-end")
    links = [a.get_text(strip=True) for a in page.select("nav[aria-label=Lists] a")]
    assert links == ["Gateway due (2)", "End-point assessment (2)", "Follow-ups due (2)"]
    names = [row.select("td")[0].get_text(strip=True) for row in page.select("tbody tr")]
    assert names == ["Gateway 00", "Gateway 01"]

    page = get_page("/coordinator/approaching-the-end?show=epa")
    cells = [
        [td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("tbody tr")
    ]
    assert cells[0][0] == "Booked 00"
    assert cells[0][3] == "First assessment: result not recorded"
    assert cells[1][3] == "Resit or retake on 10 January 2027 (failed on 1 October 2026)"

    page = get_page("/coordinator/approaching-the-end?show=follow-ups")
    cells = [
        [td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("tbody tr")
    ]
    assert [row[0] for row in cells] == ["Done 00", "Done 01"]
    assert cells[0][2:] == ["Completed on 10 January 2026", "6 months"]
    link = page.select_one("tbody a")["href"]
    assert link.endswith("/destinations/six-months")


@pytest.mark.parametrize("show", ["gateway", "epa", "follow-ups"])
def test_approaching_the_end_runs_a_fixed_number_of_queries(
    client, login_as, db_session, count_queries, show
):
    login_as(Role.COORDINATOR, borough="Hackney")
    assessor = builders.create_provider(db_session, assesses_epa=True)
    standard = builders.create_standard(db_session)
    cohort = builders.create_cohort(db_session, standard=standard)
    url = f"/coordinator/approaching-the-end?show={show}"
    populate(db_session, 3, cohort, standard, assessor)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    populate(db_session, 27, cohort, standard, assessor)
    with count_queries() as many:
        response = client.get(url)
        assert response.status_code == 200
    assert many.count == few.count
    page = check_page(response)
    assert len(page.select("tbody tr")) == 25
    assert "Showing 1 to 25 of 30 apprentices" in text_of(page)
