"""Signing in: throttling, the credential check, and the audit trail, in that order.

Every audit and throttle write here goes through its own transaction before the user row
changes (SQLite allows one writer at a time, and a failed sign-in must leave its trace).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.domain import audit, throttling
from app.domain.accounts import check_credentials, find_user_by_email, note_sign_in
from app.models import AuditAction, User


def attempt_sign_in(
    session: Session, email: str, password: str, *, ip_address: str, limits: throttling.Limits
) -> User | None:
    """The user, signed in, or None. A locked account or address gets the same None as a wrong
    password, so the answer reveals nothing."""
    if throttling.is_locked(email, ip_address):
        known = find_user_by_email(session, email)
        audit.record_security_event(
            AuditAction.SIGN_IN_FAILED,
            actor=None,
            target=audit.target_of(known) if known is not None else None,
        )
        return None
    user, allowed = check_credentials(session, email, password)
    target = audit.target_of(user) if user is not None else None
    if not allowed:
        audit.record_security_event(AuditAction.SIGN_IN_FAILED, actor=None, target=target)
        outcome = throttling.record_failure(email, ip_address, limits)
        if outcome.account_locked or outcome.ip_locked:
            audit.record_security_event(AuditAction.LOCKED_OUT, actor=None, target=target)
        return None
    assert user is not None
    audit.record_security_event(AuditAction.SIGN_IN, actor=user, target=target)
    throttling.clear_account(email)
    note_sign_in(user, password)
    return user
