"""The end of an apprenticeship: the gateway checklist and its confirmation, the employer's
decision on English and maths, end-point assessment results (a pass completes the
apprenticeship), destinations at the end and 6 and 12 months later, and the coordinator's
"approaching the end" list.

Who sees what is the scoped query's business: another borough's apprentice is 404. Changes
belong to the employing borough (and admins): a host borough's coordinator reads the pages
without their forms, and gets 403 on a POST.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.access import may_change_apprentice
from app.clock import today
from app.domain import audit, destinations, epa, gateway
from app.domain.errors import DomainError, StaleEdit
from app.extensions import db
from app.models import Apprentice, ApprenticeStatus, AuditAction, FollowUp, Standard
from app.web.coordinator import bp
from app.web.coordinator.completion_forms import (
    NO,
    YES,
    EnglishMathsForm,
    EpaAttemptForm,
    GatewayConfirmForm,
    OutcomeForm,
)
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.pagination import Page, page_number
from app.web.scoped import apprentice_in_scope, apprentice_to_change

GATEWAY_TEMPLATE = "coordinator/completion/gateway.html"
ENGLISH_MATHS_TEMPLATE = "coordinator/completion/english_maths.html"
EPA_TEMPLATE = "coordinator/completion/epa.html"
OUTCOME_TEMPLATE = "coordinator/completion/outcome.html"

_OPTIONS = (
    joinedload(Apprentice.user),
    joinedload(Apprentice.standard),
    joinedload(Apprentice.employing_borough),
)


def _apprentice(apprentice_id: int) -> Apprentice:
    """The apprentice to show (404 outside the viewer's scope); on a POST, one the viewer may
    change (403 for a host borough's coordinator)."""
    if request.method == "POST":
        return apprentice_to_change(apprentice_id, *_OPTIONS)
    return apprentice_in_scope(apprentice_id, *_OPTIONS)


def _reload(apprentice_id: int) -> Apprentice:
    return apprentice_in_scope(apprentice_id, *_OPTIONS)


def _viewed(page: str, shown: Apprentice) -> str:
    """Audit the view of the record once the page is ready (a commit would expire what the
    page shows)."""
    audit.record(
        db.session, AuditAction.VIEWED_RECORD, actor=current_user, target=audit.target_of(shown)
    )
    db.session.commit()
    return page


def _refused(template: str, message: str, **context: Any) -> tuple[str, int]:
    """A POST the record's state does not allow (already done, or not possible now): the page
    without its form, with the reason."""
    return render_template(template, form=None, refusal=message, **context), 409


# The gateway


def _gateway_refusal(record: Apprentice, confirmation: Any) -> str | None:
    if confirmation is not None:
        return f"The gateway was confirmed on {_day(confirmation.confirmed_on)}"
    if record.status != ApprenticeStatus.ACTIVE.value:
        return (
            "Only a live apprenticeship can pass the gateway: this one is "
            f"“{record.status_label.lower()}”"
        )
    return None


def _day(value: Any) -> str:
    return f"{value.day} {value:%B %Y}"


def _gateway_context(record: Apprentice) -> dict[str, Any]:
    items = gateway.checklist(db.session, record, today())
    confirmation = gateway.confirmation_of(db.session, record.id)
    return {
        "apprentice": record,
        "items": items,
        "all_met": gateway.all_met(items),
        "confirmation": confirmation,
        "requirement": gateway.english_maths_requirement(record, record.standard.level),
        "may_change": may_change_apprentice(current_user, record),
        "not_confirmable": _gateway_refusal(record, confirmation),
        "today": today(),
    }


@bp.route("/apprentices/<int:apprentice_id>/gateway", methods=["GET", "POST"], endpoint="gateway")
def gateway_page(apprentice_id: int) -> ResponseReturnValue:
    record = _apprentice(apprentice_id)
    if request.method == "GET":
        context = _gateway_context(record)
        form = GatewayConfirmForm() if context["may_change"] else None
        return _viewed(render_template(GATEWAY_TEMPLATE, form=form, **context), record)
    form = GatewayConfirmForm()
    context = _gateway_context(record)
    if context["not_confirmable"]:
        return _refused(GATEWAY_TEMPLATE, context["not_confirmable"], **context)
    if form.validate_on_submit():
        try:
            gateway.confirm_gateway(
                db.session,
                record,
                actor=current_user,
                on=today(),
                exception_reason=form.exception_reason.data,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        except IntegrityError:  # someone confirmed it at the same moment
            db.session.rollback()
            context = _gateway_context(_reload(apprentice_id))
            return _refused(GATEWAY_TEMPLATE, "Someone confirmed the gateway just now", **context)
        else:
            flash("Gateway confirmed")
            return redirect(url_for("coordinator.gateway", apprentice_id=apprentice_id))
        context = _gateway_context(_reload(apprentice_id))
    return render_form(GATEWAY_TEMPLATE, form, **context)


# English and maths: the employer's decision


def _english_maths_context(record: Apprentice) -> dict[str, Any]:
    requirement = gateway.english_maths_requirement(record, record.standard.level)
    confirmation = gateway.confirmation_of(db.session, record.id)
    not_decidable = None
    if not requirement.optional:
        not_decidable = "English and maths are required for this apprentice by the rules"
    elif confirmation is not None:
        not_decidable = (
            f"The gateway was confirmed on {_day(confirmation.confirmed_on)}, so the decision "
            "can no longer change"
        )
    return {
        "apprentice": record,
        "requirement": requirement,
        "may_change": may_change_apprentice(current_user, record),
        "not_decidable": not_decidable,
    }


@bp.route("/apprentices/<int:apprentice_id>/english-and-maths", methods=["GET", "POST"])
def english_maths(apprentice_id: int) -> ResponseReturnValue:
    record = _apprentice(apprentice_id)
    context = _english_maths_context(record)
    form = EnglishMathsForm() if context["may_change"] else None
    if request.method == "GET":
        if form is not None:
            decided = record.english_maths_opted_in
            form.opted_in.data = None if decided is None else (YES if decided else NO)
            form.row_version.data = str(record.row_version)
        return _viewed(render_template(ENGLISH_MATHS_TEMPLATE, form=form, **context), record)
    assert form is not None  # a POST comes only from someone who may change the record
    if context["not_decidable"]:
        return _refused(ENGLISH_MATHS_TEMPLATE, context["not_decidable"], **context)
    if form.validate_on_submit():
        try:
            gateway.record_english_maths_decision(
                db.session,
                record,
                actor=current_user,
                opted_in=form.opted_in.data == YES,
                # An empty version (a form from nowhere) never matches, so it counts as stale.
                expected_version=int(form.row_version.data or -1),
            )
            db.session.commit()
        except StaleEdit as error:
            db.session.rollback()
            current = _reload(apprentice_id)
            form.row_version.data = str(current.row_version)
            context = _english_maths_context(current)
            return render_template(
                ENGLISH_MATHS_TEMPLATE, form=form, stale=error.message, **context
            ), 409
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            context = _english_maths_context(_reload(apprentice_id))
        else:
            flash("The employer’s decision on English and maths is saved")
            return redirect(url_for("coordinator.gateway", apprentice_id=apprentice_id))
    return render_form(ENGLISH_MATHS_TEMPLATE, form, **context)


# End-point assessment


def _epa_context(record: Apprentice) -> dict[str, Any]:
    confirmation = gateway.confirmation_of(db.session, record.id)
    not_recordable = None
    if record.status == ApprenticeStatus.COMPLETED.value:
        not_recordable = (
            f"{record.user.name} completed the apprenticeship on {_day(record.completed_on)}"
        )
    elif record.status != ApprenticeStatus.ACTIVE.value:
        not_recordable = (
            "Only a live apprenticeship can have an end-point assessment: this one is "
            f"“{record.status_label.lower()}”"
        )
    elif confirmation is None:
        not_recordable = "The gateway must be confirmed before the end-point assessment"
    return {
        "apprentice": record,
        "attempts": epa.attempts_of(db.session, record.id),
        "confirmation": confirmation,
        "may_change": may_change_apprentice(current_user, record),
        "not_recordable": not_recordable,
        "grade_label": epa.grade_label,
    }


def _epa_choices(form: EpaAttemptForm, standard: Standard) -> None:
    organisations = epa.assessment_organisations(db.session)
    form.organisation_id.choices = choices(
        [("", "Select an organisation")] + [(str(o.id), o.name) for o in organisations]
    )
    form.grade.choices = choices(
        [(grade, epa.grade_label(grade)) for grade in epa.grades_for(standard)]
    )


def _chosen_id(value: str | None) -> int | None:
    return int(value) if (value or "").isascii() and (value or "").isdigit() else None


@bp.route("/apprentices/<int:apprentice_id>/end-point-assessment/new", methods=["GET", "POST"])
def epa_new(apprentice_id: int) -> ResponseReturnValue:
    record = _apprentice(apprentice_id)
    context = _epa_context(record)
    form = EpaAttemptForm() if context["may_change"] else None
    if form is not None:
        _epa_choices(form, record.standard)
    if request.method == "GET":
        return _viewed(render_template(EPA_TEMPLATE, form=form, **context), record)
    assert form is not None
    if context["not_recordable"]:
        return _refused(EPA_TEMPLATE, context["not_recordable"], **context)
    if form.validate_on_submit():
        try:
            epa.record_attempt(
                db.session,
                record,
                actor=current_user,
                assessed_on=form.assessed_on.data,
                organisation_id=_chosen_id(form.organisation_id.data),
                grade=form.grade.data,
                next_attempt_on=form.next_attempt_on.data,
                note=form.note.data,
            )
            db.session.commit()
        except StaleEdit as error:  # the record changed while the result was being saved
            db.session.rollback()
            context = _epa_context(_reload(apprentice_id))
            return render_template(EPA_TEMPLATE, form=form, stale=error.message, **context), 409
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            context = _epa_context(_reload(apprentice_id))
        else:
            if record.status == ApprenticeStatus.COMPLETED.value:
                flash(
                    f"Result recorded: {epa.grade_label(record.completion_grade)}. "
                    "The apprenticeship is completed."
                )
                return redirect(url_for("coordinator.apprentice", apprentice_id=apprentice_id))
            flash("Result recorded: Fail. The apprentice stays live for the next attempt.")
            return redirect(url_for("coordinator.epa_new", apprentice_id=apprentice_id))
    return render_form(EPA_TEMPLATE, form, **context)


# Destinations


def _follow_up_or_404(slug: str) -> FollowUp:
    follow_up = destinations.FOLLOW_UP_SLUGS.get(slug)
    if follow_up is None:
        abort(404)
    return follow_up


def _outcome_context(record: Apprentice, follow_up: FollowUp) -> dict[str, Any]:
    recorded = destinations.outcomes_of(db.session, record.id)
    end = destinations.ended_on(record)
    not_recordable = destinations.refusal(record, follow_up, today())
    if follow_up in recorded:
        not_recordable = (
            f"The destination {destinations.follow_up_label(follow_up).lower()} was recorded "
            f"on {_day(recorded[follow_up].recorded_on)}"
        )
    follow_ups = [
        {
            "follow_up": value,
            "label": destinations.follow_up_label(value),
            "slug": destinations.slug_of(value),
            "due_on": destinations.due_on(end, value) if end is not None else None,
            "outcome": recorded.get(value),
        }
        for value in FollowUp
    ]
    return {
        "apprentice": record,
        "follow_up": follow_up,
        "follow_up_label": destinations.follow_up_label(follow_up),
        "follow_ups": follow_ups,
        "ended_on": end,
        "may_change": may_change_apprentice(current_user, record),
        "not_recordable": not_recordable,
        "destination_label": destinations.destination_label,
        "is_completer": destinations.is_completer(record),
    }


@bp.route("/apprentices/<int:apprentice_id>/destinations/<follow_up>", methods=["GET", "POST"])
def outcome_new(apprentice_id: int, follow_up: str) -> ResponseReturnValue:
    chosen = _follow_up_or_404(follow_up)
    record = _apprentice(apprentice_id)
    context = _outcome_context(record, chosen)
    form = OutcomeForm() if context["may_change"] else None
    if request.method == "GET":
        return _viewed(render_template(OUTCOME_TEMPLATE, form=form, **context), record)
    assert form is not None
    if context["not_recordable"]:
        return _refused(OUTCOME_TEMPLATE, context["not_recordable"], **context)
    if form.validate_on_submit():
        try:
            destinations.record_outcome(
                db.session,
                record,
                actor=current_user,
                follow_up=chosen,
                destination=form.destination.data,
                recorded_on=form.recorded_on.data,
                note=form.note.data,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            context = _outcome_context(_reload(apprentice_id), chosen)
        except IntegrityError:  # someone recorded the same follow-up at the same moment
            db.session.rollback()
            context = _outcome_context(_reload(apprentice_id), chosen)
            return _refused(
                OUTCOME_TEMPLATE, "Someone recorded this destination just now", **context
            )
        else:
            flash(f"Destination {destinations.follow_up_label(chosen).lower()} recorded")
            return redirect(
                url_for("coordinator.outcome_new", apprentice_id=apprentice_id, follow_up=follow_up)
            )
    return render_form(OUTCOME_TEMPLATE, form, **context)


# Approaching the end


SECTIONS: dict[str, str] = {
    "gateway": "Gateway due",
    "epa": "End-point assessment",
    "follow-ups": "Follow-ups due",
}


def _count(statement: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


@bp.route("/approaching-the-end", methods=["GET"])
def approaching_end() -> str:
    """Three lists for the viewer's scope: gateway due within 3 months, end-point assessments
    booked (or awaiting a resit), destinations to follow up. Three counts and one page of rows,
    whatever the number of apprentices."""
    on = today()
    statements = {
        "gateway": gateway.gateway_due(current_user, on),
        "epa": epa.epa_booked(current_user),
        "follow-ups": destinations.follow_ups_due(current_user, on),
    }
    show = request.args.get("show", "gateway")
    if show not in SECTIONS:
        show = "gateway"
    counts = {key: _count(statement) or 0 for key, statement in statements.items()}
    number, size = page_number(), current_app.config["PAGE_SIZE"]
    rows = db.session.execute(statements[show].limit(size).offset((number - 1) * size)).all()
    return render_template(
        "coordinator/completion/approaching_end.html",
        sections=SECTIONS,
        show=show,
        counts=counts,
        page=Page(items=rows, number=number, size=size, total=counts[show]),
        months=gateway.GATEWAY_DUE_WITHIN_MONTHS,
        grade_label=epa.grade_label,
        today=on,
    )
