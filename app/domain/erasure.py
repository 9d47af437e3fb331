"""Erasing a person: their personal fields are removed or replaced everywhere, while the
non-identifying facts that reports count (dates, stages, boroughs, age bands, statuses,
hours, grades, destinations) stay, so every report figure is unchanged.

What goes: names, email addresses, phone numbers, postcodes, dates of birth, unique learner
numbers, and the free text they wrote or that was written about them (statements, log
descriptions, evidence, review notes, meeting notes, comments and notes on events). Their
sessions end and their account can no longer sign in. Equality monitoring answers stay only as
anonymous facts of an application that no longer identifies anyone.

Each record erased is entered in the erasure register and audited as `erased`, naming the
fields, never their values.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import audit
from app.domain.data_rights import Person
from app.domain.errors import DomainError
from app.domain.throttling import account_key
from app.models import (
    Application,
    ApplicationEvent,
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditAction,
    EpaAttempt,
    ErasedRecord,
    ErasureReason,
    GatewayConfirmation,
    LogEntry,
    MentorMeeting,
    Milestone,
    Outcome,
    ProgressReview,
    SignInFailure,
    User,
    UserSession,
)
from app.models.user import new_security_stamp

ERASED_TEXT = "[erased]"
ERASED_NAME = "Erased person"
# Still in the programme: their records are in use, so erasure waits until they leave.
IN_PROGRAMME = frozenset(
    {ApprenticeStatus.WAITING_TO_START, ApprenticeStatus.ACTIVE, ApprenticeStatus.ON_BREAK}
)

USER_FIELDS = ("email", "name", "password_hash", "security_stamp")
APPRENTICE_FIELDS = ("date_of_birth", "uln")
APPLICATION_FIELDS = (
    "date_of_birth",
    "email",
    "name",
    "phone",
    "postcode",
    "rejection_reason",
    "supporting_statement",
)


@dataclass(frozen=True)
class Erased:
    users: int
    apprentices: int
    applications: int

    @property
    def total(self) -> int:
        return self.users + self.apprentices + self.applications


def erasure_refusal(session: Session, person: Person) -> str | None:
    """Why the person cannot be erased now, or None."""
    in_programme = session.scalar(
        select(func.count())
        .select_from(Apprentice)
        .where(
            Apprentice.id.in_(person.apprentice_ids),
            Apprentice.status.in_([status.value for status in IN_PROGRAMME]),
        )
    )
    if in_programme:
        return (
            "This person is an apprentice on the programme now. Their records can be erased "
            "once they have completed or left."
        )
    return None


def erase_person(
    session: Session, person: Person, *, actor: User | None, reason: ErasureReason
) -> Erased:
    refusal = erasure_refusal(session, person)
    if refusal:
        raise DomainError(refusal)
    if actor is not None and actor.id in person.user_ids:
        raise DomainError("You cannot erase your own account")
    return erase_records(
        session,
        user_ids=person.user_ids,
        apprentice_ids=person.apprentice_ids,
        application_ids=person.application_ids,
        actor=actor,
        reason=reason,
    )


def _not_yet_erased(session: Session, record_type: str, ids: Collection[int]) -> list[int]:
    if not ids:
        return []
    done = set(
        session.scalars(
            select(ErasedRecord.record_id).where(
                ErasedRecord.record_type == record_type, ErasedRecord.record_id.in_(sorted(ids))
            )
        )
    )
    return sorted(set(ids) - done)


def _blank(session: Session, model: Any, condition: Any, values: dict[str, Any]) -> None:
    """One UPDATE: version counters stay, so erasure never looks like a user's edit."""
    session.execute(
        update(model).where(condition).values(**values).execution_options(synchronize_session=False)
    )


def erase_records(
    session: Session,
    *,
    user_ids: Collection[int] = (),
    apprentice_ids: Collection[int] = (),
    application_ids: Collection[int] = (),
    actor: User | None,
    reason: ErasureReason,
) -> Erased:
    """Erase exactly these records (and the text hanging off them); records already erased
    are left alone, so running it again changes nothing."""
    users = _not_yet_erased(session, "app_user", user_ids)
    apprentices = _not_yet_erased(session, "apprentice", apprentice_ids)
    applications = _not_yet_erased(session, "application", application_ids)
    now = utcnow()

    if users:
        emails = session.scalars(select(User.email).where(User.id.in_(users))).all()
        session.execute(
            delete(SignInFailure).where(
                SignInFailure.account_key.in_([account_key(e) for e in emails])
            )
        )
        session.execute(delete(UserSession).where(UserSession.user_id.in_(users)))
        for user_id in users:
            _blank(
                session,
                User,
                User.id == user_id,
                {
                    "name": ERASED_NAME,
                    # Unique and lower case, as the table requires; nobody's address.
                    "email": f"erased-{user_id}@erased.invalid",
                    "password_hash": None,
                    "security_stamp": new_security_stamp(),
                    "is_active": False,
                    "updated_at": now,
                },
            )

    if apprentices:
        mine = Apprentice.id.in_(apprentices)
        _blank(session, Apprentice, mine, {"date_of_birth": None, "uln": None, "updated_at": now})
        of_theirs = {"updated_at": now}
        _blank(
            session,
            ApprenticeStatusEvent,
            ApprenticeStatusEvent.apprentice_id.in_(apprentices),
            {"note": None, **of_theirs},
        )
        _blank(
            session,
            Milestone,
            Milestone.apprentice_id.in_(apprentices),
            {"evidence_text": None, "evidence_links": [], "comment": None, **of_theirs},
        )
        _blank(
            session,
            LogEntry,
            LogEntry.apprentice_id.in_(apprentices),
            {"description": ERASED_TEXT, "comment": None, **of_theirs},
        )
        _blank(
            session,
            ProgressReview,
            ProgressReview.apprentice_id.in_(apprentices),
            {"attendees": ERASED_TEXT, "notes": ERASED_TEXT, "actions": ERASED_TEXT, **of_theirs},
        )
        _blank(
            session,
            MentorMeeting,
            MentorMeeting.apprentice_id.in_(apprentices),
            {"notes": ERASED_TEXT, **of_theirs},
        )
        _blank(
            session,
            EpaAttempt,
            EpaAttempt.apprentice_id.in_(apprentices),
            {"note": None, **of_theirs},
        )
        _blank(
            session, Outcome, Outcome.apprentice_id.in_(apprentices), {"note": None, **of_theirs}
        )
        for confirmation in session.scalars(
            select(GatewayConfirmation).where(GatewayConfirmation.apprentice_id.in_(apprentices))
        ):
            # The checklist keeps which items were met; the evidence text goes.
            confirmation.checklist = [
                {**item, "evidence": None} if isinstance(item, dict) else item
                for item in confirmation.checklist
            ]
            confirmation.exception_reason = None

    if applications:
        _blank(
            session,
            Application,
            Application.id.in_(applications),
            {
                "name": None,
                "email": None,
                "phone": None,
                "postcode": None,
                "date_of_birth": None,
                "supporting_statement": None,
                "rejection_reason": None,
                "updated_at": now,
            },
        )
        _blank(
            session,
            ApplicationEvent,
            ApplicationEvent.application_id.in_(applications),
            {"note": None, "updated_at": now},
        )

    for record_type, ids, fields in (
        ("app_user", users, USER_FIELDS),
        ("apprentice", apprentices, APPRENTICE_FIELDS),
        ("application", applications, APPLICATION_FIELDS),
    ):
        for record_id in ids:
            session.execute(
                insert(ErasedRecord).values(
                    record_type=record_type,
                    record_id=record_id,
                    erased_at=now,
                    reason=reason.value,
                    created_at=now,
                    updated_at=now,
                )
            )
            audit.record(
                session,
                AuditAction.ERASED,
                actor=actor,
                target=audit.Target(type=record_type, id=record_id),
                fields=fields,
            )
    session.flush()
    session.expire_all()
    return Erased(users=len(users), apprentices=len(apprentices), applications=len(applications))
