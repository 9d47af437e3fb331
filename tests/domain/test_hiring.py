"""Hiring: an offered applicant becomes an apprentice with an account, in one transaction."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.domain import apprentices as apprentices_domain
from app.domain import audit, hiring, pipeline
from app.domain.errors import DomainError, StaleEdit
from app.models import (
    Application,
    ApplicationEvent,
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditEvent,
    Role,
    Stage,
    User,
    UserRole,
)
from tests import builders

TODAY = date(2026, 11, 27)  # the frozen clock


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


@pytest.fixture
def vacancy(db_session):
    return builders.create_vacancy(db_session, positions=2)


@pytest.fixture
def offered(db_session, vacancy):
    return builders.create_application(
        db_session,
        vacancy,
        name="Amara Jones",
        email="amara@example.org",
        stage=Stage.OFFERED,
        residence="Hackney",
        date_of_birth=date(2006, 4, 2),
    )


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def counts(db_session) -> dict[str, int]:
    return {
        model.__name__: count(db_session, model)
        for model in (
            User,
            UserRole,
            Apprentice,
            ApprenticeStatusEvent,
            ApplicationEvent,
            AuditEvent,
        )
    }


def test_hiring_creates_the_apprentice_their_account_and_the_link(
    db_session, coordinator, vacancy, offered
):
    apprentice = hiring.hire(
        db_session, offered, actor=coordinator, right_to_work_checked_on=date(2026, 11, 20)
    )
    db_session.commit()

    cohort_start = date(2027, 3, 1)  # the builder's cohort for a vacancy
    assert apprentice.cohort_id == vacancy.cohort_id
    assert apprentice.standard_id == vacancy.standard_id
    assert apprentice.employing_borough_id == vacancy.employing_borough_id
    assert apprentice.residence_borough_id == offered.residence_borough_id
    assert apprentice.date_of_birth == date(2006, 4, 2)
    assert apprentice.start_date == cohort_start
    assert apprentice.contracted_hours == Decimal("35.0")
    assert apprentice.status == ApprenticeStatus.WAITING_TO_START.value
    user = db_session.get(User, apprentice.user_id)
    assert (user.name, user.email, user.password_hash) == ("Amara Jones", "amara@example.org", None)
    assert user.roles == {Role.APPRENTICE}
    assert user.borough_id == vacancy.employing_borough_id

    application = db_session.get(Application, offered.id)
    assert application.stage == "hired"
    assert application.apprentice_id == apprentice.id
    assert application.right_to_work_checked_on == date(2026, 11, 20)
    last = db_session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == offered.id)
        .order_by(ApplicationEvent.id.desc())
    ).first()
    assert (last.from_stage, last.to_stage, last.actor_user_id) == (
        "offered",
        "hired",
        coordinator.id,
    )
    trail = {
        (e.target_type, e.action): e.fields_changed for e in db_session.scalars(select(AuditEvent))
    }
    assert trail[("application", "updated")] == [
        "apprentice_id",
        "right_to_work_checked_on",
        "stage",
    ]
    assert ("apprentice", "created") in trail
    assert ("vacancy", "updated") not in trail  # no override was needed


def test_the_start_date_and_hours_can_be_chosen(db_session, coordinator, offered):
    apprentice = hiring.hire(
        db_session,
        offered,
        actor=coordinator,
        right_to_work_checked_on=TODAY,
        start_date=date(2027, 4, 6),
        contracted_hours=Decimal("30"),
    )
    assert (apprentice.start_date, apprentice.contracted_hours) == (
        date(2027, 4, 6),
        Decimal("30.0"),
    )


@pytest.mark.parametrize(
    "stage", [Stage.SUBMITTED, Stage.SCREENING, Stage.ASSESSMENT, Stage.REJECTED, Stage.WITHDRAWN]
)
def test_only_an_offered_applicant_can_be_hired(db_session, coordinator, vacancy, stage):
    application = builders.create_application(db_session, vacancy, stage=stage)
    before = counts(db_session)
    with pytest.raises(DomainError) as refused:
        hiring.hire(db_session, application, actor=coordinator, right_to_work_checked_on=TODAY)
    assert "offered the job" in refused.value.message
    db_session.rollback()
    assert counts(db_session) == before


def test_a_hired_applicant_cannot_be_hired_again(db_session, coordinator, offered):
    hiring.hire(db_session, offered, actor=coordinator, right_to_work_checked_on=TODAY)
    db_session.commit()
    with pytest.raises(DomainError) as refused:
        hiring.hire(db_session, offered, actor=coordinator, right_to_work_checked_on=TODAY)
    assert "offered" in refused.value.message


@pytest.mark.parametrize(
    ("checked_on", "words"),
    [(None, "Enter the date"), (date(2026, 11, 28), "today or in the past")],
)
def test_the_right_to_work_check_date_is_needed_and_not_in_the_future(
    db_session, coordinator, offered, checked_on, words
):
    with pytest.raises(DomainError) as refused:
        hiring.hire(db_session, offered, actor=coordinator, right_to_work_checked_on=checked_on)
    assert refused.value.field == "right_to_work_checked_on"
    assert words in refused.value.message
    db_session.rollback()
    assert count(db_session, Apprentice) == 0


def test_a_full_vacancy_needs_the_audited_override(db_session, coordinator, vacancy):
    for _ in range(vacancy.positions):
        builders.create_application(db_session, vacancy, stage=Stage.HIRED)
    offered = builders.create_application(db_session, vacancy, stage=Stage.OFFERED)
    assert hiring.positions_left(db_session, vacancy) == 0

    with pytest.raises(DomainError) as refused:
        hiring.hire(db_session, offered, actor=coordinator, right_to_work_checked_on=TODAY)
    assert refused.value.field == "allow_over_positions"
    assert "All 2 positions" in refused.value.message
    db_session.rollback()
    assert count(db_session, Apprentice) == 0

    hiring.hire(
        db_session,
        offered,
        actor=coordinator,
        right_to_work_checked_on=TODAY,
        allow_over_positions=True,
    )
    db_session.commit()
    override = db_session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "vacancy")
    ).one()
    assert (override.action, override.target_id, override.fields_changed) == (
        "updated",
        vacancy.id,
        ["allow_over_positions"],
    )
    assert override.actor_user_id == coordinator.id


def test_the_override_is_not_recorded_when_a_position_is_free(db_session, coordinator, offered):
    hiring.hire(
        db_session,
        offered,
        actor=coordinator,
        right_to_work_checked_on=TODAY,
        allow_over_positions=True,
    )
    db_session.commit()
    assert (
        db_session.scalars(select(AuditEvent).where(AuditEvent.target_type == "vacancy")).all()
        == []
    )


def test_an_email_address_that_already_has_an_account_is_refused(db_session, coordinator, offered):
    builders.create_user(db_session, roles=[Role.MENTOR], email="amara@example.org")
    before = counts(db_session)
    with pytest.raises(DomainError) as refused:
        hiring.hire(db_session, offered, actor=coordinator, right_to_work_checked_on=TODAY)
    assert "already exists" in refused.value.message
    assert refused.value.field is None  # not about a field of the hiring form
    db_session.rollback()
    assert counts(db_session) == before


def test_an_erased_applicant_cannot_be_hired(db_session, coordinator, offered):
    offered.name = offered.email = offered.date_of_birth = None
    db_session.commit()
    with pytest.raises(DomainError) as refused:
        hiring.hire(db_session, offered, actor=coordinator, right_to_work_checked_on=TODAY)
    assert "erased" in refused.value.message


def test_a_stale_hire_is_refused(db_session, coordinator, offered):
    with pytest.raises(StaleEdit):
        hiring.hire(
            db_session,
            offered,
            actor=coordinator,
            right_to_work_checked_on=TODAY,
            expected_version=offered.row_version + 1,
        )


def test_a_coordinator_of_another_borough_cannot_hire(db_session, offered):
    camden = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    with pytest.raises(DomainError):
        hiring.hire(db_session, offered, actor=camden, right_to_work_checked_on=TODAY)
    db_session.rollback()
    assert count(db_session, Apprentice) == 0


def _fail(*args, **kwargs):
    raise RuntimeError("injected failure")


@pytest.mark.parametrize(
    "where",
    ["the move to hired", "the audit writer", "create_apprentice's last step"],
)
def test_a_failure_midway_leaves_nothing_behind(
    db_session, coordinator, offered, monkeypatch, where
):
    """Everything happens in the caller's one transaction: when a later step fails, rolling
    back leaves no user, apprentice, event or audit entry."""
    before = counts(db_session)
    if where == "the move to hired":
        monkeypatch.setattr(pipeline, "enter_hired", _fail)
    elif where == "the audit writer":
        real = audit.record

        def record(session, action, *, target=None, **kwargs):
            if target is not None and target.type == "application":
                raise RuntimeError("injected failure")
            return real(session, action, target=target, **kwargs)

        monkeypatch.setattr(audit, "record", record)
    else:
        monkeypatch.setattr(apprentices_domain.lifecycle, "record_event", _fail)

    with pytest.raises(RuntimeError):
        hiring.hire(db_session, offered, actor=coordinator, right_to_work_checked_on=TODAY)
    db_session.rollback()

    assert counts(db_session) == before
    assert db_session.scalar(select(User).where(User.email == "amara@example.org")) is None
    application = db_session.get(Application, offered.id)
    assert (application.stage, application.apprentice_id) == ("offered", None)
    assert application.right_to_work_checked_on is None


# Racing for the last position


RACERS = 5


def test_racing_hires_for_the_last_position_fill_it_once(db_session, engine):
    """Five coordinators hire five offered applicants at once for a vacancy with one position
    left. The vacancy's row is locked (PostgreSQL; SQLite's write lock) before hires are
    counted, so exactly one succeeds and the others are told the positions are filled."""
    vacancy = builders.create_vacancy(db_session, positions=2)
    builders.create_application(db_session, vacancy, stage=Stage.HIRED)
    offered_ids = [
        builders.create_application(db_session, vacancy, stage=Stage.OFFERED).id
        for _ in range(RACERS)
    ]
    actor_ids = [
        builders.create_user(db_session, roles=[Role.COORDINATOR]).id for _ in range(RACERS)
    ]
    vacancy_id = vacancy.id
    db_session.close()
    racing = create_engine(engine.url, pool_size=RACERS, max_overflow=0)
    barrier = threading.Barrier(RACERS, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(application_id: int, actor_id: int) -> None:
        with Session(racing, expire_on_commit=False) as session:
            try:
                application = session.get(Application, application_id)
                actor = session.get(User, actor_id)
                session.commit()  # every thread starts level
                barrier.wait()
                hiring.hire(session, application, actor=actor, right_to_work_checked_on=TODAY)
                session.commit()
                outcome = "hired"
            except DomainError as error:
                session.rollback()
                outcome = error.message
            except Exception as error:  # reported, so the assertion below names it
                session.rollback()
                outcome = f"error: {type(error).__name__}"
        with lock:
            outcomes.append(outcome)

    threads = [
        threading.Thread(target=attempt, args=pair)
        for pair in zip(offered_ids, actor_ids, strict=True)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        racing.dispose()

    assert len(outcomes) == RACERS
    assert outcomes.count("hired") == 1, outcomes
    with Session(engine) as session:
        hired = session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.vacancy_id == vacancy_id, Application.stage == "hired")
        )
        assert hired == 2
        assert session.scalar(select(func.count()).select_from(Apprentice)) == 1
    refused = [outcome for outcome in outcomes if outcome != "hired"]
    assert all(outcome.startswith("All 2 positions") for outcome in refused), outcomes
