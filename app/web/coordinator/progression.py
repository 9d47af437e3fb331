"""Coordinator progression pages: who needs attention, an apprentice's progress, milestones,
reviews, and deciding log entries for apprentices with no current mentor."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.access import borough_scope, cohorts_visible_to, may_change_apprentice
from app.clock import today
from app.domain import attention, audit, logbook, mentoring, milestones, reviews
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.extensions import db
from app.models import (
    Apprentice,
    AuditAction,
    Cohort,
    LogEntry,
    Milestone,
)
from app.web import milestone_decision
from app.web.coordinator import bp
from app.web.coordinator.milestone_forms import MilestoneForm, RegenerateForm
from app.web.coordinator.review_forms import (
    AttentionFilterForm,
    ReviewForm,
    prepare_review_form,
    save_review,
)
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.log_decision import decide_entry
from app.web.milestone_decision import decide_milestone
from app.web.pagination import Page, page_number, paginate
from app.web.scoped import apprentice_in_scope, apprentice_to_change
from app.web.user_pages import borough_choices

# Needs attention: who needs help, read from the stored progress summaries


def _member(kind: type[enum.StrEnum], value: str | None) -> Any:
    return kind(value) if value in set(kind) else None


def _chosen(value: str | None) -> int | None:
    return int(value) if (value or "").isascii() and (value or "").isdigit() else None


def _attention_filters(form: AttentionFilterForm) -> attention.Filters:
    return attention.Filters(
        colour=_member(attention.Colour, form.colour.data),
        reason=_member(attention.ReasonKind, form.reason.data),
        borough_id=_chosen(form.borough.data) if form.borough is not None else None,
        cohort_id=_chosen(form.cohort.data),
        sort=_member(attention.Sort, form.sort.data) or attention.Sort.SEVERITY,
    )


@bp.route("/needs-attention", methods=["GET"])
def needs_attention() -> str:
    form = AttentionFilterForm(request.args)
    cohorts = db.session.scalars(cohorts_visible_to(current_user).order_by(Cohort.name)).all()
    form.cohort.choices = choices(
        [("", "Any cohort")] + [(str(cohort.id), cohort.name) for cohort in cohorts]
    )
    if borough_scope(current_user) is None:
        form.borough.choices = [*choices([("", "Any borough")]), *borough_choices(blank=False)]
    else:
        del form.borough  # a borough's coordinator sees their own borough's
    form.validate()
    number, size = page_number(), current_app.config["PAGE_SIZE"]
    found = attention.needs_attention(
        db.session, current_user, _attention_filters(form), page=number, size=size
    )
    return render_template(
        "coordinator/attention/list.html",
        form=form,
        page=Page(items=found.rows, number=number, size=size, total=found.total),
        today=today(),
    )


# An apprentice's progress: the summary, milestones, log and reviews


def _log_entries(apprentice_id: int) -> Page:
    return paginate(
        db.session,
        select(LogEntry)
        .where(LogEntry.apprentice_id == apprentice_id)
        .options(selectinload(LogEntry.ksbs))
        .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc()),
        page_number(),
        current_app.config["PAGE_SIZE"],
    )


def _hours(value: Decimal | int | None) -> str:
    """Hours for reading: 1,234.5 and 42 (no trailing .0)."""
    return f"{Decimal(value or 0).quantize(Decimal('0.1')).normalize():,f}"


def _milestones(apprentice_id: int) -> list[Milestone]:
    return list(
        db.session.scalars(
            select(Milestone)
            .where(Milestone.apprentice_id == apprentice_id)
            .order_by(Milestone.due_date, Milestone.id)
        )
    )


@bp.route("/apprentices/<int:apprentice_id>/progress", methods=["GET"])
def apprentice_progress(apprentice_id: int) -> str:
    """Read-only for a host borough's coordinator; changes link from here for the employing
    borough's."""
    shown = apprentice_in_scope(
        apprentice_id,
        joinedload(Apprentice.user),
        joinedload(Apprentice.standard),
        joinedload(Apprentice.cohort),
        joinedload(Apprentice.employing_borough),
    )
    current = mentoring.current_assignment(db.session, apprentice_id)
    page = render_template(
        "coordinator/progress/show.html",
        apprentice=shown,
        may_change=may_change_apprentice(current_user, shown),
        summary=attention.summary_for(db.session, apprentice_id),
        milestones=_milestones(apprentice_id),
        entries=_log_entries(apprentice_id),
        reviews=reviews.reviews_for(db.session, apprentice_id),
        current_mentor=current.mentor if current else None,
        rating_label=reviews.rating_label,
        hours=_hours,
        today=today(),
    )
    # Recorded once the page is ready (a commit would expire what the page shows).
    audit.record(
        db.session, AuditAction.VIEWED_RECORD, actor=current_user, target=audit.target_of(shown)
    )
    db.session.commit()
    return page


# Milestones: adding one by hand, regenerating them from the templates, and deciding on evidence


def _milestone_apprentice(apprentice_id: int) -> Apprentice:
    """The apprentice if the viewer may change their milestones: 404 outside their scope, 403
    (audited) for a borough that may only read."""
    return apprentice_to_change(
        apprentice_id, joinedload(Apprentice.user), joinedload(Apprentice.employing_borough)
    )


def _milestone_back(apprentice_id: int) -> ResponseReturnValue:
    return redirect(url_for("coordinator.apprentice_progress", apprentice_id=apprentice_id))


@bp.route("/apprentices/<int:apprentice_id>/milestones/new", methods=["GET", "POST"])
def milestone_new(apprentice_id: int) -> ResponseReturnValue:
    apprentice = _milestone_apprentice(apprentice_id)
    form = MilestoneForm()
    if request.method == "GET":
        form.signer.data = "coordinator"
        form.required_for_gateway.data = "no"
    if form.validate_on_submit():
        details = milestones.MilestoneDetails(
            title=form.title.data,
            kind=form.kind.data,
            due_date=form.due_date.data,
            signer=form.signer.data,
            required_for_gateway=form.required_for_gateway.data == "yes",
        )
        try:
            added = milestones.add_milestone(db.session, apprentice, details, actor=current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{added.title} added")
            return _milestone_back(apprentice_id)
    return render_form("coordinator/milestones/form.html", form, apprentice=apprentice)


@bp.route("/apprentices/<int:apprentice_id>/milestones/regenerate", methods=["GET", "POST"])
def milestones_regenerate(apprentice_id: int) -> ResponseReturnValue:
    """What regenerating would change (GET), and doing it (POST)."""
    apprentice = _milestone_apprentice(apprentice_id)
    form = RegenerateForm()
    if form.validate_on_submit():
        try:
            done = milestones.regenerate_milestones(db.session, apprentice, current_user)
        except StaleEdit:
            db.session.rollback()
            flash("Someone else changed these milestones at the same time. Check them again.")
            return redirect(request.path)
        db.session.commit()
        if done.changes_anything:
            flash("Milestones regenerated")
        else:
            flash("Nothing to change: the milestones already match the templates")
        return _milestone_back(apprentice_id)
    return render_form(
        "coordinator/milestones/regenerate.html",
        form,
        apprentice=apprentice,
        plan=milestones.plan_regeneration(db.session, apprentice),
        **milestone_decision.labels(),
    )


def _milestone_for_decision(milestone_id: int) -> tuple[Milestone, Apprentice]:
    """The milestone and its apprentice if the viewer may change the apprentice's records: 404
    outside their scope, 403 (audited) for a borough that may only read."""
    milestone = db.session.scalars(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .options(joinedload(Milestone.decided_by))
    ).one_or_none()
    if milestone is None:
        abort(404)
    apprentice = _milestone_apprentice(milestone.apprentice_id)
    return milestone, apprentice


@bp.route("/milestones/<int:milestone_id>/decide", methods=["GET", "POST"])
def milestone_decide(milestone_id: int) -> ResponseReturnValue:
    """Sign off or return a coordinator milestone's evidence. A mentor milestone is their
    mentor's to decide: the page says so (403, audited)."""
    return decide_milestone(
        milestone_id,
        load=_milestone_for_decision,
        back=lambda apprentice: (
            "Back",
            url_for("coordinator.apprentice_progress", apprentice_id=apprentice.id),
        ),
    )


# Log entries: the coordinator's fallback when the apprentice has no current mentor


def _entry_for_decision(entry_id: int) -> tuple[LogEntry, Apprentice]:
    """The entry (with its KSBs) and its apprentice if the viewer may change the apprentice's
    records: 404 outside their scope, 403 (audited) for a borough that may only read."""
    try:
        entry = logbook.get_entry(db.session, entry_id)
    except NotFound:
        abort(404)
    apprentice = apprentice_to_change(
        entry.apprentice_id, joinedload(Apprentice.user), joinedload(Apprentice.employing_borough)
    )
    return entry, apprentice


@bp.route("/log-entries/<int:entry_id>/decide", methods=["GET", "POST"])
def entry_decide(entry_id: int) -> ResponseReturnValue:
    """Approve or return a log entry of an apprentice without a current mentor. While they have
    one, the mentor decides: the page says so (403, audited)."""

    def mentor_now(apprentice: Apprentice) -> dict[str, object]:
        current = mentoring.current_assignment(db.session, apprentice.id)
        return {"mentor": current.mentor if current else None}

    return decide_entry(
        entry_id,
        load=_entry_for_decision,
        template="coordinator/log/decide.html",
        done_url=lambda apprentice: url_for(
            "coordinator.apprentice_progress", apprentice_id=apprentice.id, _anchor="log"
        ),
        context=mentor_now,
    )


@bp.route("/apprentices/<int:apprentice_id>/reviews/new", methods=["GET", "POST"])
def review_new(apprentice_id: int) -> ResponseReturnValue:
    """Only the employing borough's coordinators (and admins): a host borough gets 403."""
    apprentice = apprentice_to_change(apprentice_id, joinedload(Apprentice.user))
    form = ReviewForm()
    prepare_review_form(form)
    if save_review(form, apprentice):
        flash("Progress review recorded")
        return redirect(url_for("coordinator.apprentice_progress", apprentice_id=apprentice_id))
    if request.method == "POST":  # a refusal rolled back, which expired the apprentice
        apprentice = apprentice_in_scope(apprentice_id, joinedload(Apprentice.user))
    return render_form("coordinator/reviews/form.html", form, apprentice=apprentice)
