"""Retention: moving the clock past each period removes what is due, a second run changes
nothing, and a dry run changes nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from app.clock import today, utcnow
from app.domain import audit, reports, retention
from app.extensions import db
from app.models import (
    Application,
    Apprentice,
    AuditAction,
    AuditEvent,
    EqualityMonitoring,
    Stage,
    User,
)
from tests import builders
from tests.domain.people import seed_person

pytestmark = pytest.mark.usefixtures("app_context")

PERIODS = retention.Periods(applicant_months=12, apprentice_years=6, audit_years=6)


def fingerprint(db_session) -> str:
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db_session.execute(text(f"SELECT * FROM {table.name} ORDER BY 1")).all()
        digest.update(repr((table.name, rows)).encode())
    db_session.rollback()
    return digest.hexdigest()


def run(db_session, *, dry_run=False):
    outcome = retention.apply_retention(
        db_session, today=today(), now=utcnow(), periods=PERIODS, dry_run=dry_run
    )
    db_session.commit()
    return outcome


@pytest.fixture
def records(db_session):
    mentor = builders.create_mentor(db_session)
    coordinator = builders.create_user(db_session)
    # The leaver's own vacancy closed in 2024, but they were hired: not unsuccessful.
    vacancy = builders.create_vacancy(db_session, closing_date=date(2026, 12, 31))
    rejected = builders.create_application(db_session, vacancy, stage=Stage.REJECTED)
    pending = builders.create_application(db_session, vacancy)
    db_session.add(EqualityMonitoring(application_id=rejected.id, gender="woman"))
    leaver = seed_person(
        db_session,
        name="Lionel Leaver",
        email="lionel@example.org",
        phone="07700 900555",
        postcode="E9 5LL",
        date_of_birth=date(2002, 1, 2),
        mentor=mentor,
        coordinator=coordinator,
        left_on=date(2027, 6, 30),
    )
    audit.record(db_session, AuditAction.SIGN_IN, actor=coordinator)
    db_session.commit()
    return {"rejected": rejected, "pending": pending, "leaver": leaver}


def test_nothing_goes_before_its_period(db_session, records):
    before = fingerprint(db_session)
    outcome = run(db_session)
    assert not outcome.changed_anything
    assert fingerprint(db_session) == before


def test_each_period_removes_what_is_due_once(db_session, records, frozen_clock):
    rejected, pending = records["rejected"], records["pending"]
    leaver = records["leaver"]
    # Just over 12 months after the vacancy closed (31 December 2026).
    frozen_clock.advance(days=400)
    figures_before = reports.raw_figures(
        db_session, reports.Period(2026), today=date(2026, 11, 27)
    ).figures()

    outcome = run(db_session)

    assert outcome.applications_erased == 2  # the rejected and the never-decided one
    assert outcome.equality_answers_deleted == 1
    assert outcome.apprentices_erased == 0 and outcome.audit_events_deleted == 0
    db_session.expire_all()
    for application in (rejected, pending):
        kept = db_session.get(Application, application.id)
        assert (kept.name, kept.email, kept.phone, kept.postcode, kept.date_of_birth) == (
            None,
            None,
            None,
            None,
            None,
        )
        assert kept.age_band and kept.stage  # the facts reports use stay
    assert db_session.scalars(select(EqualityMonitoring)).all() != []  # the leaver's own
    assert (
        db_session.scalars(
            select(EqualityMonitoring).where(EqualityMonitoring.application_id == rejected.id)
        ).all()
        == []
    )
    # The hired application of the apprentice is not an unsuccessful one.
    assert db_session.get(Application, leaver.application_id).email == leaver.email
    assert (
        reports.raw_figures(db_session, reports.Period(2026), today=date(2026, 11, 27)).figures()
        == figures_before
    )

    # A second run the same day changes nothing.
    before = fingerprint(db_session)
    assert not run(db_session).changed_anything
    assert fingerprint(db_session) == before

    # Six years after the apprentice left (30 June 2027), they are erased.
    frozen_clock.now = datetime(2033, 7, 2, 9, tzinfo=UTC)
    frozen_clock.advance(days=0)
    outcome = run(db_session)
    assert outcome.apprentices_erased == 1
    db_session.expire_all()
    assert db_session.get(Apprentice, leaver.apprentice_id).date_of_birth is None
    assert db_session.get(User, leaver.user.id).email != leaver.email
    assert db_session.get(Application, leaver.application_id).email is None
    # The audit events are now over six years old (November 2026) and go too.
    assert outcome.audit_events_deleted > 0
    remaining = db_session.scalars(select(AuditEvent)).all()
    assert remaining and all(e.occurred_at >= datetime(2027, 7, 1, tzinfo=UTC) for e in remaining)

    before = fingerprint(db_session)
    assert not run(db_session).changed_anything
    assert fingerprint(db_session) == before


def test_a_dry_run_changes_nothing_but_says_what_would_go(db_session, records, frozen_clock):
    frozen_clock.now = datetime(2033, 7, 2, 9, tzinfo=UTC)
    frozen_clock.advance(days=0)
    before = fingerprint(db_session)

    outcome = retention.apply_retention(
        db_session, today=today(), now=utcnow(), periods=PERIODS, dry_run=True
    )
    db_session.rollback()

    assert outcome.applications_erased == 2
    assert outcome.apprentices_erased == 1
    assert outcome.audit_events_deleted > 0
    assert fingerprint(db_session) == before


def test_the_command_prints_what_it_did_and_a_dry_run_changes_nothing(
    app, db_session, records, frozen_clock
):
    frozen_clock.advance(days=400)
    runner = app.test_cli_runner()
    before = fingerprint(db_session)

    dry = runner.invoke(args=["apply-retention", "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was changed" in dry.output
    assert "Unsuccessful applications erased: 2" in dry.output
    assert fingerprint(db_session) == before

    real = runner.invoke(args=["apply-retention"])
    assert real.exit_code == 0, real.output
    assert "Unsuccessful applications erased: 2" in real.output
    again = runner.invoke(args=["apply-retention"])
    assert "Unsuccessful applications erased: 0" in again.output


def test_the_periods_come_from_the_settings(app):
    periods = retention.Periods.from_config(app.config)
    assert periods == PERIODS
