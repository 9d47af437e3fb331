"""Apprentice progression pages: their off-the-job training log and their milestones."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.clock import today
from app.domain import logbook, mentoring
from app.domain import milestones as milestone_rules
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.extensions import db
from app.models import (
    Apprentice,
    EntryStatus,
    LogEntry,
    Milestone,
    MilestoneStatus,
    ProgressSummary,
    Standard,
)
from app.web.apprentice import bp
from app.web.apprentice.log_forms import EntryForm
from app.web.apprentice.milestone_forms import EvidenceForm
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.pagination import page_number, paginate

# The off-the-job training log: the apprentice's own entries, logging one and correcting one

LOG_FORM = "apprentice/log/form.html"


def _log_labels() -> dict[str, object]:
    return {
        "activity_label": logbook.activity_label,
        "status_label": logbook.status_label,
        "hours_text": logbook.hours_text,
        "max_hours": logbook.max_hours_per_day(),
    }


def _own_log_record() -> Apprentice | None:
    """The signed-in apprentice's own record, with their standard's KSBs."""
    return db.session.scalars(
        select(Apprentice)
        .where(Apprentice.user_id == current_user.id)
        .options(joinedload(Apprentice.standard).selectinload(Standard.ksbs))
    ).one_or_none()


def _own_log_entry(entry_id: int) -> tuple[LogEntry, Apprentice]:
    """One of the signed-in apprentice's own entries, with its KSBs; anyone else's is not
    found."""
    record = _own_log_record()
    try:
        entry = logbook.get_entry(db.session, entry_id)
    except NotFound:
        abort(404)
    if record is None or entry.apprentice_id != record.id:
        abort(404)
    return entry, record


@bp.route("/log", methods=["GET"])
def log() -> str:
    """Their entries, newest first, with status and any comment, and the approved hours."""
    record = _own_log_record()
    if record is None:
        return render_template("apprentice/log/list.html", apprentice=None)
    page = paginate(
        db.session, logbook.entries_of(record.id), page_number(), current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "apprentice/log/list.html",
        apprentice=record,
        page=page,
        summary=db.session.get(ProgressSummary, record.id),
        **_log_labels(),
    )


def _entry_form(record: Apprentice) -> EntryForm:
    form = EntryForm()
    form.ksb_ids.choices = choices(
        (str(ksb.id), f"{ksb.code}: {ksb.text}") for ksb in record.standard.ksbs
    )
    return form


def _entry_values(form: EntryForm) -> dict[str, object]:
    return {
        "entry_date": form.entry_date.data,
        "hours": form.hours.data,
        "activity_type": form.activity_type.data,
        "description": form.description.data,
        "ksb_ids": form.chosen_ksb_ids(),
    }


@bp.route("/log/new", methods=["GET", "POST"])
def entry_new() -> ResponseReturnValue:
    record = _own_log_record()
    if record is None:
        abort(404)
    form = _entry_form(record)
    if request.method == "GET":
        form.entry_date.data = today()
    if form.validate_on_submit():
        try:
            logbook.log_entry(db.session, record, actor=current_user, **_entry_values(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Training logged and sent for approval")
            return redirect(url_for("apprentice.log"))
    return render_form(LOG_FORM, form, apprentice=record, entry=None, **_log_labels())


def _fill_entry_form(form: EntryForm, entry: LogEntry) -> None:
    form.entry_date.data = entry.entry_date
    form.hours.data = logbook.number_text(entry.hours)
    form.activity_type.data = entry.activity_type
    form.description.data = entry.description
    form.ksb_ids.data = [str(ksb.id) for ksb in entry.ksbs]
    form.row_version.data = str(entry.row_version)


@bp.route("/log/<int:entry_id>/edit", methods=["GET", "POST"])
def entry_edit(entry_id: int) -> ResponseReturnValue:
    """Correct a returned (or still waiting) entry and submit it again. An approved entry is
    shown, but cannot change."""
    entry, record = _own_log_entry(entry_id)
    form = _entry_form(record)

    def page(status: int, **extra: object) -> ResponseReturnValue:
        approved = entry.status == EntryStatus.APPROVED.value
        template = "apprentice/log/approved.html" if approved else LOG_FORM
        context = {"apprentice": record, "entry": entry, **_log_labels(), **extra}
        return render_template(template, form=form, **context), status

    if request.method == "GET":
        _fill_entry_form(form, entry)
        return page(200)
    if entry.status == EntryStatus.APPROVED.value:
        return page(409, stale="This entry has been approved, so it can no longer be changed")
    if form.validate_on_submit():
        try:
            logbook.update_entry(
                db.session,
                entry,
                actor=current_user,
                expected_version=int(form.row_version.data or -1),
                **_entry_values(form),
            )
        except StaleEdit as error:
            db.session.rollback()
            entry, record = _own_log_entry(entry_id)
            form.row_version.data = str(entry.row_version)
            return page(409, stale=error.message)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Entry changed and sent for approval")
            return redirect(url_for("apprentice.log"))
    return page(400 if form.errors else 200)


# Milestones: the apprentice's own, and submitting evidence for one


def _own_apprenticeship() -> Apprentice | None:
    """The signed-in apprentice's own record (there is no id to ask for anyone else's)."""
    return db.session.scalars(
        select(Apprentice).where(Apprentice.user_id == current_user.id)
    ).one_or_none()


def _own_milestone(milestone_id: int) -> tuple[Milestone, Apprentice]:
    """One of the signed-in apprentice's own milestones; anyone else's is not found."""
    record = _own_apprenticeship()
    milestone = (
        db.session.scalars(
            select(Milestone)
            .where(Milestone.id == milestone_id, Milestone.apprentice_id == record.id)
            .options(joinedload(Milestone.decided_by))
        ).one_or_none()
        if record is not None
        else None
    )
    if record is None or milestone is None:
        abort(404)
    return milestone, record


def _milestone_words() -> dict[str, object]:
    return {
        "kind_labels": milestone_rules.KIND_LABELS,
        "signer_labels": milestone_rules.SIGNER_LABELS,
        "status_labels": milestone_rules.STATUS_LABELS,
        "today": today(),
    }


@bp.route("/milestones", methods=["GET"])
def milestones() -> str:
    """Their milestones by due date: what is overdue, and what to do next."""
    record = _own_apprenticeship()
    rows = milestone_rules.milestones_of(db.session, record.id) if record is not None else []
    on = today()
    mentoring_now = (
        mentoring.current_assignment(db.session, record.id) if record is not None else None
    )
    return render_template(
        "apprentice/milestones/list.html",
        apprentice=record,
        milestones=rows,
        overdue=[row for row in rows if milestone_rules.is_overdue(row, on)],
        next_up=next(
            (row for row in rows if row.status in milestone_rules.OPEN_FOR_EVIDENCE), None
        ),
        mentor=mentoring_now.mentor if mentoring_now is not None else None,
        **_milestone_words(),
    )


@bp.route("/milestones/<int:milestone_id>/evidence", methods=["GET", "POST"])
def milestone_evidence(milestone_id: int) -> ResponseReturnValue:
    milestone, record = _own_milestone(milestone_id)
    form = EvidenceForm()

    def page(status: int, **extra: object) -> ResponseReturnValue:
        context = {"milestone": milestone, "apprentice": record, **_milestone_words()}
        shown = render_template(
            "apprentice/milestones/evidence.html", form=form, **context, **extra
        )
        return shown, status

    if request.method == "GET":
        form.row_version.data = str(milestone.row_version)
        if milestone.status == MilestoneStatus.RETURNED.value:
            # What they sent before, to correct.
            form.evidence_text.data = milestone.evidence_text
            form.links.data = "\n".join(milestone.evidence_links or [])
        return page(200)
    if milestone.status not in milestone_rules.OPEN_FOR_EVIDENCE:
        state = milestone_rules.STATUS_LABELS[milestone.status].lower()
        return page(409, stale=f"You cannot submit evidence for this milestone: it is {state}")
    if form.validate_on_submit():
        try:
            milestone_rules.submit_evidence(
                db.session,
                milestone,
                current_user,
                form.evidence_text.data or "",
                form.link_lines(),
                expected_version=int(form.row_version.data or -1),
            )
        except StaleEdit as error:
            db.session.rollback()
            milestone, record = _own_milestone(milestone_id)
            form.row_version.data = str(milestone.row_version)
            return page(409, stale=error.message)
        except NotFound:
            abort(404)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            title = milestone.title
            db.session.commit()
            flash(f"Evidence submitted for {title}")
            return redirect(url_for("apprentice.milestones"))
    return page(400 if form.errors else 200)
