"""Importing an existing cohort's apprentices from a CSV file.

Every row is checked by the same rules as adding an apprentice by hand. If any row is wrong,
nothing is created and the caller gets a row-by-row report. The file's SHA-256 is recorded, so
the same file again creates nothing; a row whose email address already belongs to an apprentice
is skipped as already imported, so overlapping files are safe too.

The columns are listed in `COLUMNS` (and documented on the upload page and in the README).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import audit, csv_import
from app.domain.accounts import normalise_email
from app.domain.apprentices import (
    ApprenticeDetails,
    check_employing_borough,
    create_apprentice,
    resolve_details,
)
from app.domain.csv_import import Column, ImportRefused, RowError, file_digest, parse_date
from app.domain.errors import DomainError
from app.models import (
    Apprentice,
    ApprenticeImport,
    AuditAction,
    Borough,
    Cohort,
    Standard,
    TrainingProvider,
    User,
)

OUTSIDE_LONDON = "outside london"
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


COLUMNS: tuple[Column, ...] = (
    Column("name", True, "Full name"),
    Column("email", True, "Email address; their invitation is sent here"),
    Column("date_of_birth", True, "Date of birth, as 2006-05-17 or 17/05/2006"),
    Column("cohort", True, "The cohort’s name, exactly as this service shows it"),
    Column("standard", False, "Standard reference, like ST0116 (blank: the cohort’s standard)"),
    Column(
        "standard_version",
        False,
        "Version of the standard, like 1.0 (needed only when the service has several)",
    ),
    Column(
        "training_provider_ukprn",
        False,
        "The training provider’s UKPRN, 8 digits (blank: the cohort’s provider)",
    ),
    Column("employing_borough", True, "Employing borough: its name or ONS code (E09…)"),
    Column(
        "residence_borough",
        True,
        "Borough they live in: its name or ONS code, or “outside London”",
    ),
    Column("uln", False, "Unique learner number, 10 digits"),
    Column("start_date", True, "Start date, as 2026-09-01 or 01/09/2026"),
    Column(
        "practical_period_end",
        False,
        "End of the practical period (blank: from the standard’s typical duration)",
    ),
    Column(
        "planned_end_date",
        False,
        "Planned end date (blank: the practical period’s end plus 3 months for the assessment)",
    ),
    Column("contracted_hours", True, "Contracted hours a week, more than 0 and at most 48"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)

# Which column a rule's message belongs to (the domain names form fields).
FIELD_COLUMNS = {
    "training_provider": "training_provider_ukprn",
    "borough": "employing_borough",
    "roles": "email",
}


@dataclass
class ImportResult:
    record: ApprenticeImport | None = None
    # Set when this exact file was imported before: nothing was done.
    already_imported: ApprenticeImport | None = None
    created: list[Apprentice] = field(default_factory=list)
    # Their accounts, to be sent invitations once the import is committed.
    invited: list[User] = field(default_factory=list)
    # (row, email) of rows whose email address already belongs to an apprentice.
    skipped: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    number: int
    email: str
    employing_borough_id: int
    details: ApprenticeDetails


class _Lookups:
    """Cohorts, standards, providers and boroughs, each read once for the whole file."""

    def __init__(self, session: Session) -> None:
        self.cohorts: dict[str, list[Cohort]] = {}
        for cohort in session.scalars(select(Cohort)):
            self.cohorts.setdefault(cohort.name.strip().lower(), []).append(cohort)
        self.standards: dict[str, list[Standard]] = {}
        for standard in session.scalars(select(Standard)):
            self.standards.setdefault(standard.reference.upper(), []).append(standard)
        self.providers = {p.ukprn: p for p in session.scalars(select(TrainingProvider))}
        self.boroughs: dict[str, Borough] = {}
        for borough in session.scalars(select(Borough)):
            self.boroughs[borough.name.lower()] = borough
            self.boroughs[borough.ons_code.upper()] = borough


def _parse_date(value: str, column: str) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise ValueError(f"{column} must be a real date, like 2026-09-01 or 01/09/2026")
    return parsed


class _RowParser:
    """Reads one row's values into ApprenticeDetails, noting every problem (not just the first)."""

    def __init__(self, number: int, raw: dict[str, str], lookups: _Lookups) -> None:
        self.number = number
        self.value = {name: (raw.get(name) or "").strip() for name in COLUMN_NAMES}
        self.lookups = lookups
        self.errors: list[RowError] = []

    def problem(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def parse(self) -> _Row | None:
        for column in COLUMNS:
            if column.required and not self.value[column.name]:
                self.problem(column.name, f"Enter the {column.name.replace('_', ' ')}")
        email = normalise_email(self.value["email"])
        if email and not EMAIL_SHAPE.match(email):
            self.problem(
                "email", "Enter an email address in the correct format, like name@example.com"
            )
        dates = {
            name: self.date(name)
            for name in ("date_of_birth", "start_date", "practical_period_end", "planned_end_date")
        }
        cohort_id = self.cohort()
        standard_id = self.standard()
        provider_id = self.provider()
        employing = self.borough("employing_borough")
        residence = (
            None
            if self.value["residence_borough"].lower() == OUTSIDE_LONDON
            else self.borough("residence_borough")
        )
        hours = self.hours()
        if self.errors:
            return None
        assert employing and cohort_id and hours is not None
        assert dates["date_of_birth"] and dates["start_date"]
        details = ApprenticeDetails(
            name=self.value["name"],
            date_of_birth=dates["date_of_birth"],
            cohort_id=cohort_id,
            standard_id=standard_id,
            training_provider_id=provider_id,
            residence_borough_id=residence.id if residence else None,
            uln=self.value["uln"] or None,
            start_date=dates["start_date"],
            practical_period_end=dates["practical_period_end"],
            planned_end_date=dates["planned_end_date"],
            contracted_hours=hours,
        )
        return _Row(self.number, email, employing.id, details)

    def date(self, column: str) -> date | None:
        if not self.value[column]:
            return None
        try:
            return _parse_date(self.value[column], column)
        except ValueError as error:
            self.problem(column, str(error))
            return None

    def cohort(self) -> int | None:
        name = self.value["cohort"]
        if not name:
            return None
        found = self.lookups.cohorts.get(name.lower(), [])
        if len(found) == 1:
            return found[0].id
        if found:
            self.problem("cohort", f"More than one cohort is called “{name}”")
        else:
            self.problem("cohort", f"No cohort is called “{name}”")
        return None

    def standard(self) -> int | None:
        reference, version = self.value["standard"], self.value["standard_version"]
        if not reference:
            if version:
                self.problem("standard", "Enter the standard’s reference as well as its version")
            return None
        versions = self.lookups.standards.get(reference.upper(), [])
        if version:
            versions = [standard for standard in versions if standard.version == version]
        if len(versions) == 1:
            return versions[0].id
        if versions:
            self.problem("standard_version", f"Enter which version of {reference} they are on")
        else:
            self.problem("standard", f"No standard {reference} {version}".strip())
        return None

    def provider(self) -> int | None:
        ukprn = self.value["training_provider_ukprn"]
        if not ukprn:
            return None
        provider = self.lookups.providers.get(ukprn)
        if provider is None:
            self.problem("training_provider_ukprn", "No training provider has this UKPRN")
            return None
        return provider.id

    def borough(self, column: str) -> Borough | None:
        text = self.value[column]
        if not text:
            return None
        found = self.lookups.boroughs.get(text.upper()) or self.lookups.boroughs.get(text.lower())
        if found is None:
            outside = ", or “outside London”" if column == "residence_borough" else ""
            self.problem(column, f"Enter a London borough’s name or ONS code{outside}")
        return found

    def hours(self) -> Decimal | None:
        if not self.value["contracted_hours"]:
            return None
        try:
            return Decimal(self.value["contracted_hours"])
        except InvalidOperation:
            self.problem("contracted_hours", "Contracted hours must be a number, like 37.5")
            return None


def _column_of(error: DomainError) -> str:
    return FIELD_COLUMNS.get(error.field or "", error.field or "")


def read_rows(data: bytes) -> list[tuple[int, dict[str, str | None]]]:
    # Every column is expected in the header, optional ones included (blank when not known).
    return csv_import.read_rows(
        data, known=COLUMN_NAMES, required=COLUMN_NAMES, things="apprentices"
    )


def find_previous_import(session: Session, data: bytes) -> ApprenticeImport | None:
    return session.scalars(
        select(ApprenticeImport).where(ApprenticeImport.file_sha256 == file_digest(data))
    ).one_or_none()


@dataclass
class _Check:
    """What the check of every row found."""

    to_create: list[_Row] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    emails: dict[str, int] = field(default_factory=dict)
    ulns: dict[str, int] = field(default_factory=dict)
    joining: dict[int, int] = field(default_factory=dict)  # cohort id: rows so far


def _already_an_apprentice(session: Session, row: _Row) -> bool:
    """True when the email address belongs to an apprentice (the row is skipped); a DomainError
    when it belongs to someone else."""
    user_id = session.scalar(select(User.id).where(User.email == row.email))
    if user_id is None:
        return False
    if session.scalar(
        select(func.count()).select_from(Apprentice).where(Apprentice.user_id == user_id)
    ):
        return True
    raise DomainError("This email address belongs to a user who is not an apprentice", "email")


def _check_row(session: Session, row: _Row, check: _Check, actor: User) -> None:
    if row.email in check.emails:
        raise DomainError(f"This email address is also on row {check.emails[row.email]}", "email")
    check.emails[row.email] = row.number
    if _already_an_apprentice(session, row):
        check.skipped.append((row.number, row.email))
        return
    check_employing_borough(session, actor=actor, employing_borough_id=row.employing_borough_id)
    cohort_id = row.details.cohort_id
    values = resolve_details(session, row.details, also_joining=check.joining.get(cohort_id, 0))
    uln = values["uln"]
    if isinstance(uln, str):
        if uln in check.ulns:
            raise DomainError(f"This unique learner number is also on row {check.ulns[uln]}", "uln")
        check.ulns[uln] = row.number
    check.joining[cohort_id] = check.joining.get(cohort_id, 0) + 1
    check.to_create.append(row)


def check_file(session: Session, data: bytes, *, actor: User) -> _Check:
    """Check every row of the file, collecting every problem."""
    lookups = _Lookups(session)
    check = _Check()
    for number, raw in read_rows(data):
        parser = _RowParser(number, raw, lookups)
        row = parser.parse()
        if row is None:
            check.errors += parser.errors
            continue
        try:
            _check_row(session, row, check, actor)
        except DomainError as error:
            check.errors.append(RowError(number, _column_of(error), error.message))
    return check


def import_apprentices(
    session: Session, data: bytes, *, filename: str, actor: User
) -> ImportResult:
    """Check every row, then create them all, or raise ImportRefused having created nothing
    (all the checks come before the first write).

    The caller commits, then mails each created apprentice their invitation."""
    previous = find_previous_import(session, data)
    if previous is not None:
        return ImportResult(already_imported=previous)
    check = check_file(session, data, actor=actor)
    if check.errors:
        raise ImportRefused(check.errors)
    result = ImportResult(skipped=check.skipped)
    for row in check.to_create:
        try:
            apprentice = create_apprentice(
                session,
                row.details,
                actor=actor,
                email=row.email,
                employing_borough_id=row.employing_borough_id,
            )
        except DomainError as error:  # changed since the check: the caller rolls back
            raise ImportRefused([RowError(row.number, _column_of(error), error.message)]) from None
        result.created.append(apprentice)
        user = session.get(User, apprentice.user_id)
        assert user is not None
        result.invited.append(user)
    record = ApprenticeImport(
        file_sha256=file_digest(data),
        filename=filename[:255],
        imported_by_id=actor.id,
        apprentices_created=len(result.created),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        AuditAction.IMPORTED,
        actor=actor,
        target=audit.target_of(record),
        fields=["apprentices"],
    )
    result.record = record
    return result
