from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.access import home_endpoint
from app.domain import account_links, audit
from app.domain.accounts import change_own_password, find_user_by_email, set_password
from app.domain.errors import DomainError
from app.domain.sign_in import attempt_sign_in
from app.domain.throttling import Limits
from app.domain.two_factor import second_step
from app.extensions import db
from app.models import AuditAction, User
from app.web.account_mail import send_account_link
from app.web.auth import bp
from app.web.auth.forms import (
    ChangePasswordForm,
    KeepAliveForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
)
from app.web.auth.second_factor import start_second_step
from app.web.forms_common import render_form, show_domain_error

SIGN_IN_FAILED = "Enter a correct email address and password"


def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.scalars(
        select(User)
        .where(User.id == int(user_id))
        .options(joinedload(User.borough), selectinload(User.role_rows))
    ).one_or_none()
    return user if user is not None and user.is_active else None


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or a protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = SignInForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        required = current_app.config["TWO_FACTOR_REQUIRED"]
        user = attempt_sign_in(
            db.session,
            form.email.data,
            form.password.data,
            ip_address=request.remote_addr or "unknown",
            limits=Limits.from_config(current_app.config),
            two_factor_required=required,
        )
        if user is not None and second_step(user, required) is not None:
            return start_second_step(user, next_url)
        if user is not None:
            session.rotate()  # a new session id at sign-in
            login_user(user)
            db.session.commit()
            return redirect(next_url or url_for(home_endpoint(user)))
        form.email.errors.append(SIGN_IN_FAILED)
    return render_form(
        "auth/sign_in.html",
        form,
        timed_out=request.args.get("timed_out") == "1",
        signed_out=request.args.get("signed_out") == "1",
        password_set=request.args.get("password_set") == "1",
        attempt_ended=request.args.get("attempt_ended") == "1",
    )


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    audit.record_security_event(
        AuditAction.SIGN_OUT, actor=current_user, target=audit.target_of(current_user)
    )
    logout_user()
    session.end()
    return redirect(url_for("auth.sign_in", signed_out=1))


@bp.get("/home")
def home() -> ResponseReturnValue:
    return redirect(url_for(home_endpoint(current_user)))


@bp.post("/session/keep-alive")
def keep_alive() -> tuple[dict[str, int], int]:
    """The timeout warning's "stay signed in": any signed-in request renews the session."""
    KeepAliveForm()  # CSRF is checked before the view runs
    session.touch()
    return {"idle_seconds": current_app.config["SESSION_IDLE_MINUTES"] * 60}, 200


# Setting a password from an invitation or reset link


def _purpose(kind: str) -> account_links.Purpose:
    try:
        return account_links.Purpose(kind)
    except ValueError:
        abort(404)


@bp.route("/account/<kind>/<token>", methods=["GET", "POST"])
def set_password_from_link(kind: str, token: str) -> ResponseReturnValue:
    purpose = _purpose(kind)
    try:
        user = account_links.user_for_token(
            db.session, current_app.config["SECRET_KEY"], token, purpose
        )
    except account_links.LinkProblem as problem:
        return render_template("auth/link_problem.html", problem=problem, purpose=purpose), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(db.session, user, form.password.data, actor=user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("auth.sign_in", password_set=1))
    return render_form("auth/set_password.html", form, user=user, purpose=purpose)


@bp.route("/account/reset-password", methods=["GET", "POST"])
def reset_password() -> ResponseReturnValue:
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user_by_email(db.session, form.email.data)
        # The same answer whether or not the account exists.
        if user is not None and user.is_active:
            send_account_link(user, account_links.Purpose.RESET)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_form("auth/reset_password.html", form)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(
                db.session, current_user, form.current_password.data, form.password.data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            session.rotate()  # this session carries on; every other one has ended
            flash("Your password has been changed. You have been signed out everywhere else.")
            return redirect(url_for(home_endpoint(current_user)))
    return render_form("auth/change_password.html", form)
