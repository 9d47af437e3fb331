"""The mentor's queue of log entries waiting for approval, and approving or returning one."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import logbook, mentoring
from app.models import (
    KSB,
    ApprenticeStatus,
    AuditEvent,
    EntryStatus,
    MentorAssignment,
    ProgressSummary,
    Role,
    User,
)
from tests import builders
from tests.html_checks import check_page, error_messages, text_of


@pytest.fixture
def mentor(login_as):
    return login_as(Role.MENTOR, borough="Camden", name="Sam Okafor")


def mentee(db_session, mentor, name, **options):
    apprentice = builders.create_apprentice(
        db_session, name=name, status=ApprenticeStatus.ACTIVE, **options
    )
    builders.assign_mentor(db_session, apprentice, mentor)
    return apprentice


def user_of(db_session, apprentice) -> User:
    return db_session.get(User, apprentice.user_id)


def add_entry(db_session, apprentice, **changes):
    values = {
        "entry_date": date(2026, 11, 20),
        "hours": Decimal("3"),
        "activity_type": "teaching",
        "description": "A workshop on testing",
        "ksb_ids": (),
    }
    values.update(changes)
    entry = logbook.log_entry(
        db_session, apprentice, actor=user_of(db_session, apprentice), **values
    )
    db_session.commit()
    return entry


def fresh(db_session, entry):
    """The entry as stored now."""
    db_session.expire_all()
    return logbook.get_entry(db_session, entry.id)


def queue_rows(page) -> list[list[str]]:
    table = page.select_one("#waiting-entries").find_next("table")
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]


def stored_summary(db_session, apprentice) -> ProgressSummary:
    db_session.expire_all()
    return db_session.get(ProgressSummary, apprentice.id)


# The queue on the mentor's home


def test_the_home_lists_waiting_entries_oldest_first(get_page, db_session, mentor, frozen_clock):
    amara = mentee(db_session, mentor, "Amara Jones")
    ben = mentee(db_session, mentor, "Ben Osei")
    k1 = db_session.scalars(select(KSB).where(KSB.standard_id == amara.standard_id)).first()
    first = add_entry(db_session, ben, entry_date=date(2026, 11, 2), hours="1.5")
    frozen_clock.advance(minutes=1)
    second = add_entry(db_session, amara, ksb_ids=[k1.id], activity_type="shadowing")
    decided = add_entry(db_session, amara, entry_date=date(2026, 11, 21))
    logbook.approve_entry(db_session, decided, actor=mentor)
    db_session.commit()
    # Not theirs: another mentor's mentee, and a former mentee.
    add_entry(
        db_session,
        mentee(db_session, builders.create_mentor(db_session), "Someone Else"),
    )
    former = mentee(db_session, mentor, "Former Mentee")
    add_entry(db_session, former)
    assignment = mentoring.current_assignment(db_session, former.id)
    mentoring.end_assignment(
        db_session, assignment, date(2026, 11, 26), actor=builders.create_user(db_session)
    )
    db_session.commit()

    page = get_page("/mentor/")
    assert queue_rows(page) == [
        [
            "Ben Osei",
            "2 November 2026",
            "1.5 hours",
            "Teaching, such as a class, lecture or workshop",
            "27 November 2026",
            "Approve or return Ben Osei’s entry of 2 November 2026",
        ],
        [
            "Amara Jones",
            "20 November 2026",
            "3 hours",
            "Shadowing a colleague KSBs: K1",
            "27 November 2026",
            "Approve or return Amara Jones’s entry of 20 November 2026",
        ],
    ]
    links = [a["href"] for a in page.select_one("#waiting-entries").find_next("table").select("a")]
    assert links == [
        f"/mentor/log-entries/{first.id}/decide",
        f"/mentor/log-entries/{second.id}/decide",
    ]


def test_nothing_waiting_is_said(get_page, db_session, mentor):
    mentee(db_session, mentor, "Amara Jones")
    assert "No log entries are waiting for your approval." in text_of(get_page("/mentor/"))


def test_the_queue_runs_the_same_queries_for_3_and_for_60_mentees_entries(
    client, db_session, mentor, count_queries
):
    standard = builders.create_standard(db_session)
    cohort = builders.create_cohort(db_session, standard=standard)
    k1 = db_session.scalars(select(KSB).where(KSB.standard_id == standard.id)).first()

    def add_mentees(numbers) -> None:
        for number in numbers:
            apprentice = builders.create_apprentice(
                db_session,
                name=f"Mentee {number:02d}",
                cohort=cohort,
                status=ApprenticeStatus.ACTIVE,
            )
            db_session.add(
                MentorAssignment(
                    apprentice_id=apprentice.id,
                    mentor_user_id=mentor.id,
                    start_date=date(2026, 9, 1),
                )
            )
            db_session.commit()
            add_entry(db_session, apprentice, ksb_ids=[k1.id] if number % 2 else [])

    add_mentees(range(3))
    client.get("/mentor/")
    with count_queries() as few:
        assert client.get("/mentor/").status_code == 200
    add_mentees(range(3, 60))
    with count_queries() as many:
        response = client.get("/mentor/")
    assert response.status_code == 200
    assert many.count == few.count
    page = check_page(response)
    assert len(queue_rows(page)) == 25
    assert "Showing 1 to 25 of 60 entries waiting" in text_of(page)
    assert "Mentee 59" in text_of(page)  # the mentees' list still shows everyone
    assert len(queue_rows(check_page(client.get("/mentor/?page=3")))) == 10


# Approving and returning


@pytest.fixture
def amara(db_session, mentor):
    return mentee(db_session, mentor, "Amara Jones", start_date=date(2026, 9, 1))


def test_the_decision_page_shows_the_entry_with_its_ksbs(get_page, db_session, amara):
    codes = {
        ksb.code: ksb
        for ksb in db_session.scalars(select(KSB).where(KSB.standard_id == amara.standard_id))
    }
    entry = add_entry(db_session, amara, description="Line one\nLine two", ksb_ids=[codes["S1"].id])
    page = get_page(f"/mentor/log-entries/{entry.id}/decide")
    text = text_of(page)
    assert page.select_one("h1").get_text(strip=True) == "Approve or return a log entry"
    for expected in (
        "Amara Jones",
        "20 November 2026",
        "3 hours",
        "Teaching, such as a class, lecture or workshop",
        "S1 Does things",
        "27 November 2026 at 10:30am",
        "Waiting for approval",
    ):
        assert expected in text
    assert page.select_one(".app-preserve-lines").get_text() == "Line one\nLine two"
    assert page.select_one("input[name=row_version]")["value"] == str(entry.row_version)


def test_approves_an_entry_from_the_home(client, get_page, post_form, db_session, mentor, amara):
    entry = add_entry(db_session, amara, hours="2.5")
    response = post_form(
        f"/mentor/log-entries/{entry.id}/decide",
        {"row_version": str(entry.row_version), "decision": "approve"},
    )
    assert response.status_code == 302
    assert response.location == "/mentor/"
    page = check_page(client.get(response.location))
    assert "Entry approved: 2.5 hours now count for Amara Jones" in text_of(page)
    assert "No log entries are waiting for your approval." in text_of(page)
    entry = fresh(db_session, entry)
    assert (entry.status, entry.decided_by_id) == (EntryStatus.APPROVED, mentor.id)
    summary = stored_summary(db_session, amara)
    assert (summary.approved_hours, summary.entries_waiting) == (Decimal("2.5"), 0)
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.target_type, event.actor_user_id) == (
        "updated",
        "log_entry",
        mentor.id,
    )


def test_a_return_needs_a_comment_and_keeps_the_input(post_form, db_session, amara):
    entry = add_entry(db_session, amara)
    url = f"/mentor/log-entries/{entry.id}/decide"
    response = post_form(url, {"row_version": str(entry.row_version)})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == ["Select whether to approve or return the entry"]
    response = post_form(
        url, {"row_version": str(entry.row_version), "decision": "return", "comment": "  "}
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Enter a comment saying what the apprentice needs to change"]
    assert page.select_one("input[value=return]").has_attr("checked")
    response = post_form(
        url,
        {"row_version": str(entry.row_version), "decision": "return", "comment": "Add detail"},
    )
    assert response.status_code == 302
    entry = fresh(db_session, entry)
    assert (entry.status, entry.comment) == (EntryStatus.RETURNED, "Add detail")
    assert stored_summary(db_session, amara).entries_waiting == 0


def test_a_decided_entry_shows_the_decision_and_no_form(
    get_page, post_form, db_session, mentor, amara
):
    entry = add_entry(db_session, amara)
    logbook.return_entry(db_session, entry, "Which KSBs?", actor=mentor)
    db_session.commit()
    page = get_page(f"/mentor/log-entries/{entry.id}/decide")
    assert "Returned by Sam Okafor on 27 November 2026" in text_of(page)
    assert "Which KSBs?" in text_of(page)
    assert page.select_one("input[name=decision]") is None
    version = fresh(db_session, entry).row_version
    response = post_form(
        f"/mentor/log-entries/{entry.id}/decide",
        {"row_version": str(version), "decision": "approve"},
    )
    assert response.status_code == 409
    assert error_messages(check_page(response)) == [
        "There is nothing to decide: this entry was returned to the apprentice. You can decide "
        "once they submit it again."
    ]
    assert fresh(db_session, entry).status == EntryStatus.RETURNED


def test_a_stale_decision_is_refused(post_form, db_session, amara):
    entry = add_entry(db_session, amara)
    seen = entry.row_version
    logbook.update_entry(
        db_session,
        fresh(db_session, entry),
        actor=user_of(db_session, amara),
        expected_version=seen,
        entry_date=date(2026, 11, 20),
        hours="5",
        activity_type="teaching",
        description="Corrected meanwhile",
    )
    db_session.commit()
    response = post_form(
        f"/mentor/log-entries/{entry.id}/decide", {"row_version": str(seen), "decision": "approve"}
    )
    assert response.status_code == 409
    page = check_page(response)
    assert "Someone else changed this record" in error_messages(page)[0]
    assert "5 hours" in text_of(page) and "Corrected meanwhile" in text_of(page)
    assert page.select_one("input[name=row_version]")["value"] == str(seen + 1)
    assert page.select_one("input[value=approve]").has_attr("checked")
    assert fresh(db_session, entry).status == EntryStatus.SUBMITTED


def test_another_mentors_mentee_and_a_former_mentee_are_not_found(
    client, post_form, db_session, mentor, amara
):
    theirs = mentee(db_session, builders.create_mentor(db_session), "Someone Else")
    entries = [add_entry(db_session, theirs), add_entry(db_session, amara)]
    assignment = mentoring.current_assignment(db_session, amara.id)
    mentoring.end_assignment(
        db_session,
        assignment,
        date(2026, 11, 27) - timedelta(days=1),
        actor=builders.create_user(db_session),
    )
    db_session.commit()
    for entry in [*entries]:
        url = f"/mentor/log-entries/{entry.id}/decide"
        assert client.get(url).status_code == 404
        response = post_form(url, {"row_version": str(entry.row_version), "decision": "approve"})
        assert response.status_code == 404
        assert fresh(db_session, entry).status == EntryStatus.SUBMITTED
    assert client.get("/mentor/log-entries/999999/decide").status_code == 404


def test_a_mentor_never_decides_their_own_entries(client, post_form, db_session, app):
    from tests.conftest import sign_in_client

    user = builders.create_user(db_session, roles=[Role.MENTOR, Role.APPRENTICE])
    apprentice = builders.create_apprentice(db_session, user=user, status=ApprenticeStatus.ACTIVE)
    builders.assign_mentor(db_session, apprentice, user)  # a mistake the domain would refuse
    sign_in_client(app, client, user)
    entry = add_entry(db_session, apprentice)
    url = f"/mentor/log-entries/{entry.id}/decide"
    response = client.get(url)
    assert response.status_code == 403
    page = check_page(response)
    assert "You cannot approve or return your own log entries." in text_of(page)
    assert page.select_one("input[name=decision]") is None
    response = post_form(url, {"row_version": str(entry.row_version), "decision": "approve"})
    assert response.status_code == 403
    assert fresh(db_session, entry).status == EntryStatus.SUBMITTED
    refused = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_refused")
    ).all()
    assert [(e.target_type, e.target_id) for e in refused] == [("log_entry", entry.id)] * 2
