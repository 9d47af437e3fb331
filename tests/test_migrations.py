"""Migrations: one head; every revision upgrades and downgrades on this engine; the models
match what the migrations build (SecureDrop's and Notify's checks)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text

from app.extensions import db
from tests.conftest import alembic_config, make_app, scratch_database

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def migration_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with scratch_database(tmp_path_factory.mktemp("migrations"), "da_migrations") as url:
        app = make_app(url)
        with app.app_context():
            yield app
            db.engine.dispose()


@pytest.fixture
def config(migration_app: Flask):
    cfg = alembic_config()
    command.downgrade(cfg, "base")
    return cfg


def revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def schema_snapshot() -> dict:
    def text_of(items: list) -> list[str]:
        # default=str renders SQL fragments (a partial index's WHERE) by their text
        return sorted(json.dumps(item, default=str, sort_keys=True) for item in items)

    inspector = inspect(db.engine)
    return {
        table: (
            text_of(
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)]
            ),
            text_of(inspector.get_indexes(table)),
            text_of(inspector.get_unique_constraints(table)),
            text_of(inspector.get_check_constraints(table)),
            text_of(inspector.get_foreign_keys(table)),
        )
        for table in sorted(tables())
    }


def test_there_is_a_single_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_upgrade_to_head_and_back_to_nothing(config):
    command.upgrade(config, "head")
    assert {"borough", "app_user", "user_session", "standard", "ksb", "audit_event"} <= tables()
    command.downgrade(config, "base")
    assert tables() == set()


@pytest.mark.parametrize("revision", revisions_oldest_first())
def test_each_revision_downgrades_and_upgrades_again(config, revision):
    command.upgrade(config, revision)
    after_upgrade = schema_snapshot()
    command.downgrade(config, "-1")
    command.upgrade(config, revision)
    assert schema_snapshot() == after_upgrade


def test_models_match_the_migrated_schema(config):
    command.upgrade(config, "head")
    command.check(config)  # raises when autogenerate would find differences


def test_the_33_london_authorities_are_loaded_and_unloaded(config):
    script = ScriptDirectory.from_config(alembic_config())
    loading = next(
        r for r in script.walk_revisions() if "london_local_authorities" in r.module.__file__
    )
    command.upgrade(config, loading.revision)
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT ons_code, name FROM borough ORDER BY ons_code")
        ).all()
    assert len(rows) == 33
    assert rows[0] == ("E09000001", "City of London")
    assert rows[11] == ("E09000012", "Hackney")
    assert rows[-1] == ("E09000033", "Westminster")
    assert [code for code, _ in rows] == [f"E09{number:06d}" for number in range(1, 34)]
    command.downgrade(config, "-1")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM borough")).scalar() == 0


def test_existing_accounts_get_their_own_security_stamp(config):
    script = ScriptDirectory.from_config(alembic_config())
    adding = next(r for r in script.walk_revisions() if "throttling" in r.module.__file__)
    command.upgrade(config, adding.down_revision)
    with db.engine.begin() as connection:
        for email in ("one@example.org", "two@example.org"):
            connection.execute(
                text(
                    "INSERT INTO app_user (email, name, borough_id, is_programme_wide, is_active,"
                    " created_at, updated_at, row_version)"
                    " VALUES (:email, 'Someone', 1, false, true, :now, :now, 1)"
                ),
                {"email": email, "now": "2026-01-01 09:00:00"},
            )
    command.upgrade(config, adding.revision)
    with db.engine.connect() as connection:
        stamps = connection.execute(text("SELECT security_stamp FROM app_user")).scalars().all()
    assert len(stamps) == 2 and len(set(stamps)) == 2
    assert all(len(stamp) == 32 for stamp in stamps)
    command.downgrade(config, adding.down_revision)
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM app_user")).scalar() == 2
