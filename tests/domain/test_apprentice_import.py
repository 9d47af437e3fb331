"""Importing apprentices from CSV: every row checked, all or nothing, and idempotent."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from app.domain.apprentice_import import (
    COLUMN_NAMES,
    ImportRefused,
    RowError,
    import_apprentices,
)
from app.models import Apprentice, ApprenticeImport, AuditEvent, Role, User
from tests import builders


@pytest.fixture
def cohort(db_session):
    standard = builders.create_standard(db_session, reference="ST0116", typical_duration_months=24)
    return builders.create_cohort(db_session, name="Hackney digital 2026", standard=standard)


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


def row(**values: str) -> dict[str, str]:
    base = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "date_of_birth": "2006-05-17",
        "cohort": "Hackney digital 2026",
        "standard": "",
        "standard_version": "",
        "training_provider_ukprn": "",
        "employing_borough": "Hackney",
        "residence_borough": "Hackney",
        "uln": "",
        "start_date": "2026-09-01",
        "practical_period_end": "",
        "planned_end_date": "",
        "contracted_hours": "37.5",
    }
    base.update(values)
    return base


def csv_bytes(*rows: dict[str, str], columns=COLUMN_NAMES) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def run(db_session, data, actor, filename="cohort.csv"):
    return import_apprentices(db_session, data, filename=filename, actor=actor)


def test_imports_every_row_and_records_the_file(db_session, cohort, coordinator):
    data = csv_bytes(
        row(),
        row(
            name="Sam Okafor",
            email="Sam@Example.org",
            date_of_birth="17/01/2005",
            standard="st0116",
            residence_borough="outside London",
            uln="1234567890",
            start_date="01/09/2026",
            practical_period_end="31/08/2028",
            planned_end_date="30/11/2028",
            contracted_hours="30",
        ),
    )
    result = run(db_session, data, coordinator)
    db_session.commit()

    assert len(result.created) == 2 and result.skipped == []
    assert [user.email for user in result.invited] == ["ada@example.org", "sam@example.org"]
    ada, sam = result.created
    assert ada.practical_period_end == date(2028, 8, 31)  # 24 months typical
    assert ada.planned_end_date == date(2028, 11, 30)
    assert ada.residence_borough_id == builders.get_borough(db_session, "Hackney").id
    assert sam.residence_borough_id is None
    assert (sam.uln, sam.start_date, str(sam.contracted_hours)) == (
        "1234567890",
        date(2026, 9, 1),
        "30.0",
    )
    assert sam.date_of_birth == date(2005, 1, 17)
    assert all(a.status == "waiting_to_start" for a in result.created)
    record = db_session.scalars(select(ApprenticeImport)).one()
    assert record.file_sha256 == hashlib.sha256(data).hexdigest()
    assert (record.filename, record.apprentices_created, record.imported_by_id) == (
        "cohort.csv",
        2,
        coordinator.id,
    )
    imported = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "imported")).one()
    assert (imported.target_type, imported.target_id) == ("apprentice_import", record.id)


def test_one_bad_row_refuses_the_whole_file_with_a_report(db_session, cohort, coordinator):
    data = csv_bytes(
        row(),
        row(email="bo@example.org", date_of_birth="31/02/2006", cohort="No such cohort"),
        row(email="cy@example.org", start_date="2025-08-01", practical_period_end="2026-03-30"),
        row(email="di@example.org", contracted_hours="lots", residence_borough="Gotham"),
        row(email="ada@example.org"),
    )
    users_before = count(db_session, User)
    with pytest.raises(ImportRefused) as refused:
        run(db_session, data, coordinator)
    # Nothing was written before the refusal (the checks come first).
    assert count(db_session, User) == users_before
    db_session.rollback()
    assert refused.value.errors == [
        RowError(
            3, "date_of_birth", "date_of_birth must be a real date, like 2026-09-01 or 01/09/2026"
        ),
        RowError(3, "cohort", "No cohort is called “No such cohort”"),
        RowError(
            4,
            "practical_period_end",
            "The practical period must last at least 8 months for a start on 1 August 2025: "
            "it must end on or after 31 March 2026",
        ),
        RowError(
            5,
            "residence_borough",
            "Enter a London borough’s name or ONS code, or “outside London”",
        ),
        RowError(5, "contracted_hours", "Contracted hours must be a number, like 37.5"),
        RowError(6, "email", "This email address is also on row 2"),
    ]
    assert "6 problems" in refused.value.message
    assert count(db_session, Apprentice) == 0
    assert count(db_session, ApprenticeImport) == 0


def test_required_values_are_reported_by_column(db_session, cohort, coordinator):
    with pytest.raises(ImportRefused) as refused:
        run(db_session, csv_bytes(row(name="", start_date="", contracted_hours="")), coordinator)
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (2, "name"),
        (2, "start_date"),
        (2, "contracted_hours"),
    ]
    assert refused.value.errors[0].message == "Enter the name"


def test_the_same_file_twice_creates_nothing_new(db_session, cohort, coordinator):
    data = csv_bytes(row(), row(email="bo@example.org", name="Bo"))
    first = run(db_session, data, coordinator)
    db_session.commit()
    assert len(first.created) == 2

    again = run(db_session, data, coordinator, filename="renamed.csv")
    db_session.commit()
    assert again.already_imported is not None
    assert again.already_imported.filename == "cohort.csv"
    assert again.created == []
    assert count(db_session, Apprentice) == 2
    assert count(db_session, ApprenticeImport) == 1


def test_overlapping_files_skip_people_already_imported(db_session, cohort, coordinator):
    run(db_session, csv_bytes(row()), coordinator)
    db_session.commit()
    second = run(
        db_session,
        csv_bytes(row(email="ADA@example.org"), row(email="bo@example.org")),
        coordinator,
    )
    db_session.commit()
    assert [a.id for a in second.created] and len(second.created) == 1
    assert second.skipped == [(2, "ada@example.org")]
    assert count(db_session, Apprentice) == 2


def test_an_email_address_of_someone_who_is_not_an_apprentice_is_refused(
    db_session, cohort, coordinator
):
    builders.create_user(db_session, roles=[Role.MENTOR], email="ada@example.org")
    with pytest.raises(ImportRefused) as refused:
        run(db_session, csv_bytes(row()), coordinator)
    assert refused.value.errors == [
        RowError(2, "email", "This email address belongs to a user who is not an apprentice")
    ]


def test_another_boroughs_apprentices_are_refused_for_a_borough_coordinator(
    db_session, cohort, coordinator
):
    with pytest.raises(ImportRefused) as refused:
        run(db_session, csv_bytes(row(employing_borough="E09000007")), coordinator)  # Camden
    assert refused.value.errors == [
        RowError(
            2, "employing_borough", "You can only add apprentices employed by your own borough"
        )
    ]
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    assert len(run(db_session, csv_bytes(row(employing_borough="camden")), admin).created) == 1


def test_duplicate_ulns_in_the_file_and_a_full_cohort_are_refused(db_session, coordinator):
    builders.create_cohort(
        db_session, name="Small", capacity=2, standard=builders.create_standard(db_session)
    )
    data = csv_bytes(
        row(cohort="Small", uln="1234567890"),
        row(cohort="Small", email="bo@example.org", uln="1234567890"),
        row(cohort="Small", email="cy@example.org"),
        row(cohort="Small", email="di@example.org"),
    )
    with pytest.raises(ImportRefused) as refused:
        run(db_session, data, coordinator)
    assert [(e.row, e.column, e.message) for e in refused.value.errors] == [
        (3, "uln", "This unique learner number is also on row 2"),
        (5, "cohort", "Small is full: all 2 places are taken"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"name,email\nAda,ada@example.org\n", "The header row has no column"),
        (b"\xff\xfe\x00bad", "saved as UTF-8"),
    ],
)
def test_a_file_that_is_not_the_expected_csv_is_refused(db_session, coordinator, data, message):
    with pytest.raises(ImportRefused) as refused:
        run(db_session, data, coordinator)
    assert message in refused.value.errors[0].message
    assert refused.value.errors[0].row == 1


def test_unknown_columns_and_a_header_only_file_are_refused(db_session, cohort, coordinator):
    with pytest.raises(ImportRefused) as refused:
        run(db_session, csv_bytes(row(), columns=[*COLUMN_NAMES, "emial"]), coordinator)
    assert refused.value.errors[0].message == "Unknown columns: emial"
    with pytest.raises(ImportRefused, match="1 problem"):
        run(db_session, csv_bytes(), coordinator)


def test_a_byte_order_mark_and_blank_lines_are_fine(db_session, cohort, coordinator):
    data = "\ufeff".encode() + csv_bytes(row()) + b"\r\n,,,,,,,,,,,,,\r\n"
    assert len(run(db_session, data, coordinator).created) == 1
