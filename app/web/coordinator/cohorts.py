"""Cohorts: the list with counts by status, a cohort's page with its apprentices in the viewer's
scope, and adding and changing a cohort (the lead borough's coordinators only)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import or_, select

from app.access import borough_scope, may_change_cohort
from app.domain import audit, cohorts
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.extensions import db
from app.models import ApprenticeStatus, Cohort, Standard, TrainingProvider
from app.web.coordinator import bp
from app.web.coordinator.cohort_forms import MIXED, CohortForm
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.pagination import page_number, paginate
from app.web.scoped import refuse_change
from app.web.user_pages import borough_choices

FORM_TEMPLATE = "coordinator/cohorts/form.html"


def _cohort_or_404(cohort_id: int) -> Cohort:
    try:
        return cohorts.visible_cohort(db.session, current_user, cohort_id)
    except NotFound:
        abort(404)


def _fill_choices(form: CohortForm, cohort: Cohort | None) -> None:
    standards = db.session.scalars(
        select(Standard).order_by(Standard.title, Standard.reference, Standard.version)
    ).all()
    form.standard.choices = choices(
        [("", "Select a standard"), (MIXED, "Mixed: more than one standard")]
        + [(str(standard.id), standard.display_name) for standard in standards]
    )
    # Providers that deliver training; a cohort's current provider stays on offer, so a
    # provider that has since stopped is refused with the domain's message, not "not a choice".
    providers = db.session.scalars(
        select(TrainingProvider)
        .where(
            or_(
                TrainingProvider.delivers_training.is_(True),
                TrainingProvider.id == (cohort.training_provider_id if cohort else 0),
            )
        )
        .order_by(TrainingProvider.name)
    ).all()
    form.training_provider.choices = choices(
        [("", "Select a training provider")]
        + [(str(provider.id), provider.name) for provider in providers]
    )
    if borough_scope(current_user) is None:
        form.lead_borough.choices = borough_choices(blank=True)
    else:
        del form.lead_borough  # a borough's coordinator leads cohorts from their own borough


def _lead_borough_id(form: CohortForm, default: int) -> int:
    """The lead borough chosen, or for a coordinator without the choice their own. A borough
    sent anyway is passed on, so the domain refuses it with its message."""
    if form.lead_borough is not None:
        return int(form.lead_borough.data)
    sent = request.form.get("lead_borough", "")
    if not sent:
        return default
    if not sent.isdigit():
        abort(400)
    return int(sent)


def _details(form: CohortForm, *, default_lead: int) -> cohorts.CohortDetails:
    standard = form.standard.data
    return cohorts.CohortDetails(
        name=form.name.data,
        standard_id=None if standard == MIXED else int(standard),
        training_provider_id=int(form.training_provider.data),
        lead_borough_id=_lead_borough_id(form, default_lead),
        start_date=form.start_date.data,
        planned_end_date=form.planned_end_date.data,
        capacity=form.capacity.data,
    )


@bp.get("/cohorts", endpoint="cohorts")
def cohorts_list() -> str:
    page = paginate(
        db.session,
        cohorts.visible_cohorts(current_user),
        page_number(),
        current_app.config["PAGE_SIZE"],
    )
    counts = cohorts.cohort_status_counts(
        db.session, [cohort.id for cohort in page.items], viewer=current_user
    )
    return render_template(
        "coordinator/cohorts/list.html", page=page, counts=counts, statuses=list(ApprenticeStatus)
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
def cohort_new() -> ResponseReturnValue:
    form = CohortForm()
    _fill_choices(form, None)
    if form.validate_on_submit():
        try:
            created = cohorts.create_cohort(
                db.session,
                _details(form, default_lead=current_user.borough_id),
                actor=current_user,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{created.name} added")
            return redirect(url_for("coordinator.cohort", cohort_id=created.id))
    return render_form(FORM_TEMPLATE, form, cohort=None)


@bp.get("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int) -> str:
    shown = _cohort_or_404(cohort_id)
    page = paginate(
        db.session,
        cohorts.cohort_apprentices(current_user, cohort_id),
        page_number(),
        current_app.config["PAGE_SIZE"],
    )
    counts = cohorts.cohort_status_counts(db.session, [cohort_id], viewer=current_user)
    return render_template(
        "coordinator/cohorts/show.html",
        cohort=shown,
        page=page,
        counts=counts.get(cohort_id, {}),
        statuses=list(ApprenticeStatus),
        may_change=may_change_cohort(current_user, shown),
    )


def _fill_from(form: CohortForm, record: Cohort) -> None:
    form.name.data = record.name
    form.standard.data = str(record.standard_id) if record.standard_id else MIXED
    form.training_provider.data = str(record.training_provider_id)
    if form.lead_borough is not None:
        form.lead_borough.data = str(record.lead_borough_id)
    form.start_date.data = record.start_date
    form.planned_end_date.data = record.planned_end_date
    form.capacity.data = record.capacity
    form.row_version.data = str(record.row_version)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
def cohort_edit(cohort_id: int) -> ResponseReturnValue:
    record = _cohort_or_404(cohort_id)
    if not may_change_cohort(current_user, record):
        refuse_change(audit.target_of(record))
    form = CohortForm()
    _fill_choices(form, record)
    if request.method == "GET":
        _fill_from(form, record)
    if form.validate_on_submit():
        try:
            cohorts.update_cohort(
                db.session,
                record,
                _details(form, default_lead=record.lead_borough_id),
                # An empty version (a form from nowhere) never matches, so it counts as stale.
                expected_version=int(form.row_version.data or -1),
                actor=current_user,
            )
        except StaleEdit as error:
            db.session.rollback()
            current = _cohort_or_404(cohort_id)
            form.row_version.data = str(current.row_version)
            return render_template(
                FORM_TEMPLATE, form=form, cohort=current, stale=error.message
            ), 409
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Cohort updated")
            return redirect(url_for("coordinator.cohort", cohort_id=cohort_id))
    return render_form(FORM_TEMPLATE, form, cohort=record)
