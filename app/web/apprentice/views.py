from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import current_placement_condition
from app.clock import today
from app.extensions import db
from app.models import (
    Apprentice,
    ApprenticeStatusEvent,
    MentorAssignment,
    Placement,
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
    """Their cohort, standard, dates, status, current placement, mentor and status history,
    in a fixed number of queries."""
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
    )
