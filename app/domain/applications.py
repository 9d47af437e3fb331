"""Applying for a vacancy without an account: the answers' rules, submission, the applicant's
own withdrawal, the submission limit per address, and the optional equality answers.

The question pages save each step's answers in a draft (app.domain.application_drafts) after
checking them with the `clean_*` functions here; `submit` checks every answer again, as stored,
so nothing the pages missed (or a draft from an older version of the pages) can become an
invalid application. Eligibility is computed at submission with the vacancy's rule and stored
with its reasons; an ineligible applicant may still apply.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable, Collection, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import to_london
from app.dialect import is_postgresql
from app.domain import audit, pipeline, vacancies
from app.domain.application_drafts import all_answers, mark_submitted, submitted_application_id
from app.domain.eligibility import Assessment, EligibilityAnswers, age_band, assess
from app.domain.errors import DomainError, NotFound
from app.models import (
    Application,
    ApplicationDraft,
    ApplicationEvent,
    AuditAction,
    Borough,
    EqualityMonitoring,
    GuaranteedInterview,
    RateLimitHit,
    Stage,
    User,
    Vacancy,
)

# Length limits, checked on the server for every answer.
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 320
PHONE_MAX_LENGTH = 30
POSTCODE_MAX_LENGTH = 10  # as typed, spaces included; stored as "SW1A 1AA" (at most 8)
STATEMENT_MAX_LENGTH = 5000
# A date of birth outside these ages (today) is a slip, not an applicant.
YOUNGEST_PLAUSIBLE_AGE = 14
OLDEST_PLAUSIBLE_AGE = 100

# Public references: 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 10

OUTSIDE_LONDON = "outside-london"
YES, NO = "yes", "no"

DUPLICATE_MESSAGE = (
    "You have already applied for this vacancy with this email address. You can only apply "
    "once. Your reference is in the confirmation email we sent you."
)
UNIQUE_EMAIL_INDEX = "uq_application_vacancy_email"

WITHDRAW_SALT = "application-withdraw"


class Step(enum.StrEnum):
    """The question pages, in the order they are asked."""

    NAME = "name"
    CONTACT = "contact"
    DATE_OF_BIRTH = "date-of-birth"
    POSTCODE = "postcode"
    RESIDENCE = "residence"
    ELIGIBILITY = "eligibility"
    RIGHT_TO_WORK = "right-to-work"
    EDUCATION = "education"
    GUARANTEED_INTERVIEW = "guaranteed-interview"
    STATEMENT = "statement"


# Which step asks for each answer.
FIELD_STEPS: dict[str, Step] = {
    "name": Step.NAME,
    "email": Step.CONTACT,
    "phone": Step.CONTACT,
    "date_of_birth": Step.DATE_OF_BIRTH,
    "postcode": Step.POSTCODE,
    "residence": Step.RESIDENCE,
    "educated_in_borough": Step.ELIGIBILITY,
    "care_leaver": Step.ELIGIBILITY,
    "right_to_work": Step.RIGHT_TO_WORK,
    "full_time_education": Step.EDUCATION,
    "guaranteed_interview": Step.GUARANTEED_INTERVIEW,
    "supporting_statement": Step.STATEMENT,
}

GUARANTEED_INTERVIEW_LABELS: dict[GuaranteedInterview, str] = {
    GuaranteedInterview.NO: "No",
    GuaranteedInterview.DISABILITY: "Yes, under the Disability Confident scheme",
    GuaranteedInterview.CARE_LEAVER: "Yes, as a care leaver",
}


def steps_for(vacancy: Vacancy) -> tuple[Step, ...]:
    """The steps this vacancy asks: the eligibility page only when it accepts a route other
    than residence."""
    asks_routes = vacancy.educated_route or vacancy.care_leaver_route
    return tuple(step for step in Step if step is not Step.ELIGIBILITY or asks_routes)


class IncompleteApplication(DomainError):
    """An answer is missing or no longer valid; `step` is the page that asks for it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field=field)
        self.step = FIELD_STEPS[field]


class VacancyClosed(DomainError):
    pass


# Checking single answers. Each returns the tidied value or raises DomainError(field=...).

_NAME_PUNCTUATION = set(" '’‘-‐.,")


def _hidden_characters(value: str, *, allow: str = "") -> bool:
    """Control characters (other than those allowed) and unpaired surrogates."""
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in allow for char in value)


def clean_name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise DomainError("Enter your full name", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(f"Full name must be {NAME_MAX_LENGTH} characters or fewer", field="name")
    allowed = all(
        unicodedata.category(char)[0] in "LM" or char in _NAME_PUNCTUATION for char in name
    )
    if not allowed or not any(unicodedata.category(char)[0] == "L" for char in name):
        raise DomainError(
            "Full name must only include letters, spaces, hyphens and apostrophes", field="name"
        )
    return name


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def clean_email(value: str | None) -> str:
    email = (value or "").strip().lower()
    if not email:
        raise DomainError("Enter your email address", field="email")
    if len(email) > EMAIL_MAX_LENGTH:
        raise DomainError(
            f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer", field="email"
        )
    if _hidden_characters(email) or not _EMAIL.fullmatch(email):
        raise DomainError(
            "Enter an email address in the correct format, like name@example.com", field="email"
        )
    return email


_PHONE_CHARACTERS = re.compile(r"[0-9 +()\-]+")
PHONE_FORMAT_MESSAGE = (
    "Enter a UK phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
)


def clean_phone(value: str | None) -> str:
    """A UK number, kept as its national digits (07700900982)."""
    phone = (value or "").strip()
    if not phone:
        raise DomainError("Enter a UK phone number", field="phone")
    if len(phone) > PHONE_MAX_LENGTH:
        raise DomainError(
            f"Phone number must be {PHONE_MAX_LENGTH} characters or fewer", field="phone"
        )
    if not _PHONE_CHARACTERS.fullmatch(phone) or "+" in phone[1:]:
        raise DomainError(PHONE_FORMAT_MESSAGE, field="phone")
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("+") or digits.startswith("44"):
        if not digits.startswith("44"):
            raise DomainError(PHONE_FORMAT_MESSAGE, field="phone")
        rest = digits[2:]
        # "+44 (0)20 ..." carries the national 0 as well.
        digits = rest if rest.startswith("0") else "0" + rest
    # UK numbers have 11 digits, except some 01 area codes and 0800 numbers, which have 10.
    ten_digits = digits.startswith(("01", "0800")) and len(digits) == 10
    if not re.fullmatch(r"0[1-9][0-9]{9}", digits) and not ten_digits:
        raise DomainError(PHONE_FORMAT_MESSAGE, field="phone")
    return digits


# A full UK postcode, spaces removed (the pattern the Government Data Standards Catalogue
# gives, plus GIR 0AA).
_POSTCODE = re.compile(
    r"GIR0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY])[0-9][ABD-HJLNP-UW-Z]{2}"
)


def clean_postcode(value: str | None) -> str:
    """A UK postcode in capitals with one space before the last three characters."""
    typed = (value or "").strip()
    if not typed:
        raise DomainError("Enter your postcode", field="postcode")
    compact = "".join(typed.split()).upper()
    if len(typed) > POSTCODE_MAX_LENGTH or not _POSTCODE.fullmatch(compact):
        raise DomainError("Enter a real UK postcode, like E8 1EA", field="postcode")
    return f"{compact[:-3]} {compact[-3:]}"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_date_of_birth(value: date | None, today: date) -> date:
    if value is None:
        raise DomainError("Enter your date of birth", field="date_of_birth")
    if value >= today:
        raise DomainError("Date of birth must be in the past", field="date_of_birth")
    earliest = _years_before(today, OLDEST_PLAUSIBLE_AGE)
    if value < earliest:
        raise DomainError(
            f"Date of birth must be after {earliest.day} {earliest:%B %Y}", field="date_of_birth"
        )
    if value > _years_before(today, YOUNGEST_PLAUSIBLE_AGE):
        raise DomainError(
            f"You must be at least {YOUNGEST_PLAUSIBLE_AGE} years old to apply",
            field="date_of_birth",
        )
    return value


def parse_date_of_birth(value: str | None, today: date) -> date:
    try:
        parsed = date.fromisoformat(value or "")
    except ValueError:
        parsed = None
    return check_date_of_birth(parsed, today)


def clean_residence(value: str | None, borough_ids: Collection[int]) -> int | None:
    """The borough's id, or None for outside London."""
    if value == OUTSIDE_LONDON:
        return None
    if (
        value
        and value.isascii()
        and value.isdigit()
        and len(value) < 10
        and int(value) in borough_ids
    ):
        return int(value)
    raise DomainError("Select the borough you live in, or outside London", field="residence")


def clean_yes_no(value: str | None, *, field: str, message: str) -> bool:
    if value not in (YES, NO):
        raise DomainError(message, field=field)
    return value == YES


def clean_guaranteed_interview(value: str | None) -> GuaranteedInterview:
    if value not in {choice.value for choice in GuaranteedInterview}:
        raise DomainError(
            "Select whether you want an interview under the guaranteed interview scheme",
            field="guaranteed_interview",
        )
    return GuaranteedInterview(value)


def clean_statement(value: str | None) -> str:
    statement = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not statement:
        raise DomainError("Enter your supporting statement", field="supporting_statement")
    if len(statement) > STATEMENT_MAX_LENGTH:
        raise DomainError(
            f"Supporting statement must be {STATEMENT_MAX_LENGTH:,} characters or fewer",
            field="supporting_statement",
        )
    if _hidden_characters(statement, allow="\n\t"):
        raise DomainError(
            "Supporting statement must not include hidden characters: type or paste it as "
            "plain text",
            field="supporting_statement",
        )
    return statement


def yes_no_messages(vacancy: Vacancy) -> dict[str, str]:
    """The message for each unanswered yes-or-no question (the vacancy's borough named).
    Needs the vacancy's employing borough and cohort loaded."""
    employer = vacancy.employing_borough.name
    start = vacancy.cohort.start_date
    return {
        "educated_in_borough": (
            f"Select yes if you went to a secondary school or college in {employer}"
        ),
        "care_leaver": f"Select yes if you are a care leaver supported by {employer}",
        "right_to_work": "Select yes if you have the right to work in the UK",
        "full_time_education": (
            f"Select yes if you will be in full-time education on {start.day} {start:%B %Y}"
        ),
    }


# All the answers together


@dataclass(frozen=True)
class ApplicationAnswers:
    name: str
    email: str
    phone: str
    date_of_birth: date
    postcode: str
    residence_borough_id: int | None
    educated_in_borough: bool
    care_leaver: bool
    right_to_work: bool
    full_time_education: bool
    guaranteed_interview: GuaranteedInterview
    supporting_statement: str

    def for_eligibility(self) -> EligibilityAnswers:
        return EligibilityAnswers(
            date_of_birth=self.date_of_birth,
            residence_borough_id=self.residence_borough_id,
            educated_in_borough=self.educated_in_borough,
            care_leaver=self.care_leaver,
            right_to_work=self.right_to_work,
            full_time_education=self.full_time_education,
        )


@dataclass(frozen=True)
class CheckedAnswers:
    """Each answer checked on its own: the tidied values of those that are valid, and a
    problem for each missing or invalid one, in the order the questions are asked."""

    values: dict[str, Any]
    problems: tuple[IncompleteApplication, ...]


def check_answers(
    steps: Mapping[str, Mapping[str, str]],
    vacancy: Vacancy,
    borough_ids: Collection[int],
    today: date,
) -> CheckedAnswers:
    """Every answer checked again, as the draft holds them. A route the vacancy does not
    accept is not asked, and counts as "no"."""
    messages = yes_no_messages(vacancy)

    def yes_no(field: str) -> Callable[[str | None], bool]:
        return lambda value: clean_yes_no(value, field=field, message=messages[field])

    checks: list[tuple[str, Callable[[str | None], Any], bool]] = [
        ("name", clean_name, True),
        ("email", clean_email, True),
        ("phone", clean_phone, True),
        ("date_of_birth", lambda value: parse_date_of_birth(value, today), True),
        ("postcode", clean_postcode, True),
        ("residence", lambda value: clean_residence(value, borough_ids), True),
        ("educated_in_borough", yes_no("educated_in_borough"), vacancy.educated_route),
        ("care_leaver", yes_no("care_leaver"), vacancy.care_leaver_route),
        ("right_to_work", yes_no("right_to_work"), True),
        ("full_time_education", yes_no("full_time_education"), True),
        ("guaranteed_interview", clean_guaranteed_interview, True),
        ("supporting_statement", clean_statement, True),
    ]
    values: dict[str, Any] = {}
    problems: list[IncompleteApplication] = []
    for field, check, asked in checks:
        if not asked:
            values[field] = False
            continue
        found = (steps.get(FIELD_STEPS[field]) or {}).get(field)
        try:
            values[field] = check(found if isinstance(found, str) else None)
        except DomainError as error:
            problems.append(IncompleteApplication(error.message, field))
    return CheckedAnswers(values=values, problems=tuple(problems))


def answers_from_steps(
    steps: Mapping[str, Mapping[str, str]],
    vacancy: Vacancy,
    borough_ids: Collection[int],
    today: date,
) -> ApplicationAnswers:
    """All the answers, checked again; the first missing or invalid one raises
    IncompleteApplication naming the step that asks for it."""
    checked = check_answers(steps, vacancy, borough_ids, today)
    if checked.problems:
        raise checked.problems[0]
    values = dict(checked.values)
    values["residence_borough_id"] = values.pop("residence")
    return ApplicationAnswers(**values)


def borough_names(session: Session) -> dict[int, str]:
    rows = session.execute(select(Borough.id, Borough.name)).all()
    return dict(rows)  # type: ignore[arg-type]


def assessment_for(
    vacancy: Vacancy, answers: ApplicationAnswers, names: Mapping[int, str]
) -> Assessment:
    """The vacancy's rule applied to the answers. The vacancy needs its cohort and eligible
    boroughs loaded (app.domain.vacancies.with_details)."""
    return assess(vacancies.rule_for(vacancy), answers.for_eligibility(), names)


def application_age_band(date_of_birth: date, vacancy: Vacancy) -> str:
    """The age band kept with an application: the age on the cohort's start date, as in the
    national apprenticeship statistics (and as eligibility measures age)."""
    return age_band(date_of_birth, vacancy.cohort.start_date)


# Submitting


def _already_applied(session: Session, vacancy_id: int, email: str) -> bool:
    return (
        session.scalar(
            select(Application.id).where(
                Application.vacancy_id == vacancy_id, Application.email == email
            )
        )
        is not None
    )


def new_reference(session: Session) -> str:
    """A short, unguessable reference no application has yet."""
    while True:
        reference = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        taken = session.scalar(select(Application.id).where(Application.reference == reference))
        if taken is None:
            return reference


def check_open(session: Session, vacancy: Vacancy, on: date) -> None:
    hired = vacancies.hired_counts(session, [vacancy.id]).get(vacancy.id, 0)
    if not vacancies.is_open(vacancy, hired, on):
        raise VacancyClosed("This vacancy has closed, so it is no longer taking applications")


def submit(
    session: Session, draft: ApplicationDraft, vacancy: Vacancy, *, on: datetime
) -> Application:
    """The draft becomes an application, submitted at `on`: every answer checked again, the
    vacancy open, one application per email address per vacancy. Eligibility and its reasons,
    whether the applicant is local, and the age band are computed now and stored; the first
    pipeline event (to submitted, by the applicant) and an audit event are written; the draft
    keeps only the link to the application. The vacancy needs its details loaded
    (app.domain.vacancies.with_details)."""
    if draft.vacancy_id != vacancy.id:
        raise NotFound("This application is for another vacancy")
    if submitted_application_id(draft) is not None:
        raise DomainError("This application has already been sent")
    day = to_london(on).date()
    check_open(session, vacancy, day)
    names = borough_names(session)
    answers = answers_from_steps(all_answers(draft), vacancy, names.keys(), day)
    if _already_applied(session, vacancy.id, answers.email):
        raise DomainError(DUPLICATE_MESSAGE, field="email")
    application = record_application(
        session, vacancy, answers, names, submitted_at=on, source="online", actor=None
    )
    mark_submitted(draft, application)
    return application


def record_application(
    session: Session,
    vacancy: Vacancy,
    answers: ApplicationAnswers,
    names: dict[int, str],
    *,
    submitted_at: datetime,
    source: str,
    actor: User | None,
    note: str | None = None,
) -> Application:
    """Store checked answers as a submitted application: eligibility with its reasons, whether
    the applicant is local and the age band are computed now; the first pipeline event (by the
    applicant online, or by whoever imported it) and an audit event are written."""
    assessment = assessment_for(vacancy, answers, names)
    application = Application(
        vacancy_id=vacancy.id,
        reference=new_reference(session),
        stage=Stage.SUBMITTED.value,
        submitted_at=submitted_at,
        source=source,
        name=answers.name,
        email=answers.email,
        phone=answers.phone,
        date_of_birth=answers.date_of_birth,
        postcode=answers.postcode,
        supporting_statement=answers.supporting_statement,
        residence_borough_id=answers.residence_borough_id,
        educated_in_borough=answers.educated_in_borough,
        care_leaver=answers.care_leaver,
        right_to_work=answers.right_to_work,
        full_time_education=answers.full_time_education,
        guaranteed_interview=answers.guaranteed_interview.value,
        eligible=assessment.eligible,
        eligibility_reasons=list(assessment.reasons),
        is_local=assessment.is_local,
        age_band=application_age_band(answers.date_of_birth, vacancy),
    )
    _insert(session, application)
    session.add(
        ApplicationEvent(
            application_id=application.id,
            from_stage=None,
            to_stage=Stage.SUBMITTED.value,
            actor_user_id=actor.id if actor is not None else None,
            occurred_at=submitted_at,
            note=note,
        )
    )
    audit.record(
        session,
        AuditAction.CREATED,
        actor=actor,
        target=audit.target_of(application),
        fields=["source", *(field.name for field in fields(ApplicationAnswers))],
    )
    return application


def _insert(session: Session, application: Application) -> None:
    """Add the application; the same email applying at the same moment from another request is
    caught by the unique index and refused like any duplicate. On PostgreSQL a savepoint keeps
    the transaction usable; on SQLite (one writer at a time, so the check above sees the other
    request's row) the caller rolls back after any DomainError."""
    savepoint = session.begin_nested() if is_postgresql(session.get_bind()) else nullcontext()
    try:
        with savepoint:
            session.add(application)
            session.flush()
    except IntegrityError as error:
        text = str(error.orig)
        if UNIQUE_EMAIL_INDEX in text or "application.email" in text:
            raise DomainError(DUPLICATE_MESSAGE, field="email") from None
        raise


# The limit on submissions from one address to one vacancy


RATE_LIMIT_SCOPE = "application-submit"


@dataclass(frozen=True)
class SubmissionLimit:
    """At most `per_address` applications from one client address to one vacancy within
    `window`. Generous on purpose: at an open day many people apply from one council network,
    which the service sees as one address."""

    per_address: int = 30
    window: timedelta = timedelta(hours=1)

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> SubmissionLimit:
        """The limit from the settings APPLICATION_SUBMISSION_LIMIT and
        APPLICATION_SUBMISSION_WINDOW_MINUTES, where they are set; the defaults otherwise."""
        default = cls()
        per_address = config.get("APPLICATION_SUBMISSION_LIMIT") or default.per_address
        minutes = config.get("APPLICATION_SUBMISSION_WINDOW_MINUTES") or (
            default.window // timedelta(minutes=1)
        )
        return cls(per_address=int(str(per_address)), window=timedelta(minutes=int(str(minutes))))


def limit_key(vacancy_id: int, address: str) -> str:
    """The counter's key: a hash, so the table holds no client addresses."""
    return hashlib.sha256(f"{vacancy_id}|{address}".encode()).hexdigest()


def over_submission_limit(
    session: Session, vacancy_id: int, address: str, limit: SubmissionLimit, *, now: datetime
) -> bool:
    count = session.scalar(
        select(func.count())
        .select_from(RateLimitHit)
        .where(
            RateLimitHit.scope == RATE_LIMIT_SCOPE,
            RateLimitHit.key == limit_key(vacancy_id, address),
            RateLimitHit.occurred_at > now - limit.window,
        )
    )
    return (count or 0) >= limit.per_address


def count_submission(
    session: Session, vacancy_id: int, address: str, limit: SubmissionLimit, *, now: datetime
) -> None:
    """Count one submission (in the caller's transaction, so it counts when the application is
    kept), and forget counts too old to matter."""
    session.execute(
        delete(RateLimitHit)
        .where(
            RateLimitHit.scope == RATE_LIMIT_SCOPE,
            RateLimitHit.occurred_at <= now - limit.window,
        )
        .execution_options(synchronize_session=False)
    )
    session.add(
        RateLimitHit(scope=RATE_LIMIT_SCOPE, key=limit_key(vacancy_id, address), occurred_at=now)
    )


# Withdrawing, through the link in the receipt


def _withdraw_serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=WITHDRAW_SALT)


def withdraw_token(secret_key: str, application: Application) -> str:
    """The signed token in the receipt's withdrawal link. It does not expire: an applicant may
    withdraw until they are hired (or the application is otherwise closed)."""
    return _withdraw_serializer(secret_key).dumps(
        {"application": application.id, "reference": application.reference}
    )


def application_for_withdraw_token(session: Session, secret_key: str, token: str) -> Application:
    """The application a withdrawal link is for; NotFound for a link that is not valid."""
    problem = NotFound("This link to withdraw an application is not valid")
    if len(token) > 500:
        raise problem
    try:
        payload = _withdraw_serializer(secret_key).loads(token)
    except BadSignature:
        raise problem from None
    if not isinstance(payload, dict) or not isinstance(payload.get("application"), int):
        raise problem
    application = session.get(Application, payload["application"])
    if application is None or application.reference != payload.get("reference"):
        raise problem
    return application


def can_withdraw(application: Application) -> bool:
    return pipeline.refusal(application, Stage.WITHDRAWN) is None


def withdraw_by_applicant(session: Session, application: Application) -> ApplicationEvent:
    """The applicant withdraws (allowed until hired, once): the move to withdrawn is recorded
    with no actor, meaning the applicant."""
    if Stage(application.stage) is Stage.WITHDRAWN:
        raise DomainError("You have already withdrawn this application")
    if not can_withdraw(application):
        raise DomainError(
            "This application can no longer be withdrawn online. Contact the council’s "
            "recruitment team."
        )
    return pipeline.move(
        session,
        application,
        Stage.WITHDRAWN,
        actor=None,
        note="Withdrawn by the applicant, using the link in their confirmation email",
    )


# Equality monitoring (optional, stored apart, never shown against a person)

PREFER_NOT_TO_SAY = "prefer_not_to_say"

GENDERS: tuple[tuple[str, str], ...] = (
    ("woman", "Woman"),
    ("man", "Man"),
    ("another_way", "In another way"),
    (PREFER_NOT_TO_SAY, "Prefer not to say"),
)

# The ethnic groups of the 2021 Census in England and Wales (ONS).
ETHNIC_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Asian, Asian British or Asian Welsh",
        (
            ("asian_bangladeshi", "Bangladeshi"),
            ("asian_chinese", "Chinese"),
            ("asian_indian", "Indian"),
            ("asian_pakistani", "Pakistani"),
            ("asian_other", "Any other Asian background"),
        ),
    ),
    (
        "Black, Black British, Black Welsh, Caribbean or African",
        (
            ("black_african", "African"),
            ("black_caribbean", "Caribbean"),
            ("black_other", "Any other Black, Black British or Caribbean background"),
        ),
    ),
    (
        "Mixed or Multiple ethnic groups",
        (
            ("mixed_white_asian", "White and Asian"),
            ("mixed_white_black_african", "White and Black African"),
            ("mixed_white_black_caribbean", "White and Black Caribbean"),
            ("mixed_other", "Any other Mixed or Multiple ethnic background"),
        ),
    ),
    (
        "White",
        (
            ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
            ("white_irish", "Irish"),
            ("white_gypsy_irish_traveller", "Gypsy or Irish Traveller"),
            ("white_roma", "Roma"),
            ("white_other", "Any other White background"),
        ),
    ),
    (
        "Other ethnic group",
        (
            ("other_arab", "Arab"),
            ("other_any", "Any other ethnic group"),
        ),
    ),
)

YES_NO_PREFER_NOT: tuple[tuple[str, str], ...] = (
    (YES, "Yes"),
    (NO, "No"),
    (PREFER_NOT_TO_SAY, "Prefer not to say"),
)


def ethnic_group_choices() -> tuple[tuple[str, str], ...]:
    """Every category labelled with its group, then "Prefer not to say"."""
    return (
        *(
            (value, f"{group}: {label}")
            for group, categories in ETHNIC_GROUPS
            for value, label in categories
        ),
        (PREFER_NOT_TO_SAY, "Prefer not to say"),
    )


EQUALITY_CHOICES: dict[str, frozenset[str]] = {
    "gender": frozenset(value for value, _ in GENDERS),
    "ethnic_group": frozenset(value for value, _ in ethnic_group_choices()),
    "disability": frozenset(value for value, _ in YES_NO_PREFER_NOT),
    "care_experience": frozenset(value for value, _ in YES_NO_PREFER_NOT),
}


@dataclass(frozen=True)
class EqualityAnswers:
    """Each answer is optional (None: not answered)."""

    gender: str | None = None
    ethnic_group: str | None = None
    disability: str | None = None
    care_experience: str | None = None


def save_equality_answers(
    session: Session, application: Application, answers: EqualityAnswers
) -> EqualityMonitoring | None:
    """Store the answers in EqualityMonitoring only (replacing earlier ones). Nothing answered
    stores nothing. An answer outside the allowed categories is refused."""
    values = {field.name: getattr(answers, field.name) for field in fields(EqualityAnswers)}
    for name, value in values.items():
        if value is not None and value not in EQUALITY_CHOICES[name]:
            raise DomainError("Select one of the options", field=name)
    answered = sorted(name for name, value in values.items() if value is not None)
    if not answered:
        return None
    record = session.scalars(
        select(EqualityMonitoring).where(EqualityMonitoring.application_id == application.id)
    ).one_or_none()
    action = AuditAction.UPDATED if record is not None else AuditAction.CREATED
    if record is None:
        record = EqualityMonitoring(application_id=application.id)
        session.add(record)
    for name, value in values.items():
        setattr(record, name, value)
    session.flush()
    audit.record(session, action, actor=None, target=audit.target_of(record), fields=answered)
    return record


def has_equality_answers(session: Session, application_id: int) -> bool:
    return (
        session.scalar(
            select(EqualityMonitoring.id).where(EqualityMonitoring.application_id == application_id)
        )
        is not None
    )
