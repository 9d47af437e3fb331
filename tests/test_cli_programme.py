"""Command-line tasks of the programme: importing apprentices and the daily status refresh."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.models import Apprentice, ApprenticeImport, Role
from tests import builders

HEADER = (
    "name,email,date_of_birth,cohort,standard,standard_version,training_provider_ukprn,"
    "employing_borough,residence_borough,uln,start_date,practical_period_end,planned_end_date,"
    "contracted_hours\n"
)
ADA = "Ada Lovelace,ada@example.org,2006-05-17,Intake 2026,,,,Hackney,Hackney,,2026-09-01,,,37.5\n"
SAM = "Sam Okafor,sam@example.org,2005-01-17,Intake 2026,,,,Hackney,E09000007,,2026-09-01,,,30\n"


def apprentices(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Apprentice))


def test_import_apprentices_creates_invites_and_is_idempotent(app, db_session, tmp_path, mailbox):
    builders.create_cohort(
        db_session, name="Intake 2026", standard=builders.create_standard(db_session)
    )
    builders.create_user(db_session, roles=[Role.COORDINATOR], email="cora@example.org")
    path = tmp_path / "intake.csv"
    path.write_text(HEADER + ADA + SAM)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["import-apprentices", str(path), "--actor", "cora@example.org"])
    assert result.exit_code == 0, result.output
    assert "Imported 2 apprentices; skipped 0" in result.output
    assert apprentices(db_session) == 2
    assert sorted(mail.to for mail in mailbox) == ["ada@example.org", "sam@example.org"]
    assert all("http://localhost/account/invitation/" in mail.body for mail in mailbox)

    again = runner.invoke(args=["import-apprentices", str(path), "--actor", "cora@example.org"])
    assert again.exit_code == 0
    assert "already imported" in again.output
    assert apprentices(db_session) == 2
    assert len(mailbox) == 2

    # An overlapping file: Ada is skipped, the new person imported.
    overlap = tmp_path / "more.csv"
    overlap.write_text(HEADER + ADA + ADA.replace("Ada Lovelace,ada@", "Bo Bell,bo@"))
    result = runner.invoke(args=["import-apprentices", str(overlap), "--actor", "cora@example.org"])
    assert "Imported 1 apprentice; skipped 1" in result.output
    assert "Row 2: ada@example.org is already an apprentice" in result.output
    assert apprentices(db_session) == 3


def test_import_apprentices_refuses_the_whole_file_and_lists_the_problems(
    app, db_session, tmp_path, mailbox
):
    builders.create_cohort(
        db_session, name="Intake 2026", standard=builders.create_standard(db_session)
    )
    builders.create_user(db_session, roles=[Role.COORDINATOR], email="cora@example.org")
    path = tmp_path / "intake.csv"
    path.write_text(HEADER + ADA + SAM.replace("2005-01-17", "yesterday").replace(",30\n", ",0\n"))
    result = app.test_cli_runner().invoke(
        args=["import-apprentices", str(path), "--actor", "cora@example.org"]
    )
    assert result.exit_code != 0
    assert "Row 3: date_of_birth: date_of_birth must be a real date" in result.output
    assert "The file was not imported: 1 problem to fix" in result.output
    assert apprentices(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(ApprenticeImport)) == 0
    assert mailbox == []


def test_import_apprentices_needs_a_known_actor(app, db_session, tmp_path):
    path = tmp_path / "intake.csv"
    path.write_text(HEADER + ADA)
    result = app.test_cli_runner().invoke(
        args=["import-apprentices", str(path), "--actor", "nobody@example.org"]
    )
    assert result.exit_code != 0
    assert "No active user" in result.output


def test_refresh_status_starts_those_due_and_is_safe_to_repeat(app, db_session):
    due = builders.create_apprentice(db_session, start_date=date(2026, 11, 27))
    later = builders.create_apprentice(db_session, start_date=date(2026, 12, 1))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["refresh-status"])
    assert result.exit_code == 0, result.output
    assert "Started 1 apprentice." in result.output
    again = runner.invoke(args=["refresh-status"])
    assert again.exit_code == 0
    assert "Started 0 apprentices." in again.output
    db_session.expire_all()
    assert (due.status, later.status) == ("active", "waiting_to_start")
