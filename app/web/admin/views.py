from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.domain import standards
from app.domain.account_links import Purpose
from app.domain.accounts import invite_user, set_active, update_user
from app.domain.errors import DomainError, NotFound, StaleEdit
from app.extensions import db
from app.mail import MemoryBackend, OutboxBackend
from app.models import KSB, GradeSet, Standard, TrainingProvider
from app.web.account_mail import send_account_link
from app.web.admin import bp
from app.web.admin.forms import (
    ConfirmForm,
    DeactivateForm,
    EditUserForm,
    InviteUserForm,
    KSBForm,
    ProviderForm,
    ReactivateForm,
    ResendInvitationForm,
    StandardForm,
    UserFilterForm,
)
from app.web.forms_common import choices, render_form, show_domain_error
from app.web.user_pages import (
    borough_choices,
    chosen_borough,
    chosen_roles,
    commit_invitation,
    filtered_users,
    may_resend_invitation,
    record_user_view,
    remember_invitation,
    resend_invitation,
    take_user_notice,
    user_in_scope,
)

# The most recent mails the outbox page lists.
OUTBOX_LIMIT = 50


@bp.get("/")
def home() -> str:
    return render_template("admin/home.html")


# Users


@bp.get("/users")
def users() -> str:
    form = UserFilterForm(request.args)
    form.borough.choices = [*choices([("", "Any borough")]), *borough_choices(blank=False)]
    return render_template("admin/users.html", form=form, page=filtered_users(form))


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> str:
    shown = user_in_scope(user_id)
    record_user_view(shown)
    return render_template(
        "admin/user.html",
        shown=shown,
        notice=take_user_notice(shown),
        can_resend=may_resend_invitation(shown),
        resend_form=ResendInvitationForm(),
    )


@bp.route("/users/invite", methods=["GET", "POST"])
def user_invite() -> ResponseReturnValue:
    form = InviteUserForm()
    form.borough.choices = borough_choices(blank=True)
    if form.validate_on_submit():
        try:
            invited = invite_user(
                db.session,
                actor=current_user,
                email=form.email.data,
                name=form.name.data,
                borough=chosen_borough(form),
                roles=chosen_roles(form),
                programme_wide=form.programme_wide.data,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            if commit_invitation(form):
                remember_invitation(
                    invited, send_account_link(invited, Purpose.INVITATION, invited_by=current_user)
                )
                return redirect(url_for("admin.user", user_id=invited.id))
    return render_form("admin/user_form.html", form, shown=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int) -> ResponseReturnValue:
    shown = user_in_scope(user_id)
    form = EditUserForm()
    form.borough.choices = borough_choices(blank=False)
    if request.method == "GET":
        form.name.data = shown.name
        form.roles.data = sorted(shown.roles)
        form.borough.data = str(shown.borough_id)
        form.programme_wide.data = shown.is_programme_wide
        form.row_version.data = str(shown.row_version)
    if form.validate_on_submit():
        try:
            update_user(
                db.session,
                shown,
                actor=current_user,
                name=form.name.data,
                borough=chosen_borough(form),
                roles=chosen_roles(form),
                programme_wide=form.programme_wide.data,
                # An empty version (a form from nowhere) never matches, so it counts as stale.
                expected_version=int(form.row_version.data or -1),
            )
        except StaleEdit as error:
            db.session.rollback()
            current = user_in_scope(user_id)
            form.row_version.data = str(current.row_version)
            return render_template(
                "admin/user_form.html", form=form, shown=current, stale=error.message
            ), 409
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{form.name.data}’s details have been updated")
            return redirect(url_for("admin.user", user_id=user_id))
    return render_form("admin/user_form.html", form, shown=shown)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def user_deactivate(user_id: int) -> ResponseReturnValue:
    return _change_active(user_id, active=False, form=DeactivateForm())


@bp.route("/users/<int:user_id>/reactivate", methods=["GET", "POST"])
def user_reactivate(user_id: int) -> ResponseReturnValue:
    return _change_active(user_id, active=True, form=ReactivateForm())


def _change_active(user_id: int, *, active: bool, form: FlaskForm) -> ResponseReturnValue:
    shown = user_in_scope(user_id)
    context = {"shown": shown, "activating": active, "form": form}
    if form.validate_on_submit():
        name = shown.name
        try:
            set_active(db.session, shown, active, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            return render_template("admin/user_active.html", refused=error.message, **context), 400
        db.session.commit()
        if active:
            flash(f"{name}’s account has been reactivated")
        else:
            flash(f"{name}’s account has been deactivated and they have been signed out")
        return redirect(url_for("admin.user", user_id=user_id))
    return render_template("admin/user_active.html", refused=None, **context)


@bp.post("/users/<int:user_id>/invitation")
def user_resend_invitation(user_id: int) -> ResponseReturnValue:
    return resend_invitation(user_in_scope(user_id), "admin.user")


# The development and test outbox


@bp.get("/outbox")
def outbox() -> str:
    backend = current_app.extensions["mail"]
    if isinstance(backend, OutboxBackend):
        messages = backend.messages()
    elif isinstance(backend, MemoryBackend):
        messages = list(reversed(backend.sent))
    else:
        abort(404)  # real mail leaves the service; there is nothing to read here
    return render_template(
        "admin/outbox.html", messages=messages[:OUTBOX_LIMIT], total=len(messages)
    )


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
