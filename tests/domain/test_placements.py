"""Placements: dates within the apprenticeship, end on or after start, never overlapping."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import placements
from app.domain.errors import DomainError, StaleEdit
from app.domain.placements import PlacementDetails
from app.models import AuditEvent, Placement, Role
from tests import builders


@pytest.fixture
def actor(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR])


@pytest.fixture
def apprentice(db_session):
    # Starts 1 September 2026; the planned end is about 27 months later (late November 2028).
    return builders.create_apprentice(db_session, start_date=date(2026, 9, 1))


def details(db_session, *, host="Camden", start, end=None, team="Digital services"):
    return PlacementDetails(
        host_borough_id=builders.get_borough(db_session, host).id,
        team=team,
        line_manager_name="Ravi Shah",
        line_manager_email=" Ravi.Shah@Example.org ",
        start_date=start,
        end_date=end,
    )


def test_adds_a_placement_and_audits_it(db_session, apprentice, actor):
    placement = placements.add_placement(
        db_session,
        apprentice,
        details(db_session, start=date(2026, 9, 1), end=date(2027, 2, 28)),
        actor=actor,
    )
    db_session.commit()
    assert placement.id is not None
    assert placement.line_manager_email == "ravi.shah@example.org"
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.target_type, event.target_id, event.actor_user_id) == (
        "created",
        "placement",
        placement.id,
        actor.id,
    )


def test_the_end_must_not_be_before_the_start(db_session, apprentice, actor):
    with pytest.raises(DomainError, match="same as or after the start date") as refused:
        placements.add_placement(
            db_session,
            apprentice,
            details(db_session, start=date(2026, 10, 1), end=date(2026, 9, 30)),
            actor=actor,
        )
    assert refused.value.field == "end_date"
    # One day long is fine.
    placements.add_placement(
        db_session,
        apprentice,
        details(db_session, start=date(2026, 10, 1), end=date(2026, 10, 1)),
        actor=actor,
    )


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        (date(2026, 8, 31), date(2026, 12, 1), "start_date", "on or after the start"),
        (date(2028, 6, 1), date(2029, 6, 1), "end_date", "on or before the planned end"),
        (date(2029, 1, 1), None, "start_date", "on or before the planned end"),
    ],
)
def test_a_placement_lies_within_the_apprenticeship(
    db_session, apprentice, actor, start, end, field, words
):
    with pytest.raises(DomainError, match=words) as refused:
        placements.add_placement(
            db_session, apprentice, details(db_session, start=start, end=end), actor=actor
        )
    assert refused.value.field == field
    assert db_session.scalars(select(Placement)).all() == []


def test_the_last_day_of_the_apprenticeship_is_within_it(db_session, apprentice, actor):
    last = apprentice.planned_end_date
    placements.add_placement(
        db_session, apprentice, details(db_session, start=date(2027, 1, 1), end=last), actor=actor
    )


def test_touching_dates_overlap_and_the_next_day_does_not(db_session, apprentice, actor):
    builders.create_placement(
        db_session,
        apprentice,
        host="Hackney",
        start_date=date(2026, 9, 1),
        end_date=date(2027, 1, 10),
    )
    with pytest.raises(DomainError) as refused:
        placements.add_placement(
            db_session, apprentice, details(db_session, start=date(2027, 1, 10)), actor=actor
        )
    assert refused.value.message == (
        "These dates overlap the placement with Hackney, 1 September 2026 to 10 January 2027"
    )
    assert refused.value.field == "start_date"
    placement = placements.add_placement(
        db_session, apprentice, details(db_session, start=date(2027, 1, 11)), actor=actor
    )
    assert placement.end_date is None


def test_an_open_placement_overlaps_everything_after_its_start(db_session, apprentice, actor):
    builders.create_placement(db_session, apprentice, host="Hackney", start_date=date(2027, 3, 1))
    with pytest.raises(DomainError, match="Hackney, from 1 March 2027 with no end date"):
        placements.add_placement(
            db_session,
            apprentice,
            details(db_session, start=date(2028, 1, 1), end=date(2028, 2, 1)),
            actor=actor,
        )
    # One that ends before it starts is fine.
    placements.add_placement(
        db_session,
        apprentice,
        details(db_session, start=date(2026, 9, 1), end=date(2027, 2, 28)),
        actor=actor,
    )


def test_a_placement_that_spans_another_overlaps_it(db_session, apprentice, actor):
    builders.create_placement(
        db_session, apprentice, start_date=date(2027, 3, 1), end_date=date(2027, 4, 1)
    )
    with pytest.raises(DomainError, match="overlap"):
        placements.add_placement(
            db_session,
            apprentice,
            details(db_session, start=date(2027, 1, 1), end=date(2027, 6, 1)),
            actor=actor,
        )


def test_another_apprentices_placements_do_not_count(db_session, apprentice, actor):
    other = builders.create_apprentice(db_session, start_date=date(2026, 9, 1))
    builders.create_placement(db_session, other, start_date=date(2026, 9, 1))
    placements.add_placement(
        db_session, apprentice, details(db_session, start=date(2026, 9, 1)), actor=actor
    )


def test_updates_a_placement_and_names_the_changed_fields(db_session, apprentice, actor):
    placement = builders.create_placement(
        db_session, apprentice, host="Hackney", start_date=date(2026, 9, 1)
    )
    placements.update_placement(
        db_session,
        apprentice,
        placement,
        details(db_session, host="Camden", start=date(2026, 9, 1), end=date(2027, 1, 31)),
        expected_version=placement.row_version,
        actor=actor,
    )
    db_session.commit()
    assert placement.row_version == 2
    event = db_session.scalars(select(AuditEvent)).one()
    assert event.action == "updated"
    assert event.fields_changed == [
        "end_date",
        "host_borough_id",
        "line_manager_email",
        "line_manager_name",
    ]


def test_a_placement_does_not_overlap_itself_when_edited(db_session, apprentice, actor):
    placement = builders.create_placement(
        db_session, apprentice, start_date=date(2026, 9, 1), end_date=date(2027, 1, 10)
    )
    placements.update_placement(
        db_session,
        apprentice,
        placement,
        details(db_session, start=date(2026, 9, 1), end=date(2027, 1, 20)),
        expected_version=placement.row_version,
        actor=actor,
    )


def test_an_edit_that_would_overlap_is_refused(db_session, apprentice, actor):
    builders.create_placement(
        db_session, apprentice, start_date=date(2026, 9, 1), end_date=date(2027, 1, 10)
    )
    later = builders.create_placement(db_session, apprentice, start_date=date(2027, 1, 11))
    with pytest.raises(DomainError, match="1 September 2026 to 10 January 2027"):
        placements.update_placement(
            db_session,
            apprentice,
            later,
            details(db_session, start=date(2027, 1, 5)),
            expected_version=later.row_version,
            actor=actor,
        )


def test_a_stale_edit_is_refused_and_the_other_change_kept(db_session, engine, apprentice, actor):
    placement = builders.create_placement(db_session, apprentice, team="Data")
    loaded_version = placement.row_version
    # Someone else saves first.
    with Session(engine) as other:
        theirs = other.get(Placement, placement.id)
        theirs.team = "Their team"
        other.commit()
    db_session.expire_all()
    with pytest.raises(StaleEdit):
        placements.update_placement(
            db_session,
            apprentice,
            placement,
            details(db_session, start=apprentice.start_date, team="My team"),
            expected_version=loaded_version,
            actor=actor,
        )
    db_session.rollback()
    assert db_session.get(Placement, placement.id).team == "Their team"


def test_a_concurrent_save_between_load_and_flush_is_stale(db_session, engine, apprentice, actor):
    placement = builders.create_placement(db_session, apprentice, team="Data")
    version = placement.row_version
    with Session(engine) as other:
        other.get(Placement, placement.id).team = "Their team"
        other.commit()
    # The version check passes on the copy in memory; the UPDATE then matches no row.
    with pytest.raises(StaleEdit):
        placements.update_placement(
            db_session,
            apprentice,
            placement,
            details(db_session, start=apprentice.start_date, team="My team"),
            expected_version=version,
            actor=actor,
        )


def test_ends_a_current_placement(db_session, apprentice, actor):
    placement = builders.create_placement(db_session, apprentice, start_date=date(2026, 9, 1))
    placements.end_placement(
        db_session,
        apprentice,
        placement,
        date(2026, 12, 31),
        expected_version=placement.row_version,
        actor=actor,
    )
    db_session.commit()
    assert placement.end_date == date(2026, 12, 31)
    assert db_session.scalars(select(AuditEvent)).one().fields_changed == ["end_date"]
    with pytest.raises(DomainError, match="already ended on 31 December 2026"):
        placements.end_placement(
            db_session,
            apprentice,
            placement,
            date(2027, 1, 31),
            expected_version=placement.row_version,
            actor=actor,
        )


def test_an_end_before_the_start_is_refused(db_session, apprentice, actor):
    placement = builders.create_placement(db_session, apprentice, start_date=date(2026, 10, 1))
    with pytest.raises(DomainError, match="same as or after the start date"):
        placements.end_placement(
            db_session,
            apprentice,
            placement,
            date(2026, 9, 30),
            expected_version=placement.row_version,
            actor=actor,
        )


def test_a_placement_of_another_apprentice_is_refused(db_session, apprentice, actor):
    other = builders.create_apprentice(db_session)
    placement = builders.create_placement(db_session, other)
    with pytest.raises(DomainError, match="another apprentice"):
        placements.end_placement(
            db_session,
            apprentice,
            placement,
            date(2026, 12, 31),
            expected_version=placement.row_version,
            actor=actor,
        )


def test_the_timeline_is_in_date_order_with_hosts_loaded(db_session, apprentice):
    builders.create_placement(db_session, apprentice, host="Camden", start_date=date(2027, 3, 1))
    builders.create_placement(
        db_session,
        apprentice,
        host="Hackney",
        start_date=date(2026, 9, 1),
        end_date=date(2027, 2, 28),
    )
    apprentice_id = apprentice.id
    db_session.expunge_all()
    timeline = placements.placements_for(db_session, apprentice_id)
    assert [p.host_borough.name for p in timeline] == ["Hackney", "Camden"]
    current = placements.current_placement(db_session, apprentice_id)
    assert current.host_borough.name == "Hackney"  # today is 27 November 2026


def test_an_overlap_the_domain_check_missed(db_session, apprentice, actor, monkeypatch):
    """Two saves racing each other can both pass the domain check. On PostgreSQL the exclusion
    constraint refuses the second, and the refusal reads the same as the domain check's. SQLite
    has no such constraint: there the domain check is the only guard, which this shows too."""
    builders.create_placement(
        db_session,
        apprentice,
        host="Hackney",
        start_date=date(2026, 9, 1),
        end_date=date(2027, 1, 10),
    )
    monkeypatch.setattr(placements, "_check_no_overlap", lambda *args: None)
    overlapping = details(db_session, start=date(2027, 1, 10))
    if db_session.get_bind().dialect.name != "postgresql":
        placements.add_placement(db_session, apprentice, overlapping, actor=actor)
        db_session.rollback()
        return
    with pytest.raises(DomainError) as refused:
        placements.add_placement(db_session, apprentice, overlapping, actor=actor)
    assert refused.value.message == (
        "These dates overlap the placement with Hackney, 1 September 2026 to 10 January 2027"
    )
    # The savepoint kept the transaction usable: a good placement still saves.
    placements.add_placement(
        db_session, apprentice, details(db_session, start=date(2027, 1, 11)), actor=actor
    )
    db_session.commit()
    assert len(placements.placements_for(db_session, apprentice.id)) == 2
