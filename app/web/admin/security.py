"""An administrator's help with a user's sign-in: resetting their second factor (a lost phone)
and ending all their sessions (a lost laptop, a suspected takeover). Both are audited."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.domain import two_factor, user_sessions
from app.extensions import db
from app.web.admin import bp
from app.web.auth.two_factor_forms import EndAllSessionsForm, ResetSecondFactorForm
from app.web.user_pages import user_in_scope


@bp.route("/users/<int:user_id>/reset-second-factor", methods=["GET", "POST"])
def user_second_factor_reset(user_id: int) -> ResponseReturnValue:
    shown = user_in_scope(user_id)
    form = ResetSecondFactorForm()
    if form.validate_on_submit():
        name = shown.name
        two_factor.reset(db.session, shown, actor=current_user)
        db.session.commit()
        flash(
            f"{name}’s two-step verification has been reset and they have been signed out. "
            "They will set it up again when they next sign in."
        )
        return redirect(url_for("admin.user", user_id=user_id))
    return render_template(
        "admin/user_sign_in_help.html",
        shown=shown,
        form=form,
        action="reset",
        has_second_factor=two_factor.has_second_factor(shown),
    )


@bp.route("/users/<int:user_id>/end-sessions", methods=["GET", "POST"])
def user_sessions_end(user_id: int) -> ResponseReturnValue:
    shown = user_in_scope(user_id)
    form = EndAllSessionsForm()
    if form.validate_on_submit():
        name = shown.name
        user_sessions.end_all(db.session, shown, actor=current_user)
        db.session.commit()
        flash(f"{name} has been signed out everywhere")
        return redirect(url_for("admin.user", user_id=user_id))
    return render_template(
        "admin/user_sign_in_help.html",
        shown=shown,
        form=form,
        action="end_sessions",
        has_second_factor=two_factor.has_second_factor(shown),
    )
