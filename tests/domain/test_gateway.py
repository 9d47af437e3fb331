"""The gateway: each checklist item from the records, English and maths by age and the rule in
force at the start, and who may confirm the gateway (once, with a reason for an exception)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.domain import gateway, progress
from app.domain.errors import DomainError, StaleEdit
from app.domain.gateway import EnglishMaths, Item
from app.models import (
    KSB,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditEvent,
    GatewayConfirmation,
    LogEntry,
    Milestone,
    Role,
)
from tests import builders

TODAY = date(2026, 11, 27)  # the frozen clock
AGED_20_IN_2025 = date(2005, 3, 1)  # 20 on a start in September 2025, 19 in September 2024
AGED_17_IN_2025 = date(2008, 3, 1)  # 17 on a start in September 2025, 16 in September 2024


def make_apprentice(
    db_session,
    *,
    start: date = date(2025, 9, 1),
    born: date = AGED_20_IN_2025,
    level: int = 4,
    opted_in: bool | None = False,
    borough: str = "Hackney",
    min_otj_hours: int = 10,
):
    standard = builders.create_standard(
        db_session,
        level=level,
        min_otj_hours=min_otj_hours,
        ksbs=[("K1", "Knows things"), ("S1", "Does things"), ("B1", "Behaves well")],
    )
    apprentice = builders.create_apprentice(
        db_session,
        standard=standard,
        borough=borough,
        status=ApprenticeStatus.ACTIVE,
        start_date=start,
        date_of_birth=born,
    )
    apprentice.english_maths_opted_in = opted_in
    db_session.commit()
    return apprentice


def add_milestone(db_session, apprentice, title, kind="portfolio", *, signed=True, **fields):
    milestone = Milestone(
        apprentice_id=apprentice.id,
        title=title,
        kind=kind,
        signer="mentor",
        due_date=apprentice.start_date,
        status="signed_off" if signed else fields.pop("status", "submitted"),
        evidence_links=[],
        decided_at=datetime(2026, 5, 4, 12, tzinfo=UTC) if signed else None,
        **fields,
    )
    db_session.add(milestone)
    db_session.commit()
    return milestone


def log_hours(db_session, apprentice, hours, codes, status="approved"):
    ksbs = db_session.scalars(
        select(KSB).where(KSB.standard_id == apprentice.standard_id, KSB.code.in_(codes))
    ).all()
    entry = LogEntry(
        apprentice_id=apprentice.id,
        entry_date=date(2026, 3, 2),
        hours=hours,
        activity_type="teaching",
        description="Training",
        status=status,
        submitted_at=datetime(2026, 3, 2, 17, tzinfo=UTC),
        ksbs=ksbs,
    )
    db_session.add(entry)
    db_session.commit()


def refresh(db_session, apprentice):
    progress.refresh_summary(db_session, apprentice.id)
    db_session.commit()


def ready(db_session, **options):
    """An apprentice meeting every item: 8 months in learning, 10 of 10 hours approved covering
    every KSB, the induction signed off, English and maths not taken (aged 20, opted out)."""
    apprentice = make_apprentice(db_session, **options)
    add_milestone(db_session, apprentice, "Induction", "induction")
    log_hours(db_session, apprentice, 6, ["K1", "S1"])
    log_hours(db_session, apprentice, 4, ["B1"])
    refresh(db_session, apprentice)
    return apprentice


def items(db_session, apprentice, on=TODAY):
    return {item.item: item for item in gateway.checklist(db_session, apprentice, on)}


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


def test_everything_met(db_session):
    apprentice = ready(db_session)
    found = gateway.checklist(db_session, apprentice, TODAY)
    assert [item.item for item in found] == list(Item)
    assert all(item.met for item in found), [item.evidence for item in found]
    assert gateway.all_met(found)


# Minimum duration


@pytest.mark.parametrize(
    ("start", "months", "reached"),
    [
        (date(2025, 7, 1), 12, date(2026, 6, 30)),  # the rule before August 2025
        (date(2025, 8, 1), 8, date(2026, 3, 31)),  # from 1 August 2025
    ],
)
def test_minimum_duration_follows_the_rule_for_the_start_date(db_session, start, months, reached):
    apprentice = ready(db_session, start=start)
    on_the_day = items(db_session, apprentice, reached)[Item.MINIMUM_DURATION]
    assert on_the_day.met
    assert f"is {months} months, reached on {reached.day} {reached:%B %Y}" in on_the_day.evidence
    day_before = items(db_session, apprentice, date.fromordinal(reached.toordinal() - 1))
    assert not day_before[Item.MINIMUM_DURATION].met
    assert "to be reached on" in day_before[Item.MINIMUM_DURATION].evidence


def test_minimum_duration_not_met_for_a_recent_start(db_session):
    apprentice = ready(db_session, start=date(2026, 9, 1))
    item = items(db_session, apprentice)[Item.MINIMUM_DURATION]
    assert not item.met
    assert item.evidence.startswith("2 whole months in learning since 1 September 2026")
    assert "to be reached on 30 April 2027" in item.evidence


def test_breaks_in_learning_do_not_count_towards_the_minimum(db_session):
    apprentice = ready(db_session, start=date(2026, 3, 1))  # 8 months: reached 31 October 2026
    assert items(db_session, apprentice)[Item.MINIMUM_DURATION].met
    for to_status, on in (("on_break", date(2026, 5, 1)), ("active", date(2026, 6, 1))):
        db_session.add(
            ApprenticeStatusEvent(
                apprentice_id=apprentice.id,
                from_status="active" if to_status == "on_break" else "on_break",
                to_status=to_status,
                effective_on=on,
            )
        )
    db_session.commit()
    item = items(db_session, apprentice)[Item.MINIMUM_DURATION]
    assert not item.met
    assert "reached on 1 December 2026 (later by 31 days of breaks in learning)" in item.evidence


# Off-the-job hours


def test_off_the_job_hours_come_from_the_stored_summary(db_session):
    apprentice = make_apprentice(db_session, min_otj_hours=10)
    log_hours(db_session, apprentice, 6, ["K1"])
    log_hours(db_session, apprentice, 3, ["S1"], status="submitted")  # not approved: not counted
    assert items(db_session, apprentice)[Item.OFF_THE_JOB].evidence == (
        "Their progress summary has not been worked out yet"
    )
    refresh(db_session, apprentice)
    item = items(db_session, apprentice)[Item.OFF_THE_JOB]
    assert not item.met
    assert item.evidence == "6 of 10 planned hours approved: 4 to go"
    log_hours(db_session, apprentice, 4, ["S1"])
    # Not recomputed: the stored summary is read until something refreshes it.
    assert not items(db_session, apprentice)[Item.OFF_THE_JOB].met
    refresh(db_session, apprentice)
    item = items(db_session, apprentice)[Item.OFF_THE_JOB]
    assert item.met
    assert item.evidence == "10 of 10 planned hours approved"


# Milestones


def test_required_milestones_must_be_signed_off(db_session):
    apprentice = ready(db_session)
    add_milestone(db_session, apprentice, "Portfolio checkpoint 1", signed=False)
    add_milestone(
        db_session, apprentice, "Optional showcase", signed=False, required_for_gateway=False
    )
    add_milestone(db_session, apprentice, "Gateway", "gateway", signed=False)
    add_milestone(
        db_session, apprentice, "End-point assessment", "end_point_assessment", signed=False
    )
    item = items(db_session, apprentice)[Item.MILESTONES]
    assert not item.met
    assert item.evidence == (
        "1 of 2 signed off. Not yet: Portfolio checkpoint 1 (waiting for sign-off)"
    )
    milestone = db_session.scalars(
        select(Milestone).where(Milestone.title == "Portfolio checkpoint 1")
    ).one()
    milestone.status = "signed_off"
    db_session.commit()
    item = items(db_session, apprentice)[Item.MILESTONES]
    assert item.met
    assert item.evidence == "2 of 2 signed off"


def test_no_required_milestones_is_met(db_session):
    apprentice = make_apprentice(db_session)
    item = items(db_session, apprentice)[Item.MILESTONES]
    assert item.met
    assert item.evidence == "No milestones are required for the gateway"


# English and maths


@pytest.mark.parametrize(
    ("start", "born", "opted_in", "status"),
    [
        # From 11 February 2025: required at 16 to 18, optional from 19.
        (date(2025, 9, 1), AGED_17_IN_2025, None, EnglishMaths.REQUIRED),
        (date(2025, 9, 1), AGED_20_IN_2025, None, EnglishMaths.NOT_RECORDED),
        (date(2025, 9, 1), AGED_20_IN_2025, True, EnglishMaths.OPTED_IN),
        (date(2025, 9, 1), AGED_20_IN_2025, False, EnglishMaths.OPTED_OUT),
        (date(2025, 2, 11), date(2006, 2, 11), None, EnglishMaths.NOT_RECORDED),  # 19 that day
        (date(2025, 2, 11), date(2006, 2, 12), None, EnglishMaths.REQUIRED),  # still 18
        # Before: required at every age, whatever the employer decided.
        (date(2024, 9, 1), AGED_17_IN_2025, None, EnglishMaths.REQUIRED),
        (date(2024, 9, 1), AGED_20_IN_2025, False, EnglishMaths.REQUIRED),
        (date(2025, 2, 10), AGED_20_IN_2025, None, EnglishMaths.REQUIRED),
    ],
)
def test_english_and_maths_by_age_and_the_rule_at_the_start(
    db_session, start, born, opted_in, status
):
    apprentice = make_apprentice(db_session, start=start, born=born, opted_in=opted_in)
    assert gateway.english_maths_requirement(apprentice, 4).status is status


def test_a_17_year_old_needs_both_signed_off(db_session):
    apprentice = ready(db_session, born=AGED_17_IN_2025, opted_in=None)
    item = items(db_session, apprentice)[Item.ENGLISH_MATHS]
    assert not item.met
    assert item.evidence.startswith("Required. Aged 17 on their start date: from 11 February 2025")
    assert "English: no functional skills English milestone recorded" in item.evidence
    add_milestone(db_session, apprentice, "Functional skills English", "functional_skills_english")
    add_milestone(
        db_session, apprentice, "Functional skills maths", "functional_skills_maths", signed=False
    )
    item = items(db_session, apprentice)[Item.ENGLISH_MATHS]
    assert not item.met
    assert "English: Functional skills English signed off on 4 May 2026" in item.evidence
    assert "Maths: Functional skills maths (waiting for sign-off)" in item.evidence
    maths = db_session.scalars(
        select(Milestone).where(Milestone.kind == "functional_skills_maths")
    ).one()
    maths.status = "signed_off"
    db_session.commit()
    assert items(db_session, apprentice)[Item.ENGLISH_MATHS].met
    # The milestones item leaves English and maths to this one.
    assert items(db_session, apprentice)[Item.MILESTONES].evidence == "1 of 1 signed off"


def test_a_20_year_old_after_the_reform_depends_on_the_employers_decision(db_session):
    apprentice = ready(db_session, born=AGED_20_IN_2025, opted_in=None)
    item = items(db_session, apprentice)[Item.ENGLISH_MATHS]
    assert not item.met
    assert item.evidence.startswith("Decision not recorded. Aged 20 on their start date")

    apprentice.english_maths_opted_in = False
    db_session.commit()
    item = items(db_session, apprentice)[Item.ENGLISH_MATHS]
    assert item.met
    assert item.evidence.startswith("Not required. Aged 20")
    assert item.evidence.endswith("the employer decided they would not take them")

    apprentice.english_maths_opted_in = True
    db_session.commit()
    item = items(db_session, apprentice)[Item.ENGLISH_MATHS]
    assert not item.met
    assert item.evidence.startswith("Required: the employer opted in.")
    add_milestone(db_session, apprentice, "Functional skills English", "functional_skills_english")
    add_milestone(db_session, apprentice, "Functional skills maths", "functional_skills_maths")
    assert items(db_session, apprentice)[Item.ENGLISH_MATHS].met


@pytest.mark.parametrize(("level", "required"), [(2, 1), (3, 2), (4, 2)])
def test_a_20_year_old_before_the_reform_needs_them_at_the_standards_level(
    db_session, level, required
):
    apprentice = ready(
        db_session, start=date(2024, 9, 1), born=AGED_20_IN_2025, level=level, opted_in=False
    )
    item = items(db_session, apprentice)[Item.ENGLISH_MATHS]
    assert not item.met  # the employer's decision does not matter under the earlier rule
    assert item.evidence.startswith(
        f"Required at level {required}. Aged 19 on their start date: for starts before "
        "11 February 2025, English and maths are required at every age"
    )


def test_a_17_year_old_before_the_reform_needs_them_too(db_session):
    apprentice = ready(db_session, start=date(2024, 9, 1), born=AGED_17_IN_2025, level=2)
    assert items(db_session, apprentice)[Item.ENGLISH_MATHS].evidence.startswith(
        "Required at level 1. Aged 16 on their start date"
    )


# KSBs


def test_every_ksb_evidenced_names_the_missing_ones(db_session):
    apprentice = make_apprentice(db_session)
    log_hours(db_session, apprentice, 2, ["S1"])
    log_hours(db_session, apprentice, 2, ["K1"], status="returned")  # not approved
    refresh(db_session, apprentice)
    item = items(db_session, apprentice)[Item.KSBS]
    assert not item.met
    assert item.evidence == "1 of 3 evidenced in approved log entries. Not yet: K1, B1"
    log_hours(db_session, apprentice, 2, ["K1", "B1"])
    refresh(db_session, apprentice)
    item = items(db_session, apprentice)[Item.KSBS]
    assert item.met
    assert item.evidence == "3 of 3 evidenced in approved log entries"


# Confirming


def audit_events(db_session, target_type):
    return db_session.scalars(select(AuditEvent).where(AuditEvent.target_type == target_type)).all()


def test_confirming_when_every_item_is_met(db_session, coordinator):
    apprentice = ready(db_session)
    confirmation = gateway.confirm_gateway(
        db_session, apprentice, actor=coordinator, on=TODAY, exception_reason="  "
    )
    db_session.commit()
    assert confirmation.confirmed_on == TODAY
    assert confirmation.confirmed_by_id == coordinator.id
    assert confirmation.exception_reason is None
    assert [row["item"] for row in confirmation.checklist] == [item.label for item in Item]
    assert all(row["met"] for row in confirmation.checklist)
    (event,) = audit_events(db_session, "gateway_confirmation")
    assert (event.action, event.actor_user_id) == ("created", coordinator.id)
    assert "exception_reason" not in event.fields_changed

    with pytest.raises(DomainError, match="already confirmed on 27 November 2026"):
        gateway.confirm_gateway(
            db_session, apprentice, actor=coordinator, on=TODAY, exception_reason=None
        )


def test_an_exception_needs_a_reason(db_session, coordinator):
    apprentice = ready(db_session, start=date(2026, 9, 1))  # minimum duration not reached
    with pytest.raises(DomainError) as refused:
        gateway.confirm_gateway(
            db_session, apprentice, actor=coordinator, on=TODAY, exception_reason=""
        )
    assert refused.value.field == "exception_reason"
    db_session.rollback()
    assert db_session.scalars(select(GatewayConfirmation)).all() == []

    confirmation = gateway.confirm_gateway(
        db_session,
        apprentice,
        actor=coordinator,
        on=TODAY,
        exception_reason="Transferred in with 14 months' prior learning",
    )
    db_session.commit()
    assert confirmation.exception_reason == "Transferred in with 14 months' prior learning"
    snapshot = {row["item"]: row for row in confirmation.checklist}
    assert snapshot["Minimum duration"]["met"] is False
    assert "to be reached on 30 April 2027" in snapshot["Minimum duration"]["evidence"]
    (event,) = audit_events(db_session, "gateway_confirmation")
    assert "exception_reason" in event.fields_changed


def test_a_long_reason_is_refused(db_session, coordinator):
    apprentice = ready(db_session, start=date(2026, 9, 1))
    with pytest.raises(DomainError, match="2,000 characters or fewer"):
        gateway.confirm_gateway(
            db_session, apprentice, actor=coordinator, on=TODAY, exception_reason="x" * 2001
        )


@pytest.mark.parametrize(
    ("on", "message"),
    [(date(2026, 11, 28), "in the future"), (date(2025, 8, 31), "before the start date")],
)
def test_the_date_is_checked(db_session, coordinator, on, message):
    apprentice = ready(db_session)
    with pytest.raises(DomainError, match=message):
        gateway.confirm_gateway(
            db_session, apprentice, actor=coordinator, on=on, exception_reason="Reason"
        )


@pytest.mark.parametrize("status", [ApprenticeStatus.ON_BREAK, ApprenticeStatus.WITHDRAWN])
def test_only_a_live_apprenticeship_passes_the_gateway(db_session, coordinator, status):
    apprentice = ready(db_session)
    apprentice.status = status.value
    db_session.commit()
    with pytest.raises(DomainError, match="Only a live apprenticeship"):
        gateway.confirm_gateway(
            db_session, apprentice, actor=coordinator, on=TODAY, exception_reason="Reason"
        )


@pytest.mark.parametrize(
    ("roles", "borough", "programme_wide", "allowed"),
    [
        ([Role.COORDINATOR], "Hackney", False, True),  # the employing borough
        ([Role.COORDINATOR], "Camden", True, True),  # programme-wide
        ([Role.ADMIN], "Camden", False, True),
        ([Role.COORDINATOR], "Camden", False, False),  # the host borough only reads
        ([Role.MENTOR], "Hackney", False, False),
        ([Role.BOROUGH_LEAD], "Hackney", False, False),
        ([Role.APPRENTICE], "Hackney", False, False),
    ],
)
def test_who_may_confirm(db_session, roles, borough, programme_wide, allowed):
    apprentice = ready(db_session)
    builders.create_placement(db_session, apprentice, host="Camden", start_date=date(2026, 9, 1))
    actor = builders.create_user(
        db_session, roles=roles, borough=borough, programme_wide=programme_wide
    )
    if allowed:
        gateway.confirm_gateway(
            db_session, apprentice, actor=actor, on=TODAY, exception_reason=None
        )
        db_session.commit()
        assert db_session.scalars(select(GatewayConfirmation)).one().confirmed_by_id == actor.id
    else:
        with pytest.raises(gateway.NotPermitted, match="employing borough"):
            gateway.confirm_gateway(
                db_session, apprentice, actor=actor, on=TODAY, exception_reason=None
            )


# The employer's decision


def test_recording_the_employers_decision(db_session, coordinator):
    apprentice = make_apprentice(db_session, opted_in=None)
    version = apprentice.row_version
    gateway.record_english_maths_decision(
        db_session, apprentice, actor=coordinator, opted_in=True, expected_version=version
    )
    db_session.commit()
    assert apprentice.english_maths_opted_in is True
    (event,) = audit_events(db_session, "apprentice")
    assert event.fields_changed == ["english_maths_opted_in"]
    with pytest.raises(StaleEdit):
        gateway.record_english_maths_decision(
            db_session, apprentice, actor=coordinator, opted_in=False, expected_version=version
        )


def test_no_decision_where_english_and_maths_are_required(db_session, coordinator):
    apprentice = make_apprentice(db_session, born=AGED_17_IN_2025, opted_in=None)
    with pytest.raises(DomainError, match="required for this apprentice") as refused:
        gateway.record_english_maths_decision(
            db_session, apprentice, actor=coordinator, opted_in=False
        )
    assert refused.value.field == "opted_in"


def test_no_decision_after_the_gateway_or_by_another_borough(db_session, coordinator):
    apprentice = ready(db_session)
    camden = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    with pytest.raises(gateway.NotPermitted):
        gateway.record_english_maths_decision(db_session, apprentice, actor=camden, opted_in=True)
    gateway.confirm_gateway(
        db_session, apprentice, actor=coordinator, on=TODAY, exception_reason=None
    )
    db_session.commit()
    with pytest.raises(DomainError, match="can no longer change"):
        gateway.record_english_maths_decision(
            db_session, apprentice, actor=coordinator, opted_in=True
        )


# The approaching-the-end list


def test_gateway_due_within_three_months(db_session, coordinator):
    soon = builders.create_apprentice(
        db_session, status=ApprenticeStatus.ACTIVE, start_date=date(2025, 2, 1), months=24
    )  # practical period ends in February 2027
    later = builders.create_apprentice(
        db_session, status=ApprenticeStatus.ACTIVE, start_date=date(2025, 9, 1), months=24
    )
    confirmed = ready(db_session, start=date(2024, 12, 1))
    gateway.confirm_gateway(
        db_session, confirmed, actor=coordinator, on=TODAY, exception_reason="Reason"
    )
    camden = builders.create_apprentice(
        db_session,
        borough="Camden",
        status=ApprenticeStatus.ACTIVE,
        start_date=date(2025, 2, 1),
    )
    db_session.commit()
    found = db_session.scalars(gateway.gateway_due(coordinator, TODAY)).all()
    assert [a.id for a in found] == [soon.id]
    assert later.id not in [a.id for a in found] and camden.id not in [a.id for a in found]
