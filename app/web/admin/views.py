from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.access import users_visible_to
from app.domain import audit, standards
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.domain.users import filter_users
from app.extensions import db
from app.models import KSB, AuditAction, Borough, GradeSet, Role, Standard, TrainingProvider, User
from app.web.admin import bp
from app.web.admin.forms import ConfirmForm, KSBForm, ProviderForm, StandardForm, UserFilterForm
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.pagination import page_number, paginate


@bp.get("/")
def home() -> str:
    return render_template("admin/home.html")


# Users


@bp.get("/users")
def users() -> str:
    form = UserFilterForm(request.args)
    boroughs = db.session.scalars(select(Borough).order_by(Borough.name)).all()
    form.borough.choices = choices([("", "Any borough")] + [(str(b.id), b.name) for b in boroughs])
    form.validate()
    role = Role(form.role.data) if form.role.data in set(Role) else None
    borough_id = int(form.borough.data) if (form.borough.data or "").isdigit() else None
    statement = filter_users(
        users_visible_to(current_user),
        text=form.q.data if not form.q.errors else None,
        role=role,
        borough_id=borough_id,
    )
    page = paginate(db.session, statement, page_number(), current_app.config["PAGE_SIZE"])
    return render_template("admin/users.html", form=form, page=page)


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> str:
    shown = (
        db.session.scalars(filter_users(users_visible_to(current_user)).where(User.id == user_id))
        .unique()
        .one_or_none()
    )
    if shown is None:
        abort(404)
    audit.record(
        db.session, AuditAction.VIEWED_RECORD, actor=current_user, target=audit.target_of(shown)
    )
    db.session.commit()
    return render_template("admin/user.html", shown=shown)


# Standards and KSBs


def _standard_details(form: StandardForm) -> standards.StandardDetails:
    return standards.StandardDetails(
        reference=form.reference.data,
        version=form.version.data,
        title=form.title.data,
        level=int(form.level.data),
        typical_duration_months=form.typical_duration_months.data,
        funding_band_max=form.funding_band_max.data,
        min_otj_hours=form.min_otj_hours.data,
        grade_set=GradeSet(form.grade_set.data),
    )


def _get_standard(standard_id: int) -> Standard:
    try:
        return standards.standard_with_ksbs(db.session, standard_id)
    except NotFound:
        abort(404)


@bp.get("/standards", endpoint="standards")
def standards_list() -> str:
    rows = db.session.scalars(select(Standard).order_by(Standard.reference, Standard.version)).all()
    counts = standards.ksb_counts(db.session, [row.id for row in rows])
    return render_template("admin/standards.html", standards=rows, ksb_counts=counts)


@bp.route("/standards/new", methods=["GET", "POST"])
def standard_new() -> ResponseReturnValue:
    form = StandardForm()
    if form.validate_on_submit():
        try:
            standard = standards.create_standard(
                db.session, _standard_details(form), actor=current_user
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{standard.title} added")
            return redirect(url_for("admin.standard", standard_id=standard.id))
    return render_form("admin/standard_form.html", form, standard=None)


@bp.get("/standards/<int:standard_id>")
def standard(standard_id: int) -> str:
    return render_template("admin/standard.html", standard=_get_standard(standard_id))


@bp.route("/standards/<int:standard_id>/edit", methods=["GET", "POST"])
def standard_edit(standard_id: int) -> ResponseReturnValue:
    record = _get_standard(standard_id)
    form = StandardForm(obj=record if request.method == "GET" else None)
    if request.method == "GET":
        form.level.data = str(record.level)
    if form.validate_on_submit():
        try:
            standards.update_standard(
                db.session,
                record,
                _standard_details(form),
                expected_version=int(form.row_version.data),
                actor=current_user,
            )
        except StaleEdit as error:
            db.session.rollback()
            current = _get_standard(standard_id)
            form.row_version.data = str(current.row_version)
            return render_template(
                "admin/standard_form.html", form=form, standard=current, stale=error.message
            ), 409
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Standard updated")
            return redirect(url_for("admin.standard", standard_id=record.id))
    return render_form("admin/standard_form.html", form, standard=record)


def _get_ksb(standard: Standard, ksb_id: int) -> KSB:
    ksb = next((ksb for ksb in standard.ksbs if ksb.id == ksb_id), None)
    if ksb is None:
        abort(404)
    return ksb


@bp.route("/standards/<int:standard_id>/ksbs/new", methods=["GET", "POST"])
def ksb_new(standard_id: int) -> ResponseReturnValue:
    record = _get_standard(standard_id)
    form = KSBForm()
    if form.validate_on_submit():
        try:
            ksb = standards.add_ksb(
                db.session, record, form.code.data, form.text.data, actor=current_user
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{ksb.code} added")
            return redirect(url_for("admin.standard", standard_id=record.id))
    return render_form("admin/ksb_form.html", form, standard=record, ksb=None)


@bp.route("/standards/<int:standard_id>/ksbs/<int:ksb_id>/edit", methods=["GET", "POST"])
def ksb_edit(standard_id: int, ksb_id: int) -> ResponseReturnValue:
    record = _get_standard(standard_id)
    ksb = _get_ksb(record, ksb_id)
    form = KSBForm(obj=ksb if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            standards.update_ksb(
                db.session, ksb, record, form.code.data, form.text.data, actor=current_user
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{ksb.code} updated")
            return redirect(url_for("admin.standard", standard_id=record.id))
    return render_form("admin/ksb_form.html", form, standard=record, ksb=ksb)


@bp.route("/standards/<int:standard_id>/ksbs/<int:ksb_id>/delete", methods=["GET", "POST"])
def ksb_delete(standard_id: int, ksb_id: int) -> ResponseReturnValue:
    record = _get_standard(standard_id)
    ksb = _get_ksb(record, ksb_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        code = ksb.code
        standards.delete_ksb(db.session, ksb, actor=current_user)
        db.session.commit()
        flash(f"{code} deleted")
        return redirect(url_for("admin.standard", standard_id=record.id))
    return render_form("admin/ksb_delete.html", form, standard=record, ksb=ksb)


# Training providers and assessment organisations


def _provider_details(form: ProviderForm) -> standards.ProviderDetails:
    return standards.ProviderDetails(
        name=form.name.data,
        ukprn=form.ukprn.data,
        delivers_training="training" in (form.roles.data or []),
        assesses_epa="epa" in (form.roles.data or []),
    )


@bp.get("/training-providers")
def providers() -> str:
    rows = db.session.scalars(select(TrainingProvider).order_by(TrainingProvider.name)).all()
    return render_template("admin/providers.html", providers=rows)


@bp.route("/training-providers/new", methods=["GET", "POST"])
def provider_new() -> ResponseReturnValue:
    form = ProviderForm()
    if form.validate_on_submit():
        try:
            provider = standards.create_provider(
                db.session, _provider_details(form), actor=current_user
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{provider.name} added")
            return redirect(url_for("admin.providers"))
    return render_form("admin/provider_form.html", form, provider=None)


@bp.route("/training-providers/<int:provider_id>/edit", methods=["GET", "POST"])
def provider_edit(provider_id: int) -> ResponseReturnValue:
    provider = db.session.get(TrainingProvider, provider_id)
    if provider is None:
        abort(404)
    form = ProviderForm(obj=provider if request.method == "GET" else None)
    if request.method == "GET":
        form.roles.data = [
            value
            for value, held in (
                ("training", provider.delivers_training),
                ("epa", provider.assesses_epa),
            )
            if held
        ]
    if form.validate_on_submit():
        try:
            standards.update_provider(
                db.session,
                provider,
                _provider_details(form),
                expected_version=int(form.row_version.data),
                actor=current_user,
            )
        except StaleEdit as error:
            db.session.rollback()
            current = db.session.get(TrainingProvider, provider_id)
            form.row_version.data = str(current.row_version)
            return render_template(
                "admin/provider_form.html", form=form, provider=current, stale=error.message
            ), 409
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{provider.name} updated")
            return redirect(url_for("admin.providers"))
    return render_form("admin/provider_form.html", form, provider=provider)
