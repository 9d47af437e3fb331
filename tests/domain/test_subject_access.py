"""Subject access: the bundle holds every row about the person and nothing about anyone else."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from app.domain import data_rights, subject_access
from app.domain.errors import DomainError
from app.models import AuditEvent, RequestStatus, Role, SubjectAccessRequest, SubjectKind
from tests import builders
from tests.domain.people import ROW_KEYS, seed_person

pytestmark = pytest.mark.usefixtures("app_context")


def two_people(db_session):
    mentor = builders.create_mentor(db_session, name="Mina Mentor-Staff")
    coordinator = builders.create_user(db_session, name="Cora Coordinator-Staff")
    first = seed_person(
        db_session,
        name="Alexandra Firstperson",
        email="alexandra.first@example.org",
        phone="07700 900001",
        postcode="E8 3AA",
        date_of_birth=date(2004, 2, 29),
        mentor=mentor,
        coordinator=coordinator,
    )
    second = seed_person(
        db_session,
        name="Bartholomew Secondperson",
        email="bart.second@example.org",
        phone="07700 900002",
        postcode="N16 7BB",
        date_of_birth=date(2003, 7, 14),
        mentor=mentor,
        coordinator=coordinator,
    )
    return first, second, mentor, coordinator


def keys(rows, table):
    column = ROW_KEYS.get(table, "id")
    return {row[column] for row in rows}


@pytest.mark.parametrize(
    "start",
    [SubjectKind.USER, SubjectKind.APPRENTICE, SubjectKind.APPLICATION],
    ids=str,
)
def test_the_bundle_holds_every_row_of_the_person_and_nothing_of_anyone_else(db_session, start):
    first, second, mentor, coordinator = two_people(db_session)
    record = {
        SubjectKind.USER: first.user.id,
        SubjectKind.APPRENTICE: first.apprentice_id,
        SubjectKind.APPLICATION: first.application_id,
    }[start]
    person = data_rights.find_person(db_session, start, record)

    bundle = subject_access.collect(db_session, person)

    assert set(first.rows) <= set(bundle), "every table with their data is in the bundle"
    for table, seeded in first.rows.items():
        found = keys(bundle[table], table)
        assert seeded <= found, table
        assert not (second.rows.get(table, set()) & found), table
    text = json.dumps(bundle)
    for detail in (second.name, second.email, second.phone, second.postcode):
        assert detail not in text
    assert second.date_of_birth.isoformat() not in text
    # Their own details are there; staff appear by role and borough, never by name.
    assert first.name in text and first.email in text and first.postcode in text
    assert first.date_of_birth.isoformat() in text
    assert mentor.name not in text and coordinator.name not in text
    assert "Coordinator, Hackney" in text
    # Secrets and third parties' details are withheld.
    assert "password_hash" not in text and "token_hash" not in text
    assert "morgan.lee@example.org" not in text
    # Their own equality answers are theirs to see.
    assert bundle["equality_monitoring"][0]["gender"] == "woman"


def test_producing_the_bundle_gives_a_zip_of_json_and_csv_and_completes_the_request(
    db_session,
):
    first, _second, _mentor, coordinator = two_people(db_session)
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    request = data_rights.log_request(
        db_session,
        SubjectKind.APPRENTICE,
        first.apprentice_id,
        received_on=date(2026, 11, 20),
        today=date(2026, 11, 27),
        actor=admin,
    )
    assert request.due_on == date(2026, 12, 20)

    data = subject_access.produce_bundle(db_session, request, actor=admin, today=date(2026, 11, 27))
    db_session.commit()

    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {
        "README.txt",
        "subject-access.json",
        "csv/application.csv",
        "csv/audit_event.csv",
    } <= names
    parsed = json.loads(archive.read("subject-access.json"))
    assert parsed["app_user"][0]["email"] == first.email
    csv_text = archive.read("csv/application.csv").decode("utf-8-sig")
    assert first.name in csv_text
    assert request.status == RequestStatus.COMPLETED.value
    assert request.completed_on == date(2026, 11, 27)
    exported = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "exported")).one()
    assert (exported.target_type, exported.target_id) == ("subject_access_request", request.id)


def test_a_request_is_due_one_calendar_month_after_it_was_received():
    assert data_rights.due_date(date(2026, 1, 31)) == date(2026, 2, 28)
    assert data_rights.due_date(date(2026, 11, 27)) == date(2026, 12, 27)


def test_a_request_received_in_the_future_is_refused(db_session):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    with pytest.raises(DomainError, match="today or in the past"):
        data_rights.log_request(
            db_session,
            SubjectKind.USER,
            admin.id,
            received_on=date(2026, 11, 28),
            today=date(2026, 11, 27),
            actor=admin,
        )
    assert db_session.scalars(select(SubjectAccessRequest)).all() == []


def test_a_person_is_found_by_email_or_application_reference(db_session):
    first, _second, _mentor, _coordinator = two_people(db_session)
    assert data_rights.find_subject(db_session, " Alexandra.First@example.org ") == (
        SubjectKind.USER,
        first.user.id,
    )
    reference = db_session.get(
        __import__("app.models", fromlist=["Application"]).Application, first.application_id
    ).reference
    assert data_rights.find_subject(db_session, reference.lower()) == (
        SubjectKind.APPLICATION,
        first.application_id,
    )
    with pytest.raises(DomainError, match="No account or application"):
        data_rights.find_subject(db_session, "nobody@example.org")
