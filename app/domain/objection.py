"""Objecting to equality monitoring (DPA 2018 Schedule 1 paragraph 8): an applicant or
apprentice may ask that their answers no longer be used. From then on the reports leave them
out (app.domain.reports reads only records not objected to).

The person objects through a signed link in their receipt email, like the withdrawal link, or
asks a coordinator, who records it for them.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.errors import NotFound
from app.models import Application, AuditAction, EqualityMonitoring, User

OBJECTION_SALT = "equality-objection"


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=OBJECTION_SALT)


def objection_token(secret_key: str, application: Application) -> str:
    """The signed token in the receipt's objection link. It does not expire: a person may
    object at any time."""
    return _serializer(secret_key).dumps(
        {"application": application.id, "reference": application.reference}
    )


def application_for_objection_token(session: Session, secret_key: str, token: str) -> Application:
    problem = NotFound("This link to object to equality monitoring is not valid")
    if len(token) > 500:
        raise problem
    try:
        payload = _serializer(secret_key).loads(token)
    except BadSignature:
        raise problem from None
    if not isinstance(payload, dict) or not isinstance(payload.get("application"), int):
        raise problem
    application = session.get(Application, payload["application"])
    if application is None or application.reference != payload.get("reference"):
        raise problem
    return application


def has_objected(session: Session, application_id: int) -> bool:
    return bool(
        session.scalar(
            select(EqualityMonitoring.objected).where(
                EqualityMonitoring.application_id == application_id
            )
        )
    )


def record_objection(session: Session, application: Application, *, actor: User | None) -> bool:
    """Mark the application's equality answers as objected to; True when this changed
    anything. With no answers yet, an empty record keeps the objection, so answers given
    later are not used either."""
    record = session.scalars(
        select(EqualityMonitoring).where(EqualityMonitoring.application_id == application.id)
    ).one_or_none()
    if record is not None and record.objected:
        return False
    action = AuditAction.UPDATED
    if record is None:
        record = EqualityMonitoring(application_id=application.id)
        session.add(record)
        action = AuditAction.CREATED
    record.objected = True
    session.flush()
    audit.record(session, action, actor=actor, target=audit.target_of(record), fields=["objected"])
    return True
