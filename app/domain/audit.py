"""Writing the audit trail.

`record` adds an event to the request's transaction, so it is kept exactly when the change it
describes is. `record_security_event` writes in its own transaction, so a refused or failed
request still leaves its trace; call it before the request's session writes anything (SQLite
allows one writer at a time). Events name the fields changed, never their values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import g, has_request_context, request
from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.extensions import db
from app.models import AuditAction, AuditEvent, User


@dataclass(frozen=True)
class Target:
    type: str
    id: int | None


def target_of(record: db.Model) -> Target:
    return Target(type=record.__tablename__, id=record.id)


def _values(
    action: AuditAction,
    actor: User | None,
    target: Target | None,
    fields: Iterable[str] | None,
) -> dict:
    now = utcnow()
    return {
        "occurred_at": now,
        "created_at": now,
        "updated_at": now,
        "actor_user_id": actor.id if actor is not None else None,
        "actor_roles": ",".join(sorted(actor.roles)) if actor is not None else "",
        "actor_borough_id": actor.borough_id if actor is not None else None,
        "action": action.value,
        "target_type": target.type if target else None,
        "target_id": target.id if target else None,
        "fields_changed": sorted(fields) if fields is not None else None,
        "ip_address": request.remote_addr if has_request_context() else None,
        "request_id": g.get("request_id") if has_request_context() else None,
    }


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: User | None,
    target: Target | None = None,
    fields: Iterable[str] | None = None,
) -> AuditEvent:
    event = AuditEvent(**_values(action, actor, target, fields))
    session.add(event)
    return event


def record_security_event(
    action: AuditAction,
    *,
    actor: User | None,
    target: Target | None = None,
    fields: Iterable[str] | None = None,
) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            insert(AuditEvent.__table__).values(**_values(action, actor, target, fields))
        )
