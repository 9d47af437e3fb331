"""Mentors: the list with capacity and current load, changing a mentor's capacity, and assigning
an apprentice's mentor.

Any coordinator reads mentors of every borough (mentors are assigned across boroughs); a
mentor's capacity is changed by their own borough's coordinators. Assigning a mentor is a change
to the apprentice, so it follows the apprentice's scope (404 outside it, 403 when read-only).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.access import borough_scope
from app.clock import today
from app.domain import audit, mentoring
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.extensions import db
from app.models import Apprentice, Borough, MentorProfile, User
from app.web.coordinator import bp
from app.web.coordinator.mentor_forms import (
    EVERY_BOROUGH,
    AssignMentorForm,
    CapacityForm,
    MentorFilterForm,
)
from app.web.coordinator.placements import apprentice_for_change
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.pagination import page_number, paginate
from app.web.scoped import refuse_change
from app.web.user_pages import borough_choices

ASSIGN_TEMPLATE = "coordinator/mentors/assign.html"


def _borough_id(raw: str | None) -> int | None:
    """A borough id from a query string, or None when it names no borough."""
    if not raw or not raw.isdigit():
        return None
    return int(raw) if db.session.get(Borough, int(raw)) is not None else None


# The list


@bp.get("/mentors")
def mentors() -> str:
    form = MentorFilterForm(request.args)
    form.borough.choices = [
        *choices([(EVERY_BOROUGH, "Every borough")]),
        *borough_choices(blank=False),
    ]
    requested = request.args.get("borough", "")
    if requested == EVERY_BOROUGH:
        borough_id = None
    else:
        borough_id = _borough_id(requested) or current_user.borough_id
        form.borough.data = str(borough_id)
    page = paginate(
        db.session,
        mentoring.mentors_query(borough_id, active_only=True),
        page_number(),
        current_app.config["PAGE_SIZE"],
    )
    loads = mentoring.mentor_loads(db.session, [mentor.id for mentor in page.items])
    shown_borough = db.session.get(Borough, borough_id) if borough_id else None
    return render_template(
        "coordinator/mentors/list.html",
        filter_form=form,
        page=page,
        loads=loads,
        borough=shown_borough,
        may_change=_may_change_mentor,
    )


def _may_change_mentor(mentor: User) -> bool:
    scope = borough_scope(current_user)
    return scope is None or mentor.borough_id in scope


# Capacity


@bp.route("/mentors/<int:user_id>/capacity", methods=["GET", "POST"])
def mentor_capacity(user_id: int) -> ResponseReturnValue:
    try:
        mentor = mentoring.get_mentor(db.session, user_id)
    except NotFound:
        abort(404)
    if not _may_change_mentor(mentor):
        refuse_change(audit.Target(type="mentor_profile", id=mentor.id))
    # Read without creating: a GET changes nothing.
    load = mentoring.load_of(db.session.get(MentorProfile, mentor.id))
    form = CapacityForm()
    if request.method == "GET":
        form.capacity.data = load.capacity
    if form.validate_on_submit():
        try:
            profile = mentoring.set_capacity(
                db.session, mentor, form.capacity.data, actor=current_user
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            note = mentoring.capacity_note(mentor, profile)
            db.session.commit()
            flash(note or f"{mentor.name} can now mentor up to {profile.capacity}")
            return redirect(url_for("coordinator.mentors", borough=mentor.borough_id))
    return render_form("coordinator/mentors/capacity.html", form, mentor=mentor, load=load)


# Assigning an apprentice's mentor


def _fill_mentor_choices(form: AssignMentorForm, borough_id: int) -> dict[str, object]:
    """Offer the active mentors of one borough, each with their load; returns what the page
    shows about them."""
    mentors = db.session.scalars(mentoring.mentors_query(borough_id, active_only=True)).all()
    loads = mentoring.mentor_loads(db.session, [mentor.id for mentor in mentors])
    form.mentor.choices = choices((str(mentor.id), mentor.name) for mentor in mentors)
    return {"mentors": mentors, "loads": loads}


def _assign_page(
    form: AssignMentorForm, apprentice: Apprentice, borough_id: int, **extra: object
) -> dict[str, object]:
    filter_form = MentorFilterForm(formdata=None, borough=str(borough_id))
    filter_form.borough.choices = borough_choices(blank=False)
    return {
        "apprentice": apprentice,
        "current": mentoring.current_assignment(db.session, apprentice.id),
        "filter_form": filter_form,
        "borough": db.session.get(Borough, borough_id),
        **_fill_mentor_choices(form, borough_id),
        **extra,
    }


def _chosen_mentor(form: AssignMentorForm) -> User | None:
    try:
        return mentoring.get_mentor(db.session, int(form.mentor.data))
    except (NotFound, ValueError):
        return None


@bp.route("/apprentices/<int:apprentice_id>/mentor", methods=["GET", "POST"])
def mentor_assign(apprentice_id: int) -> ResponseReturnValue:
    apprentice = apprentice_for_change(apprentice_id)
    borough_id = _borough_id(request.args.get("borough")) or apprentice.employing_borough_id
    form = AssignMentorForm()
    context = _assign_page(form, apprentice, borough_id)
    if request.method == "GET":
        current = context["current"]
        form.current_assignment.data = str(current.id) if current else ""
        form.start_date.data = today()
    if not form.validate_on_submit():
        return render_form(ASSIGN_TEMPLATE, form, **context)
    mentor = _chosen_mentor(form)
    if mentor is None:
        form.mentor.errors.append("Select a mentor")
        return render_form(ASSIGN_TEMPLATE, form, **context)
    sent = form.current_assignment.data
    try:
        mentoring.assign_mentor(
            db.session,
            apprentice,
            mentor,
            form.start_date.data,
            actor=current_user,
            expected_current_id=int(sent) if sent else None,
        )
    except StaleEdit as error:
        # Someone else changed the apprentice's mentor: theirs is kept and shown.
        db.session.rollback()
        apprentice = apprentice_for_change(apprentice_id)
        context = _assign_page(form, apprentice, borough_id, stale=error.message)
        current = context["current"]
        form.current_assignment.data = str(current.id) if current else ""
        return render_template(ASSIGN_TEMPLATE, form=form, **context), 409
    except DomainError as error:
        # A refused assignment may have moved a counter before the refusal: undo everything.
        db.session.rollback()
        apprentice = apprentice_for_change(apprentice_id)
        show_domain_error(form, error)
        return render_form(ASSIGN_TEMPLATE, form, **_assign_page(form, apprentice, borough_id))
    message = f"{mentor.name} is now {apprentice.user.name}’s mentor"
    db.session.commit()
    flash(message)
    return redirect(url_for("coordinator.apprentice", apprentice_id=apprentice_id))
