"""Mailing invitation and password-reset links, shared by the auth, admin and coordinator pages."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from app.domain.account_links import LIFETIME_IN_WORDS, Purpose, make_token
from app.mail import send_mail
from app.models import User

SUBJECTS = {
    Purpose.INVITATION: "You have been invited to Digital Apprenticeships",
    Purpose.RESET: "Set a new password for Digital Apprenticeships",
}


@dataclass(frozen=True)
class SentLink:
    url: str
    mailed: bool


def account_link(user: User, purpose: Purpose) -> str:
    """An absolute link built from the configured public address, never from the request's Host
    header, so a forged Host cannot redirect someone's reset link."""
    token = make_token(current_app.config["SECRET_KEY"], user, purpose)
    path = url_for("auth.set_password_from_link", kind=purpose.value, token=token)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def send_account_link(user: User, purpose: Purpose, *, invited_by: User | None = None) -> SentLink:
    url = account_link(user, purpose)
    mailed = send_mail(
        user.email,
        SUBJECTS[purpose],
        purpose.value,
        user=user,
        url=url,
        invited_by=invited_by,
        valid_for=LIFETIME_IN_WORDS[purpose],
    )
    return SentLink(url=url, mailed=mailed)
