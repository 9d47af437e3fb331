from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.access import home_endpoint
from app.domain import audit
from app.domain.accounts import authenticate
from app.extensions import db
from app.models import AuditAction, User
from app.web.auth import bp
from app.web.auth.forms import SignInForm
from app.web.forms_common import render_form

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
        user = authenticate(db.session, form.email.data, form.password.data)
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
