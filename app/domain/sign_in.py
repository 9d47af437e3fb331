"""Signing in: throttling, the credential check, and the audit trail, in that order.

Every audit and throttle write here goes through its own transaction before the user row
changes (SQLite allows one writer at a time, and a failed sign-in must leave its trace).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import audit, throttling, two_factor
from app.domain.accounts import check_credentials, find_user_by_email
from app.domain.passwords import hash_password, needs_rehash
from app.models import AuditAction, User


def attempt_sign_in(
    session: Session,
    email: str,
    password: str,
    *,
    ip_address: str,
    limits: throttling.Limits,
    two_factor_required: bool = False,
) -> User | None:
    """The user whose password this is, or None. A locked account or address gets the same None
    as a wrong password, so the answer reveals nothing.

    When a second factor must follow (see `two_factor.second_step`), the sign-in is not finished
    here: the caller asks for it, then calls `complete_sign_in`."""
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
    if needs_rehash(user.password_hash or ""):
        # Upgrade an old hash while we have the password.
        user.password_hash = hash_password(password)
    if two_factor.second_step(user, two_factor_required) is None:
        complete_sign_in(user)
    return user


def complete_sign_in(user: User) -> None:
    """The last step of a sign-in: audited, and the account's failure count starts again. Only
    here, after any second factor, so wrong codes count towards the same lock as passwords."""
    audit.record_security_event(AuditAction.SIGN_IN, actor=user, target=audit.target_of(user))
    throttling.clear_account(user.email)
    user.last_signed_in_at = utcnow()
