from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.access import borough_scope
from app.domain.account_links import Purpose
from app.domain.accounts import invitable_roles, invite_user
from app.domain.errors import DomainError
from app.extensions import db
from app.models import Borough, Role
from app.web.account_mail import send_account_link
from app.web.admin.forms import ResendInvitationForm
from app.web.coordinator import bp
from app.web.coordinator.forms import InviteUserForm, UserFilterForm
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


@bp.get("/")
def home() -> str:
    return render_template("coordinator/home.html")


# Users of the coordinator's borough (every borough for the programme-wide)


def _sees_every_borough() -> bool:
    return borough_scope(current_user) is None


@bp.get("/users")
def users() -> str:
    form = UserFilterForm(request.args)
    if _sees_every_borough():
        form.borough.choices = [*choices([("", "Any borough")]), *borough_choices(blank=False)]
    else:
        del form.borough
    return render_template("coordinator/users.html", form=form, page=filtered_users(form))


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> str:
    shown = user_in_scope(user_id)
    record_user_view(shown)
    return render_template(
        "coordinator/user.html",
        shown=shown,
        notice=take_user_notice(shown),
        can_resend=may_resend_invitation(shown),
        resend_form=ResendInvitationForm(),
    )


def _own_borough_unless_another_is_sent() -> Borough:
    """The coordinator's own borough. The form offers no other; a borough sent anyway is passed
    on, so the domain refuses it with its message rather than it being quietly ignored."""
    requested = request.form.get("borough", "")
    if not requested or requested == str(current_user.borough_id):
        return current_user.borough
    other = db.session.get(Borough, int(requested)) if requested.isdigit() else None
    if other is None:
        abort(400)
    return other


@bp.route("/users/invite", methods=["GET", "POST"])
def user_invite() -> ResponseReturnValue:
    form = InviteUserForm()
    form.roles.choices = choices(
        (role.value, role.label) for role in Role if role in invitable_roles(current_user)
    )
    chooses_borough = _sees_every_borough()
    if chooses_borough:
        form.borough.choices = borough_choices(blank=True)
    else:
        del form.borough
    if form.validate_on_submit():
        borough = chosen_borough(form) if chooses_borough else _own_borough_unless_another_is_sent()
        try:
            invited = invite_user(
                db.session,
                actor=current_user,
                email=form.email.data,
                name=form.name.data,
                borough=borough,
                roles=chosen_roles(form),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            if commit_invitation(form):
                remember_invitation(
                    invited, send_account_link(invited, Purpose.INVITATION, invited_by=current_user)
                )
                return redirect(url_for("coordinator.user", user_id=invited.id))
    return render_form("coordinator/user_invite.html", form)


@bp.post("/users/<int:user_id>/invitation")
def user_resend_invitation(user_id: int) -> ResponseReturnValue:
    return resend_invitation(user_in_scope(user_id), "coordinator.user")
