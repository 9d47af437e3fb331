"""Importing applications from CSV: every row checked like the online form, all or nothing,
idempotent, with eligibility computed as for online applications."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.domain.application_import import (
    COLUMN_NAMES,
    ImportRefused,
    RowError,
    import_applications,
)
from app.domain.errors import DomainError
from app.models import (
    Application,
    ApplicationEvent,
    ApplicationImport,
    AuditEvent,
    EqualityMonitoring,
    ResidenceRule,
    Role,
)
from tests import builders


@pytest.fixture
def coordinator(db_session):
    return builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")


@pytest.fixture
def vacancy(db_session):
    return builders.create_vacancy(db_session, borough="Hackney")


def row(**values: str) -> dict[str, str]:
    base = {
        "name": "Amara Jones",
        "email": "amara@example.org",
        "phone": "07700 900 982",
        "date_of_birth": "2006-05-17",
        "postcode": "e8 1ea",
        "residence_borough": "Hackney",
        "educated_in_borough": "no",
        "care_leaver": "no",
        "right_to_work": "yes",
        "full_time_education": "no",
        "guaranteed_interview": "no",
        "supporting_statement": "I want to build services for my neighbours.",
        "submitted_on": "",
    }
    base.update(values)
    return base


SAM = row(
    name="Sam Okafor",
    email="Sam@Example.org",
    phone="+44 20 7946 0000",
    date_of_birth="17/01/2005",
    postcode="N1 9GU",
    residence_borough="E09000019",  # Islington
    educated_in_borough="YES",
    guaranteed_interview="care_leaver",
    submitted_on="20/11/2026",
)
OUTSIDER = row(
    name="Olu Outside",
    email="olu@example.org",
    postcode="M1 1AE",
    residence_borough="outside London",
)


def csv_bytes(*rows: dict[str, str], columns=COLUMN_NAMES) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def by_email(db_session, email: str) -> Application:
    return db_session.scalars(select(Application).where(Application.email == email)).one()


def run(db_session, data: bytes, vacancy, actor, filename: str = "open-day.csv"):
    result = import_applications(
        db_session, data, vacancy_id=vacancy.id, filename=filename, actor=actor
    )
    db_session.commit()
    return result


def test_a_good_file_creates_applications_with_eligibility_as_online(
    db_session, coordinator, vacancy
):
    data = csv_bytes(row(), SAM, OUTSIDER)
    result = run(db_session, data, vacancy, coordinator)

    assert len(result.created) == 3 and result.skipped == []
    amara = by_email(db_session, "amara@example.org")
    assert (amara.source, amara.stage, amara.postcode, amara.phone) == (
        "import",
        "submitted",
        "E8 1EA",
        "07700900982",
    )
    assert amara.eligible and amara.is_local
    assert amara.eligibility_reasons == ["Lives in Hackney"]
    assert amara.age_band == "19-23"  # 20 on the cohort's start, 1 March 2027
    assert len(amara.reference) == 10
    assert amara.submitted_at == datetime(2026, 11, 27, 10, 30, tzinfo=UTC)  # the import's time

    sam = by_email(db_session, "sam@example.org")
    assert sam.eligible and not sam.is_local
    assert sam.eligibility_reasons == ["Went to a secondary school or college in Hackney"]
    assert sam.guaranteed_interview == "care_leaver"
    assert sam.submitted_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 9am London (GMT)

    olu = by_email(db_session, "olu@example.org")
    assert not olu.eligible and olu.residence_borough_id is None
    assert olu.eligibility_reasons[0].startswith("Does not live in Hackney")

    event = db_session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == amara.id)
    ).one()
    assert (event.from_stage, event.to_stage, event.actor_user_id, event.note) == (
        None,
        "submitted",
        coordinator.id,
        "Imported from open-day.csv",
    )
    record = db_session.scalars(select(ApplicationImport)).one()
    assert record.file_sha256 == hashlib.sha256(data).hexdigest()
    assert (record.vacancy_id, record.imported_by_id, record.applications_created) == (
        vacancy.id,
        coordinator.id,
        3,
    )
    actions = [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["created", "created", "created", "imported"]
    assert count(db_session, EqualityMonitoring) == 0


def test_the_same_file_twice_creates_nothing_new(db_session, coordinator, vacancy):
    data = csv_bytes(row(), SAM)
    run(db_session, data, vacancy, coordinator)
    audit_before = count(db_session, AuditEvent)

    again = run(db_session, data, vacancy, coordinator, filename="renamed.csv")
    assert again.already_imported is not None
    assert again.already_imported.filename == "open-day.csv"
    assert again.created == []
    assert count(db_session, Application) == 2
    assert count(db_session, ApplicationImport) == 1
    assert count(db_session, AuditEvent) == audit_before


def test_overlapping_files_skip_those_who_already_applied(db_session, coordinator, vacancy):
    run(db_session, csv_bytes(row(), SAM), vacancy, coordinator)
    result = run(
        db_session,
        csv_bytes(row(name="Amara J Jones"), OUTSIDER, row(email="SAM@example.org")),
        vacancy,
        coordinator,
        filename="second.csv",
    )
    assert [a.email for a in result.created] == ["olu@example.org"]
    assert result.skipped == [(2, "amara@example.org"), (4, "sam@example.org")]
    assert count(db_session, Application) == 3
    assert by_email(db_session, "amara@example.org").name == "Amara Jones"  # unchanged


def test_an_application_made_online_counts_as_already_applied(db_session, coordinator, vacancy):
    builders.create_application(db_session, vacancy, email="amara@example.org")
    result = run(db_session, csv_bytes(row()), vacancy, coordinator)
    assert result.created == [] and result.skipped == [(2, "amara@example.org")]


def test_the_same_email_for_another_vacancy_is_a_new_application(db_session, coordinator, vacancy):
    other = builders.create_vacancy(db_session, borough="Hackney", title="Data analyst")
    builders.create_application(db_session, other, email="amara@example.org")
    result = run(db_session, csv_bytes(row()), vacancy, coordinator)
    assert len(result.created) == 1


def test_every_problem_is_reported_and_nothing_is_created(db_session, coordinator, vacancy):
    rows = [
        row(),
        row(
            name="",
            email="not-an-email",
            phone="123",
            date_of_birth="2030-01-01",
            postcode="ZZ99",
            residence_borough="Narnia",
            right_to_work="maybe",
            guaranteed_interview="please",
            supporting_statement="x" * 5001,
            submitted_on="31/02/2026",
        ),
        row(email="amara@example.org", name="Amara Again"),
    ]
    with pytest.raises(ImportRefused) as refused:
        import_applications(
            db_session, csv_bytes(*rows), vacancy_id=vacancy.id, filename="f.csv", actor=coordinator
        )
    db_session.rollback()
    errors = refused.value.errors
    assert [(e.row, e.column) for e in errors] == [
        (3, "name"),
        (3, "email"),
        (3, "phone"),
        (3, "date_of_birth"),
        (3, "postcode"),
        (3, "residence_borough"),
        (3, "right_to_work"),
        (3, "guaranteed_interview"),
        (3, "supporting_statement"),
        (3, "submitted_on"),
        (4, "email"),
    ]
    messages = {e.column: e.message for e in errors if e.row == 3}
    assert messages["name"] == "Enter their full name"
    assert messages["date_of_birth"] == "Date of birth must be in the past"
    assert messages["postcode"] == "Enter a real UK postcode, like E8 1EA"
    assert messages["right_to_work"] == "Enter yes or no in right to work"
    assert errors[-1] == RowError(4, "email", "This email address is also on row 2")
    assert count(db_session, Application) == 0
    assert count(db_session, ApplicationImport) == 0
    assert count(db_session, AuditEvent) == 0


def test_a_bad_row_at_line_500_refuses_the_whole_file(db_session, coordinator, vacancy):
    rows = [row(email=f"person{number}@example.org") for number in range(600)]
    rows[498] = row(email="person498@example.org", postcode="not a postcode")
    with pytest.raises(ImportRefused) as refused:
        import_applications(
            db_session, csv_bytes(*rows), vacancy_id=vacancy.id, filename="f.csv", actor=coordinator
        )
    db_session.rollback()
    assert [(e.row, e.column) for e in refused.value.errors] == [(500, "postcode")]
    assert count(db_session, Application) == 0


def test_routes_the_vacancy_does_not_accept_may_be_left_blank(db_session, coordinator):
    vacancy = builders.create_vacancy(db_session, residence_rule=ResidenceRule.LONDON)
    vacancy.educated_route = vacancy.care_leaver_route = False
    db_session.commit()
    columns = [name for name in COLUMN_NAMES if name not in ("educated_in_borough", "care_leaver")]
    result = run(
        db_session,
        csv_bytes(SAM | {"educated_in_borough": ""}, columns=columns),
        vacancy,
        coordinator,
    )
    sam = result.created[0]
    assert sam.educated_in_borough is False
    assert sam.eligible and sam.eligibility_reasons == ["Lives in Islington"]


def test_a_route_the_vacancy_accepts_must_be_answered(db_session, coordinator, vacancy):
    with pytest.raises(ImportRefused) as refused:
        import_applications(
            db_session,
            csv_bytes(row(care_leaver="")),
            vacancy_id=vacancy.id,
            filename="f.csv",
            actor=coordinator,
        )
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "care_leaver")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\xff\xfe\x00n\x00a", "saved as UTF-8"),
        (csv_bytes(columns=COLUMN_NAMES), "no applications in it"),
        (
            csv_bytes(row(), columns=[c for c in COLUMN_NAMES if c != "postcode"]),
            "no column postcode",
        ),
        (csv_bytes(row(), columns=[*COLUMN_NAMES, "gender"]), "Unknown columns: gender"),
        (csv_bytes(row()) + b"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o\n", "more values than columns"),
    ],
)
def test_a_file_that_is_not_right_is_refused(db_session, coordinator, vacancy, data, message):
    with pytest.raises(ImportRefused) as refused:
        import_applications(
            db_session, data, vacancy_id=vacancy.id, filename="f.csv", actor=coordinator
        )
    assert message in refused.value.errors[0].message
    db_session.rollback()
    assert count(db_session, Application) == 0


def test_at_most_2000_rows_at_a_time(db_session, coordinator, vacancy):
    rows = [row(email=f"p{number}@example.org") for number in range(2001)]
    with pytest.raises(ImportRefused) as refused:
        import_applications(
            db_session, csv_bytes(*rows), vacancy_id=vacancy.id, filename="f.csv", actor=coordinator
        )
    assert "at most 2000 rows" in refused.value.errors[0].message


def test_a_coordinator_of_another_borough_cannot_import(db_session, vacancy):
    camden = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Camden")
    with pytest.raises(DomainError) as refused:
        import_applications(
            db_session, csv_bytes(row()), vacancy_id=vacancy.id, filename="f.csv", actor=camden
        )
    assert "your own borough" in refused.value.message
    assert count(db_session, Application) == 0


def test_the_same_file_may_be_imported_to_another_vacancy_once(db_session, coordinator, vacancy):
    other = builders.create_vacancy(db_session, borough="Hackney", title="Data analyst")
    data = csv_bytes(row())
    run(db_session, data, vacancy, coordinator)
    result = import_applications(
        db_session, data, vacancy_id=other.id, filename="f.csv", actor=coordinator
    )
    assert result.already_imported is None
    db_session.commit()
    again = import_applications(
        db_session, data, vacancy_id=other.id, filename="f.csv", actor=coordinator
    )
    assert again.already_imported is not None
    assert count(db_session, Application) == 2


# The command


def test_the_command_imports_and_is_idempotent(app, db_session, tmp_path, vacancy):
    builders.create_user(db_session, roles=[Role.COORDINATOR], email="cora@example.org")
    path = tmp_path / "open-day.csv"
    path.write_bytes(csv_bytes(row(), SAM, OUTSIDER))
    runner = app.test_cli_runner()
    arguments = ["import-applications", str(path), "--vacancy", str(vacancy.id)]

    result = runner.invoke(args=[*arguments, "--actor", "cora@example.org"])
    assert result.exit_code == 0, result.output
    assert "Imported 3 applications (2 eligible); skipped 0 already applied." in result.output
    assert count(db_session, Application) == 3

    again = runner.invoke(args=[*arguments, "--actor", "cora@example.org"])
    assert again.exit_code == 0
    assert "already imported" in again.output
    assert count(db_session, Application) == 3

    overlap = tmp_path / "more.csv"
    overlap.write_bytes(csv_bytes(row(), row(email="new@example.org")))
    result = runner.invoke(
        args=[
            "import-applications",
            str(overlap),
            "--vacancy",
            str(vacancy.id),
            "--actor",
            "cora@example.org",
        ]
    )
    assert "Imported 1 application (1 eligible); skipped 1 already applied." in result.output
    assert "Row 2: amara@example.org has already applied" in result.output


def test_the_command_lists_every_problem_and_imports_nothing(app, db_session, tmp_path, vacancy):
    builders.create_user(db_session, roles=[Role.COORDINATOR], email="cora@example.org")
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(row(), row(email="b@example.org", postcode="nope", phone="1")))
    result = app.test_cli_runner().invoke(
        args=[
            "import-applications",
            str(path),
            "--vacancy",
            str(vacancy.id),
            "--actor",
            "cora@example.org",
        ]
    )
    assert result.exit_code == 1
    assert "Row 3: phone: Enter a UK phone number" in result.output
    assert "Row 3: postcode: Enter a real UK postcode" in result.output
    assert "The file was not imported: 2 problems to fix" in result.output
    assert count(db_session, Application) == 0


@pytest.mark.parametrize(
    ("vacancy_option", "actor", "message"),
    [
        ("99999", "cora@example.org", "There is no vacancy 99999"),
        (None, "nobody@example.org", "No active user"),
        (None, "camden@example.org", "your own borough"),
    ],
)
def test_the_command_refuses_a_wrong_vacancy_or_actor(
    app, db_session, tmp_path, vacancy, vacancy_option, actor, message
):
    builders.create_user(db_session, roles=[Role.COORDINATOR], email="cora@example.org")
    builders.create_user(
        db_session, roles=[Role.COORDINATOR], email="camden@example.org", borough="Camden"
    )
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes(row()))
    result = app.test_cli_runner().invoke(
        args=[
            "import-applications",
            str(path),
            "--vacancy",
            vacancy_option or str(vacancy.id),
            "--actor",
            actor,
        ]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert count(db_session, Application) == 0


# Property-based: any cell values are refused with a report or stored valid, never a crash

ODD_CELL = st.text(max_size=30) | st.sampled_from(
    ["", " ", "\x00", "yes", "no", "Hackney", "E8 1EA", "2006-05-17", "x" * 5001, "=1+1"]
)


@given(changes=st.dictionaries(st.sampled_from(COLUMN_NAMES), ODD_CELL, max_size=5))
def test_any_cell_values_are_refused_or_stored_valid(db_session, coordinator, vacancy, changes):
    try:
        data = csv_bytes(row(email=f"p{abs(hash(str(changes)))}@example.org") | changes)
    except csv.Error:
        return  # not a file csv can even write
    try:
        result = import_applications(
            db_session, data, vacancy_id=vacancy.id, filename="f.csv", actor=coordinator
        )
    except ImportRefused as refused:
        db_session.rollback()
        assert refused.errors and all(error.message for error in refused.errors)
        return
    db_session.commit()
    for application in result.created:
        assert application.name and application.name == application.name.strip()
        assert application.email == application.email.lower() and "@" in application.email
        assert re.fullmatch(r"[A-Z0-9]{2,4} [0-9][A-Z]{2}", application.postcode)
        assert application.phone.isdigit()
        assert application.supporting_statement and len(application.supporting_statement) <= 5000
        assert "\x00" not in application.supporting_statement
        assert application.source == "import"
