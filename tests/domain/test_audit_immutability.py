"""The audit trail cannot be changed or deleted through the application: the ORM refuses, and
on PostgreSQL a trigger refuses raw SQL too, except on the retention command's own path."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from app.domain import audit, retention
from app.extensions import db
from app.models import AuditAction, AuditEvent
from app.models.data_rights import AuditTrailIsAppendOnly
from tests import builders

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def event(db_session) -> AuditEvent:
    user = builders.create_user(db_session)
    recorded = audit.record(db_session, AuditAction.SIGN_IN, actor=user)
    db_session.commit()
    return recorded


def unchanged(db_session, event_id: int) -> None:
    db_session.rollback()
    db_session.expunge_all()  # forget the refused change; read what is stored
    kept = db_session.get(AuditEvent, event_id)
    assert kept is not None and kept.action == "sign_in"


def test_the_orm_refuses_to_change_an_event(db_session, event):
    event_id = event.id
    event.action = "erased"
    with pytest.raises(AuditTrailIsAppendOnly):
        db_session.commit()
    unchanged(db_session, event_id)


def test_the_orm_refuses_to_delete_an_event(db_session, event):
    event_id = event.id
    db_session.delete(event)
    with pytest.raises(AuditTrailIsAppendOnly):
        db_session.commit()
    unchanged(db_session, event_id)


@pytest.mark.parametrize(
    "statement",
    [update(AuditEvent).values(action="erased"), delete(AuditEvent)],
    ids=["update", "delete"],
)
def test_the_orm_refuses_bulk_changes(db_session, event, statement):
    with pytest.raises(AuditTrailIsAppendOnly):
        db_session.execute(statement)
    unchanged(db_session, event.id)


@pytest.mark.postgresql_only  # the trigger is PostgreSQL's; SQLite relies on the ORM guard
@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_event SET action = 'erased'", "DELETE FROM audit_event"],
    ids=["update", "delete"],
)
def test_raw_sql_is_refused_on_postgresql(engine, db_session, event, sql):
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(sql))
    unchanged(db_session, event.id)


@pytest.mark.postgresql_only
def test_raw_update_is_refused_on_postgresql_even_on_the_retention_path(engine, db_session, event):
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.retention', 'on', true)"))
        connection.execute(text("UPDATE audit_event SET action = 'erased'"))
    unchanged(db_session, event.id)


def test_the_retention_path_may_delete_old_events(db_session, event):
    retention.delete_audit_events_before(db_session, datetime(2100, 1, 1, tzinfo=UTC))
    db_session.commit()
    assert db_session.scalars(select(AuditEvent)).all() == []


@pytest.mark.postgresql_only
def test_the_retention_setting_does_not_outlive_its_transaction(engine, db_session, event):
    retention.delete_audit_events_before(db_session, datetime(2000, 1, 1, tzinfo=UTC))
    db_session.commit()
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event"))
    unchanged(db_session, event.id)
