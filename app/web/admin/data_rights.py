"""The audit log (search, filter, pages, CSV), subject access requests and erasure."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from app.clock import today, utcnow
from app.csv_writer import csv_response, rows_from_query
from app.domain import audit, audit_log, data_rights, erasure, subject_access
from app.domain.errors import DomainError
from app.extensions import db
from app.models import AuditAction, ErasureReason, SubjectAccessRequest, SubjectKind
from app.web.admin import bp
from app.web.admin.data_rights_forms import (
    AuditFilterForm,
    EraseForm,
    FindPersonForm,
    ProduceBundleForm,
    SubjectAccessRequestForm,
)
from app.web.forms_common import render_form, show_domain_error
from app.web.pagination import Page, page_number, paginate

CSV_HEADER = (
    "Time (UTC)",
    "Actor user number",
    "Actor roles",
    "Actor borough",
    "Action",
    "Kind of record",
    "Record number",
    "Fields changed",
    "IP address",
    "Request id",
)


def audit_filters(form: AuditFilterForm) -> audit_log.Filters:
    """The filters a form asks for; a field with an error (or nonsense) is ignored."""
    form.validate()

    def good(name: str) -> Any:
        field = getattr(form, name)
        return None if field.errors else field.data or None

    return audit_log.Filters(
        actor=good("actor"),
        action=good("action"),
        target_type=good("target_type"),
        target_id=good("target_id"),
        date_from=good("date_from"),
        date_to=good("date_to"),
    )


def audit_page(template: str, statement: Any, form: AuditFilterForm, **context: Any) -> str:
    """A page of events. The search form's errors show beside its fields (`filter_form`, not
    `form`, so the page is not titled as a failed submission)."""
    return render_template(template, filter_form=form, page=paginate_rows(statement), **context)


def paginate_rows(statement: Any) -> Page[Any]:
    """Like paginate, but keeping whole rows (event, actor name, email, borough): one COUNT
    and one LIMIT/OFFSET query."""
    size = current_app.config["PAGE_SIZE"]
    number = page_number()
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.execute(statement.limit(size).offset((number - 1) * size)).all()
    return Page(items=rows, number=number, size=size, total=total or 0)


@bp.get("/audit")
def audit_events() -> str:
    form = AuditFilterForm(request.args)
    statement = audit_log.apply_filters(audit_log.events_query(), audit_filters(form))
    return audit_page(
        "admin/audit/list.html",
        statement,
        form,
        export_url=url_for("admin.audit_export", **request.args.to_dict()),
    )


@bp.get("/audit/export")
def audit_export() -> Response:
    form = AuditFilterForm(request.args)
    statement = audit_log.apply_filters(audit_log.events_query(), audit_filters(form))
    audit.record(
        db.session,
        AuditAction.EXPORTED,
        actor=current_user,
        target=audit.Target(type="audit_event", id=None),
    )
    db.session.commit()

    def row(found: Any) -> tuple:
        event = found[0]
        return (
            event.occurred_at,
            event.actor_user_id,
            event.actor_roles,
            found[3],
            event.action,
            event.target_type,
            event.target_id,
            " ".join(event.fields_changed or []),
            event.ip_address,
            event.request_id,
        )

    return csv_response(
        f"audit-events-{today().isoformat()}.csv", CSV_HEADER, rows_from_query(statement, row)
    )


# Subject access requests


@bp.get("/subject-access")
def subject_access_requests() -> str:
    statement = select(SubjectAccessRequest).order_by(
        SubjectAccessRequest.status.desc(), SubjectAccessRequest.due_on, SubjectAccessRequest.id
    )
    page = paginate(db.session, statement, page_number(), current_app.config["PAGE_SIZE"])
    names = {
        request_.id: data_rights.describe(
            db.session,
            data_rights.find_person(
                db.session, SubjectKind(request_.subject_type), request_.subject_id
            ),
        )
        for request_ in page.items
    }
    return render_template(
        "admin/subject_access/list.html",
        page=page,
        names=names,
        today=today(),
        status_label=data_rights.status_label,
    )


@bp.route("/subject-access/new", methods=["GET", "POST"])
def subject_access_new() -> ResponseReturnValue:
    form = SubjectAccessRequestForm()
    if request.method == "GET" and not form.received_on.data:
        form.received_on.data = today()
    if form.validate_on_submit():
        try:
            kind, record_id = data_rights.find_subject(db.session, form.identifier.data)
            logged = data_rights.log_request(
                db.session,
                kind,
                record_id,
                received_on=form.received_on.data,
                today=today(),
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"Request logged. It is due by {logged.due_on:%-d %B %Y}.")
            return redirect(url_for("admin.subject_access_requests"))
    return render_form("admin/subject_access/new.html", form)


@bp.post("/subject-access/<int:sar_id>/bundle")
def subject_access_bundle(sar_id: int) -> ResponseReturnValue:
    form = ProduceBundleForm()
    if not form.validate_on_submit():
        abort(400)
    found = db.session.get(SubjectAccessRequest, sar_id)
    if found is None:
        abort(404)
    data = subject_access.produce_bundle(db.session, found, actor=current_user, today=today())
    db.session.commit()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="subject-access-request-{sar_id}.zip"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# Erasure


@bp.route("/erase", methods=["GET", "POST"])
def erase() -> ResponseReturnValue:
    find = FindPersonForm(request.args)
    form = EraseForm()
    identifier = (form.person.data if request.method == "POST" else find.identifier.data) or ""
    person = refusal = name = None
    if identifier:
        try:
            kind, record_id = data_rights.find_subject(db.session, identifier)
        except DomainError as error:
            show_domain_error(find, error)
        else:
            person = data_rights.find_person(db.session, kind, record_id)
            name = data_rights.describe(db.session, person)
            refusal = erasure.erasure_refusal(db.session, person)
    if request.method == "POST" and person is not None and form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = ["Confirm that you understand this cannot be undone"]
        else:
            try:
                erasure.erase_person(
                    db.session, person, actor=current_user, reason=ErasureReason.REQUEST
                )
            except DomainError as error:
                db.session.rollback()
                show_domain_error(form, error)
            else:
                db.session.commit()
                flash(f"{name}’s personal details have been erased")
                return redirect(url_for("admin.erase"))
    form.person.data = identifier
    page_form: FlaskForm = form if form.errors else find
    return render_form(
        "admin/erase.html",
        page_form,
        find_form=find,
        erase_form=form,
        person=person,
        name=name,
        refusal=refusal,
        now=utcnow(),
    )
