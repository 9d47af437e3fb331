"""Milestone templates (admin): the milestones every apprentice on a standard, or on any
standard, gets."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.domain import milestones
from app.domain.errors import DomainError, NotFound
from app.extensions import db
from app.models import MilestoneTemplate, Standard
from app.web.admin import bp
from app.web.admin.milestone_template_forms import (
    ALL_STANDARDS,
    DeleteTemplateForm,
    MilestoneTemplateForm,
)
from app.web.forms_common import choices, render_form, show_domain_error

FORM_TEMPLATE = "admin/milestone_templates/form.html"
LABELS = {
    "kind_labels": milestones.KIND_LABELS,
    "signer_labels": milestones.SIGNER_LABELS,
}


def _get_template(template_id: int) -> MilestoneTemplate:
    try:
        return milestones.get_template(db.session, template_id)
    except NotFound:
        abort(404)


def _standard_choices() -> list:
    standards = db.session.scalars(
        select(Standard).order_by(Standard.reference, Standard.version)
    ).all()
    return choices(
        [
            (ALL_STANDARDS, "All standards"),
            *((str(standard.id), standard.display_name) for standard in standards),
        ]
    )


def _new_form() -> MilestoneTemplateForm:
    form = MilestoneTemplateForm()
    form.standard_id.choices = _standard_choices()
    return form


def _details(form: MilestoneTemplateForm) -> milestones.TemplateDetails:
    chosen = form.standard_id.data
    return milestones.TemplateDetails(
        standard_id=None if chosen == ALL_STANDARDS else int(chosen),
        name=form.name.data,
        kind=form.kind.data,
        due_offset_weeks=form.due_offset_weeks.data,
        signer=form.signer.data,
        required_for_gateway=form.required_for_gateway.data == "yes",
    )


def _milestones(count: int) -> str:
    return f"{count} milestone" if count == 1 else f"{count} milestones"


def _back() -> ResponseReturnValue:
    return redirect(url_for("admin.milestone_templates"))


@bp.get("/milestone-templates")
def milestone_templates() -> str:
    return render_template(
        "admin/milestone_templates/list.html",
        groups=milestones.templates_by_standard(db.session),
        **LABELS,
    )


@bp.route("/milestone-templates/new", methods=["GET", "POST"])
def milestone_template_new() -> ResponseReturnValue:
    form = _new_form()
    if request.method == "GET":
        form.standard_id.data = ALL_STANDARDS
        form.signer.data = "mentor"
        form.required_for_gateway.data = "yes"
    if form.validate_on_submit():
        try:
            template = milestones.create_template(db.session, _details(form), actor=current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{template.name} added")
            return _back()
    return render_form(FORM_TEMPLATE, form, milestone_template=None)


@bp.route("/milestone-templates/<int:template_id>/edit", methods=["GET", "POST"])
def milestone_template_edit(template_id: int) -> ResponseReturnValue:
    template = _get_template(template_id)
    form = _new_form()
    if request.method == "GET":
        form.standard_id.data = (
            ALL_STANDARDS if template.standard_id is None else str(template.standard_id)
        )
        form.name.data = template.name
        form.kind.data = template.kind
        form.due_offset_weeks.data = template.due_offset_weeks
        form.signer.data = template.signer
        form.required_for_gateway.data = "yes" if template.required_for_gateway else "no"
    if form.validate_on_submit():
        try:
            milestones.update_template(db.session, template, _details(form), actor=current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{template.name} updated")
            return _back()
    return render_form(FORM_TEMPLATE, form, milestone_template=template)


@bp.route("/milestone-templates/<int:template_id>/delete", methods=["GET", "POST"])
def milestone_template_delete(template_id: int) -> ResponseReturnValue:
    template = _get_template(template_id)
    form = DeleteTemplateForm()
    if form.validate_on_submit():
        name = template.name
        removed = milestones.delete_template(db.session, template, actor=current_user)
        db.session.commit()
        if removed:
            flash(f"{name} deleted, and the {_milestones(removed)} not yet signed off made from it")
        else:
            flash(f"{name} deleted")
        return _back()
    return render_form(
        "admin/milestone_templates/delete.html",
        form,
        milestone_template=template,
        outstanding=milestones.outstanding_from_template(db.session, template.id),
        **LABELS,
    )
