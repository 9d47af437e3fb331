"""The recruitment pipeline: the transition table, legal and illegal moves, what each move
records, bulk moves (all or nothing), stale edits and the counts per stage."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import pipeline
from app.domain.errors import DomainError, StaleEdit
from app.models import Application, ApplicationEvent, AuditEvent, Role, Stage
from tests import builders

S = Stage


@pytest.fixture
def actor(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], name="Cora Coordinator")


@pytest.fixture
def vacancy(db_session):
    return builders.create_vacancy(db_session)


def events(db_session, application) -> list[ApplicationEvent]:
    db_session.expire_all()
    return db_session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application.id)
        .order_by(ApplicationEvent.id)
    ).all()


def audit_events(db_session) -> list[AuditEvent]:
    return db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def test_the_transition_table_is_the_design():
    assert pipeline.TRANSITIONS == {
        S.SUBMITTED: (S.SCREENING, S.REJECTED, S.WITHDRAWN),
        S.SCREENING: (S.ASSESSMENT, S.REJECTED, S.WITHDRAWN),
        S.ASSESSMENT: (S.OFFERED, S.REJECTED, S.WITHDRAWN),
        S.OFFERED: (S.HIRED, S.REJECTED, S.WITHDRAWN),
        S.HIRED: (),
        S.REJECTED: (),
        S.WITHDRAWN: (),
    }
    # A plain move never reaches hired: only hiring does.
    assert pipeline.next_stages(S.OFFERED) == (S.REJECTED, S.WITHDRAWN)
    assert pipeline.next_stages(S.SUBMITTED) == (S.SCREENING, S.REJECTED, S.WITHDRAWN)
    assert pipeline.FINAL == {S.HIRED, S.REJECTED, S.WITHDRAWN}


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.SUBMITTED, S.SCREENING),
        (S.SCREENING, S.ASSESSMENT),
        (S.ASSESSMENT, S.OFFERED),
        (S.SUBMITTED, S.WITHDRAWN),
        (S.ASSESSMENT, S.WITHDRAWN),
        (S.OFFERED, S.WITHDRAWN),
    ],
)
def test_a_legal_move_changes_the_stage_and_records_who_when_and_the_note(
    db_session, actor, vacancy, start, to
):
    application = builders.create_application(db_session, vacancy, stage=start)
    event = pipeline.move(
        db_session, application, to, actor=actor, note="  Spoke to them on the phone  "
    )
    db_session.commit()
    assert application.stage == to.value
    assert application.row_version == 2
    recorded = events(db_session, application)[-1]
    assert recorded.id == event.id
    assert (recorded.from_stage, recorded.to_stage) == (start.value, to.value)
    assert recorded.actor_user_id == actor.id
    assert recorded.note == "Spoke to them on the phone"
    assert recorded.occurred_at is not None
    audit = audit_events(db_session)[-1]
    assert (audit.action, audit.target_type, audit.target_id) == (
        "updated",
        "application",
        application.id,
    )
    assert audit.fields_changed == ["stage"]
    assert audit.actor_user_id == actor.id


def test_rejecting_needs_a_reason_which_is_stored(db_session, actor, vacancy):
    application = builders.create_application(db_session, vacancy, stage=S.SCREENING)
    with pytest.raises(DomainError) as refused:
        pipeline.move(db_session, application, S.REJECTED, actor=actor, reason="   ")
    assert refused.value.field == "reason"
    assert "reason" in refused.value.message
    assert application.stage == S.SCREENING.value

    pipeline.move(
        db_session, application, S.REJECTED, actor=actor, reason="Did not attend the assessment"
    )
    db_session.commit()
    assert application.stage == "rejected"
    assert application.rejection_reason == "Did not attend the assessment"
    assert audit_events(db_session)[-1].fields_changed == ["rejection_reason", "stage"]


def test_overlong_notes_and_reasons_are_refused(db_session, actor, vacancy):
    application = builders.create_application(db_session, vacancy)
    with pytest.raises(DomainError) as refused:
        pipeline.move(db_session, application, S.SCREENING, actor=actor, note="x" * 2001)
    assert refused.value.field == "note"
    with pytest.raises(DomainError) as refused:
        pipeline.move(db_session, application, S.REJECTED, actor=actor, reason="x" * 501)
    assert refused.value.field == "reason"
    assert application.stage == "submitted"


@pytest.mark.parametrize(
    ("start", "to", "words"),
    [
        (S.SUBMITTED, S.ASSESSMENT, "can only be moved to “screening”"),
        (S.SUBMITTED, S.OFFERED, "cannot be moved to offered"),
        (S.SCREENING, S.SUBMITTED, "cannot be moved to submitted"),
        (S.ASSESSMENT, S.SCREENING, "cannot be moved to screening"),
        (S.SCREENING, S.SCREENING, "already at screening"),
        (S.REJECTED, S.SCREENING, "is rejected, so it cannot be moved any further"),
        (S.WITHDRAWN, S.SUBMITTED, "is withdrawn"),
        (S.HIRED, S.REJECTED, "is hired"),
        (S.HIRED, S.WITHDRAWN, "is hired"),
        (S.OFFERED, S.HIRED, "only be moved to hired by hiring"),
        (S.ASSESSMENT, S.HIRED, "only be moved to hired by hiring"),
    ],
)
def test_an_illegal_move_is_refused_with_a_clear_message(
    db_session, actor, vacancy, start, to, words
):
    application = builders.create_application(db_session, vacancy, stage=start)
    with pytest.raises(DomainError) as refused:
        pipeline.move(db_session, application, to, actor=actor, reason="A reason")
    assert words in refused.value.message
    db_session.rollback()
    assert db_session.get(Application, application.id).stage == start.value
    assert len(events(db_session, application)) == 1  # only the builder's "submitted"
    assert audit_events(db_session) == []


def test_an_unknown_stage_is_refused(db_session, actor, vacancy):
    application = builders.create_application(db_session, vacancy)
    with pytest.raises(DomainError) as refused:
        pipeline.move(db_session, application, "emperor", actor=actor)
    assert refused.value.field == "to_stage"


def test_a_move_with_an_old_version_is_stale(db_session, actor, vacancy):
    application = builders.create_application(db_session, vacancy)
    with pytest.raises(StaleEdit):
        pipeline.move(db_session, application, S.SCREENING, actor=actor, expected_version=7)
    assert application.stage == "submitted"


def test_a_concurrent_move_saved_first_makes_the_other_stale(db_session, engine, actor, vacancy):
    application = builders.create_application(db_session, vacancy)
    with Session(engine) as other:
        theirs = other.get(Application, application.id)
        mine = db_session.get(Application, application.id)
        pipeline.move(other, theirs, S.SCREENING, actor=None)
        other.commit()
        with pytest.raises(StaleEdit):
            pipeline.move(
                db_session, mine, S.REJECTED, actor=actor, reason="Too late", expected_version=1
            )
        db_session.rollback()
    assert db_session.get(Application, application.id).stage == "screening"


def test_the_applicant_is_the_actor_when_there_is_none(db_session, vacancy):
    application = builders.create_application(db_session, vacancy)
    pipeline.move(db_session, application, S.WITHDRAWN, actor=None, note="By the link")
    db_session.commit()
    assert events(db_session, application)[-1].actor_user_id is None


# Bulk moves


def test_a_bulk_move_moves_every_one(db_session, actor, vacancy):
    chosen = [builders.create_application(db_session, vacancy) for _ in range(3)]
    moved = pipeline.bulk_move(
        db_session,
        chosen,
        S.SCREENING,
        actor=actor,
        note="First sift",
        expected_versions={a.id: 1 for a in chosen},
    )
    db_session.commit()
    assert len(moved) == 3
    assert {a.stage for a in chosen} == {"screening"}
    for application in chosen:
        assert [e.to_stage for e in events(db_session, application)] == ["submitted", "screening"]
    assert len(audit_events(db_session)) == 3


def test_a_bulk_move_is_all_or_nothing_and_names_those_that_cannot_move(db_session, actor, vacancy):
    fine = builders.create_application(db_session, vacancy, name="Ada Able")
    rejected = builders.create_application(
        db_session, vacancy, name="Rex Rejected", stage=S.REJECTED
    )
    ahead = builders.create_application(db_session, vacancy, name="Ana Ahead", stage=S.OFFERED)
    with pytest.raises(DomainError) as refused:
        pipeline.bulk_move(db_session, [fine, rejected, ahead], S.SCREENING, actor=actor)
    message = refused.value.message
    assert message.startswith("No applications were moved: 2 of those selected")
    assert f"{rejected.reference} (Rex Rejected)" in message
    assert f"{ahead.reference} (Ana Ahead)" in message
    assert "Ada Able" not in message
    db_session.rollback()
    assert db_session.get(Application, fine.id).stage == "submitted"
    assert len(events(db_session, fine)) == 1
    assert audit_events(db_session) == []


def test_a_bulk_move_to_hired_is_refused(db_session, actor, vacancy):
    offered = builders.create_application(db_session, vacancy, stage=S.OFFERED)
    with pytest.raises(DomainError) as refused:
        pipeline.bulk_move(db_session, [offered], S.HIRED, actor=actor)
    assert "by hiring" in refused.value.message


def test_a_bulk_rejection_needs_a_reason(db_session, actor, vacancy):
    chosen = [builders.create_application(db_session, vacancy) for _ in range(2)]
    with pytest.raises(DomainError) as refused:
        pipeline.bulk_move(db_session, chosen, S.REJECTED, actor=actor)
    assert refused.value.field == "reason"
    pipeline.bulk_move(db_session, chosen, S.REJECTED, actor=actor, reason="Positions filled")
    db_session.commit()
    assert {a.rejection_reason for a in chosen} == {"Positions filled"}


def test_a_bulk_move_of_a_changed_application_is_stale(db_session, actor, vacancy):
    first = builders.create_application(db_session, vacancy)
    second = builders.create_application(db_session, vacancy)
    pipeline.move(db_session, second, S.SCREENING, actor=actor)
    db_session.commit()
    with pytest.raises(StaleEdit):
        pipeline.bulk_move(
            db_session,
            [first, second],
            S.REJECTED,
            actor=actor,
            reason="No",
            expected_versions={first.id: 1, second.id: 1},  # as the list showed them
        )
    db_session.rollback()
    assert db_session.get(Application, first.id).stage == "submitted"


def test_a_bulk_move_of_nothing_is_refused(db_session, actor):
    with pytest.raises(DomainError) as refused:
        pipeline.bulk_move(db_session, [], S.SCREENING, actor=actor)
    assert refused.value.field == "selected"


# Counts


def test_stage_counts_are_one_grouped_query(db_session, vacancy, count_queries):
    other = builders.create_vacancy(db_session, borough="Camden")
    for stage, number in ((S.SUBMITTED, 3), (S.SCREENING, 2), (S.REJECTED, 1)):
        for _ in range(number):
            builders.create_application(db_session, vacancy, stage=stage)
    builders.create_application(db_session, other, stage=S.HIRED)
    vacancy_id = vacancy.id
    with count_queries() as log:
        counts = pipeline.stage_counts(db_session, vacancy_id)
    assert log.count == 1
    assert counts == {
        S.SUBMITTED: 3,
        S.SCREENING: 2,
        S.ASSESSMENT: 0,
        S.OFFERED: 0,
        S.HIRED: 0,
        S.REJECTED: 1,
        S.WITHDRAWN: 0,
    }
    total = db_session.scalar(select(func.count()).select_from(Application))
    assert total == 7
