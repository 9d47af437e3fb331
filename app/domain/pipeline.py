"""The recruitment pipeline: one transition table, and the moves through it.

submitted → screening → assessment → offered → hired, with two exits from any open stage:
rejected (with a reason) and withdrawn (here by a coordinator; the applicant's own withdrawal,
through the emailed link, is app.domain.applications'). Hired, rejected and withdrawn are
final. Hired is reached only by hiring (app.domain.hiring), which creates the apprentice.

Every move writes an ApplicationEvent (from, to, who, when, note) and an audit event naming the
fields changed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import audit
from app.domain.errors import DomainError, StaleEdit, flush_versioned
from app.models import Application, ApplicationEvent, AuditAction, Stage, User

NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500

# The transition table of DESIGN.md: from each stage, the stages a move may lead to.
TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    Stage.SUBMITTED: (Stage.SCREENING, Stage.REJECTED, Stage.WITHDRAWN),
    Stage.SCREENING: (Stage.ASSESSMENT, Stage.REJECTED, Stage.WITHDRAWN),
    Stage.ASSESSMENT: (Stage.OFFERED, Stage.REJECTED, Stage.WITHDRAWN),
    Stage.OFFERED: (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN),
    Stage.HIRED: (),
    Stage.REJECTED: (),
    Stage.WITHDRAWN: (),
}
# Stages reached only through their own operation, never by a plain move.
ONLY_BY_HIRING = frozenset({Stage.HIRED})
FINAL = frozenset(stage for stage, moves in TRANSITIONS.items() if not moves)
# The words on the buttons and radios for each move.
MOVE_LABELS: dict[Stage, str] = {
    Stage.SCREENING: "Move to screening",
    Stage.ASSESSMENT: "Move to assessment",
    Stage.OFFERED: "Make an offer",
    Stage.HIRED: "Hire",
    Stage.REJECTED: "Reject",
    Stage.WITHDRAWN: "Withdraw (on the applicant’s behalf)",
}


def stage_label(value: Stage | str | None) -> str:
    return Stage(value).label if value in set(Stage) else (value or "")


def next_stages(stage: Stage | str) -> tuple[Stage, ...]:
    """The stages a plain move may take an application in this stage to (hiring excluded)."""
    return tuple(s for s in TRANSITIONS[Stage(stage)] if s not in ONLY_BY_HIRING)


def who(application: Application) -> str:
    """How an application is named in messages: its reference, and the name if not erased."""
    return (
        f"{application.reference} ({application.name})"
        if application.name
        else application.reference
    )


def refusal(application: Application, to_stage: Stage) -> str | None:
    """Why the application cannot be moved to the stage by a plain move, or None if it can."""
    current = Stage(application.stage)
    if to_stage in ONLY_BY_HIRING:
        return "An application can only be moved to hired by hiring the applicant"
    if to_stage in TRANSITIONS[current]:
        return None
    if current in FINAL:
        return f"The application is {current.label.lower()}, so it cannot be moved any further"
    if to_stage == current:
        return f"The application is already at {current.label.lower()}"
    allowed = " or ".join(f"“{stage.label.lower()}”" for stage in next_stages(current))
    return (
        f"An application at {current.label.lower()} cannot be moved to "
        f"{to_stage.label.lower()}: it can only be moved to {allowed}"
    )


def _clean(
    text: str | None, limit: int, label: str, field: str, *, lines: bool = False
) -> str | None:
    """Trimmed text within its limit, without control characters (a note may have lines)."""
    value = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(value) > limit:
        raise DomainError(f"{label} must be {limit:,} characters or fewer", field=field)
    allowed = "\n\t" if lines else ""
    if any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed for char in value):
        raise DomainError(
            f"{label} must not include hidden characters: type or paste it as plain text",
            field=field,
        )
    return value or None


def record_event(
    session: Session,
    application: Application,
    *,
    from_stage: Stage | None,
    to_stage: Stage,
    actor: User | None,
    note: str | None = None,
) -> ApplicationEvent:
    event = ApplicationEvent(
        application_id=application.id,
        from_stage=from_stage.value if from_stage is not None else None,
        to_stage=to_stage.value,
        actor_user_id=actor.id if actor is not None else None,
        occurred_at=utcnow(),
        note=note,
    )
    session.add(event)
    return event


def _apply(
    session: Session,
    application: Application,
    to_stage: Stage,
    *,
    actor: User | None,
    note: str | None,
    reason: str | None,
    also_changed: Sequence[str] = (),
) -> ApplicationEvent:
    """Change the stage and write the event and audit trail (the checks are done)."""
    current = Stage(application.stage)
    changed = ["stage", *also_changed]
    application.stage = to_stage.value
    if to_stage is Stage.REJECTED:
        application.rejection_reason = reason
        changed.append("rejection_reason")
    flush_versioned(session)
    event = record_event(
        session, application, from_stage=current, to_stage=to_stage, actor=actor, note=note
    )
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(application),
        fields=changed,
    )
    return event


def _checked_text(
    to_stage: Stage, note: str | None, reason: str | None
) -> tuple[str | None, str | None]:
    cleaned_note = _clean(note, NOTE_MAX_LENGTH, "Note", "note", lines=True)
    cleaned_reason = _clean(reason, REASON_MAX_LENGTH, "Reason", "reason")
    if to_stage is Stage.REJECTED and cleaned_reason is None:
        raise DomainError("Enter the reason for rejecting the application", field="reason")
    return cleaned_note, cleaned_reason if to_stage is Stage.REJECTED else None


def move(
    session: Session,
    application: Application,
    to_stage: Stage | str,
    *,
    actor: User | None,
    note: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> ApplicationEvent:
    """Move one application through the pipeline. Rejecting needs a reason; an illegal move, or
    one to hired (see app.domain.hiring), is refused with a DomainError saying why."""
    if to_stage not in set(Stage):
        raise DomainError("Select a stage to move the application to", field="to_stage")
    target = Stage(to_stage)
    if expected_version is not None and application.row_version != expected_version:
        raise StaleEdit()
    problem = refusal(application, target)
    if problem:
        raise DomainError(problem, field="to_stage")
    cleaned_note, cleaned_reason = _checked_text(target, note, reason)
    return _apply(
        session, application, target, actor=actor, note=cleaned_note, reason=cleaned_reason
    )


def bulk_move(
    session: Session,
    applications: Sequence[Application],
    to_stage: Stage | str,
    *,
    actor: User | None,
    note: str | None = None,
    reason: str | None = None,
    expected_versions: Mapping[int, int] | None = None,
) -> list[ApplicationEvent]:
    """Move every one of the applications, or none: if any cannot be moved, nothing changes and
    the DomainError names each one that cannot (and why). `expected_versions` (application id:
    row version, as the list showed them) makes a change by someone else in between a stale
    edit."""
    if not applications:
        raise DomainError("Select at least one application", field="selected")
    if to_stage not in set(Stage):
        raise DomainError("Select a stage to move the applications to", field="to_stage")
    target = Stage(to_stage)
    if expected_versions is not None:
        for application in applications:
            if expected_versions.get(application.id) != application.row_version:
                raise StaleEdit(
                    "Someone else changed one or more of these applications while you were "
                    f"choosing them ({who(application)}). Check the list and try again."
                )
    problems = [
        f"{who(application)}: {problem}"
        for application in applications
        if (problem := refusal(application, target))
    ]
    if problems:
        raise DomainError(
            f"No applications were moved: {len(problems)} of those selected cannot be moved to "
            f"{target.label.lower()}. " + "; ".join(problems),
            field="selected",
        )
    cleaned_note, cleaned_reason = _checked_text(target, note, reason)
    return [
        _apply(session, application, target, actor=actor, note=cleaned_note, reason=cleaned_reason)
        for application in applications
    ]


def enter_hired(
    session: Session,
    application: Application,
    *,
    actor: User,
    note: str | None = None,
    also_changed: Sequence[str] = (),
) -> ApplicationEvent:
    """The move to hired, for app.domain.hiring.hire only, which checks the application and
    creates the apprentice first. `also_changed` names the other fields hiring set, for the
    audit event."""
    if Stage(application.stage) is not Stage.OFFERED:
        raise DomainError("Only an applicant who has been offered the job can be hired")
    cleaned_note = _clean(note, NOTE_MAX_LENGTH, "Note", "note", lines=True)
    return _apply(
        session,
        application,
        Stage.HIRED,
        actor=actor,
        note=cleaned_note,
        reason=None,
        also_changed=also_changed,
    )


def stage_counts(session: Session, vacancy_id: int) -> dict[Stage, int]:
    """How many of the vacancy's applications are at each stage (every stage, zeros included),
    in one grouped query."""
    counts = dict.fromkeys(Stage, 0)
    rows = session.execute(
        select(Application.stage, func.count())
        .where(Application.vacancy_id == vacancy_id)
        .group_by(Application.stage)
    )
    for stage, count in rows:
        counts[Stage(stage)] = count
    return counts
