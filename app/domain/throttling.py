"""Sign-in throttling: too many failures for one account, or from one client address, within a
window lock further attempts for a while.

Counts live in the database, so they hold across every gunicorn worker and app server. They are
written in their own transaction: a failed sign-in is not a change the request keeps, but its
count must survive.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from app.clock import utcnow
from app.domain.accounts import normalise_email
from app.extensions import db
from app.models import SignInFailure, SignInLock

_failures = SignInFailure.__table__
_locks = SignInLock.__table__


@dataclass(frozen=True)
class Limits:
    per_account: int = 10
    per_ip: int = 50
    window: timedelta = timedelta(minutes=5)
    lock: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls, config: dict) -> Limits:
        return cls(
            per_account=config["SIGN_IN_ACCOUNT_LIMIT"],
            per_ip=config["SIGN_IN_IP_LIMIT"],
            window=timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"]),
            lock=timedelta(minutes=config["SIGN_IN_LOCK_MINUTES"]),
        )


@dataclass(frozen=True)
class FailureOutcome:
    account_locked: bool
    ip_locked: bool


def account_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def is_locked(email: str, ip_address: str) -> bool:
    now = utcnow()
    with db.engine.connect() as connection:
        found = connection.execute(
            select(_locks.c.id).where(
                ((_locks.c.kind == "account") & (_locks.c.key == account_key(email)))
                | ((_locks.c.kind == "ip") & (_locks.c.key == ip_address)),
                _locks.c.locked_until > now,
            )
        ).first()
    return found is not None


def record_failure(email: str, ip_address: str, limits: Limits) -> FailureOutcome:
    """Count a failed sign-in; lock the account or address if this one reaches its limit."""
    now = utcnow()
    key = account_key(email)
    since = now - limits.window
    with db.engine.begin() as connection:
        connection.execute(
            insert(_failures).values(
                account_key=key,
                ip_address=ip_address,
                occurred_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        account_count = _count(connection, _failures.c.account_key == key, since)
        ip_count = _count(connection, _failures.c.ip_address == ip_address, since)
        account_locked = account_count >= limits.per_account
        ip_locked = ip_count >= limits.per_ip
        if account_locked:
            _lock(connection, "account", key, now + limits.lock)
        if ip_locked:
            _lock(connection, "ip", ip_address, now + limits.lock)
        # Old failures no longer count towards anything.
        connection.execute(delete(_failures).where(_failures.c.occurred_at < since))
    return FailureOutcome(account_locked=account_locked, ip_locked=ip_locked)


def clear_account(email: str) -> None:
    """A successful sign-in starts the account's count again."""
    with db.engine.begin() as connection:
        connection.execute(delete(_failures).where(_failures.c.account_key == account_key(email)))


def _count(connection: Connection, condition: ColumnElement[bool], since: datetime) -> int:
    return connection.execute(
        select(func.count())
        .select_from(_failures)
        .where(condition, _failures.c.occurred_at >= since)
    ).scalar_one()


def _lock(connection: Connection, kind: str, key: str, until: datetime) -> None:
    now = utcnow()
    renew = (
        update(_locks)
        .where(_locks.c.kind == kind, _locks.c.key == key)
        .values(locked_until=until, updated_at=now)
    )
    if connection.execute(renew).rowcount:
        return
    try:
        with connection.begin_nested():
            connection.execute(
                insert(_locks).values(
                    kind=kind, key=key, locked_until=until, created_at=now, updated_at=now
                )
            )
    except IntegrityError:  # another request created it a moment ago
        connection.execute(renew)
