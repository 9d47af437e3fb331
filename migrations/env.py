"""Alembic environment: the app's own engine and metadata, batch mode for SQLite."""

from __future__ import annotations

from typing import Any

from alembic import context
from flask import current_app, has_app_context
from sqlalchemy.types import TypeDecorator

from app.extensions import db


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our column types as the plain SQLAlchemy types they wrap: migrations never import
    the app's models, which change after the migration has landed."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{type(obj.impl_instance).__name__}()"
    return False


def run_migrations() -> None:
    import app.models  # noqa: F401  (fills db.metadata for autogenerate and check)

    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")

if has_app_context():
    # Tests run migrations from inside their own app context.
    assert current_app
    run_migrations()
else:
    from app import create_app

    with create_app().app_context():
        run_migrations()
