"""Command-line tasks."""

from __future__ import annotations

from sqlalchemy import func, select

from app.domain.passwords import verify_password
from app.models import Role, Standard, User
from app.seed.demo import DEMO_ACCOUNTS
from tests import builders


def test_create_admin(app, db_session):
    result = app.test_cli_runner().invoke(
        args=[
            "create-admin",
            "--email",
            "Ops@Example.org",
            "--name",
            "Ops Lead",
            "--borough",
            "E09000012",
        ],
        input="a sound admin passphrase\na sound admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created administrator ops@example.org (Hackney)" in result.output
    user = db_session.scalars(select(User).where(User.email == "ops@example.org")).one()
    assert user.roles == {Role.ADMIN}
    assert verify_password(user.password_hash, "a sound admin passphrase")


def test_create_admin_refuses_an_unknown_borough_and_a_taken_email(app, db_session):
    runner = app.test_cli_runner()
    args = [
        "create-admin",
        "--email",
        "ops@example.org",
        "--name",
        "Ops",
        "--password",
        "tangerine harbour lights",
    ]
    result = runner.invoke(args=[*args, "--borough", "Gotham"])
    assert result.exit_code != 0
    assert "No borough called 'Gotham'" in result.output
    assert runner.invoke(args=[*args, "--borough", "Camden"]).exit_code == 0
    result = runner.invoke(args=[*args, "--borough", "Camden"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_seed_demo_loads_every_demo_account_once(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    emails = set(db_session.scalars(select(User.email)))
    assert {account.email for account in DEMO_ACCOUNTS} <= emails
    central = db_session.scalars(select(User).where(User.email == "central@example.org")).one()
    assert central.is_programme_wide and central.roles == {Role.COORDINATOR}
    camden = db_session.scalars(select(User).where(User.email == "lead2@example.org")).one()
    assert camden.borough_id == builders.get_borough(db_session, "Camden").id
    assert verify_password(camden.password_hash, app.config["DEMO_PASSWORD"])
    assert db_session.scalar(select(func.count()).select_from(Standard)) >= 4

    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code != 0 and "already has users" in again.output
    quietly = runner.invoke(args=["seed", "demo", "--if-no-users"])
    assert quietly.exit_code == 0 and "not loaded again" in quietly.output
    assert db_session.scalar(select(func.count()).select_from(User)) == len(emails)


def test_seeding_is_refused_under_the_production_configuration(app_factory, db_session):
    production_like = app_factory(ALLOW_SEEDING=False)
    result = production_like.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0
    assert "refused under the production configuration" in result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_applies_the_password_policy(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "ops@example.org", "--name", "Ops", "--borough", "Camden"],
        input="HackneyCouncil2026\nHackneyCouncil2026\n",
    )
    assert result.exit_code != 0
    assert "based on your name, your email address, a borough's name" in result.output
    assert db_session.scalars(select(User)).all() == []


def test_the_demo_programme_has_every_status_rotations_and_mentors_near_and_at_capacity(
    app, db_session
):
    from app.models import Apprentice, MentorProfile, Placement

    assert app.test_cli_runner().invoke(args=["seed", "demo"]).exit_code == 0
    statuses = set(db_session.scalars(select(Apprentice.status)))
    assert statuses == {"waiting_to_start", "active", "on_break", "withdrawn", "completed"}
    demo = db_session.scalars(
        select(Apprentice).join(User).where(User.email == "apprentice@example.org")
    ).one()
    hosts = db_session.scalars(
        select(Placement.host_borough_id)
        .where(Placement.apprentice_id == demo.id)
        .order_by(Placement.start_date)
    ).all()
    assert len(set(hosts)) == 2  # a rotation between two boroughs
    mentor = db_session.scalars(select(User).where(User.email == "mentor@example.org")).one()
    profile = db_session.get(MentorProfile, mentor.id)
    assert profile.current_mentees == profile.capacity  # the demo mentor is full
    loads = db_session.scalars(select(MentorProfile)).all()
    assert any(0 < p.current_mentees < p.capacity for p in loads)  # and someone is nearly full
    # The demo apprentice and mentor can sign in.
    client = app.test_client()
    from tests.conftest import csrf_token

    for email, home in (
        ("apprentice@example.org", "/apprentice/"),
        ("mentor@example.org", "/mentor/"),
    ):
        response = client.post(
            "/sign-in",
            data={
                "email": email,
                "password": app.config["DEMO_PASSWORD"],
                "csrf_token": csrf_token(client),
            },
        )
        assert response.location == home
        assert "Jordan Mensah" in client.get(home).get_data(as_text=True)
        client.post("/sign-out", data={"csrf_token": csrf_token(client)})


def test_the_demo_shows_progression_and_completion_at_every_stage(app, db_session):
    from app.clock import today
    from app.domain import gateway
    from app.models import (
        Apprentice,
        EpaAttempt,
        LogEntry,
        Outcome,
        ProgressSummary,
        WithdrawalReason,
    )

    assert app.test_cli_runner().invoke(args=["seed", "demo"]).exit_code == 0
    entry_states = set(db_session.scalars(select(LogEntry.status)))
    assert entry_states == {"approved", "submitted", "returned"}
    summaries = db_session.scalars(select(ProgressSummary)).all()
    assert {s.rag for s in summaries} >= {"red", "amber", "green"}
    reasons = " ".join(reason for s in summaries for reason in s.rag_reasons)
    assert "off-the-job hours expected" in reasons
    assert "Progress review" in reasons and "late" in reasons
    assert "overdue" in reasons
    admin = db_session.scalars(select(User).where(User.email == "admin@example.org")).one()
    assert db_session.scalars(gateway.gateway_due(admin, today())).first() is not None
    grades = set(db_session.scalars(select(EpaAttempt.grade)))
    assert grades == {"fail", "pass", "merit", "distinction"}
    awaiting_resit = db_session.scalars(
        select(Apprentice.status)
        .join(EpaAttempt, EpaAttempt.apprentice_id == Apprentice.id)
        .where(EpaAttempt.next_attempt_on > today())
    )
    assert "active" in set(awaiting_resit)  # a fail keeps them active for the resit
    follow_ups = set(db_session.scalars(select(Outcome.follow_up)))
    assert follow_ups == {"end", "six_months", "twelve_months"}
    not_achieved = db_session.scalars(
        select(Apprentice).where(
            Apprentice.withdrawal_reason == WithdrawalReason.EPA_NOT_ACHIEVED.value
        )
    ).all()
    assert len(not_achieved) == 1
