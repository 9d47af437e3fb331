"""Mentor progression pages: the queue of log entries and milestones to decide, and reviews
of their mentees."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.domain import logbook, mentoring
from app.domain.errors import NotFound
from app.extensions import db
from app.models import (
    Apprentice,
    LogEntry,
    Milestone,
)
from app.web.coordinator.review_forms import ReviewForm, prepare_review_form, save_review
from app.web.forms_common import render_form
from app.web.log_decision import decide_entry
from app.web.mentor import bp
from app.web.milestone_decision import decide_milestone


def _mentee_milestone(milestone_id: int) -> tuple[Milestone, Apprentice]:
    """A milestone of one of the mentor's current mentees; anyone else's is not found."""
    milestone = db.session.scalars(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .options(joinedload(Milestone.decided_by))
    ).one_or_none()
    if milestone is None:
        abort(404)
    try:
        apprentice = mentoring.current_mentee(db.session, current_user, milestone.apprentice_id)
    except NotFound:
        abort(404)
    return milestone, apprentice


@bp.route("/milestones/<int:milestone_id>/decide", methods=["GET", "POST"])
def milestone_decide(milestone_id: int) -> ResponseReturnValue:
    """A current mentee's milestone: their current mentor signs off or returns a mentor
    milestone; a coordinator milestone is shown with who decides it (403, audited). Anyone
    else's, a past mentee's included, is not found."""
    return decide_milestone(
        milestone_id,
        load=_mentee_milestone,
        back=lambda apprentice: (
            f"Back to {apprentice.user.name}",
            url_for("mentor.mentee", apprentice_id=apprentice.id),
        ),
    )


def _mentee_entry(entry_id: int) -> tuple[LogEntry, Apprentice]:
    """A log entry of one of the mentor's current mentees, with its KSBs; anyone else's (a past
    mentee's included) is not found."""
    try:
        entry = logbook.get_entry(db.session, entry_id)
        apprentice = mentoring.current_mentee(db.session, current_user, entry.apprentice_id)
    except NotFound:
        abort(404)
    return entry, apprentice


@bp.route("/log-entries/<int:entry_id>/decide", methods=["GET", "POST"])
def entry_decide(entry_id: int) -> ResponseReturnValue:
    """A current mentee's log entry, with its KSBs: their current mentor approves it or returns
    it with a comment. Their own entries (should they mentor themselves) are refused (403)."""
    return decide_entry(
        entry_id,
        load=_mentee_entry,
        template="mentor/log/decide.html",
        done_url=lambda _apprentice: url_for("mentor.home"),
    )


@bp.route("/mentees/<int:apprentice_id>/reviews/new", methods=["GET", "POST"])
def review_new(apprentice_id: int) -> ResponseReturnValue:
    """The apprentice's current mentor records a progress review; anyone else finds nothing."""
    try:
        apprentice = mentoring.current_mentee(db.session, current_user, apprentice_id)
    except NotFound:
        abort(404)
    form = ReviewForm()
    prepare_review_form(form)
    if save_review(form, apprentice):
        flash("Progress review recorded")
        return redirect(url_for("mentor.mentee", apprentice_id=apprentice_id))
    if request.method == "POST":  # a refusal rolled back, which expired the apprentice
        try:
            apprentice = mentoring.current_mentee(db.session, current_user, apprentice_id)
        except NotFound:
            abort(404)
    return render_form("mentor/reviews/form.html", form, apprentice=apprentice)
