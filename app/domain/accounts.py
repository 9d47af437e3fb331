"""Accounts: creating and inviting users, passwords, sign-in, and who may change whom."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import audit
from app.domain.errors import DomainError, StaleEdit, flush_versioned
from app.domain.password_policy import password_problem
from app.domain.passwords import hash_password, needs_rehash, verify_password
from app.models import AuditAction, Borough, Role, User, UserRole
from app.models.user import new_security_stamp
from app.sessions import end_sessions_of_user

# Roles a coordinator may give the people they invite; everything else is an admin's to grant.
COORDINATOR_INVITES = frozenset({Role.APPRENTICE, Role.MENTOR})


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


def check_credentials(session: Session, email: str, password: str) -> tuple[User | None, bool]:
    """The account the email names (if any), and whether it may sign in with this password.

    It takes the same time for an unknown email, a wrong password and a deactivated account,
    so nobody can use the form to find out who has an account."""
    user = find_user_by_email(session, email)
    password_ok = verify_password(user.password_hash if user else None, password)
    return user, user is not None and password_ok and user.is_active


def note_sign_in(user: User, password: str) -> None:
    """Record a successful sign-in, upgrading an old password hash while we have the password."""
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()


def borough_names(session: Session) -> list[str]:
    return list(session.scalars(select(Borough.name)))


def check_password(session: Session, user: User, password: str) -> None:
    """Refuse a password the policy does not accept, naming the reason."""
    problem = password_problem(
        password, borough_names=borough_names(session), personal=[user.name, user.email]
    )
    if problem:
        raise DomainError(problem, field="password")


def set_password(session: Session, user: User, password: str, *, actor: User | None) -> None:
    """Set a new password. Every session of the user ends, and every invitation or reset link
    issued before now stops working."""
    check_password(session, user, password)
    end_sessions_of_user(session, user.id)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.security_stamp = new_security_stamp()
    flush_versioned(session)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor or user,
        target=audit.target_of(user),
        fields=["password"],
    )


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError("Your current password is not right", field="current_password")
    set_password(session, user, new, actor=user)


def invitable_roles(actor: User) -> frozenset[Role]:
    if Role.ADMIN in actor.roles:
        return frozenset(Role)
    if Role.COORDINATOR in actor.roles:
        return COORDINATOR_INVITES
    return frozenset()


def invite_user(
    session: Session,
    *,
    actor: User,
    email: str,
    name: str,
    borough: Borough,
    roles: Iterable[Role],
    programme_wide: bool = False,
) -> User:
    """Create an account without a password; the caller mails the invitation link."""
    roles = frozenset(roles)
    if Role.ADMIN not in actor.roles:
        if not roles <= invitable_roles(actor):
            raise DomainError("You can only invite apprentices and mentors", field="roles")
        if borough.id != actor.borough_id and not actor.is_programme_wide:
            raise DomainError("You can only invite people to your own borough", field="borough")
        if programme_wide:
            raise DomainError("Only an administrator can make someone programme-wide")
    user = create_user(
        session,
        email=email,
        name=name,
        borough=borough,
        roles=roles,
        programme_wide=programme_wide,
    )
    audit.record(
        session,
        AuditAction.CREATED,
        actor=actor,
        target=audit.target_of(user),
        fields=["email", "name", "borough", "roles", "is_programme_wide"],
    )
    return user


def invitation_refusal(user: User, actor: User) -> str | None:
    """Why the actor may not send this person a new invitation link, or None if they may.

    The link is shown to whoever sends it, so only someone who could have invited the person
    (with all their roles) may: otherwise a coordinator could take over a lead's account."""
    if not user.is_active:
        return f"{user.name}’s account is deactivated. Reactivate it first."
    if user.password_hash is not None:
        return (
            f"{user.name} has already chosen a password. If they have forgotten it, they can "
            "reset it from the sign-in page."
        )
    if not user.roles <= invitable_roles(actor):
        return "you can only invite apprentices and mentors."
    return None


def renew_invitation(session: Session, user: User, *, actor: User) -> None:
    """Allow a new invitation link for the user; every link sent before stops working."""
    refusal = invitation_refusal(user, actor)
    if refusal:
        raise DomainError(refusal)
    user.security_stamp = new_security_stamp()
    flush_versioned(session)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(user),
        fields=["invitation"],
    )


def update_user(
    session: Session,
    user: User,
    *,
    actor: User,
    name: str,
    borough: Borough,
    roles: Iterable[Role],
    programme_wide: bool,
    expected_version: int,
) -> None:
    """An admin's change to a user's name, borough, roles or programme-wide flag. Changes of
    roles and of the flag are audited as role changes."""
    if user.row_version != expected_version:
        raise StaleEdit()
    roles = frozenset(roles)
    if not roles:
        raise DomainError("Select at least one role", field="roles")
    if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in roles:
        raise DomainError("You cannot remove your own administrator role", field="roles")
    if programme_wide and Role.COORDINATOR not in roles:
        raise DomainError("Only coordinators can be programme-wide", field="programme_wide")
    changed = [
        field
        for field, old, new in (
            ("name", user.name, name.strip()),
            ("borough", user.borough_id, borough.id),
        )
        if old != new
    ]
    role_changes = [
        field
        for field, old, new in (
            ("roles", user.roles, roles),
            ("is_programme_wide", user.is_programme_wide, programme_wide),
        )
        if old != new
    ]
    if not changed and not role_changes:
        return
    user.name = name.strip()
    user.borough_id = borough.id
    user.is_programme_wide = programme_wide
    user.role_rows = [
        next((row for row in user.role_rows if row.role == role.value), None)
        or UserRole(role=role.value)
        for role in sorted(roles)
    ]
    flush_versioned(session)
    target = audit.target_of(user)
    if changed:
        audit.record(session, AuditAction.UPDATED, actor=actor, target=target, fields=changed)
    if role_changes:
        audit.record(
            session, AuditAction.ROLE_CHANGED, actor=actor, target=target, fields=role_changes
        )


def set_active(session: Session, user: User, active: bool, *, actor: User) -> None:
    """Deactivate (ending every session and outstanding link) or reactivate an account."""
    if user.id == actor.id:
        raise DomainError("You cannot deactivate or reactivate yourself")
    if user.is_active == active:
        return
    if not active:
        end_sessions_of_user(session, user.id)
        user.security_stamp = new_security_stamp()
    user.is_active = active
    flush_versioned(session)
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(user),
        fields=["is_active"],
    )
