"""London-scale data (`flask seed scale`) at the tiny tier, its consistency check, and the
benchmark command run on it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.clock import today
from app.models import (
    Application,
    Apprentice,
    ApprenticeStatus,
    LogEntry,
    MentorAssignment,
    MentorProfile,
    Milestone,
    ProgressSummary,
    User,
)
from app.seed.scale import TIERS, ScaleRefused, check_summaries, seed_scale

pytestmark = pytest.mark.db

TINY = TIERS["tiny"].apprentices


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def seed_tiny(app, *args):
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--tier", "tiny", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_tiny_tier_has_every_record_in_proportion(app, db_session):
    output = seed_tiny(app)
    assert "Seeded the tiny tier in" in output

    assert count(db_session, Apprentice) == TINY
    applications = count(db_session, Application)
    assert 6 * TINY <= applications <= 9 * TINY  # ≈ 8 applicants per start
    started = db_session.scalar(
        select(func.count())
        .select_from(Apprentice)
        .where(Apprentice.status != ApprenticeStatus.WAITING_TO_START.value)
    )
    assert 9 * started <= count(db_session, Milestone) <= 13 * started
    assert count(db_session, LogEntry) > 10 * started
    # Every borough employs apprentices, over five years.
    boroughs = db_session.scalar(select(func.count(func.distinct(Apprentice.employing_borough_id))))
    assert boroughs == 33
    first, last = db_session.execute(
        select(func.min(Apprentice.start_date), func.max(Apprentice.start_date))
    ).one()
    assert last - first > timedelta(days=4 * 365)
    assert first >= today() - timedelta(days=5 * 365)
    statuses = set(db_session.scalars(select(Apprentice.status).distinct()))
    assert {ApprenticeStatus.ACTIVE.value, ApprenticeStatus.COMPLETED.value} <= statuses
    # Apprentice users plus 5 staff per borough, mentors and two central accounts.
    assert count(db_session, User) > TINY + 33 * 5
    # A mentor's count of current mentees is their open assignments.
    current = dict(
        db_session.execute(
            select(MentorAssignment.mentor_user_id, func.count())
            .where(MentorAssignment.end_date.is_(None))
            .group_by(MentorAssignment.mentor_user_id)
        ).all()
    )
    for profile in db_session.scalars(select(MentorProfile)):
        assert profile.current_mentees == current.get(profile.user_id, 0)
        assert profile.current_mentees <= profile.capacity


def test_stored_summaries_match_fresh_computations(app, db_session):
    seed_tiny(app)
    assert count(db_session, ProgressSummary) == TINY
    assert check_summaries(db_session, sample=TINY) == []

    # The check notices a stored summary that is wrong.
    tampered = db_session.scalar(select(ProgressSummary.apprentice_id).limit(1))
    db_session.execute(
        update(ProgressSummary)
        .where(ProgressSummary.apprentice_id == tampered)
        .values(approved_hours=ProgressSummary.approved_hours + 1)
    )
    assert check_summaries(db_session, sample=TINY) == [tampered]


def fingerprint(session):
    apprentices = session.execute(
        select(
            Apprentice.id,
            Apprentice.employing_borough_id,
            Apprentice.start_date,
            Apprentice.status,
            Apprentice.withdrawal_reason,
        ).order_by(Apprentice.id)
    ).all()
    references = session.scalars(select(Application.reference).order_by(Application.id)).all()
    hours = session.scalar(select(func.sum(LogEntry.hours)))
    return apprentices, references, hours


def test_the_same_seed_gives_the_same_data(app, db_session):
    def seeded(seed):
        seed_scale(db_session, "tiny", seed=seed, password="a long test passphrase")
        try:
            return fingerprint(db_session)
        finally:
            db_session.rollback()

    first = seeded(5)
    assert len(first[0]) == TINY
    assert seeded(5) == first
    assert seeded(6) != first


def test_seeding_is_refused_in_production_and_on_a_database_with_apprentices(
    app, app_factory, db_session
):
    production_like = app_factory(ALLOW_SEEDING=False)
    result = production_like.test_cli_runner().invoke(args=["seed", "scale", "--tier", "tiny"])
    assert result.exit_code != 0
    assert "refused under the production configuration" in result.output
    assert count(db_session, Apprentice) == 0

    seed_tiny(app)
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--tier", "tiny"])
    assert result.exit_code != 0
    assert "already has apprentices" in result.output
    assert count(db_session, Apprentice) == TINY
    with pytest.raises(ScaleRefused):
        seed_scale(db_session, "tiny", password="a long test passphrase")


def test_the_benchmark_prints_a_table_of_every_key_page(app, db_session):
    result = app.test_cli_runner().invoke(args=["benchmark", "--requests", "2"])
    assert result.exit_code != 0
    assert "run `flask seed scale` first" in result.output

    seed_tiny(app)
    result = app.test_cli_runner().invoke(args=["benchmark", "--requests", "2"])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "| page " in output and "p95 ms" in output and "page/SQL" in output
    rows = [line for line in output.splitlines() if line.startswith("| ") and "---" not in line]
    labels = {row.split("|")[1].strip() for row in rows[1:]}
    for label in (
        "Apprentice list",
        "Needs attention",
        "Pipeline",
        "Cohort page",
        "Apprentice page",
        "Overview (report)",
        "Equality (report)",
        "Applications CSV export",
    ):
        assert label in labels
    # Every page answered as the role that uses it.
    assert all(row.split("|")[3].strip() == "200" for row in rows[1:]), output
    assert "Peak resident memory" in output
    assert re.search(r"Recount after a change .*10 days: p50 \d+ ms, p95 \d+ ms", output)
