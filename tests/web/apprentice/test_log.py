"""The apprentice's off-the-job log: their entries, logging one, correcting a returned one;
nobody else's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import logbook, progress
from app.models import KSB, ApprenticeStatus, AuditEvent, EntryStatus, LogEntry, Role, User
from tests import builders
from tests.html_checks import check_page, error_messages, text_of

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


@pytest.fixture
def learner(login_as):
    return login_as(Role.APPRENTICE, name="Amara Jones")


@pytest.fixture
def apprentice(db_session, learner):
    standard = builders.create_standard(
        db_session, ksbs=[("K1", "Knows the basics"), ("S1", "Writes code"), ("B1", "Curious")]
    )
    record = builders.create_apprentice(
        db_session,
        user=learner,
        standard=standard,
        status=ApprenticeStatus.ACTIVE,
        start_date=date(2026, 9, 1),
    )
    progress.refresh_summary(db_session, record.id)
    db_session.commit()
    return record


@pytest.fixture
def mentor(db_session, apprentice):
    user = builders.create_mentor(db_session, name="Sam Okafor")
    builders.assign_mentor(db_session, apprentice, user)
    return user


def ksbs(db_session, apprentice) -> dict[str, KSB]:
    return {
        ksb.code: ksb
        for ksb in db_session.scalars(select(KSB).where(KSB.standard_id == apprentice.standard_id))
    }


def entries(db_session) -> list[LogEntry]:
    db_session.expire_all()
    return list(db_session.scalars(select(LogEntry).order_by(LogEntry.id)))


def fresh(db_session, entry) -> LogEntry:
    """The entry as stored now."""
    db_session.expire_all()
    return logbook.get_entry(db_session, entry.id)


def add_entry(db_session, apprentice, learner, **changes) -> LogEntry:
    values = {
        "entry_date": date(2026, 11, 20),
        "hours": Decimal("3"),
        "activity_type": "teaching",
        "description": "A workshop on testing",
        "ksb_ids": (),
    }
    values.update(changes)
    entry = logbook.log_entry(db_session, apprentice, actor=learner, **values)
    db_session.commit()
    return entry


def valid_form(**changes) -> dict:
    data = {
        "entry_date": ["20", "11", "2026"],
        "hours": "2.5",
        "activity_type": "online_learning",
        "description": "An online course on SQL joins",
    }
    data.update(changes)
    return data


# The log


def test_an_empty_log_says_so(get_page, apprentice):
    page = get_page("/apprentice/log")
    text = text_of(page)
    assert "You have not logged any training yet." in text
    assert "Approved so far: 0 hours" in text
    assert "waiting for approval" not in text
    assert "You can log up to 8 hours a day, from your start date, 1 September 2026" in text
    assert page.select_one("a[href='/apprentice/log/new']").get_text(strip=True) == "Log training"


def test_an_apprentice_without_a_record_is_told_so(get_page, client, login_as):
    login_as(Role.APPRENTICE)
    assert "Your apprenticeship record has not been set up yet" in text_of(
        get_page("/apprentice/log")
    )
    assert client.get("/apprentice/log/new").status_code == 404


def test_the_log_lists_entries_newest_first_with_status_and_comment(
    get_page, db_session, apprentice, learner, mentor
):
    codes = ksbs(db_session, apprentice)
    approved = add_entry(db_session, apprentice, learner, entry_date=date(2026, 11, 2))
    returned = add_entry(
        db_session,
        apprentice,
        learner,
        entry_date=date(2026, 11, 10),
        hours="1.5",
        activity_type="shadowing",
        ksb_ids=[codes["S1"].id, codes["K1"].id],
    )
    waiting = add_entry(db_session, apprentice, learner, entry_date=date(2026, 11, 20))
    logbook.approve_entry(db_session, approved, actor=mentor)
    logbook.return_entry(db_session, returned, "Say what you\nlearnt", actor=mentor)
    db_session.commit()

    page = get_page("/apprentice/log")
    rows = [
        [" ".join(cell.get_text(" ").split()) for cell in row.select("td")]
        for row in page.select("tbody tr")
    ]
    assert rows == [
        [
            "20 November 2026",
            "3 hours",
            "Teaching, such as a class, lecture or workshop",
            "A workshop on testing",
            "Waiting for approval Change the entry of 20 November 2026",
        ],
        [
            "10 November 2026",
            "1.5 hours",
            "Shadowing a colleague",
            "A workshop on testing KSBs: K1, S1",
            "Returned Comment: Say what you learnt Correct and resubmit the entry of "
            "10 November 2026",
        ],
        [
            "2 November 2026",
            "3 hours",
            "Teaching, such as a class, lecture or workshop",
            "A workshop on testing",
            "Approved",
        ],
    ]
    links = [a["href"] for a in page.select("tbody a")]
    assert links == [f"/apprentice/log/{waiting.id}/edit", f"/apprentice/log/{returned.id}/edit"]
    # The total comes from the stored summary: only approved hours.
    assert "Approved so far: 3 hours . 1 entry is waiting for approval." in text_of(page)


def test_the_log_is_paginated_in_a_fixed_number_of_queries(
    client, db_session, apprentice, learner, count_queries
):
    def add(days):
        for day in days:
            add_entry(db_session, apprentice, learner, entry_date=date(2026, 9, day), hours="1")

    add(range(1, 4))
    client.get("/apprentice/log")
    with count_queries() as few:
        assert client.get("/apprentice/log").status_code == 200
    add(range(4, 31))
    with count_queries() as many:
        response = client.get("/apprentice/log")
    assert many.count == few.count
    page = check_page(response)
    assert len(page.select("tbody tr")) == 25
    assert "Showing 1 to 25 of 30 entries" in text_of(page)
    second = check_page(client.get("/apprentice/log?page=2"))
    assert [row.td.get_text(strip=True) for row in second.select("tbody tr")] == [
        "5 September 2026",
        "4 September 2026",
        "3 September 2026",
        "2 September 2026",
        "1 September 2026",
    ]


# Logging an entry


def test_logs_an_entry_with_its_ksbs(client, get_page, post_form, db_session, apprentice):
    codes = ksbs(db_session, apprentice)
    other = builders.create_standard(db_session, ksbs=[("K9", "Someone else’s knowledge")])
    page = get_page("/apprentice/log/new")
    assert [
        page.select_one(f"#entry_date-{part}")["value"] for part in ("day", "month", "year")
    ] == [
        "27",
        "11",
        "2026",
    ]
    labels = [label.get_text(strip=True) for label in page.select(".govuk-checkboxes__label")]
    assert labels == ["K1: Knows the basics", "S1: Writes code", "B1: Curious"]
    assert "Someone else’s knowledge" not in text_of(page) and other.id

    response = post_form(
        "/apprentice/log/new",
        valid_form(ksb_ids=[str(codes["K1"].id), str(codes["B1"].id)]),
    )
    assert response.status_code == 302
    assert response.location == "/apprentice/log"
    (entry,) = entries(db_session)
    entry = logbook.get_entry(db_session, entry.id)
    assert (entry.entry_date, entry.hours, entry.activity_type, entry.status) == (
        date(2026, 11, 20),
        Decimal("2.5"),
        "online_learning",
        EntryStatus.SUBMITTED,
    )
    assert [ksb.code for ksb in entry.ksbs] == ["K1", "B1"]
    assert entry.submitted_at == NOW
    page = check_page(client.get(response.location))
    assert "Training logged and sent for approval" in text_of(page)
    assert "1 entry is waiting for approval" in text_of(page)
    events = db_session.scalars(select(AuditEvent)).all()
    assert [(e.action, e.target_type, e.target_id) for e in events] == [
        ("created", "log_entry", entry.id)
    ]


def test_an_invalid_entry_is_refused_with_the_input_kept(post_form, db_session, apprentice):
    response = post_form("/apprentice/log/new", {"description": ""})
    assert response.status_code == 400
    assert error_messages(check_page(response)) == [
        "Enter the date of the training",
        "Enter the number of hours",
        "Select the type of activity",
        "Enter a description of the training",
    ]
    codes = ksbs(db_session, apprentice)
    response = post_form(
        "/apprentice/log/new",
        valid_form(hours="two", description="Kept\nas typed", ksb_ids=[str(codes["S1"].id)]),
    )
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == ["Hours must be a number, like 1.5"]
    assert page.select_one("#hours")["value"] == "two"
    assert page.select_one("#description").get_text() == "Kept\nas typed"
    assert page.select_one(f"input[value='{codes['S1'].id}']").has_attr("checked")
    assert page.select_one("input[name='activity_type'][value='online_learning']").has_attr(
        "checked"
    )
    assert entries(db_session) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"entry_date": ["28", "11", "2026"]}, "The date must be today or in the past"),
        (
            {"entry_date": ["31", "8", "2026"]},
            "The date must be on or after the start of the apprenticeship, 1 September 2026",
        ),
        (
            {"hours": "9"},
            "Hours must be 8 or fewer: you can log at most 8 hours of off-the-job training a day",
        ),
        ({"hours": "0"}, "Hours must be more than 0"),
        ({"hours": "1.25"}, "Hours can have at most one decimal place, like 1.5"),
        ({"activity_type": "napping"}, "Not a valid choice."),
        (
            {"description": "x" * 2001},
            "What you did and what you learnt must be 2000 characters or fewer",
        ),
    ],
)
def test_the_rules_are_shown_against_their_field(
    post_form, db_session, apprentice, changes, message
):
    response = post_form("/apprentice/log/new", valid_form(**changes))
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [message]
    assert entries(db_session) == []


def test_the_day_total_and_foreign_ksbs_are_refused(post_form, db_session, apprentice, learner):
    add_entry(db_session, apprentice, learner, hours="6")
    response = post_form("/apprentice/log/new", valid_form(hours="2.5"))
    assert response.status_code == 400
    page = check_page(response)
    assert error_messages(page) == [
        "You have already logged 6 hours on 20 November 2026. You can log at most 8 hours a "
        "day, so this entry can be at most 2 hours"
    ]
    assert page.select_one("#hours")["value"] == "2.5"
    other = builders.create_standard(db_session, ksbs=[("K9", "Other")])
    foreign = db_session.scalars(select(KSB).where(KSB.standard_id == other.id)).one()
    for value in (str(foreign.id), "K1"):
        response = post_form("/apprentice/log/new", valid_form(hours="1", ksb_ids=[value]))
        assert response.status_code == 400
        assert error_messages(check_page(response)) == [
            "Select only knowledge, skills and behaviours of your apprenticeship standard"
        ]
    assert len(entries(db_session)) == 1


# Correcting an entry


def test_corrects_a_returned_entry_and_resubmits_it(
    client, get_page, post_form, db_session, apprentice, learner, mentor, frozen_clock
):
    codes = ksbs(db_session, apprentice)
    entry = add_entry(db_session, apprentice, learner, ksb_ids=[codes["K1"].id])
    logbook.return_entry(db_session, entry, "Which part was SQL?", actor=mentor)
    db_session.commit()
    page = get_page(f"/apprentice/log/{entry.id}/edit")
    assert page.select_one("h1").get_text(strip=True) == "Correct your log entry"
    assert "Your mentor returned this entry with this comment: Which part was SQL?" in text_of(page)
    assert page.select_one("#hours")["value"] == "3"
    assert page.select_one("#description").get_text() == "A workshop on testing"
    assert page.select_one(f"input[value='{codes['K1'].id}']").has_attr("checked")
    version = page.select_one("input[name=row_version]")["value"]

    frozen_clock.advance(minutes=5)
    response = post_form(
        f"/apprentice/log/{entry.id}/edit",
        valid_form(
            row_version=version,
            hours="3",
            description="The SQL part: joins",
            ksb_ids=[str(codes["S1"].id)],
        ),
    )
    assert response.status_code == 302
    assert response.location == "/apprentice/log"
    assert "Entry changed and sent for approval" in text_of(
        check_page(client.get("/apprentice/log"))
    )
    db_session.expire_all()
    entry = logbook.get_entry(db_session, entry.id)
    assert (entry.status, entry.description, entry.activity_type) == (
        EntryStatus.SUBMITTED,
        "The SQL part: joins",
        "online_learning",
    )
    assert [ksb.code for ksb in entry.ksbs] == ["S1"]
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.fields_changed == [
        "activity_type",
        "description",
        "ksbs",
        "status",
        "submitted_at",
    ]


def test_a_stale_correction_keeps_the_input_and_shows_the_entry_now(
    get_page, post_form, db_session, apprentice, learner
):
    entry = add_entry(db_session, apprentice, learner)
    page = get_page(f"/apprentice/log/{entry.id}/edit")
    version = page.select_one("input[name=row_version]")["value"]
    # Changed in another tab meanwhile.
    logbook.update_entry(
        db_session,
        logbook.get_entry(db_session, entry.id),
        actor=learner,
        expected_version=int(version),
        entry_date=date(2026, 11, 20),
        hours="4",
        activity_type="teaching",
        description="Changed elsewhere",
    )
    db_session.commit()
    response = post_form(
        f"/apprentice/log/{entry.id}/edit",
        valid_form(row_version=version, description="Mine"),
    )
    assert response.status_code == 409
    page = check_page(response)
    assert error_messages(page) == [
        "Someone else changed this record while you were editing it. Check the current details "
        "and make your change again."
    ]
    assert page.select_one("#description").get_text() == "Mine"
    assert "Changed elsewhere" in text_of(page)
    assert page.select_one("input[name=row_version]")["value"] == str(int(version) + 1)
    assert fresh(db_session, entry).description == "Changed elsewhere"


def test_an_approved_entry_cannot_be_changed(
    get_page, post_form, db_session, apprentice, learner, mentor
):
    entry = add_entry(db_session, apprentice, learner)
    logbook.approve_entry(db_session, entry, actor=mentor)
    db_session.commit()
    page = get_page(f"/apprentice/log/{entry.id}/edit")
    assert "This entry has been approved, so it can no longer be changed" in text_of(page)
    assert page.select_one("form[action$='/edit']") is None
    version = str(logbook.get_entry(db_session, entry.id).row_version)
    response = post_form(
        f"/apprentice/log/{entry.id}/edit", valid_form(row_version=version, hours="1")
    )
    assert response.status_code == 409
    assert fresh(db_session, entry).hours == 3


def test_another_apprentices_entry_is_not_found(client, post_form, db_session, apprentice):
    other = builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    owner = db_session.get(User, other.user_id)
    entry = add_entry(db_session, other, owner)
    assert client.get(f"/apprentice/log/{entry.id}/edit").status_code == 404
    assert client.get("/apprentice/log/999999/edit").status_code == 404
    response = post_form(f"/apprentice/log/{entry.id}/edit", valid_form(row_version="1"))
    assert response.status_code == 404
    assert "A workshop on testing" not in client.get("/apprentice/log").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.MENTOR, Role.COORDINATOR])
def test_other_roles_have_no_log(client, login_as, role):
    login_as(role)
    assert client.get("/apprentice/log").status_code == 403
    assert client.get("/apprentice/log/new").status_code == 403
