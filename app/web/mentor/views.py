from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Row, func, select
from sqlalchemy.orm import contains_eager, joinedload

from app.access import current_placement_condition
from app.clock import today
from app.domain import audit, logbook, mentoring, placements
from app.domain.errors import DomainError, NotFound
from app.extensions import db
from app.models import Apprentice, AuditAction, MentorAssignment, MentorProfile, Placement, User
from app.models.mentoring import DEFAULT_CAPACITY
from app.web.forms_common import render_form, show_domain_error
from app.web.mentor import bp
from app.web.mentor.forms import MeetingForm
from app.web.pagination import Page, page_number


@bp.get("/")
def home() -> str:
    """The mentor's current mentees with status and current placement, their capacity, and the
    entries waiting for their approval, in a fixed number of queries."""
    profile = db.session.get(MentorProfile, current_user.id)
    mentees = db.session.scalars(
        select(Apprentice)
        .join(MentorAssignment, MentorAssignment.apprentice_id == Apprentice.id)
        .join(Apprentice.user)
        .where(
            MentorAssignment.mentor_user_id == current_user.id,
            MentorAssignment.end_date.is_(None),
        )
        .options(contains_eager(Apprentice.user), joinedload(Apprentice.employing_borough))
        .order_by(User.name, Apprentice.id)
    ).all()
    placements: dict[int, Placement] = {}
    if mentees:
        for placement in db.session.scalars(
            select(Placement)
            .where(
                Placement.apprentice_id.in_([mentee.id for mentee in mentees]),
                current_placement_condition(today()),
            )
            .options(joinedload(Placement.host_borough))
            .order_by(Placement.start_date)
        ):
            placements[placement.apprentice_id] = placement  # the latest start wins
    return render_template(
        "mentor/home.html",
        mentees=mentees,
        placements=placements,
        capacity=profile.capacity if profile else DEFAULT_CAPACITY,
        current_count=profile.current_mentees if profile else len(mentees),
        queue=_waiting_entries(),
        hours_text=logbook.hours_text,
        activity_label=logbook.activity_label,
    )


def _waiting_entries() -> Page[Row]:
    """Entries waiting for the mentor's approval across their mentees, oldest first, one page
    of (entry, apprentice) rows: a count and one query (and one for the KSBs), however many."""
    statement = logbook.mentor_queue(current_user)
    number, size = page_number(), current_app.config["PAGE_SIZE"]
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.execute(statement.limit(size).offset((number - 1) * size)).all()
    return Page(items=rows, number=number, size=size, total=total or 0)


# A mentee's page and their meetings: only for the apprentice's current mentor (anyone else,
# a past mentor included, finds nothing).


def _current_mentee(apprentice_id: int) -> Apprentice:
    try:
        return mentoring.current_mentee(db.session, current_user, apprentice_id)
    except NotFound:
        abort(404)


@bp.get("/mentees/<int:apprentice_id>")
def mentee(apprentice_id: int) -> str:
    """A current mentee's programme, read-only, with the meetings recorded."""
    apprentice = _current_mentee(apprentice_id)
    audit.record(
        db.session,
        AuditAction.VIEWED_RECORD,
        actor=current_user,
        target=audit.target_of(apprentice),
    )
    db.session.commit()
    return render_template(
        "mentor/mentee.html",
        apprentice=apprentice,
        placement=placements.current_placement(db.session, apprentice.id),
        meetings=mentoring.meetings_for(db.session, apprentice.id),
    )


@bp.route("/mentees/<int:apprentice_id>/meetings/new", methods=["GET", "POST"])
def meeting_new(apprentice_id: int) -> ResponseReturnValue:
    apprentice = _current_mentee(apprentice_id)
    form = MeetingForm()
    if request.method == "GET":
        form.met_on.data = today()
    if form.validate_on_submit():
        try:
            mentoring.record_meeting(
                db.session,
                apprentice,
                current_user,
                form.met_on.data,
                form.duration_minutes.data,
                form.notes.data,
                actor=current_user,
            )
        except NotFound:
            abort(404)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Meeting recorded")
            return redirect(url_for("mentor.mentee", apprentice_id=apprentice_id))
    return render_form("mentor/meeting_form.html", form, apprentice=apprentice)
