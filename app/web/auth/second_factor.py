"""Signing in, after the password: the code from the authenticator app, a recovery code, or
setting the app up when the user's role needs it and they have none yet.

Until this step is passed the visitor is not signed in: the session holds only which sign-in
attempt is waiting (PENDING_SIGN_IN), and the access policy lets it reach these pages alone.
"""

from __future__ import annotations

from typing import Any

import segno
from flask import current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from app.access import PENDING_SIGN_IN, home_endpoint
from app.domain import two_factor
from app.domain.sign_in import complete_sign_in
from app.domain.throttling import Limits
from app.domain.user_sessions import count_others
from app.extensions import db
from app.models import User
from app.web.auth import bp
from app.web.auth.two_factor_forms import (
    CodeForm,
    EndOtherSessionsForm,
    RecoveryCodeForm,
    SetUpForm,
)
from app.web.forms_common import render_form

WRONG_CODE = "The code is not right. Enter the code your authenticator app shows now"
WRONG_RECOVERY_CODE = "The recovery code is not right, or it has been used already"
# New recovery codes wait here for the one page that shows them.
NEW_RECOVERY_CODES = "new_recovery_codes"
AFTER_RECOVERY_CODES = "after_recovery_codes"


def start_second_step(user: User, next_url: str | None) -> Response:
    """The password was right and a second factor must follow: remember the attempt (in a new
    session id) and ask for it."""
    db.session.commit()  # an upgraded password hash, if any
    attempt = two_factor.start_attempt(user)
    session.rotate()
    session[PENDING_SIGN_IN] = {"user_id": user.id, "attempt_id": attempt.id, "next": next_url}
    step = two_factor.second_step(user, current_app.config["TWO_FACTOR_REQUIRED"])
    if step is two_factor.SecondStep.SET_UP:
        return redirect(url_for("auth.second_factor_set_up"))
    return redirect(url_for("auth.second_factor"))


def _pending() -> tuple[User, two_factor.Attempt, dict[str, Any]] | None:
    pending = session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict):
        return None
    user = db.session.scalars(
        select(User)
        .where(User.id == pending.get("user_id"))
        .options(joinedload(User.borough), selectinload(User.role_rows))
    ).one_or_none()
    if user is None or not user.is_active:
        return None
    return user, two_factor.Attempt(id=pending["attempt_id"], user_id=user.id), pending


def _start_again() -> Response:
    session.pop(PENDING_SIGN_IN, None)
    session.pop(_NEW_SECRET, None)
    return redirect(url_for("auth.sign_in", attempt_ended=1))


def _finish(user: User, pending: dict[str, Any]) -> Response:
    """Sign the user in for real, in a new session id."""
    complete_sign_in(user)
    session.pop(PENDING_SIGN_IN, None)
    session.rotate()
    login_user(user)
    db.session.commit()
    return redirect(pending.get("next") or url_for(home_endpoint(user)))


def _checking() -> dict[str, Any]:
    return {
        "ip_address": request.remote_addr or "unknown",
        "limits": Limits.from_config(current_app.config),
    }


@bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor() -> ResponseReturnValue:
    found = _pending()
    if found is None:
        return _start_again()
    user, attempt, pending = found
    if not two_factor.has_second_factor(user):
        return redirect(url_for("auth.second_factor_set_up"))
    form = CodeForm()
    if form.validate_on_submit():
        outcome = two_factor.check_sign_in_code(user, attempt, form.code.data, **_checking())
        if outcome is two_factor.Outcome.ACCEPTED:
            return _finish(user, pending)
        if outcome is two_factor.Outcome.ENDED:
            return _start_again()
        form.code.errors.append(WRONG_CODE)
    return render_form("auth/second_factor.html", form)


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
def second_factor_recovery() -> ResponseReturnValue:
    found = _pending()
    if found is None:
        return _start_again()
    user, attempt, pending = found
    if not two_factor.has_second_factor(user):
        return redirect(url_for("auth.second_factor_set_up"))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        outcome = two_factor.check_sign_in_code(
            user, attempt, form.code.data, recovery=True, **_checking()
        )
        if outcome is two_factor.Outcome.ACCEPTED:
            return _finish(user, pending)
        if outcome is two_factor.Outcome.ENDED:
            return _start_again()
        form.code.errors.append(WRONG_RECOVERY_CODE)
    return render_form("auth/second_factor_recovery.html", form)


# Setting the app up: at sign-in (required by the user's role) and from the account page.

_NEW_SECRET = "new_authenticator_secret"


def new_secret_for_this_session() -> str:
    """The secret being set up, kept in the (server-side) session until a code proves it."""
    secret = session.get(_NEW_SECRET)
    if not isinstance(secret, str):
        secret = two_factor.new_secret()
        session[_NEW_SECRET] = secret
    return secret


def forget_new_secret() -> None:
    session.pop(_NEW_SECRET, None)


def set_up_details(user: User, secret: str) -> dict[str, str]:
    """What the set-up page shows: the QR code (an SVG data URI, drawn on the server) and the
    same secret as text, in groups of four for typing."""
    uri = two_factor.provisioning_uri(
        secret, email=user.email, issuer=current_app.config["SERVICE_NAME"]
    )
    qr = segno.make(uri, error="m")
    return {
        "qr_code": qr.svg_data_uri(scale=5, border=4, dark="#0b0c0c", light="#ffffff"),
        "secret_text": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


def show_recovery_codes(codes: list[str], after: str) -> Response:
    session[NEW_RECOVERY_CODES] = codes
    session[AFTER_RECOVERY_CODES] = after
    return redirect(url_for("auth.recovery_codes"))


@bp.route("/sign-in/set-up-authenticator", methods=["GET", "POST"])
def second_factor_set_up() -> ResponseReturnValue:
    found = _pending()
    if found is None:
        return _start_again()
    user, attempt, pending = found
    if two_factor.has_second_factor(user):
        return redirect(url_for("auth.second_factor"))
    secret = new_secret_for_this_session()
    form = SetUpForm()
    if form.validate_on_submit():
        outcome, step = two_factor.check_set_up_code(
            user, attempt, secret, form.code.data, **_checking()
        )
        if outcome is two_factor.Outcome.ENDED:
            return _start_again()
        if outcome is two_factor.Outcome.ACCEPTED:
            assert step is not None
            # The sign-in's own audit and throttle writes come first (SQLite has one writer).
            complete_sign_in(user)
            codes = two_factor.enable(db.session, user, secret, step, actor=user)
            forget_new_secret()
            session.pop(PENDING_SIGN_IN, None)
            session.rotate()
            login_user(user)
            db.session.commit()
            return show_recovery_codes(codes, pending.get("next") or url_for(home_endpoint(user)))
        form.code.errors.append(two_factor.WRONG_SET_UP_CODE)
    return render_form(
        "auth/second_factor_set_up.html", form, **set_up_details(user, secret), user=user
    )


@bp.get("/account/recovery-codes")
def recovery_codes() -> ResponseReturnValue:
    """New recovery codes, shown once: the page takes them out of the session. Changing the
    second factor is a moment to end other sessions, so the page offers it."""
    codes = session.pop(NEW_RECOVERY_CODES, None)
    after = session.pop(AFTER_RECOVERY_CODES, None) or url_for("auth.account")
    if not isinstance(codes, list):
        return redirect(url_for("auth.account"))
    return render_template(
        "auth/recovery_codes.html",
        codes=codes,
        after=after,
        other_sessions=count_others(db.session, current_user, keep=current_session_id()),
        end_form=EndOtherSessionsForm(),
    )


def current_session_id() -> int | None:
    return getattr(session, "record_id", None)
