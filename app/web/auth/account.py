"""The signed-in user's own account: the overview, their authenticator app, and their sessions.

Changing the second factor asks for the password again, so a session left open on a shared
computer cannot be used to take the account over.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.domain import two_factor, user_sessions
from app.domain.errors import DomainError
from app.domain.throttling import Limits
from app.extensions import db
from app.web.auth import bp
from app.web.auth.second_factor import (
    current_session_id,
    forget_new_secret,
    new_secret_for_this_session,
    set_up_details,
    show_recovery_codes,
)
from app.web.auth.two_factor_forms import (
    AuthenticatorForm,
    EndOtherSessionsForm,
    EndSessionForm,
    TurnOffForm,
)
from app.web.forms_common import render_form, show_domain_error
from app.web.pagination import page_number, paginate


def _required() -> bool:
    return two_factor.is_required(current_user, current_app.config["TWO_FACTOR_REQUIRED"])


@bp.get("/account")
def account() -> str:
    keep = current_session_id()
    return render_template(
        "auth/account.html",
        has_second_factor=two_factor.has_second_factor(current_user),
        required=_required(),
        recovery_codes_left=two_factor.unused_recovery_codes(db.session, current_user),
        other_sessions=user_sessions.count_others(db.session, current_user, keep=keep),
    )


@bp.route("/account/authenticator", methods=["GET", "POST"])
def authenticator() -> ResponseReturnValue:
    """Set up an authenticator app, or replace the one in use (a new phone)."""
    secret = new_secret_for_this_session()
    form = AuthenticatorForm()
    if form.validate_on_submit():
        try:
            two_factor.check_password_again(
                current_user,
                form.password.data,
                ip_address=request.remote_addr or "unknown",
                limits=Limits.from_config(current_app.config),
            )
            step = two_factor.set_up_step(secret, form.code.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            codes = two_factor.enable(db.session, current_user, secret, step, actor=current_user)
            db.session.commit()
            forget_new_secret()
            return show_recovery_codes(codes, url_for("auth.account"))
    return render_form(
        "auth/authenticator.html",
        form,
        replacing=two_factor.has_second_factor(current_user),
        **set_up_details(current_user, secret),
    )


@bp.route("/account/authenticator/turn-off", methods=["GET", "POST"])
def authenticator_remove() -> ResponseReturnValue:
    form = TurnOffForm()
    if form.validate_on_submit() and not _required():
        try:
            two_factor.check_password_again(
                current_user,
                form.password.data,
                ip_address=request.remote_addr or "unknown",
                limits=Limits.from_config(current_app.config),
            )
            two_factor.turn_off(
                db.session, current_user, required_setting=current_app.config["TWO_FACTOR_REQUIRED"]
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Two-step verification is off. You will sign in with your password alone.")
            return redirect(url_for("auth.account"))
    return render_form(
        "auth/authenticator_remove.html",
        form,
        required=_required(),
        has_second_factor=two_factor.has_second_factor(current_user),
    )


# Sessions


@bp.get("/account/sessions")
def sessions() -> str:
    page = paginate(
        db.session,
        user_sessions.sessions_of(current_user),
        page_number(),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "auth/sessions.html",
        page=page,
        current_id=current_session_id(),
        describe_browser=user_sessions.describe_browser,
        end_others_form=EndOtherSessionsForm(),
    )


@bp.post("/account/sessions/<int:session_id>/end")
def session_end(session_id: int) -> ResponseReturnValue:
    EndSessionForm()  # CSRF is checked before the view runs
    if session_id == current_session_id():
        abort(400)  # this session ends by signing out
    if not user_sessions.end_one(db.session, current_user, session_id):
        abort(404)  # not one of this user's sessions
    db.session.commit()
    flash("That session has been signed out")
    return redirect(url_for("auth.sessions"))


@bp.post("/account/sessions/end-others")
def sessions_end_others() -> ResponseReturnValue:
    EndOtherSessionsForm()
    ended = user_sessions.end_others(db.session, current_user, keep=current_session_id())
    db.session.commit()
    session.touch()
    if ended:
        flash(f"You have been signed out of {ended} other session{'s' if ended != 1 else ''}")
    else:
        flash("You had no other sessions")
    return redirect(url_for("auth.sessions"))
