"""Milestones: the templates an admin keeps, the milestones generated from them for each
apprentice, evidence the apprentice submits, and the sign-off by the right person.

A milestone is signed off (or returned with a comment) by its signer only: a mentor milestone by
the apprentice's current mentor, a coordinator milestone by a coordinator who may change the
apprentice (the employing borough's, a programme-wide one, or an admin). Overdue is derived from
the due date and today, never stored. Every change refreshes the apprentice's stored progress
summary in the caller's transaction and is audited; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, joinedload

from app.access import may_change_apprentice
from app.clock import utcnow
from app.domain import audit, progress
from app.domain.apprenticeship_rules import age_on
from app.domain.errors import DomainError, NotFound, StaleEdit, flush_versioned
from app.domain.mentoring import current_assignment
from app.models import (
    Apprentice,
    AuditAction,
    Borough,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    MilestoneTemplate,
    Role,
    Signer,
    Standard,
    User,
)

MAX_OFFSET_WEEKS: Final = 260  # five years after the start
NAME_MAX_LENGTH: Final = 200
EVIDENCE_MAX_LENGTH: Final = 5000
COMMENT_MAX_LENGTH: Final = 2000
MAX_LINKS: Final = 10
LINK_MAX_LENGTH: Final = 500

# English and maths (functional skills) milestones are generated only where they are required,
# by the rule in force on the apprentice's start date (../shared/reference/domain-rules.md,
# "English and maths", after FE Week's "English and maths apprenticeship reforms" [R6]):
# (first start date the row applies to, the oldest age on the start date for which they are
# required). From 11 February 2025 they are mandatory only for apprentices aged 16 to 18 at the
# start; for older apprentices they are optional, agreed in the training plan. For starts before
# that date this service also treats them as required for the under-19s only. The last row whose
# date is on or before the start wins.
ENGLISH_AND_MATHS_REQUIRED_UP_TO_AGE: Final[tuple[tuple[date, int], ...]] = (
    (date.min, 18),
    (date(2025, 2, 11), 18),
)
FUNCTIONAL_SKILLS_KINDS: Final = frozenset(
    {MilestoneKind.FUNCTIONAL_SKILLS_ENGLISH.value, MilestoneKind.FUNCTIONAL_SKILLS_MATHS.value}
)

KIND_LABELS: Final = {
    MilestoneKind.INDUCTION.value: "Induction",
    MilestoneKind.FUNCTIONAL_SKILLS_ENGLISH.value: "Functional skills: English",
    MilestoneKind.FUNCTIONAL_SKILLS_MATHS.value: "Functional skills: maths",
    MilestoneKind.PORTFOLIO.value: "Portfolio checkpoint",
    MilestoneKind.GATEWAY.value: "Gateway",
    MilestoneKind.END_POINT_ASSESSMENT.value: "End-point assessment",
    MilestoneKind.CUSTOM.value: "Other",
}
SIGNER_LABELS: Final = {
    Signer.MENTOR.value: "Their mentor",
    Signer.COORDINATOR.value: "A coordinator",
}
STATUS_LABELS: Final = {
    MilestoneStatus.NOT_STARTED.value: "Not started",
    MilestoneStatus.SUBMITTED.value: "Waiting for sign-off",
    MilestoneStatus.SIGNED_OFF.value: "Signed off",
    MilestoneStatus.RETURNED.value: "Returned",
}
# What the apprentice may submit evidence from.
OPEN_FOR_EVIDENCE: Final = frozenset(
    {MilestoneStatus.NOT_STARTED.value, MilestoneStatus.RETURNED.value}
)


class NotSigner(DomainError):
    """The actor is not the person who signs off this milestone."""


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _check_version(milestone: Milestone, expected_version: int | None) -> None:
    if expected_version is not None and milestone.row_version != expected_version:
        raise StaleEdit()


def is_overdue(milestone: Milestone, today: date) -> bool:
    """Past its due date and not signed off (as the stored summary counts it)."""
    return milestone.status != MilestoneStatus.SIGNED_OFF.value and milestone.due_date < today


# The English and maths rule


def english_and_maths_required(date_of_birth: date, start_date: date) -> bool:
    """Whether functional skills English and maths are required for this apprentice, by the
    rule in force on their start date."""
    oldest = ENGLISH_AND_MATHS_REQUIRED_UP_TO_AGE[0][1]
    for applies_from, rule_oldest in ENGLISH_AND_MATHS_REQUIRED_UP_TO_AGE:
        if start_date >= applies_from:
            oldest = rule_oldest
    return age_on(date_of_birth, start_date) <= oldest


# Templates (admin)


@dataclass(frozen=True)
class TemplateDetails:
    standard_id: int | None  # None: every standard
    name: str
    kind: str
    due_offset_weeks: int
    signer: str
    required_for_gateway: bool


@dataclass(frozen=True)
class TemplateGroup:
    standard: Standard | None  # None: every standard
    templates: list[MilestoneTemplate]

    @property
    def heading(self) -> str:
        return "All standards" if self.standard is None else self.standard.display_name


def _template_values(
    session: Session, details: TemplateDetails, own_id: int | None
) -> dict[str, object]:
    name = " ".join(details.name.split())
    if not name:
        raise DomainError("Enter a name", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(f"Name must be {NAME_MAX_LENGTH} characters or fewer", field="name")
    if details.kind not in KIND_LABELS:
        raise DomainError("Select the kind of milestone", field="kind")
    if details.signer not in SIGNER_LABELS:
        raise DomainError("Select who signs it off", field="signer")
    if not 0 <= details.due_offset_weeks <= MAX_OFFSET_WEEKS:
        raise DomainError(
            f"Weeks after the start must be between 0 and {MAX_OFFSET_WEEKS}",
            field="due_offset_weeks",
        )
    if details.standard_id is not None and session.get(Standard, details.standard_id) is None:
        raise DomainError("Select a standard, or all standards", field="standard_id")
    clash = session.scalar(
        select(MilestoneTemplate.id).where(
            MilestoneTemplate.name == name,
            MilestoneTemplate.standard_id.is_(None)
            if details.standard_id is None
            else MilestoneTemplate.standard_id == details.standard_id,
            MilestoneTemplate.id != (own_id or 0),
        )
    )
    if clash is not None:
        where = "all standards" if details.standard_id is None else "this standard"
        raise DomainError(f"There is already a template called {name} for {where}", field="name")
    return {
        "standard_id": details.standard_id,
        "name": name,
        "kind": details.kind,
        "due_offset_weeks": details.due_offset_weeks,
        "signer": details.signer,
        "required_for_gateway": details.required_for_gateway,
    }


def create_template(
    session: Session, details: TemplateDetails, *, actor: User | None
) -> MilestoneTemplate:
    """A new template. Apprentices created from now on get it; existing apprentices get it when
    their milestones are regenerated."""
    template = MilestoneTemplate(**_template_values(session, details, None))
    session.add(template)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(template))
    return template


def update_template(
    session: Session, template: MilestoneTemplate, details: TemplateDetails, *, actor: User
) -> list[str]:
    """Change a template; the names of the fields that changed. Existing milestones change only
    when they are regenerated."""
    values = _template_values(session, details, template.id)
    changed = [name for name, value in values.items() if getattr(template, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(template, name, values[name])
    session.flush()
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(template),
        fields=changed,
    )
    return changed


def outstanding_from_template(session: Session, template_id: int) -> int:
    """How many milestones made from this template are not yet signed off."""
    return len(_outstanding_ids(session, template_id))


def _outstanding_ids(session: Session, template_id: int) -> list[tuple[int, int]]:
    return [
        (row.id, row.apprentice_id)
        for row in session.execute(
            select(Milestone.id, Milestone.apprentice_id).where(
                Milestone.template_id == template_id,
                Milestone.status != MilestoneStatus.SIGNED_OFF.value,
            )
        )
    ]


def delete_template(session: Session, template: MilestoneTemplate, *, actor: User) -> int:
    """Delete a template and the milestones made from it that are not signed off yet; signed-off
    ones stay (as if added by hand). The number of milestones removed."""
    outstanding = _outstanding_ids(session, template.id)
    if outstanding:
        session.execute(
            delete(Milestone)
            .where(Milestone.id.in_([milestone_id for milestone_id, _ in outstanding]))
            .execution_options(synchronize_session=False)
        )
        for milestone_id, _ in outstanding:
            audit.record(
                session,
                AuditAction.DELETED,
                actor=actor,
                target=audit.Target(type=Milestone.__tablename__, id=milestone_id),
            )
    target = audit.target_of(template)
    session.delete(template)
    session.flush()
    audit.record(session, AuditAction.DELETED, actor=actor, target=target)
    if outstanding:
        progress.refresh_summaries(session, {apprentice_id for _, apprentice_id in outstanding})
    return len(outstanding)


def get_template(session: Session, template_id: int) -> MilestoneTemplate:
    template = session.scalars(
        select(MilestoneTemplate)
        .where(MilestoneTemplate.id == template_id)
        .options(joinedload(MilestoneTemplate.standard))
    ).one_or_none()
    if template is None:
        raise NotFound("Milestone template not found")
    return template


def templates_by_standard(session: Session) -> list[TemplateGroup]:
    """Every template, grouped: all standards first, then each standard by reference; within a
    group by due offset, then name. In one query."""
    templates = session.scalars(
        select(MilestoneTemplate)
        .outerjoin(MilestoneTemplate.standard)
        .options(joinedload(MilestoneTemplate.standard))
        .order_by(
            MilestoneTemplate.standard_id.is_not(None),
            Standard.reference,
            Standard.version,
            MilestoneTemplate.due_offset_weeks,
            MilestoneTemplate.name,
        )
    ).all()
    groups: list[TemplateGroup] = []
    for template in templates:
        if not groups or groups[-1].standard is not template.standard:
            groups.append(TemplateGroup(template.standard, []))
        groups[-1].templates.append(template)
    return groups


# Generation from the templates


def applicable_templates(session: Session, apprentice: Apprentice) -> list[MilestoneTemplate]:
    """The templates for the apprentice's standard and for all standards, without English and
    maths where they are not required."""
    templates = session.scalars(
        select(MilestoneTemplate)
        .where(
            or_(
                MilestoneTemplate.standard_id.is_(None),
                MilestoneTemplate.standard_id == apprentice.standard_id,
            )
        )
        .order_by(MilestoneTemplate.due_offset_weeks, MilestoneTemplate.id)
    ).all()
    if english_and_maths_required(apprentice.date_of_birth, apprentice.start_date):
        return list(templates)
    return [template for template in templates if template.kind not in FUNCTIONAL_SKILLS_KINDS]


def due_date_for(template: MilestoneTemplate, start_date: date) -> date:
    return start_date + timedelta(weeks=template.due_offset_weeks)


def _from_template(template: MilestoneTemplate, apprentice: Apprentice) -> dict[str, object]:
    """A milestone's values as the template gives them for this apprentice."""
    return {
        "title": template.name,
        "kind": template.kind,
        "signer": template.signer,
        "required_for_gateway": template.required_for_gateway,
        "due_date": due_date_for(template, apprentice.start_date),
    }


def generate_milestones(
    session: Session,
    apprentice: Apprentice,
    *,
    actor: User | None = None,
    refresh: bool = True,
) -> list[Milestone]:
    """Create the apprentice's milestones from the templates, due their start date plus each
    template's offset. `refresh=False` leaves the summary to the caller (a caller that refreshes
    it straight afterwards)."""
    created = [
        Milestone(
            apprentice_id=apprentice.id,
            template_id=template.id,
            status=MilestoneStatus.NOT_STARTED.value,
            evidence_links=[],
            **_from_template(template, apprentice),
        )
        for template in applicable_templates(session, apprentice)
    ]
    if created:
        session.add_all(created)
        session.flush()
        for milestone in created:
            audit.record(
                session, AuditAction.CREATED, actor=actor, target=audit.target_of(milestone)
            )
    if refresh:
        progress.refresh_summary(session, apprentice.id)
    return created


@dataclass
class RegenerationPlan:
    """What regenerating an apprentice's milestones would do."""

    # (template, the due date its milestone will have)
    add: list[tuple[MilestoneTemplate, date]] = field(default_factory=list)
    # (milestone, the new values that differ)
    change: list[tuple[Milestone, dict[str, object]]] = field(default_factory=list)
    remove: list[Milestone] = field(default_factory=list)
    kept_signed_off: list[Milestone] = field(default_factory=list)
    kept_by_hand: list[Milestone] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.add or self.change or self.remove)


def milestones_of(session: Session, apprentice_id: int) -> list[Milestone]:
    """The apprentice's milestones, by due date."""
    return list(
        session.scalars(
            select(Milestone)
            .where(Milestone.apprentice_id == apprentice_id)
            .order_by(Milestone.due_date, Milestone.id)
        )
    )


def plan_regeneration(session: Session, apprentice: Apprentice) -> RegenerationPlan:
    """Compare the apprentice's milestones with what the templates give now: signed-off ones and
    those added by hand stay as they are; the rest take the templates' current due dates (from
    the current start date) and names; a template that no longer applies (deleted, another
    standard's, English and maths no longer required) loses its milestone unless signed off."""
    plan = RegenerationPlan()
    templates = {template.id: template for template in applicable_templates(session, apprentice)}
    seen: set[int] = set()
    for milestone in milestones_of(session, apprentice.id):
        if milestone.template_id is None:
            plan.kept_by_hand.append(milestone)
            continue
        seen.add(milestone.template_id)
        if milestone.status == MilestoneStatus.SIGNED_OFF.value:
            plan.kept_signed_off.append(milestone)
            continue
        template = templates.get(milestone.template_id)
        if template is None:
            plan.remove.append(milestone)
            continue
        wanted = _from_template(template, apprentice)
        differs = {
            name: value for name, value in wanted.items() if getattr(milestone, name) != value
        }
        if differs:
            plan.change.append((milestone, differs))
    plan.add = [
        (template, due_date_for(template, apprentice.start_date))
        for template_id, template in templates.items()
        if template_id not in seen
    ]
    return plan


def _check_may_change(actor: User, apprentice: Apprentice) -> None:
    if not may_change_apprentice(actor, apprentice):
        raise DomainError("Only the employing borough’s coordinators can change these milestones")


def regenerate_milestones(
    session: Session, apprentice: Apprentice, actor: User
) -> RegenerationPlan:
    """Bring the apprentice's milestones in line with the templates and their start date (see
    plan_regeneration); what was done."""
    _check_may_change(actor, apprentice)
    plan = plan_regeneration(session, apprentice)
    for milestone, values in plan.change:
        for name, value in values.items():
            setattr(milestone, name, value)
    if plan.change:
        flush_versioned(session)
    for milestone, values in plan.change:
        audit.record(
            session,
            AuditAction.UPDATED,
            actor=actor,
            target=audit.target_of(milestone),
            fields=list(values),
        )
    for milestone in plan.remove:
        target = audit.target_of(milestone)
        session.delete(milestone)
        audit.record(session, AuditAction.DELETED, actor=actor, target=target)
    added = [
        Milestone(
            apprentice_id=apprentice.id,
            template_id=template.id,
            status=MilestoneStatus.NOT_STARTED.value,
            evidence_links=[],
            **_from_template(template, apprentice),
        )
        for template, _due in plan.add
    ]
    session.add_all(added)
    flush_versioned(session)
    for milestone in added:
        audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(milestone))
    progress.refresh_summary(session, apprentice.id)
    return plan


# Adding one by hand


@dataclass(frozen=True)
class MilestoneDetails:
    title: str
    kind: str
    due_date: date
    signer: str
    required_for_gateway: bool


def add_milestone(
    session: Session, apprentice: Apprentice, details: MilestoneDetails, *, actor: User
) -> Milestone:
    """A milestone added by hand (no template), by a coordinator who may change the
    apprentice. Regeneration keeps it."""
    _check_may_change(actor, apprentice)
    title = " ".join(details.title.split())
    if not title:
        raise DomainError("Enter a title", field="title")
    if len(title) > NAME_MAX_LENGTH:
        raise DomainError(f"Title must be {NAME_MAX_LENGTH} characters or fewer", field="title")
    if details.kind not in KIND_LABELS:
        raise DomainError("Select the kind of milestone", field="kind")
    if details.signer not in SIGNER_LABELS:
        raise DomainError("Select who signs it off", field="signer")
    if details.due_date < apprentice.start_date:
        raise DomainError(
            "The due date must be on or after the start of the apprenticeship, "
            f"{_long_date(apprentice.start_date)}",
            field="due_date",
        )
    if details.due_date > apprentice.planned_end_date:
        raise DomainError(
            "The due date must be on or before the planned end of the apprenticeship, "
            f"{_long_date(apprentice.planned_end_date)}",
            field="due_date",
        )
    milestone = Milestone(
        apprentice_id=apprentice.id,
        template_id=None,
        title=title,
        kind=details.kind,
        signer=details.signer,
        required_for_gateway=details.required_for_gateway,
        due_date=details.due_date,
        status=MilestoneStatus.NOT_STARTED.value,
        evidence_links=[],
    )
    session.add(milestone)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(milestone))
    progress.refresh_summary(session, apprentice.id)
    return milestone


# Evidence (the apprentice)


def clean_links(raw: Iterable[str]) -> list[str]:
    """The evidence links, blank lines dropped; each must be an http(s) web address."""
    links = [value.strip() for value in raw if value and value.strip()]
    if len(links) > MAX_LINKS:
        raise DomainError(f"Enter {MAX_LINKS} links or fewer", field="links")
    for number, link in enumerate(links, start=1):
        name = "The link" if len(links) == 1 else f"Link {number}"
        if len(link) > LINK_MAX_LENGTH:
            raise DomainError(
                f"{name} must be {LINK_MAX_LENGTH} characters or fewer", field="links"
            )
        parts = urlsplit(link)
        if (
            parts.scheme.lower() not in ("http", "https")
            or not parts.hostname
            or any(character.isspace() or not character.isprintable() for character in link)
        ):
            raise DomainError(
                f"{name} must be a web address starting with https:// or http://, "
                "like https://example.org/my-work",
                field="links",
            )
    return links


def submit_evidence(
    session: Session,
    milestone: Milestone,
    apprentice_user: User,
    text: str,
    links: Sequence[str],
    *,
    expected_version: int | None = None,
) -> Milestone:
    """The apprentice submits evidence for one of their own milestones that is not started or
    was returned; it then waits for sign-off."""
    apprentice = session.get(Apprentice, milestone.apprentice_id)
    if apprentice is None or apprentice.user_id != apprentice_user.id:
        raise NotFound("Milestone not found")
    _check_version(milestone, expected_version)
    if milestone.status not in OPEN_FOR_EVIDENCE:
        state = STATUS_LABELS[milestone.status].lower()
        raise DomainError(
            f"You cannot submit evidence for this milestone: it is {state}", field="evidence_text"
        )
    body = text.strip()
    if not body:
        raise DomainError("Describe your evidence", field="evidence_text")
    if len(body) > EVIDENCE_MAX_LENGTH:
        raise DomainError(
            f"Your evidence must be {EVIDENCE_MAX_LENGTH} characters or fewer",
            field="evidence_text",
        )
    cleaned = clean_links(links)
    milestone.evidence_text = body
    milestone.evidence_links = cleaned
    milestone.status = MilestoneStatus.SUBMITTED.value
    milestone.submitted_at = utcnow()
    flush_versioned(session)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=apprentice_user,
        target=audit.target_of(milestone),
        fields=["evidence_text", "evidence_links", "status", "submitted_at"],
    )
    progress.refresh_summary(session, apprentice.id)
    return milestone


# Sign-off (the right signer only)


def signer_refusal(session: Session, milestone: Milestone, actor: User) -> str | None:
    """Why the actor may not sign off or return this milestone, or None if they may."""
    apprentice = session.get(Apprentice, milestone.apprentice_id)
    if apprentice is None:
        return "This milestone no longer exists"
    if apprentice.user_id == actor.id:
        return "You cannot sign off or return your own milestone"
    owner = session.get(User, apprentice.user_id)
    name = owner.name if owner is not None else "the apprentice"
    if milestone.signer == Signer.MENTOR.value:
        assignment = current_assignment(session, apprentice.id)
        if assignment is not None and assignment.mentor_user_id == actor.id:
            return None
        message = f"Only {name}’s current mentor can sign off or return this milestone"
        if assignment is None:
            message += f". {name} does not have a mentor at the moment"
        return message
    if Role.COORDINATOR in actor.roles or Role.ADMIN in actor.roles:
        if may_change_apprentice(actor, apprentice):
            return None
    borough = session.get(Borough, apprentice.employing_borough_id)
    where = borough.name if borough is not None else "the employing borough"
    return (
        f"Only a coordinator of {where}, the employing borough, can sign off or return this "
        "milestone"
    )


def _check_signer(session: Session, milestone: Milestone, actor: User) -> None:
    refusal = signer_refusal(session, milestone, actor)
    if refusal is not None:
        raise NotSigner(refusal)


def _check_submitted(milestone: Milestone) -> None:
    if milestone.status != MilestoneStatus.SUBMITTED.value:
        state = STATUS_LABELS[milestone.status].lower()
        raise DomainError(
            f"There is nothing to decide: this milestone is {state}", field="decision"
        )


def _decide(
    session: Session,
    milestone: Milestone,
    actor: User,
    status: MilestoneStatus,
    comment: str | None,
) -> Milestone:
    milestone.status = status.value
    milestone.decided_at = utcnow()
    milestone.decided_by_id = actor.id
    milestone.comment = comment
    flush_versioned(session)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(milestone),
        fields=["status", "decided_at", "decided_by_id", "comment"],
    )
    progress.refresh_summary(session, milestone.apprentice_id)
    return milestone


def _clean_comment(comment: str | None) -> str | None:
    value = (comment or "").strip()
    if len(value) > COMMENT_MAX_LENGTH:
        raise DomainError(
            f"Comment must be {COMMENT_MAX_LENGTH} characters or fewer", field="comment"
        )
    return value or None


def sign_off(
    session: Session,
    milestone: Milestone,
    actor: User,
    *,
    comment: str | None = None,
    expected_version: int | None = None,
) -> Milestone:
    """Sign off submitted evidence (a comment is optional)."""
    _check_signer(session, milestone, actor)
    _check_version(milestone, expected_version)
    _check_submitted(milestone)
    cleaned = _clean_comment(comment)
    return _decide(session, milestone, actor, MilestoneStatus.SIGNED_OFF, cleaned)


def return_milestone(
    session: Session,
    milestone: Milestone,
    actor: User,
    comment: str,
    *,
    expected_version: int | None = None,
) -> Milestone:
    """Return submitted evidence to the apprentice, saying what needs to change."""
    _check_signer(session, milestone, actor)
    _check_version(milestone, expected_version)
    _check_submitted(milestone)
    cleaned = _clean_comment(comment)
    if cleaned is None:
        raise DomainError("Enter a comment saying what needs to change", field="comment")
    return _decide(session, milestone, actor, MilestoneStatus.RETURNED, cleaned)
