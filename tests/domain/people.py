"""One person seeded across every table that holds data about a person, for the data-rights
tests (subject access, erasure, retention)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.throttling import account_key
from app.models import (
    KSB,
    ApplicationEvent,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    AuditAction,
    EpaAttempt,
    EqualityMonitoring,
    GatewayConfirmation,
    LogEntry,
    MentorMeeting,
    MentorProfile,
    Milestone,
    Outcome,
    ProgressReview,
    ProgressSummary,
    Role,
    SignInFailure,
    Stage,
    SubjectAccessRequest,
    User,
    UserSession,
    log_entry_ksb,
)
from tests import builders


@dataclass
class Seeded:
    name: str
    email: str
    phone: str
    postcode: str
    date_of_birth: date
    user: User
    apprentice_id: int
    application_id: int
    # table name -> the keys of the rows seeded for this person
    rows: dict[str, set] = field(default_factory=dict)

    def add(self, table: str, key: object) -> None:
        self.rows.setdefault(table, set()).add(key)


def seed_person(
    session: Session,
    *,
    name: str,
    email: str,
    phone: str,
    postcode: str,
    date_of_birth: date,
    borough: str = "Hackney",
    mentor: User,
    coordinator: User,
    status: ApprenticeStatus = ApprenticeStatus.COMPLETED,
    left_on: date = date(2026, 10, 30),
) -> Seeded:
    """A former applicant, hired, now an apprentice (completed by default), with a row in
    every person-keyed table."""
    standard = builders.create_standard(session)
    user = builders.create_user(
        session, roles=[Role.APPRENTICE, Role.MENTOR], borough=borough, name=name, email=email
    )
    apprentice = builders.create_apprentice(
        session,
        borough=borough,
        standard=standard,
        user=user,
        status=status,
        date_of_birth=date_of_birth,
        start_date=date(2024, 9, 2),
        months=24,
    )
    if status is ApprenticeStatus.COMPLETED:
        apprentice.completed_on = left_on
    vacancy = builders.create_vacancy(session, borough=borough, closing_date=date(2024, 6, 30))
    application = builders.create_application(
        session, vacancy, name=name, email=email, stage=Stage.HIRED, date_of_birth=date_of_birth
    )
    application.phone = phone
    application.postcode = postcode
    application.supporting_statement = f"My name is {name} and I live at {postcode}."
    application.apprentice_id = apprentice.id
    seeded = Seeded(
        name=name,
        email=email,
        phone=phone,
        postcode=postcode,
        date_of_birth=date_of_birth,
        user=user,
        apprentice_id=apprentice.id,
        application_id=application.id,
    )
    now = datetime(2026, 11, 1, 9, tzinfo=UTC)
    ksb = session.scalars(select(KSB).where(KSB.standard_id == standard.id)).first()
    placement = builders.create_placement(session, apprentice, host=borough)
    assignment = builders.assign_mentor(session, apprentice, mentor)
    records = {
        "user_session": UserSession(
            token_hash=account_key(email + "session"),
            user_id=user.id,
            data="{}",
            created_at=now,
            updated_at=now,
            last_seen_at=now,
            ip_address="192.0.2.10",
        ),
        "sign_in_failure": SignInFailure(
            account_key=account_key(email), ip_address="192.0.2.10", occurred_at=now
        ),
        "application_event": ApplicationEvent(
            application_id=application.id,
            from_stage="offered",
            to_stage="hired",
            actor_user_id=coordinator.id,
            occurred_at=now,
            note=f"Hired {name}",
        ),
        "equality_monitoring": EqualityMonitoring(
            application_id=application.id, gender="woman", disability="no"
        ),
        "apprentice_status_event": ApprenticeStatusEvent(
            apprentice_id=apprentice.id,
            from_status="active",
            to_status=status.value,
            effective_on=left_on,
            actor_user_id=coordinator.id,
            note=f"{name} passed",
        ),
        "mentor_meeting": MentorMeeting(
            apprentice_id=apprentice.id,
            mentor_user_id=mentor.id,
            met_on=date(2025, 1, 10),
            duration_minutes=30,
            notes=f"Met {name}; phone {phone}",
        ),
        "milestone": Milestone(
            apprentice_id=apprentice.id,
            title="Induction",
            kind="induction",
            signer="mentor",
            due_date=date(2024, 9, 16),
            status="signed_off",
            evidence_text=f"{name}'s induction notes",
            evidence_links=["https://example.org/evidence"],
            decided_by_id=mentor.id,
            comment="Well done",
        ),
        "log_entry": LogEntry(
            apprentice_id=apprentice.id,
            entry_date=date(2024, 10, 1),
            hours=Decimal("3"),
            activity_type="teaching",
            description=f"Workshop, written by {name}",
            status="approved",
            submitted_at=now,
            decided_by_id=mentor.id,
        ),
        "progress_review": ProgressReview(
            apprentice_id=apprentice.id,
            review_date=date(2025, 3, 1),
            attendees=f"{name}, mentor, provider",
            rating="on_track",
            notes=f"{name} is doing well",
            actions="Keep going",
            next_review_date=date(2025, 5, 1),
            recorded_by_id=coordinator.id,
        ),
        "gateway_confirmation": GatewayConfirmation(
            apprentice_id=apprentice.id,
            confirmed_on=date(2026, 8, 1),
            confirmed_by_id=coordinator.id,
            checklist=[{"item": "Portfolio", "met": True, "evidence": f"{name}'s portfolio"}],
        ),
        "epa_attempt": EpaAttempt(
            apprentice_id=apprentice.id,
            assessed_on=date(2026, 9, 1),
            organisation_id=builders.create_provider(session, assesses_epa=True).id,
            grade="pass",
            recorded_by_id=coordinator.id,
            note=f"{name} passed",
        ),
        "outcome": Outcome(
            apprentice_id=apprentice.id,
            follow_up="end",
            destination="same_council",
            recorded_on=left_on,
            recorded_by_id=coordinator.id,
            note=f"{name} stays on",
        ),
        "subject_access_request": SubjectAccessRequest(
            subject_type="user",
            subject_id=user.id,
            received_on=date(2026, 11, 20),
            due_on=date(2026, 12, 20),
            logged_by_id=coordinator.id,
        ),
    }
    session.add_all(records.values())
    session.add(MentorProfile(user_id=user.id, capacity=2, current_mentees=0))
    session.add(
        ProgressSummary(apprentice_id=apprentice.id, computed_on=date(2026, 11, 27), updated_at=now)
    )
    session.flush()
    session.execute(
        log_entry_ksb.insert().values(log_entry_id=records["log_entry"].id, ksb_id=ksb.id)
    )
    events = [
        audit.record(session, AuditAction.VIEWED_RECORD, actor=coordinator, target=target)
        for target in (
            audit.Target("app_user", user.id),
            audit.Target("apprentice", apprentice.id),
            audit.Target("application", application.id),
            audit.Target("log_entry", records["log_entry"].id),
        )
    ]
    events.append(audit.record(session, AuditAction.SIGN_IN, actor=user))
    session.commit()
    for table, record in records.items():
        seeded.add(table, record.id)
    seeded.add("app_user", user.id)
    seeded.add("apprentice", apprentice.id)
    seeded.add("application", application.id)
    seeded.add("placement", placement.id)
    seeded.add("mentor_assignment", assignment.id)
    seeded.add("user_role", user.id)
    seeded.add("mentor_profile", user.id)
    seeded.add("progress_summary", apprentice.id)
    seeded.add("log_entry_ksb", records["log_entry"].id)
    for event in events:
        seeded.add("audit_event", event.id)
    return seeded


# How each table's rows are keyed in `Seeded.rows`.
ROW_KEYS = {
    "user_role": "user_id",
    "mentor_profile": "user_id",
    "progress_summary": "apprentice_id",
    "log_entry_ksb": "log_entry_id",
}
