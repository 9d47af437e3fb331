"""The audit log of a borough's records, and recording an objection to equality monitoring
for a person who asks a coordinator."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.access import applications_visible_to, borough_scope
from app.domain import audit_log, objection
from app.extensions import db
from app.models import Application, Vacancy
from app.web.admin.data_rights import audit_filters, audit_page
from app.web.admin.data_rights_forms import AuditFilterForm, RecordObjectionForm
from app.web.coordinator import bp


@bp.get("/audit")
def audit_events() -> str:
    form = AuditFilterForm(request.args)
    scope = borough_scope(current_user)
    statement = audit_log.about_boroughs(
        audit_log.apply_filters(audit_log.events_query(), audit_filters(form)), scope
    )
    return audit_page("coordinator/audit/list.html", statement, form, every_borough=scope is None)


@bp.route("/applications/<int:application_id>/equality-objection", methods=["GET", "POST"])
def equality_objection(application_id: int) -> ResponseReturnValue:
    """The applicant (or the apprentice they became) asked that their equality answers no
    longer be used. Another borough's application is not found."""
    application = db.session.scalars(
        applications_visible_to(current_user)
        .where(Application.id == application_id)
        .options(joinedload(Application.vacancy).joinedload(Vacancy.employing_borough))
    ).one_or_none()
    if application is None:
        abort(404)
    form = RecordObjectionForm()
    if form.validate_on_submit():
        objection.record_objection(db.session, application, actor=current_user)
        db.session.commit()
        flash("The objection has been recorded. Their equality answers are no longer used.")
        return redirect(url_for("coordinator.application", application_id=application.id))
    return render_template(
        "coordinator/applications/objection.html",
        form=None,
        objection_form=form,
        application=application,
        objected=objection.has_objected(db.session, application.id),
    )
