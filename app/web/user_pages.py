"""Pages about users that the admin and coordinator blueprints share: finding a user within
the viewer's scope, the invitation form's choices, and the notice shown after an invitation."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from app.access import users_visible_to
from app.domain import audit
from app.domain.account_links import LIFETIME_IN_WORDS, Purpose
from app.domain.accounts import invitation_refusal, renew_invitation
from app.domain.errors import DomainError
from app.domain.users import filter_users
from app.extensions import db
from app.models import AuditAction, Borough, Role, User
from app.web.account_mail import SentLink, send_account_link
from app.web.forms_common import choices
from app.web.pagination import Page, page_number, paginate


def user_in_scope(user_id: int) -> User:
    """The user, with their borough and roles, if the signed-in user may see them; else 404."""
    shown = (
        db.session.scalars(filter_users(users_visible_to(current_user)).where(User.id == user_id))
        .unique()
        .one_or_none()
    )
    if shown is None:
        abort(404)
    return shown


def filtered_users(form: FlaskForm) -> Page[User]:
    """The page of users within the viewer's scope that a filter form (q, role, and borough
    when the form has one) asks for. Nonsense filter values are ignored."""
    form.validate()
    role = Role(form.role.data) if form.role.data in set(Role) else None
    borough = form.borough.data if getattr(form, "borough", None) else None
    statement = filter_users(
        users_visible_to(current_user),
        text=form.q.data if not form.q.errors else None,
        role=role,
        borough_id=int(borough) if (borough or "").isdigit() else None,
    )
    return paginate(db.session, statement, page_number(), current_app.config["PAGE_SIZE"])


def record_user_view(shown: User) -> None:
    """Staff looking at a person's record leave a trace in the audit trail."""
    audit.record(
        db.session, AuditAction.VIEWED_RECORD, actor=current_user, target=audit.target_of(shown)
    )
    db.session.commit()


def borough_choices(*, blank: bool) -> list[Any]:
    boroughs = db.session.scalars(select(Borough).order_by(Borough.name)).all()
    options = [("", "Select a borough")] if blank else []
    return choices(options + [(str(borough.id), borough.name) for borough in boroughs])


def chosen_roles(form: FlaskForm) -> frozenset[Role]:
    return frozenset(Role(value) for value in form.roles.data or [])


def chosen_borough(form: FlaskForm) -> Borough:
    borough = db.session.get(Borough, int(form.borough.data))
    if borough is None:  # the select's choices are the boroughs, so only a forged value
        abort(400)
    return borough


def commit_invitation(form: FlaskForm) -> bool:
    """Commit a new account; two people inviting the same address at once is not a crash."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.email.errors.append("A user with this email address already exists")
        return False
    return True


# What happened to an invitation is kept in the (server-side) session for the next view of the
# person's page, so the link is shown once to whoever sent it and never put in a URL.
_NOTICE = "user_notice"


def remember_invitation(shown: User, sent: SentLink) -> None:
    session[_NOTICE] = {
        "user_id": shown.id,
        "kind": "invitation",
        "url": sent.url,
        "mailed": sent.mailed,
        "valid_for": LIFETIME_IN_WORDS[Purpose.INVITATION],
    }


def remember_refusal(shown: User, text: str) -> None:
    session[_NOTICE] = {"user_id": shown.id, "kind": "refused", "text": text}


def take_user_notice(shown: User) -> dict[str, Any] | None:
    notice = session.pop(_NOTICE, None)
    return notice if isinstance(notice, dict) and notice.get("user_id") == shown.id else None


def may_resend_invitation(shown: User) -> bool:
    return invitation_refusal(shown, current_user) is None


def resend_invitation(shown: User, user_endpoint: str) -> Response:
    """Send a new invitation link (the earlier ones stop working), or say why not."""
    try:
        renew_invitation(db.session, shown, actor=current_user)
    except DomainError as refusal:
        db.session.rollback()
        remember_refusal(shown, f"No invitation was sent: {refusal.message}")
    else:
        db.session.commit()
        remember_invitation(
            shown, send_account_link(shown, Purpose.INVITATION, invited_by=current_user)
        )
    return redirect(url_for(user_endpoint, user_id=shown.id))
