from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import current_placement_condition
from app.clock import today
from app.domain import gateway, logbook
from app.extensions import db
from app.models import (
    Apprentice,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    MentorAssignment,
    Milestone,
    MilestoneStatus,
    Placement,
    ProgressSummary,
)
from app.web.apprentice import bp


def _own_record() -> Apprentice | None:
    """The signed-in apprentice's own record (there is no id to ask for anyone else's)."""
    return db.session.scalars(
        select(Apprentice)
        .where(Apprentice.user_id == current_user.id)
        .options(
            joinedload(Apprentice.cohort),
            joinedload(Apprentice.standard),
            joinedload(Apprentice.training_provider),
            joinedload(Apprentice.employing_borough),
        )
    ).one_or_none()


@bp.get("/")
def home() -> str:
    """Their hours against target, what is due next, KSB coverage and latest log entries; their
    cohort, standard, dates, status, current placement, mentor and status history; in a fixed
    number of queries."""
    record = _own_record()
    if record is None:
        return render_template("apprentice/home.html", apprentice=None)
    placement = db.session.scalars(
        select(Placement)
        .where(Placement.apprentice_id == record.id, current_placement_condition(today()))
        .options(joinedload(Placement.host_borough))
        .order_by(Placement.start_date.desc())
        .limit(1)
    ).first()
    mentoring = db.session.scalars(
        select(MentorAssignment)
        .where(MentorAssignment.apprentice_id == record.id, MentorAssignment.end_date.is_(None))
        .options(joinedload(MentorAssignment.mentor))
    ).one_or_none()
    history = db.session.scalars(
        select(ApprenticeStatusEvent)
        .where(ApprenticeStatusEvent.apprentice_id == record.id)
        .order_by(ApprenticeStatusEvent.effective_on.desc(), ApprenticeStatusEvent.id.desc())
    ).all()
    return render_template(
        "apprentice/home.html",
        apprentice=record,
        placement=placement,
        mentor=mentoring.mentor if mentoring else None,
        history=history,
        **_progress(record),
        **_gateway(record),
    )


def _gateway(record: Apprentice) -> dict[str, object]:
    """The gateway checklist while the apprenticeship is live, or its confirmation once given."""
    if record.status not in (ApprenticeStatus.ACTIVE.value, ApprenticeStatus.ON_BREAK.value):
        return {"gateway_items": None, "gateway_confirmation": None}
    return {
        "gateway_items": gateway.checklist(db.session, record, today()),
        "gateway_confirmation": gateway.confirmation_of(db.session, record.id),
    }


def _progress(record: Apprentice) -> dict[str, object]:
    """Hours against target and what is due next, from the stored progress summary; KSB
    coverage (one grouped query) and the latest log entries."""
    summary = db.session.get(ProgressSummary, record.id)
    next_milestone = None
    if summary is not None and summary.next_milestone_due is not None:
        next_milestone = db.session.scalars(
            select(Milestone)
            .where(
                Milestone.apprentice_id == record.id,
                Milestone.due_date == summary.next_milestone_due,
                Milestone.status != MilestoneStatus.SIGNED_OFF.value,
            )
            .order_by(Milestone.id)
            .limit(1)
        ).first()
    return {
        "summary": summary,
        "next_milestone": next_milestone,
        "coverage": logbook.ksb_coverage(db.session, record),
        "latest_entries": logbook.latest_entries(db.session, record.id),
        "today": today(),
        "hours_text": logbook.hours_text,
        "activity_label": logbook.activity_label,
        "status_label": logbook.status_label,
    }
