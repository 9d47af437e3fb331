"""Finding a record within the viewer's scope, for the pages that show or change one.

Outside the scope a record is simply not found (404). A record the viewer may read but not
change answers 403 on a change, and the refusal is audited (DESIGN.md's scoping rules).
"""

from __future__ import annotations

from typing import NoReturn

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from app.access import apprentices_visible_to, may_change_apprentice
from app.domain import audit
from app.extensions import db
from app.models import Apprentice, AuditAction


def refuse_change(target: audit.Target) -> NoReturn:
    audit.record_security_event(AuditAction.ACCESS_REFUSED, actor=current_user, target=target)
    abort(403)


def apprentice_in_scope(apprentice_id: int, *options: ORMOption) -> Apprentice:
    """The apprentice if the viewer may read their record (with the given loader options)."""
    found = db.session.scalars(
        apprentices_visible_to(current_user)
        .where(Apprentice.id == apprentice_id)
        .options(*(options or (joinedload(Apprentice.user),)))
    ).one_or_none()
    if found is None:
        abort(404)
    return found


def apprentice_to_change(apprentice_id: int, *options: ORMOption) -> Apprentice:
    """The apprentice if the viewer may change their records; a host borough's coordinator or
    a mentor may only read (403)."""
    apprentice = apprentice_in_scope(apprentice_id, *options)
    if not may_change_apprentice(current_user, apprentice):
        refuse_change(audit.target_of(apprentice))
    return apprentice
