"""Accounts: creating users and checking a sign-in."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import audit
from app.domain.errors import DomainError
from app.domain.passwords import hash_password, needs_rehash, verify_password
from app.models import AuditAction, Borough, Role, User, UserRole


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).one_or_none()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    borough: Borough,
    roles: Iterable[Role],
    programme_wide: bool = False,
    password: str | None = None,
) -> User:
    roles = frozenset(roles)
    if not roles:
        raise DomainError("Select at least one role", field="roles")
    if programme_wide and Role.COORDINATOR not in roles:
        raise DomainError("Only coordinators can be programme-wide", field="programme_wide")
    if find_user_by_email(session, email) is not None:
        raise DomainError("A user with this email address already exists", field="email")
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        borough=borough,
        is_programme_wide=programme_wide,
        is_active=True,
        password_hash=hash_password(password) if password else None,
        role_rows=[UserRole(role=role.value) for role in sorted(roles)],
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user these credentials belong to, or None. Writes the sign-in audit events.

    The answer and the time taken are the same for an unknown email, a wrong password and a
    deactivated account, so the form cannot be used to find out who has an account.
    """
    user = find_user_by_email(session, email)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        audit.record_security_event(
            AuditAction.SIGN_IN_FAILED,
            actor=None,
            target=audit.target_of(user) if user is not None else None,
        )
        return None
    # The event is written before the user row changes: on SQLite a pending write in this
    # session would lock out the audit writer's own connection.
    audit.record_security_event(AuditAction.SIGN_IN, actor=user, target=audit.target_of(user))
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()
    return user
