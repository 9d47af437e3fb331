"""Mentor progression pages: the queue of log entries and milestones to decide, and reviews
of their mentees."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.clock import today
from app.domain import audit, logbook, mentoring, milestones
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.domain.milestones import NotSigner
from app.extensions import db
from app.models import (
    Apprentice,
    AuditAction,
    LogEntry,
    Milestone,
    MilestoneStatus,
)
from app.web.coordinator.review_forms import ReviewForm, prepare_review_form, save_review
from app.web.forms_common import render_form, show_domain_error
from app.web.log_decision import decide_entry
from app.web.mentor import bp
from app.web.mentor.milestone_forms import MilestoneDecisionForm


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
    milestone, apprentice = _mentee_milestone(milestone_id)
    form = MilestoneDecisionForm()

    def page(status: int, **extra: object) -> ResponseReturnValue:
        context = {
            "milestone": milestone,
            "apprentice": apprentice,
            "kind_labels": milestones.KIND_LABELS,
            "signer_labels": milestones.SIGNER_LABELS,
            "status_labels": milestones.STATUS_LABELS,
            "today": today(),
        }
        shown = render_template("mentor/milestones/decide.html", form=form, **context, **extra)
        return shown, status

    refusal = milestones.signer_refusal(db.session, milestone, current_user)
    if refusal is not None:
        audit.record_security_event(
            AuditAction.ACCESS_REFUSED, actor=current_user, target=audit.target_of(milestone)
        )
        return page(403, refusal=refusal)
    if request.method == "GET":
        form.row_version.data = str(milestone.row_version)
        shown = page(200)
        # Recorded once the page is ready (a commit would expire what the page shows).
        audit.record(
            db.session,
            AuditAction.VIEWED_RECORD,
            actor=current_user,
            target=audit.target_of(milestone),
        )
        db.session.commit()
        return shown
    if milestone.status != MilestoneStatus.SUBMITTED.value:
        state = milestones.STATUS_LABELS[milestone.status].lower()
        return page(409, stale=f"There is nothing to decide: this milestone is {state}")
    if form.validate_on_submit():
        version = int(form.row_version.data or -1)  # no version never matches: stale
        try:
            if form.decision.data == "sign_off":
                milestones.sign_off(
                    db.session,
                    milestone,
                    current_user,
                    comment=form.comment.data,
                    expected_version=version,
                )
            else:
                milestones.return_milestone(
                    db.session,
                    milestone,
                    current_user,
                    form.comment.data or "",
                    expected_version=version,
                )
        except StaleEdit as error:
            db.session.rollback()
            milestone, apprentice = _mentee_milestone(milestone_id)
            form.row_version.data = str(milestone.row_version)
            return page(409, stale=error.message)
        except NotSigner as error:
            db.session.rollback()
            milestone, apprentice = _mentee_milestone(milestone_id)
            return page(403, refusal=error.message)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            signed_off = milestone.status == MilestoneStatus.SIGNED_OFF.value
            message = (
                f"{milestone.title} signed off"
                if signed_off
                else f"{milestone.title} returned to {apprentice.user.name} with your comment"
            )
            back = url_for("mentor.mentee", apprentice_id=apprentice.id)
            db.session.commit()
            flash(message)
            return redirect(back)
    return page(400 if form.errors else 200)


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
