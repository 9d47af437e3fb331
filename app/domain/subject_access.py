"""The subject access bundle: a zip of JSON and CSV with everything held about one person.

Their own records in full (equality answers included: they are the person's own data), and
the audit events about them or done by them. Staff who appear in their records are named only
by role and borough; secrets (password hashes, session tokens) and third parties' details (a
placement's line manager) are left out.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, and_, false, or_, select, tuple_
from sqlalchemy.orm import Session

from app.csv_writer import encoded_lines
from app.domain import audit
from app.domain.data_rights import Person, find_person
from app.domain.throttling import account_key
from app.extensions import db
from app.models import (
    AuditAction,
    AuditEvent,
    Borough,
    ErasedRecord,
    RequestStatus,
    Role,
    SignInFailure,
    SubjectAccessRequest,
    SubjectKind,
    User,
    UserRole,
    log_entry_ksb,
)

# Columns never given out: secrets, and details of people other than the subject.
WITHHELD = {
    "app_user": {"password_hash", "security_stamp"},
    "user_session": {"token_hash", "data"},
    "placement": {"line_manager_name", "line_manager_email"},
    "sign_in_failure": {"account_key"},
}
# Columns that name a member of staff: shown as their role and borough.
STAFF_COLUMNS = frozenset(
    {
        "actor_user_id",
        "decided_by_id",
        "recorded_by_id",
        "confirmed_by_id",
        "logged_by_id",
        "mentor_user_id",
        "imported_by_id",
    }
)
# Tables keyed to an apprentice by apprentice_id.
APPRENTICE_TABLES = (
    "apprentice_status_event",
    "placement",
    "mentor_assignment",
    "mentor_meeting",
    "milestone",
    "log_entry",
    "progress_review",
    "progress_summary",
    "gateway_confirmation",
    "epa_attempt",
    "outcome",
)
APPLICATION_TABLES = ("application_event", "equality_monitoring")
USER_TABLES = ("user_role", "user_session", "mentor_profile")


def _table(name: str) -> Table:
    return db.metadata.tables[name]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _staff(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """'Coordinator, Hackney' for each member of staff, never a name."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, Borough.name, UserRole.role)
        .join(Borough, Borough.id == User.borough_id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(User.id.in_(wanted))
    ).all()
    roles: dict[int, list[str]] = {}
    boroughs: dict[int, str] = {}
    for user_id, borough, role in rows:
        boroughs[user_id] = borough
        if role:
            roles.setdefault(user_id, []).append(Role(role).label)
    return {
        user_id: f"{' and '.join(sorted(roles.get(user_id, []))) or 'Staff'}, {borough}"
        for user_id, borough in boroughs.items()
    }


def collect(session: Session, person: Person) -> dict[str, list[dict[str, Any]]]:
    """Every row held about the person, per table, as plain values."""
    raw: dict[str, list[dict[str, Any]]] = {}

    def rows(name: str, condition: Any) -> None:
        table = _table(name)
        result = session.execute(select(table).where(condition).order_by(*table.primary_key))
        raw[name] = [dict(row) for row in result.mappings()]

    rows("app_user", _table("app_user").c.id.in_(person.user_ids))
    for name in USER_TABLES:
        rows(name, _table(name).c.user_id.in_(person.user_ids))
    rows("apprentice", _table("apprentice").c.id.in_(person.apprentice_ids))
    for name in APPRENTICE_TABLES:
        rows(name, _table(name).c.apprentice_id.in_(person.apprentice_ids))
    entry_ids = [row["id"] for row in raw["log_entry"]]
    rows("log_entry_ksb", log_entry_ksb.c.log_entry_id.in_(entry_ids))
    rows("application", _table("application").c.id.in_(person.application_ids))
    for name in APPLICATION_TABLES:
        rows(name, _table(name).c.application_id.in_(person.application_ids))
    subjects = [
        (kind.value, record_id)
        for kind, ids in (
            (SubjectKind.USER, person.user_ids),
            (SubjectKind.APPRENTICE, person.apprentice_ids),
            (SubjectKind.APPLICATION, person.application_ids),
        )
        for record_id in ids
    ]
    sar = SubjectAccessRequest.__table__
    rows(
        "subject_access_request",
        tuple_(sar.c.subject_type, sar.c.subject_id).in_(subjects) if subjects else false(),
    )
    erased = ErasedRecord.__table__
    targets = [
        (table, record_id) for table, ids in _targets(raw).items() for record_id in sorted(ids)
    ]
    rows(
        "erased_record",
        tuple_(erased.c.record_type, erased.c.record_id).in_(targets) if targets else false(),
    )
    rows(
        "sign_in_failure",
        SignInFailure.__table__.c.account_key.in_([account_key(e) for e in person.emails]),
    )
    events = AuditEvent.__table__
    about = [
        and_(events.c.target_type == table, events.c.target_id.in_(sorted(ids)))
        for table, ids in _targets(raw).items()
        if ids
    ]
    rows("audit_event", or_(events.c.actor_user_id.in_(person.user_ids), *about))
    return _present(session, person, raw)


def _targets(raw: dict[str, list[dict[str, Any]]]) -> dict[str, set[int]]:
    """The person's records by table, as audit events and the erasure register name them."""
    return {
        name: {row["id"] for row in found}
        for name, found in raw.items()
        if found and "id" in found[0] and name not in ("audit_event", "erased_record")
    }


def _present(
    session: Session, person: Person, raw: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    staff_ids = {
        value
        for found in raw.values()
        for row in found
        for column, value in row.items()
        if column in STAFF_COLUMNS and value is not None and value not in person.user_ids
    }
    staff = _staff(session, staff_ids)
    bundle: dict[str, list[dict[str, Any]]] = {}
    for name, found in raw.items():
        withheld = WITHHELD.get(name, set())
        shown = []
        for row in found:
            item: dict[str, Any] = {}
            others_event = name == "audit_event" and row["actor_user_id"] not in person.user_ids
            for column, value in row.items():
                if column in withheld:
                    continue
                if others_event and column in ("ip_address", "request_id"):
                    continue  # a member of staff's connection, not the subject's
                if column in STAFF_COLUMNS and value is not None and value not in person.user_ids:
                    item[column.removesuffix("_id")] = staff.get(value, "Staff")
                    continue
                item[column] = _plain(value)
            shown.append(item)
        bundle[name] = shown
    return bundle


README = """Subject access request {reference}

Everything this service holds about you, as of {produced}.

subject-access.json holds every record, grouped by the kind of record (the table it is kept
in). The csv folder holds the same records, one file per kind, for a spreadsheet.

Members of staff who appear in your records are named by their role and borough only.
Password hashes and session keys are not included: they are secrets that protect your account,
and reveal nothing about you. The name and email address of a placement's line manager are
not included: they are that person's details, not yours.

Equality monitoring answers are included because they are your own answers. Staff never see
them against your name.
"""


def bundle_zip(bundle: dict[str, list[dict[str, Any]]], *, reference: str, produced: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(reference=reference, produced=produced))
        archive.writestr(
            "subject-access.json", json.dumps(bundle, indent=2, sort_keys=True, default=str)
        )
        for name, found in sorted(bundle.items()):
            header = sorted({column for row in found for column in row})
            lines = (
                [_cell(row.get(column)) for column in header]
                for row in found  # CSV cells: nested values as JSON text
            )
            archive.writestr(f"csv/{name}.csv", b"".join(encoded_lines(header, lines)))
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def produce_bundle(
    session: Session, request: SubjectAccessRequest, *, actor: User, today: date
) -> bytes:
    """The zip for a logged request; marks the request completed and audits the export."""
    person = find_person(session, SubjectKind(request.subject_type), request.subject_id)
    bundle = collect(session, person)
    data = bundle_zip(bundle, reference=f"SAR-{request.id}", produced=today.isoformat())
    if request.status != RequestStatus.COMPLETED.value:
        request.status = RequestStatus.COMPLETED.value
        request.completed_on = today
    audit.record(session, AuditAction.EXPORTED, actor=actor, target=audit.target_of(request))
    return data
