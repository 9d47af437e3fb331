"""The demo's default milestone templates, for every standard: induction, English and maths
(generated only for apprentices who need them), portfolio checkpoints, the gateway and the
end-point assessment. Run before apprentices are created, so each gets their milestones."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import milestones
from app.domain.mentoring import current_assignment
from app.models import Apprentice, MilestoneKind, MilestoneTemplate, Signer, User

# name, kind, weeks after the start, who signs it off, required for the gateway
DEFAULT_TEMPLATES: tuple[tuple[str, MilestoneKind, int, Signer, bool], ...] = (
    ("Induction", MilestoneKind.INDUCTION, 2, Signer.COORDINATOR, True),
    (
        "Functional skills English",
        MilestoneKind.FUNCTIONAL_SKILLS_ENGLISH,
        26,
        Signer.COORDINATOR,
        True,
    ),
    (
        "Functional skills maths",
        MilestoneKind.FUNCTIONAL_SKILLS_MATHS,
        26,
        Signer.COORDINATOR,
        True,
    ),
    ("Portfolio checkpoint 1", MilestoneKind.PORTFOLIO, 13, Signer.MENTOR, True),
    ("Portfolio checkpoint 2", MilestoneKind.PORTFOLIO, 26, Signer.MENTOR, True),
    ("Portfolio checkpoint 3", MilestoneKind.PORTFOLIO, 52, Signer.MENTOR, True),
    ("Portfolio checkpoint 4", MilestoneKind.PORTFOLIO, 78, Signer.MENTOR, True),
    ("Gateway", MilestoneKind.GATEWAY, 86, Signer.COORDINATOR, True),
    ("End-point assessment", MilestoneKind.END_POINT_ASSESSMENT, 100, Signer.COORDINATOR, False),
)


def seed_milestone_templates(session: Session) -> list[MilestoneTemplate]:
    """Create the default templates for all standards; those that already exist (by name) are
    left alone, so running it twice adds nothing."""
    existing = set(
        session.scalars(
            select(MilestoneTemplate.name).where(MilestoneTemplate.standard_id.is_(None))
        )
    )
    created = []
    for name, kind, weeks, signer, for_gateway in DEFAULT_TEMPLATES:
        if name in existing:
            continue
        created.append(
            milestones.create_template(
                session,
                milestones.TemplateDetails(
                    standard_id=None,
                    name=name,
                    kind=kind.value,
                    due_offset_weeks=weeks,
                    signer=signer.value,
                    required_for_gateway=for_gateway,
                ),
                actor=None,
            )
        )
    return created


def settle_demo_milestones(
    session: Session, apprentice: Apprentice, *, coordinator: User, before: date
) -> int:
    """Demo progress for one apprentice: each milestone due before `before` gets evidence from
    the apprentice and is signed off by its signer (their current mentor, or `coordinator`, who
    must be able to change the apprentice). A mentor milestone without a current mentor stays
    open. Returns how many were signed off."""
    owner = session.get(User, apprentice.user_id)
    assert owner is not None
    assignment = current_assignment(session, apprentice.id)
    mentor = session.get(User, assignment.mentor_user_id) if assignment is not None else None
    signed = 0
    for milestone in milestones.milestones_of(session, apprentice.id):
        if milestone.due_date >= before or milestone.status not in milestones.OPEN_FOR_EVIDENCE:
            continue
        signer = mentor if milestone.signer == Signer.MENTOR.value else coordinator
        if signer is None:
            continue
        milestones.submit_evidence(
            session,
            milestone,
            owner,
            f"{milestone.title}: my notes and the work I did, agreed with my line manager.",
            [f"https://example.org/portfolio/{apprentice.id}/{milestone.id}"],
        )
        if milestones.signer_refusal(session, milestone, signer) is None:
            milestones.sign_off(session, milestone, signer)
            signed += 1
    return signed
