"""Importing applications to a vacancy from a CSV file (paper forms, an open day's sign-ups,
another recruitment system).

Every row is checked by the same rules as the online application (the `clean_*` functions of
app.domain.applications), and its eligibility is computed and stored the same way (the
vacancy's rule from app.domain.vacancies.rule_for). If any row is wrong, nothing is created and
the caller gets a row-by-row report. The file's SHA-256 is recorded, so the same file again
creates nothing; a row whose email address has already applied to the vacancy is skipped, so
overlapping files are safe too. Imported applications have the source "import"; their first
pipeline event names the person who imported them. Equality monitoring answers are never
imported.

The columns are listed in `COLUMNS` (and documented on the upload page and in the README).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import LONDON, today, utcnow
from app.domain import applications, audit, csv_import, vacancies
from app.domain.csv_import import (
    Column,
    ImportRefused,
    RowError,
    file_digest,
    parse_date,
    printable,
)
from app.domain.errors import DomainError, NotFound
from app.models import (
    Application,
    ApplicationImport,
    AuditAction,
    Borough,
    GuaranteedInterview,
    User,
    Vacancy,
)

OUTSIDE_LONDON = "outside london"
SOURCE = "import"


COLUMNS: tuple[Column, ...] = (
    Column("name", True, "Full name"),
    Column("email", True, "Email address (one application per email address per vacancy)"),
    Column("phone", True, "UK phone number, like 07700 900 982"),
    Column("date_of_birth", True, "Date of birth, as 2006-05-17 or 17/05/2006"),
    Column("postcode", True, "UK postcode, like E8 1EA"),
    Column(
        "residence_borough",
        True,
        "Borough they live in: its name or ONS code (E09…), or “outside London”",
    ),
    Column(
        "educated_in_borough",
        False,
        "yes or no: went to a secondary school or college in the employing borough (needed "
        "when the vacancy accepts that route)",
    ),
    Column(
        "care_leaver",
        False,
        "yes or no: a care leaver supported by the employing borough (needed when the vacancy "
        "accepts that route)",
    ),
    Column("right_to_work", True, "yes or no: has the right to work in the UK"),
    Column(
        "full_time_education",
        True,
        "yes or no: will be in full-time education on the cohort’s start date",
    ),
    Column(
        "guaranteed_interview",
        True,
        "Asked for a guaranteed interview: no, disability_confident or care_leaver",
    ),
    Column("supporting_statement", True, "Supporting statement, at most 5,000 characters"),
    Column(
        "submitted_on",
        False,
        "Date they applied, as 2026-11-20 or 20/11/2026 (blank: the time of the import)",
    ),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED_COLUMNS = tuple(column.name for column in COLUMNS if column.required)


@dataclass
class ImportResult:
    record: ApplicationImport | None = None
    # Set when this exact file was imported to the vacancy before: nothing was done.
    already_imported: ApplicationImport | None = None
    created: list[Application] = field(default_factory=list)
    # (row, email) of rows whose email address has already applied to the vacancy.
    skipped: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    number: int
    answers: applications.ApplicationAnswers
    submitted_at: datetime | None


def _for_coordinator(message: str) -> str:
    """The online form's messages speak to the applicant; the report speaks about them."""
    return (
        message.replace("Enter your ", "Enter their ")
        .replace("You must ", "They must ")
        .replace("Select the borough you live in", "Enter the borough they live in")
    )


class _Boroughs:
    def __init__(self, session: Session) -> None:
        self.by_key: dict[str, Borough] = {}
        for borough in session.scalars(select(Borough)):
            self.by_key[borough.name.lower()] = borough
            self.by_key[borough.ons_code.lower()] = borough
        self.names = {borough.id: borough.name for borough in self.by_key.values()}


class _RowParser:
    """Reads one row into the answers of an application, noting every problem (not just the
    first)."""

    def __init__(
        self, number: int, raw: dict[str, str | None], vacancy: Vacancy, boroughs: _Boroughs
    ) -> None:
        self.number = number
        self.value = {name: (raw.get(name) or "").strip() for name in COLUMN_NAMES}
        self.vacancy = vacancy
        self.boroughs = boroughs
        self.errors: list[RowError] = []

    def problem(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def checked(self, column: str, check: Callable[..., object], *args: object) -> object:
        try:
            return check(self.value[column], *args)
        except DomainError as error:
            self.problem(column, _for_coordinator(error.message))
            return None

    def yes_no(self, column: str, asked: bool = True) -> bool | None:
        text = self.value[column].lower()
        if not asked and not text:
            return False  # a route the vacancy does not accept counts as "no", as online
        if text not in (applications.YES, applications.NO):
            self.problem(column, f"Enter yes or no in {column.replace('_', ' ')}")
            return None
        return text == applications.YES and asked

    def residence(self) -> tuple[bool, int | None]:
        text = self.value["residence_borough"]
        if text.lower() == OUTSIDE_LONDON:
            return True, None
        found = self.boroughs.by_key.get(text.lower()) if text else None
        if found is None:
            self.problem(
                "residence_borough",
                "Enter a London borough’s name or ONS code, or “outside London”",
            )
            return False, None
        return True, found.id

    def date_of_birth(self, on: date) -> date | None:
        text = self.value["date_of_birth"]
        parsed = parse_date(text) if text else None
        if text and parsed is None:
            self.problem("date_of_birth", "Date of birth must be a real date, like 2006-05-17")
            return None
        try:
            return applications.check_date_of_birth(parsed, on)
        except DomainError as error:
            self.problem("date_of_birth", _for_coordinator(error.message))
            return None

    def submitted_at(self, on: date) -> datetime | None:
        text = self.value["submitted_on"]
        if not text:
            return None
        parsed = parse_date(text)
        if parsed is None:
            self.problem("submitted_on", "Date they applied must be a real date, like 2026-11-20")
            return None
        if parsed > on:
            self.problem("submitted_on", "Date they applied must be today or in the past")
            return None
        return datetime.combine(parsed, time(9, 0), tzinfo=LONDON)

    def interview(self) -> GuaranteedInterview | None:
        text = self.value["guaranteed_interview"].lower()
        if text not in {choice.value for choice in GuaranteedInterview}:
            self.problem(
                "guaranteed_interview",
                "Enter no, disability_confident or care_leaver in guaranteed interview",
            )
            return None
        return GuaranteedInterview(text)

    def parse(self, on: date) -> _Row | None:
        name = self.checked("name", applications.clean_name)
        email = self.checked("email", applications.clean_email)
        phone = self.checked("phone", applications.clean_phone)
        born = self.date_of_birth(on)
        postcode = self.checked("postcode", applications.clean_postcode)
        _, residence = self.residence()
        educated = self.yes_no("educated_in_borough", self.vacancy.educated_route)
        care_leaver = self.yes_no("care_leaver", self.vacancy.care_leaver_route)
        right_to_work = self.yes_no("right_to_work")
        full_time = self.yes_no("full_time_education")
        interview = self.interview()
        statement = self.checked("supporting_statement", applications.clean_statement)
        submitted_at = self.submitted_at(on)
        if self.errors:
            return None
        answers = applications.ApplicationAnswers(
            name=str(name),
            email=str(email),
            phone=str(phone),
            date_of_birth=born,  # type: ignore[arg-type]
            postcode=str(postcode),
            residence_borough_id=residence,
            educated_in_borough=bool(educated),
            care_leaver=bool(care_leaver),
            right_to_work=bool(right_to_work),
            full_time_education=bool(full_time),
            guaranteed_interview=interview,  # type: ignore[arg-type]
            supporting_statement=str(statement),
        )
        return _Row(self.number, answers, submitted_at)


def read_rows(data: bytes) -> list[tuple[int, dict[str, str | None]]]:
    return csv_import.read_rows(
        data, known=COLUMN_NAMES, required=REQUIRED_COLUMNS, things="applications"
    )


def find_previous_import(
    session: Session, data: bytes, vacancy_id: int
) -> ApplicationImport | None:
    return session.scalars(
        select(ApplicationImport).where(
            ApplicationImport.vacancy_id == vacancy_id,
            ApplicationImport.file_sha256 == file_digest(data),
        )
    ).one_or_none()


@dataclass
class _Check:
    """What the check of every row found."""

    to_create: list[_Row] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def check_file(
    session: Session, data: bytes, vacancy: Vacancy, boroughs: _Boroughs, *, on: date
) -> _Check:
    """Check every row of the file against the online form's rules, collecting every problem.
    Rows whose email address has applied to the vacancy already are set aside as skipped."""
    rows = read_rows(data)
    applied = set(
        session.scalars(
            select(Application.email).where(
                Application.vacancy_id == vacancy.id, Application.email.is_not(None)
            )
        )
    )
    check = _Check()
    emails: dict[str, int] = {}
    for number, raw in rows:
        parser = _RowParser(number, raw, vacancy, boroughs)
        row = parser.parse(on)
        if row is None:
            check.errors += parser.errors
            continue
        email = row.answers.email
        if email in emails:
            check.errors.append(
                RowError(number, "email", f"This email address is also on row {emails[email]}")
            )
            continue
        emails[email] = number
        if email in applied:
            check.skipped.append((number, email))
        else:
            check.to_create.append(row)
    return check


def _load_vacancy(session: Session, vacancy_id: int, actor: User) -> Vacancy:
    vacancy = session.scalars(
        vacancies.with_details(select(Vacancy)).where(Vacancy.id == vacancy_id)
    ).one_or_none()
    if vacancy is None:
        raise NotFound(f"There is no vacancy {vacancy_id}")
    if not vacancies.may_change_vacancy(actor, vacancy):
        raise DomainError(
            "You can only import applications to your own borough’s vacancies", field="vacancy"
        )
    return vacancy


def _create(
    session: Session,
    vacancy: Vacancy,
    row: _Row,
    names: dict[int, str],
    *,
    actor: User,
    filename: str,
) -> Application:
    return applications.record_application(
        session,
        vacancy,
        row.answers,
        names,
        submitted_at=row.submitted_at or utcnow(),
        source=SOURCE,
        actor=actor,
        note=f"Imported from {filename}",
    )


def import_applications(
    session: Session, data: bytes, *, vacancy_id: int, filename: str, actor: User
) -> ImportResult:
    """Check every row, then create them all, or raise ImportRefused having created nothing
    (all the checks come before the first write). A file imported before to this vacancy
    creates nothing (`already_imported`); the same file may go to another vacancy too. The
    caller commits."""
    vacancy = _load_vacancy(session, vacancy_id, actor)
    filename = printable(filename)[:255] or "upload.csv"
    previous = find_previous_import(session, data, vacancy.id)
    if previous is not None:
        return ImportResult(already_imported=previous)
    boroughs = _Boroughs(session)
    check = check_file(session, data, vacancy, boroughs, on=today())
    if check.errors:
        raise ImportRefused(check.errors)
    names = boroughs.names
    result = ImportResult(skipped=check.skipped)
    for row in check.to_create:
        result.created.append(_create(session, vacancy, row, names, actor=actor, filename=filename))
    record = ApplicationImport(
        file_sha256=file_digest(data),
        vacancy_id=vacancy.id,
        filename=filename,
        imported_by_id=actor.id,
        applications_created=len(result.created),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        AuditAction.IMPORTED,
        actor=actor,
        target=audit.target_of(record),
        fields=["applications"],
    )
    result.record = record
    return result
