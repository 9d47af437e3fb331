"""Who a data-rights request is about: from one record (a user account, an apprentice, an
application) to every record of the same person, and the log of subject access requests.

A person is the closure of: their user account, the apprentice record on it, the applications
hired into that record, and every application or account with the same email address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.apprenticeship_rules import add_months
from app.domain.errors import DomainError, NotFound
from app.models import (
    Application,
    Apprentice,
    AuditAction,
    RequestStatus,
    SubjectAccessRequest,
    SubjectKind,
    User,
)

# The legal limit for answering a subject access request: one calendar month from receipt.
RESPONSE_MONTHS = 1


@dataclass(frozen=True)
class Person:
    user_ids: frozenset[int]
    apprentice_ids: frozenset[int]
    application_ids: frozenset[int]
    emails: frozenset[str]

    def records(self) -> dict[str, frozenset[int]]:
        """Their records by table name, as audit events name their targets."""
        return {
            "app_user": self.user_ids,
            "apprentice": self.apprentice_ids,
            "application": self.application_ids,
        }

    def is_subject(self, kind: str, record_id: int) -> bool:
        ids = {
            SubjectKind.USER.value: self.user_ids,
            SubjectKind.APPRENTICE.value: self.apprentice_ids,
            SubjectKind.APPLICATION.value: self.application_ids,
        }.get(kind, frozenset())
        return record_id in ids


def find_person(session: Session, kind: SubjectKind, record_id: int) -> Person:
    """Every record of the person the given record belongs to; NotFound for no such record."""
    model = {
        SubjectKind.USER: User,
        SubjectKind.APPRENTICE: Apprentice,
        SubjectKind.APPLICATION: Application,
    }[kind]
    if session.get(model, record_id) is None:
        raise NotFound("There is no such record")
    users = {record_id} if kind is SubjectKind.USER else set()
    apprentices = {record_id} if kind is SubjectKind.APPRENTICE else set()
    applications = {record_id} if kind is SubjectKind.APPLICATION else set()
    emails: set[str] = set()
    # Each round follows every link once; it stops when a round finds nothing new.
    while True:
        before = (len(users), len(apprentices), len(applications), len(emails))
        rows = session.execute(
            select(Apprentice.id, Apprentice.user_id).where(
                or_(Apprentice.id.in_(apprentices), Apprentice.user_id.in_(users))
            )
        ).all()
        apprentices |= {row.id for row in rows}
        users |= {row.user_id for row in rows}
        rows = session.execute(
            select(User.id, User.email).where(or_(User.id.in_(users), User.email.in_(emails)))
        ).all()
        users |= {row.id for row in rows}
        emails |= {row.email for row in rows}
        rows = session.execute(
            select(Application.id, Application.apprentice_id, Application.email).where(
                or_(
                    Application.id.in_(applications),
                    Application.apprentice_id.in_(apprentices),
                    func.lower(Application.email).in_(emails),
                )
            )
        ).all()
        applications |= {row.id for row in rows}
        apprentices |= {row.apprentice_id for row in rows if row.apprentice_id is not None}
        emails |= {row.email.lower() for row in rows if row.email}
        if before == (len(users), len(apprentices), len(applications), len(emails)):
            break
    return Person(
        frozenset(users), frozenset(apprentices), frozenset(applications), frozenset(emails)
    )


def find_subject(session: Session, identifier: str) -> tuple[SubjectKind, int]:
    """The record an admin means by an email address (an account, else the latest application
    from it) or an application reference."""
    text = (identifier or "").strip()
    if not text:
        raise DomainError("Enter an email address or an application reference", field="identifier")
    if len(text) > 320:
        raise DomainError(
            "The email address or reference must be 320 characters or fewer", field="identifier"
        )
    if "@" in text:
        email = text.lower()
        user_id = session.scalar(select(User.id).where(User.email == email))
        if user_id is not None:
            return SubjectKind.USER, user_id
        application_id = session.scalar(
            select(Application.id)
            .where(func.lower(Application.email) == email)
            .order_by(Application.submitted_at.desc(), Application.id.desc())
            .limit(1)
        )
        if application_id is not None:
            return SubjectKind.APPLICATION, application_id
    else:
        application_id = session.scalar(
            select(Application.id).where(Application.reference == text.upper())
        )
        if application_id is not None:
            return SubjectKind.APPLICATION, application_id
    raise DomainError(
        "No account or application matches this email address or reference", field="identifier"
    )


def describe(session: Session, person: Person) -> str:
    """A name to show an admin: the account's name, else the latest application's."""
    name = session.scalar(select(User.name).where(User.id.in_(person.user_ids)).limit(1))
    if name:
        return name
    name = session.scalar(
        select(Application.name)
        .where(Application.id.in_(person.application_ids), Application.name.is_not(None))
        .order_by(Application.submitted_at.desc())
        .limit(1)
    )
    return name or "A person whose details have been erased"


# Subject access requests


def due_date(received_on: date) -> date:
    return add_months(received_on, RESPONSE_MONTHS)


def log_request(
    session: Session,
    kind: SubjectKind,
    record_id: int,
    *,
    received_on: date,
    today: date,
    actor: User,
) -> SubjectAccessRequest:
    if received_on > today:
        raise DomainError("The date received must be today or in the past", field="received_on")
    if received_on < add_months(today, -12):
        raise DomainError("The date received must be within the last year", field="received_on")
    find_person(session, kind, record_id)  # the record exists
    request = SubjectAccessRequest(
        subject_type=kind.value,
        subject_id=record_id,
        received_on=received_on,
        due_on=due_date(received_on),
        status=RequestStatus.OPEN.value,
        logged_by_id=actor.id,
    )
    session.add(request)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(request))
    return request


def status_label(request: SubjectAccessRequest, today: date) -> str:
    if request.status == RequestStatus.COMPLETED.value:
        return "Completed"
    if today > request.due_on:
        return "Overdue"
    return "Open"
