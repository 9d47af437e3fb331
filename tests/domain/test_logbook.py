"""The off-the-job log: what an apprentice may log, who approves or returns it, what counts,
and that the stored summary equals a fresh computation after every change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.clock import today
from app.domain import logbook, mentoring, progress
from app.domain.errors import DomainError, StaleEdit
from app.models import (
    KSB,
    ApprenticeStatus,
    AuditEvent,
    EntryStatus,
    LogEntry,
    ProgressSummary,
    Role,
    User,
)
from tests import builders

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
SUMMARY_FIELDS = (
    "approved_hours",
    "planned_hours",
    "expected_hours",
    "ksbs_evidenced",
    "ksbs_total",
    "overdue_milestones",
    "next_milestone_due",
    "next_review_due",
    "entries_waiting",
    "oldest_waiting_since",
    "rag",
    "rag_reasons",
    "computed_on",
)


@pytest.fixture(autouse=True)
def _app(app_context):
    """Settings (the daily maximum) come from the app."""


@pytest.fixture
def apprentice(db_session):
    standard = builders.create_standard(
        db_session, ksbs=[("K1", "Knows the basics"), ("S1", "Writes code"), ("B1", "Curious")]
    )
    return builders.create_apprentice(
        db_session,
        standard=standard,
        status=ApprenticeStatus.ACTIVE,
        start_date=date(2026, 9, 1),
        name="Amara Jones",
    )


@pytest.fixture
def learner(db_session, apprentice):
    """The apprentice's own account."""
    return db_session.get(User, apprentice.user_id)


@pytest.fixture
def mentor(db_session, apprentice):
    user = builders.create_mentor(db_session, name="Sam Okafor")
    builders.assign_mentor(db_session, apprentice, user)
    return user


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


def ksbs_of(db_session, apprentice) -> dict[str, KSB]:
    found = db_session.scalars(select(KSB).where(KSB.standard_id == apprentice.standard_id))
    return {ksb.code: ksb for ksb in found}


def log(db_session, apprentice, actor, **changes):
    values = {
        "entry_date": date(2026, 11, 20),
        "hours": Decimal("3"),
        "activity_type": "teaching",
        "description": "A workshop on testing",
        "ksb_ids": (),
    }
    values.update(changes)
    entry = logbook.log_entry(db_session, apprentice, actor=actor, **values)
    db_session.commit()
    return entry


def update(db_session, entry, actor, **changes):
    values = {
        "entry_date": entry.entry_date,
        "hours": entry.hours,
        "activity_type": entry.activity_type,
        "description": entry.description,
        "ksb_ids": [ksb.id for ksb in entry.ksbs],
        "expected_version": entry.row_version,
    }
    values.update(changes)
    changed = logbook.update_entry(db_session, entry, actor=actor, **values)
    db_session.commit()
    return changed


def assert_summary_current(db_session, apprentice) -> ProgressSummary:
    """The stored summary equals a fresh computation for the apprentice."""
    db_session.expire_all()
    stored = db_session.get(ProgressSummary, apprentice.id)
    assert stored is not None
    (fresh,) = progress.compute(db_session, [apprentice.id], today(), progress.Settings.current())
    assert {name: getattr(stored, name) for name in SUMMARY_FIELDS} == {
        name: fresh[name] for name in SUMMARY_FIELDS
    }
    return stored


def audit_trail(db_session) -> list[tuple]:
    db_session.expire_all()
    return [
        (event.action, event.target_type, event.fields_changed)
        for event in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


# Logging


def test_the_apprentice_logs_an_entry_that_waits_for_approval(db_session, apprentice, learner):
    ksbs = ksbs_of(db_session, apprentice)
    entry = log(
        db_session,
        apprentice,
        learner,
        hours="2.5",
        description="  Pairing on the API  ",
        ksb_ids=[ksbs["S1"].id, ksbs["K1"].id],
    )
    db_session.expire_all()
    entry = logbook.get_entry(db_session, entry.id)
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.hours == Decimal("2.5")
    assert entry.description == "Pairing on the API"
    assert entry.submitted_at == NOW
    assert [ksb.code for ksb in entry.ksbs] == ["K1", "S1"]
    assert (entry.decided_by_id, entry.decided_at, entry.comment) == (None, None, None)
    assert audit_trail(db_session) == [("created", "log_entry", None)]
    summary = assert_summary_current(db_session, apprentice)
    assert (summary.entries_waiting, summary.approved_hours) == (1, Decimal(0))


@pytest.mark.parametrize("role", [Role.APPRENTICE, Role.COORDINATOR, Role.MENTOR, Role.ADMIN])
def test_nobody_else_logs_in_an_apprentices_log(db_session, apprentice, role):
    someone = builders.create_user(db_session, roles=[role])
    with pytest.raises(DomainError, match="Only the apprentice can log"):
        log(db_session, apprentice, someone)
    db_session.rollback()
    assert db_session.scalars(select(LogEntry)).all() == []


@pytest.mark.parametrize(
    ("entry_date", "message"),
    [
        (date(2026, 11, 28), "The date must be today or in the past"),
        (
            date(2026, 8, 31),
            "The date must be on or after the start of the apprenticeship, 1 September 2026",
        ),
    ],
)
def test_a_date_in_the_future_or_before_the_start_is_refused(
    db_session, apprentice, learner, entry_date, message
):
    with pytest.raises(DomainError) as refused:
        log(db_session, apprentice, learner, entry_date=entry_date)
    assert (refused.value.message, refused.value.field) == (message, "entry_date")


@pytest.mark.parametrize("entry_date", [date(2026, 9, 1), TODAY])
def test_the_start_date_and_today_are_allowed(db_session, apprentice, learner, entry_date):
    assert log(db_session, apprentice, learner, entry_date=entry_date).entry_date == entry_date


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "Hours must be more than 0"),
        ("-1", "Hours must be more than 0"),
        ("abc", "Hours must be a number, like 1.5"),
        ("NaN", "Hours must be a number, like 1.5"),
        ("Infinity", "Hours must be a number, like 1.5"),
        (
            "8.5",
            "Hours must be 8 or fewer: you can log at most 8 hours of off-the-job training a day",
        ),
        (
            "1e30",
            "Hours must be 8 or fewer: you can log at most 8 hours of off-the-job training a day",
        ),
        ("1.25", "Hours can have at most one decimal place, like 1.5"),
    ],
)
def test_hours_are_positive_tenths_within_the_daily_maximum(
    db_session, apprentice, learner, hours, message
):
    with pytest.raises(DomainError) as refused:
        log(db_session, apprentice, learner, hours=hours)
    assert (refused.value.message, refused.value.field) == (message, "hours")


@pytest.mark.parametrize(("hours", "stored"), [("8", "8.0"), ("0.1", "0.1"), ("1.50", "1.5")])
def test_hours_up_to_the_maximum_are_kept_in_tenths(db_session, apprentice, learner, hours, stored):
    assert log(db_session, apprentice, learner, hours=hours).hours == Decimal(stored)


def test_the_daily_maximum_is_a_setting(db_session, apprentice, learner, app, monkeypatch):
    monkeypatch.setitem(app.config, "OTJ_MAX_HOURS_PER_DAY", 6)
    with pytest.raises(DomainError, match="Hours must be 6 or fewer"):
        log(db_session, apprentice, learner, hours="7")
    assert log(db_session, apprentice, learner, hours="6").hours == 6


def test_all_the_entries_of_a_day_together_stay_within_the_maximum(db_session, apprentice, learner):
    day = date(2026, 11, 20)
    log(db_session, apprentice, learner, entry_date=day, hours="5")
    with pytest.raises(DomainError) as refused:
        log(db_session, apprentice, learner, entry_date=day, hours="3.5")
    assert refused.value.field == "hours"
    assert refused.value.message == (
        "You have already logged 5 hours on 20 November 2026. You can log at most 8 hours a "
        "day, so this entry can be at most 3 hours"
    )
    db_session.rollback()
    log(db_session, apprentice, learner, entry_date=day, hours="3")
    with pytest.raises(DomainError, match="already logged 8 hours on 20 November 2026, the most"):
        log(db_session, apprentice, learner, entry_date=day, hours="0.1")
    db_session.rollback()
    # Another day, and another apprentice's entries on the same day, are separate.
    log(db_session, apprentice, learner, entry_date=date(2026, 11, 19), hours="8")
    other = builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    other_user = db_session.get(User, other.user_id)
    log(db_session, other, other_user, entry_date=day, hours="8")


def test_returned_entries_count_towards_the_day(db_session, apprentice, learner, mentor):
    day = date(2026, 11, 20)
    entry = log(db_session, apprentice, learner, entry_date=day, hours="6")
    logbook.return_entry(db_session, entry, "Split it", actor=mentor)
    db_session.commit()
    with pytest.raises(DomainError, match="this entry can be at most 2 hours"):
        log(db_session, apprentice, learner, entry_date=day, hours="4")


def test_the_activity_type_is_one_of_the_list(db_session, apprentice, learner):
    with pytest.raises(DomainError) as refused:
        log(db_session, apprentice, learner, activity_type="napping")
    assert (refused.value.message, refused.value.field) == (
        "Select the type of activity",
        "activity_type",
    )
    for activity in logbook.ACTIVITY_LABELS:
        assert log(db_session, apprentice, learner, activity_type=activity, hours="1")


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("", "Enter a description of the training"),
        ("   \n ", "Enter a description of the training"),
        ("x" * 2001, "Description must be 2000 characters or fewer"),
    ],
)
def test_a_description_is_required_and_limited(
    db_session, apprentice, learner, description, message
):
    with pytest.raises(DomainError) as refused:
        log(db_session, apprentice, learner, description=description)
    assert (refused.value.message, refused.value.field) == (message, "description")


def test_only_ksbs_of_their_own_standard(db_session, apprentice, learner):
    other_standard = builders.create_standard(db_session, ksbs=[("K1", "Other knowledge")])
    foreign = db_session.scalars(select(KSB).where(KSB.standard_id == other_standard.id)).one()
    own = ksbs_of(db_session, apprentice)["K1"]
    for ksb_ids in ([foreign.id], [own.id, foreign.id], [own.id, 999_999]):
        with pytest.raises(DomainError) as refused:
            log(db_session, apprentice, learner, ksb_ids=ksb_ids)
        assert refused.value.field == "ksb_ids"
        assert refused.value.message == (
            "Select only knowledge, skills and behaviours of your apprenticeship standard"
        )
        db_session.rollback()
    assert db_session.scalars(select(LogEntry)).all() == []
    entry = log(db_session, apprentice, learner, ksb_ids=[own.id, own.id])
    assert [ksb.code for ksb in logbook.get_entry(db_session, entry.id).ksbs] == ["K1"]


# Correcting and resubmitting


def test_a_returned_entry_is_corrected_and_resubmitted(
    db_session, apprentice, learner, mentor, frozen_clock
):
    ksbs = ksbs_of(db_session, apprentice)
    entry = log(db_session, apprentice, learner, ksb_ids=[ksbs["K1"].id])
    logbook.return_entry(db_session, entry, "Which KSBs did it cover?", actor=mentor)
    db_session.commit()
    assert assert_summary_current(db_session, apprentice).entries_waiting == 0
    later = frozen_clock.advance(days=1)
    entry = logbook.get_entry(db_session, entry.id)
    changed = update(
        db_session,
        entry,
        learner,
        hours="2",
        description="A workshop on testing, with exercises",
        ksb_ids=[ksbs["K1"].id, ksbs["S1"].id],
    )
    assert changed == ["hours", "description", "ksbs", "status", "submitted_at"]
    db_session.expire_all()
    entry = logbook.get_entry(db_session, entry.id)
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.submitted_at == later.astimezone(UTC)
    assert entry.hours == 2
    assert [ksb.code for ksb in entry.ksbs] == ["K1", "S1"]
    assert entry.comment == "Which KSBs did it cover?"  # the mentor sees what they asked
    assert audit_trail(db_session)[-1] == (
        "updated",
        "log_entry",
        ["description", "hours", "ksbs", "status", "submitted_at"],
    )
    assert assert_summary_current(db_session, apprentice).entries_waiting == 1


def test_a_returned_entry_can_be_resubmitted_unchanged(db_session, apprentice, learner, mentor):
    entry = log(db_session, apprentice, learner)
    logbook.return_entry(db_session, entry, "Really?", actor=mentor)
    db_session.commit()
    assert update(db_session, logbook.get_entry(db_session, entry.id), learner) == [
        "status",
        "submitted_at",
    ]
    assert assert_summary_current(db_session, apprentice).entries_waiting == 1


def test_a_waiting_entry_can_be_corrected_and_keeps_its_place_in_the_queue(
    db_session, apprentice, learner, frozen_clock
):
    entry = log(db_session, apprentice, learner)
    version = entry.row_version
    frozen_clock.advance(hours=2)
    entry = logbook.get_entry(db_session, entry.id)
    # A change of KSBs alone is still a new version of the entry.
    ksb = ksbs_of(db_session, apprentice)["B1"]
    assert update(db_session, entry, learner, ksb_ids=[ksb.id]) == ["ksbs"]
    db_session.expire_all()
    entry = logbook.get_entry(db_session, entry.id)
    assert entry.row_version == version + 1
    assert (entry.status, entry.submitted_at) == (EntryStatus.SUBMITTED, NOW)
    assert update(db_session, entry, learner) == []  # nothing changed, nothing written
    assert_summary_current(db_session, apprentice)


def test_a_correction_loads_the_ksbs_it_replaces(db_session, apprentice, learner):
    ksbs = ksbs_of(db_session, apprentice)
    entry = log(db_session, apprentice, learner, ksb_ids=[ksbs["K1"].id])
    db_session.expire_all()
    plain = db_session.get(LogEntry, entry.id)  # KSBs not loaded (they never load lazily)
    changed = logbook.update_entry(
        db_session,
        plain,
        actor=learner,
        expected_version=plain.row_version,
        entry_date=plain.entry_date,
        hours=plain.hours,
        activity_type=plain.activity_type,
        description=plain.description,
        ksb_ids=[ksbs["S1"].id],
    )
    db_session.commit()
    assert changed == ["ksbs"]
    assert [ksb.code for ksb in logbook.get_entry(db_session, entry.id).ksbs] == ["S1"]


def test_a_correction_keeps_to_the_day_total_without_counting_itself(
    db_session, apprentice, learner
):
    day = date(2026, 11, 20)
    log(db_session, apprentice, learner, entry_date=day, hours="5")
    entry = log(db_session, apprentice, learner, entry_date=day, hours="2")
    entry = logbook.get_entry(db_session, entry.id)
    assert update(db_session, entry, learner, hours="3") == ["hours"]
    entry = logbook.get_entry(db_session, entry.id)
    with pytest.raises(DomainError, match="this entry can be at most 3 hours"):
        update(db_session, entry, learner, hours="3.5")


def test_an_approved_entry_cannot_change(db_session, apprentice, learner, mentor):
    entry = log(db_session, apprentice, learner)
    logbook.approve_entry(db_session, entry, actor=mentor)
    db_session.commit()
    entry = logbook.get_entry(db_session, entry.id)
    with pytest.raises(DomainError, match="This entry has been approved, so it can no longer"):
        update(db_session, entry, learner, hours="1")


def test_a_stale_correction_is_refused(db_session, apprentice, learner):
    entry = log(db_session, apprentice, learner)
    entry = logbook.get_entry(db_session, entry.id)
    with pytest.raises(StaleEdit):
        update(db_session, entry, learner, hours="1", expected_version=entry.row_version - 1)


def test_nobody_else_corrects_an_entry(db_session, apprentice, learner, mentor, coordinator):
    entry = log(db_session, apprentice, learner)
    entry = logbook.get_entry(db_session, entry.id)
    for someone in (mentor, coordinator):
        with pytest.raises(DomainError, match="Only the apprentice can log or change"):
            update(db_session, entry, someone, hours="1")


# Approving and returning


def test_the_current_mentor_approves_and_only_approved_hours_count(
    db_session, apprentice, learner, mentor
):
    ksbs = ksbs_of(db_session, apprentice)
    first = log(db_session, apprentice, learner, hours="3", ksb_ids=[ksbs["K1"].id])
    second = log(db_session, apprentice, learner, hours="2.5", entry_date=date(2026, 11, 21))
    log(db_session, apprentice, learner, hours="4", entry_date=date(2026, 11, 22))
    logbook.approve_entry(db_session, first, actor=mentor, expected_version=first.row_version)
    db_session.commit()
    db_session.expire_all()
    approved = logbook.get_entry(db_session, first.id)
    assert (approved.status, approved.decided_by_id, approved.decided_at) == (
        EntryStatus.APPROVED,
        mentor.id,
        NOW,
    )
    summary = assert_summary_current(db_session, apprentice)
    assert (summary.approved_hours, summary.entries_waiting, summary.ksbs_evidenced) == (3, 2, 1)
    logbook.return_entry(db_session, second, "  Add what you learnt  ", actor=mentor)
    db_session.commit()
    returned = logbook.get_entry(db_session, second.id)
    assert (returned.status, returned.comment) == (EntryStatus.RETURNED, "Add what you learnt")
    summary = assert_summary_current(db_session, apprentice)
    assert (summary.approved_hours, summary.entries_waiting) == (3, 1)
    assert audit_trail(db_session)[-2:] == [
        ("updated", "log_entry", ["decided_at", "decided_by_id", "status"]),
        ("updated", "log_entry", ["comment", "decided_at", "decided_by_id", "status"]),
    ]


def test_approving_a_resubmitted_entry_clears_the_old_comment(
    db_session, apprentice, learner, mentor
):
    entry = log(db_session, apprentice, learner)
    logbook.return_entry(db_session, entry, "Add detail", actor=mentor)
    db_session.commit()
    update(db_session, logbook.get_entry(db_session, entry.id), learner, description="More")
    logbook.approve_entry(db_session, logbook.get_entry(db_session, entry.id), actor=mentor)
    db_session.commit()
    entry = logbook.get_entry(db_session, entry.id)
    assert (entry.status, entry.comment) == (EntryStatus.APPROVED, None)
    assert assert_summary_current(db_session, apprentice).approved_hours == 3


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("", "Enter a comment saying what the apprentice needs to change"),
        ("  ", "Enter a comment saying what the apprentice needs to change"),
        ("x" * 2001, "Comment must be 2000 characters or fewer"),
    ],
)
def test_a_return_needs_a_comment(db_session, apprentice, learner, mentor, comment, message):
    entry = log(db_session, apprentice, learner)
    with pytest.raises(DomainError) as refused:
        logbook.return_entry(db_session, entry, comment, actor=mentor)
    assert (refused.value.message, refused.value.field) == (message, "comment")


def test_a_decided_entry_cannot_be_decided_again(db_session, apprentice, learner, mentor):
    approved = log(db_session, apprentice, learner)
    logbook.approve_entry(db_session, approved, actor=mentor)
    returned = log(db_session, apprentice, learner, entry_date=date(2026, 11, 21))
    logbook.return_entry(db_session, returned, "No", actor=mentor)
    db_session.commit()
    for action in (
        lambda entry: logbook.approve_entry(db_session, entry, actor=mentor),
        lambda entry: logbook.return_entry(db_session, entry, "Again", actor=mentor),
    ):
        with pytest.raises(DomainError, match="already been approved"):
            action(approved)
        with pytest.raises(DomainError, match="returned to the apprentice"):
            action(returned)


def test_a_stale_decision_is_refused(db_session, apprentice, learner, mentor):
    entry = log(db_session, apprentice, learner)
    seen = entry.row_version
    update(db_session, logbook.get_entry(db_session, entry.id), learner, hours="1")
    entry = logbook.get_entry(db_session, entry.id)
    with pytest.raises(StaleEdit):
        logbook.approve_entry(db_session, entry, actor=mentor, expected_version=seen)
    with pytest.raises(StaleEdit):
        logbook.return_entry(db_session, entry, "x", actor=mentor, expected_version=seen)


def test_a_mentor_of_another_apprentice_is_refused(db_session, apprentice, learner, mentor):
    other_mentor = builders.create_mentor(db_session)
    builders.assign_mentor(
        db_session,
        builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE),
        other_mentor,
    )
    entry = log(db_session, apprentice, learner)
    with pytest.raises(DomainError) as refused:
        logbook.approve_entry(db_session, entry, actor=other_mentor)
    assert refused.value.message == (
        "Sam Okafor is the apprentice’s current mentor, so only they can approve or return the "
        "apprentice’s log entries"
    )
    with pytest.raises(DomainError, match="current mentor"):
        logbook.return_entry(db_session, entry, "No", actor=other_mentor)


def test_a_coordinator_cannot_decide_while_there_is_a_current_mentor(
    db_session, apprentice, learner, mentor, coordinator
):
    entry = log(db_session, apprentice, learner)
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    for someone in (coordinator, admin):
        with pytest.raises(DomainError, match="Sam Okafor is the apprentice’s current mentor"):
            logbook.approve_entry(db_session, entry, actor=someone)


def test_without_a_current_mentor_a_coordinator_of_the_employing_borough_decides(
    db_session, apprentice, learner, mentor, coordinator
):
    entry = log(db_session, apprentice, learner)
    # The mentoring ends: the past mentor may no longer decide; the coordinator now may.
    assignment = mentoring.current_assignment(db_session, apprentice.id)
    mentoring.end_assignment(db_session, assignment, date(2026, 11, 25), actor=coordinator)
    db_session.commit()
    with pytest.raises(DomainError, match="no current mentor, so only a coordinator"):
        logbook.approve_entry(db_session, entry, actor=mentor)
    logbook.approve_entry(db_session, entry, actor=coordinator)
    db_session.commit()
    assert logbook.get_entry(db_session, entry.id).decided_by_id == coordinator.id
    assert assert_summary_current(db_session, apprentice).approved_hours == 3


@pytest.mark.parametrize(
    ("roles", "borough", "programme_wide", "allowed"),
    [
        ([Role.COORDINATOR], "Hackney", False, True),
        ([Role.COORDINATOR], "Camden", False, False),
        ([Role.COORDINATOR], "Camden", True, True),
        ([Role.ADMIN], "Camden", False, True),
        ([Role.MENTOR], "Hackney", False, False),
        ([Role.BOROUGH_LEAD], "Hackney", False, False),
        ([Role.APPRENTICE], "Hackney", False, False),
    ],
)
def test_the_fallback_without_a_mentor_is_for_who_may_change_the_apprentice(
    db_session, apprentice, learner, roles, borough, programme_wide, allowed
):
    someone = builders.create_user(
        db_session, roles=roles, borough=borough, programme_wide=programme_wide
    )
    entry = log(db_session, apprentice, learner)
    if allowed:
        logbook.return_entry(db_session, entry, "Add detail", actor=someone)
        db_session.commit()
        assert logbook.get_entry(db_session, entry.id).status == EntryStatus.RETURNED
        assert_summary_current(db_session, apprentice)
    else:
        with pytest.raises(DomainError, match="no current mentor, so only a coordinator"):
            logbook.return_entry(db_session, entry, "Add detail", actor=someone)


def test_a_coordinator_of_the_host_borough_cannot_decide(db_session, apprentice, learner):
    builders.create_placement(db_session, apprentice, host="Camden")
    host = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    entry = log(db_session, apprentice, learner)
    with pytest.raises(DomainError, match="no current mentor"):
        logbook.approve_entry(db_session, entry, actor=host)


def test_an_apprentice_never_decides_their_own_entries(db_session):
    # An apprentice who is also a coordinator of their employing borough, with no mentor...
    user = builders.create_user(
        db_session, roles=[Role.APPRENTICE, Role.COORDINATOR, Role.MENTOR], borough="Hackney"
    )
    apprentice = builders.create_apprentice(db_session, user=user, status=ApprenticeStatus.ACTIVE)
    entry = log(db_session, apprentice, user)
    with pytest.raises(DomainError, match="You cannot approve or return your own log entries"):
        logbook.approve_entry(db_session, entry, actor=user)
    # ...or recorded as their own mentor.
    builders.assign_mentor(db_session, apprentice, user)
    with pytest.raises(DomainError, match="You cannot approve or return your own"):
        logbook.approve_entry(db_session, entry, actor=user)
    with pytest.raises(DomainError, match="You cannot approve or return your own"):
        logbook.return_entry(db_session, entry, "Hmm", actor=user)
    assert logbook.get_entry(db_session, entry.id).status == EntryStatus.SUBMITTED


# Reading


def test_the_mentor_queue_is_their_current_mentees_waiting_entries_oldest_first(
    db_session, apprentice, learner, mentor, frozen_clock, count_queries
):
    ksb = ksbs_of(db_session, apprentice)["K1"]
    second_mentee = builders.create_apprentice(
        db_session, status=ApprenticeStatus.ACTIVE, name="Ben Second"
    )
    builders.assign_mentor(db_session, second_mentee, mentor)
    second_user = db_session.get(User, second_mentee.user_id)
    former = builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    builders.assign_mentor(db_session, former, mentor).end_date = date(2026, 11, 1)
    db_session.commit()
    someone_elses = builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    builders.assign_mentor(db_session, someone_elses, builders.create_mentor(db_session))

    oldest = log(db_session, second_mentee, second_user, entry_date=date(2026, 11, 2))
    frozen_clock.advance(minutes=5)
    newer = log(db_session, apprentice, learner, ksb_ids=[ksb.id])
    approved = log(db_session, apprentice, learner, entry_date=date(2026, 11, 21))
    logbook.approve_entry(db_session, approved, actor=mentor)
    db_session.commit()
    for outsider in (former, someone_elses):
        log(db_session, outsider, db_session.get(User, outsider.user_id))

    db_session.expire_all()
    rows = db_session.execute(logbook.mentor_queue(mentor)).all()
    with count_queries() as log_:
        shown = [(entry.id, who.user.name, [k.code for k in entry.ksbs]) for entry, who in rows]
    assert log_.count == 0  # apprentices' accounts and KSBs are already loaded
    assert shown == [(oldest.id, "Ben Second", []), (newer.id, "Amara Jones", ["K1"])]


def test_ksb_coverage_counts_approved_evidence_per_ksb(db_session, apprentice, learner, mentor):
    ksbs = ksbs_of(db_session, apprentice)
    one = log(db_session, apprentice, learner, ksb_ids=[ksbs["K1"].id, ksbs["S1"].id])
    two = log(
        db_session, apprentice, learner, entry_date=date(2026, 11, 21), ksb_ids=[ksbs["K1"].id]
    )
    log(db_session, apprentice, learner, entry_date=date(2026, 11, 22), ksb_ids=[ksbs["B1"].id])
    for entry in (one, two):
        logbook.approve_entry(db_session, entry, actor=mentor)
    db_session.commit()
    coverage = logbook.ksb_coverage(db_session, apprentice)
    assert [(row.code, row.approved_entries, row.evidenced) for row in coverage] == [
        ("K1", 2, True),
        ("S1", 1, True),
        ("B1", 0, False),
    ]
    assert assert_summary_current(db_session, apprentice).ksbs_evidenced == 2


def test_hours_are_written_in_words():
    assert logbook.hours_text(Decimal("1.0")) == "1 hour"
    assert logbook.hours_text(Decimal("7.5")) == "7.5 hours"
    assert logbook.hours_text(Decimal("120.0")) == "120 hours"
    assert logbook.hours_text(None) == "0 hours"
    assert logbook.hours_text(Decimal("1000")) == "1000 hours"
