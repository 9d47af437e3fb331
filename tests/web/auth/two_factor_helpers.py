"""Helpers for tests of the second factor: codes from a user's secret, and an app set up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import two_factor
from app.models import AuditEvent, User


def valid_code(user_or_secret: User | str, at: datetime | None = None) -> str:
    """The code the user's authenticator app shows now (or at another moment)."""
    secret = user_or_secret if isinstance(user_or_secret, str) else user_or_secret.totp_secret
    assert secret, "the user has no authenticator app set up"
    return two_factor.code_at(secret, at or utcnow())


def set_up_two_factor(db_session: Session, user: User) -> list[str]:
    """Give the user an authenticator app (as if they had set it up earlier); returns their
    recovery codes. The current code is left unused, so it can sign them in."""
    secret = two_factor.new_secret()
    step = two_factor.set_up_step(secret, two_factor.code_at(secret, utcnow()))
    codes = two_factor.enable(db_session, user, secret, step, actor=user)
    user.totp_last_step = step - 2
    db_session.commit()
    return codes


def events_named(db_session: Session, field: str) -> list[AuditEvent]:
    """Audit events whose single field name is `field` (compared here: JSON has no = in SQL)."""
    db_session.expire_all()
    return [e for e in db_session.scalars(select(AuditEvent)) if e.fields_changed == [field]]
