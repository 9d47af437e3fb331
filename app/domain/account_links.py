"""Signed, expiring, single-use links that let a person set their password: an invitation
(valid 7 days) or a password reset (valid 1 hour).

The link carries the user's id and security stamp, signed with the app's secret. Setting a
password changes the stamp, so a link works once; deactivating the account changes it too.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain.errors import DomainError
from app.models import User


class Purpose(enum.StrEnum):
    INVITATION = "invitation"
    RESET = "reset"


LIFETIME = {Purpose.INVITATION: timedelta(days=7), Purpose.RESET: timedelta(hours=1)}
LIFETIME_IN_WORDS = {Purpose.INVITATION: "7 days", Purpose.RESET: "1 hour"}


class LinkProblem(DomainError):
    """The link cannot be used; `expired` tells the page whether to offer a new one."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


class _ClockSigner(TimestampSigner):
    """Timestamps from the service's clock, so expiry follows the same "now" as everything."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer(secret_key: str, purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret_key, salt=f"account-link:{purpose.value}", signer=_ClockSigner
    )


def make_token(secret_key: str, user: User, purpose: Purpose) -> str:
    return _serializer(secret_key, purpose).dumps({"user": user.id, "stamp": user.security_stamp})


def user_for_token(session: Session, secret_key: str, token: str, purpose: Purpose) -> User:
    """The user a link is for, or LinkProblem when it is not valid (any more)."""
    serializer = _serializer(secret_key, purpose)
    max_age = int(LIFETIME[purpose].total_seconds())
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkProblem("This link has expired", expired=True) from None
    except BadSignature:
        raise LinkProblem("This link is not valid") from None
    user = session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or not user.is_active:
        raise LinkProblem("This link is not valid")
    if user.security_stamp != payload.get("stamp"):
        raise LinkProblem("This link has already been used", expired=True)
    return user
