"""The few places where SQLite and PostgreSQL differ, kept in one module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    # Only SQLite connections need this: foreign keys are off by default there, and WAL lets
    # readers carry on while the session store writes.
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def is_postgresql(engine_or_connection: Any) -> bool:
    return engine_or_connection.dialect.name == "postgresql"


def insert_for(bind: Any) -> Any:
    """The dialect's own insert(), which offers ON CONFLICT (`on_conflict_do_nothing`)."""
    if is_postgresql(bind):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
