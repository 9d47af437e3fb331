"""The test harness.

The database is SQLite (a temporary file) unless TEST_DATABASE_URL names PostgreSQL; `make test`
runs the suite on SQLite and then every database test again on PostgreSQL. The real Alembic
migrations build the schema once per run; after each test every row is deleted except the
reference data that migrations load (Notify API's pattern, which works on both engines).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from app import clock, create_app
from app.domain import report_facts
from app.extensions import db
from app.models import Role, User
from config import TestConfig
from tests import builders
from tests.html_checks import check_page

ROOT = Path(__file__).resolve().parent.parent
# Reference data loaded by data migrations survives the per-test clean-up.
# The stored report figures are built on the empty database, and stay built.
REFERENCE_TABLES = {"alembic_version", "borough", "report_facts_state"}
# The instant every test starts at (Europe/London), so dates in rules are repeatable.
FROZEN_NOW = datetime(2026, 11, 27, 10, 30, tzinfo=clock.LONDON)
IN_CI = os.environ.get("CI", "").lower() == "true"

# Property-based tests: a fixed, repeatable set of examples in CI; fewer locally. No example
# database, so nothing is written into the working tree.
_HYPOTHESIS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("ci", max_examples=60, derandomize=True, **_HYPOTHESIS)
settings.register_profile("dev", max_examples=25, **_HYPOTHESIS)
settings.load_profile("ci" if IN_CI else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# Which tests run where


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "database" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
    if not _database_url_from_env():
        # Tests of a PostgreSQL feature run in the PostgreSQL pass only: deselected here rather
        # than skipped, so that in CI a skip still always means something did not run.
        elsewhere = [item for item in items if item.get_closest_marker("postgresql_only")]
        if elsewhere:
            config.hook.pytest_deselected(items=elsewhere)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql_only")]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if (
        IN_CI
        and report.skipped
        and (item.get_closest_marker("db") or item.get_closest_marker("browser"))
    ):
        # In CI nothing may quietly not run: a skipped database or browser test is a failure.
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, which counts as a failure: {reason}"
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        item.config.stash.setdefault(_RESULTS, []).append((item, report.outcome))


_RESULTS = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    results = config.stash.get(_RESULTS, [])
    engine = "postgresql" if _database_url_from_env() else "sqlite"

    def count(marker: str, outcome: str) -> int:
        return sum(
            1 for item, result in results if item.get_closest_marker(marker) and result == outcome
        )

    terminalreporter.write_line(
        f"[suite] {engine}: {count('db', 'passed')} database tests passed, "
        f"{count('db', 'skipped')} skipped; browser: {count('browser', 'passed')} passed, "
        f"{count('browser', 'skipped')} skipped; all: "
        f"{sum(1 for _, r in results if r == 'passed')} passed"
    )


# The app and its database


def _database_url_from_env() -> str:
    return os.environ.get("TEST_DATABASE_URL", "").strip()


def _postgres_reachable(url: str) -> str | None:
    """None when PostgreSQL answers, otherwise why not."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except Exception as error:  # any driver error means "not usable here"
        return str(error).splitlines()[0]
    finally:
        engine.dispose()


@contextmanager
def scratch_database(tmp_dir: Path, name: str) -> Iterator[str]:
    """A new, empty database on the engine this run uses; dropped afterwards."""
    base = _database_url_from_env()
    if not base:
        yield f"sqlite:///{tmp_dir / (name + '.db')}"
        return
    from config import database_url

    base = database_url(base)
    problem = _postgres_reachable(base)
    if problem:
        pytest.skip(
            f"PostgreSQL at {make_url(base).render_as_string()} is not answering: {problem}"
        )
    db_name = f"{name}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{db_name}"'))
    try:
        yield make_url(base).set(database=db_name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


def make_app(url: str, **overrides: Any) -> Flask:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    for key, value in overrides.items():
        setattr(config, key, value)
    return create_app(config)


def alembic_config() -> AlembicConfig:
    return AlembicConfig(toml_file=str(ROOT / "pyproject.toml"))


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a freshly migrated database, shared by the whole run."""
    with scratch_database(tmp_path_factory.mktemp("db"), "da_test") as url:
        app = make_app(url)
        with app.app_context():
            command.upgrade(alembic_config(), "head")
            engine = db.engine
        yield app
        engine.dispose()


@pytest.fixture
def app(database: Flask) -> Flask:
    return database


@pytest.fixture
def app_factory(database: Flask) -> Iterator[Callable[..., Flask]]:
    """Another app on the test database with some settings changed; its engine is disposed
    at the end, so no connection is left to the garbage collector."""
    made: list[Flask] = []

    def make(config: Any = None, **overrides: Any) -> Flask:
        app = (
            config()
            if callable(config)
            else make_app(database.config["SQLALCHEMY_DATABASE_URI"], **overrides)
        )
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def engine(database: Flask) -> Engine:
    with database.app_context():
        return db.engine


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    """For domain tests of code that needs the app (settings, the audit writer's engine)."""
    with app.app_context():
        yield


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(FROZEN_NOW)
    with clock.frozen_at(FROZEN_NOW):
        yield frozen


@dataclass
class FrozenClock:
    now: datetime

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        clock.set_frozen(self.now)
        return self.now


@pytest.fixture
def db_session(database: Flask, engine: Engine) -> Iterator[Session]:
    """A session for the test's own reads and writes, apart from the app's request sessions.

    Builders commit, so what they create is visible to requests; after a request, expire or
    re-query to see what it changed."""
    session = Session(engine)
    try:
        yield session
        session.close()
        _assert_report_figures_current(engine)
    finally:
        session.close()  # a PostgreSQL session left idle in a transaction would block clean-up
        _delete_all_rows(engine)


def _assert_report_figures_current(engine: Engine) -> None:
    """Whatever a test did through the app, the stored report figures still equal a fresh
    count of what it left behind."""
    with Session(engine) as session:
        if report_facts.built(session.connection()):
            differences = report_facts.differences(session)
            assert differences == [], "stored report figures differ from a fresh count"


def _delete_all_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # The audit trail's trigger lets only the retention path delete; so does clean-up.
            connection.execute(text("SELECT set_config('app.retention', 'on', true)"))
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                connection.execute(table.delete())
        connection.execute(text("UPDATE borough SET is_partner = false"))


@pytest.fixture
def mailbox(app: Flask) -> list:
    """Mail the app sends during the test (the memory backend), empty at the start."""
    sent = app.extensions["mail"].sent
    sent.clear()
    return sent


# Clients and signing in


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login_as(app: Flask, db_session: Session, client: FlaskClient) -> Callable[..., User]:
    """Create a user with a role and sign the test client in as them (without the form)."""

    def login(
        role: Role | str = Role.COORDINATOR, borough: str = "Hackney", **options: Any
    ) -> User:
        user = builders.create_user(db_session, roles=[Role(role)], borough=borough, **options)
        sign_in_client(app, client, user)
        return user

    return login


def sign_in_client(app: Flask, client: FlaskClient, user: User) -> None:
    from app.sessions import create_session

    with app.app_context():
        token = create_session({"_user_id": str(user.id), "_fresh": True}, user_id=user.id)
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], token)


def csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for this client's session, read from a real form."""
    for url in ("/sign-in", "/home"):
        response = client.get(url, follow_redirects=True)
        page = check_page(response)
        field = page.select_one("input[name=csrf_token]")
        if field is not None:
            return field["value"]
    raise AssertionError("no page offered a CSRF token")


@pytest.fixture
def get_page(client: FlaskClient) -> Callable[..., Any]:
    """GET a page, assert its status, run the structural HTML checks and return the parsed page."""

    def get(url: str, status: int = 200) -> Any:
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code, response.location)
        return check_page(response)

    return get


@pytest.fixture
def post_form(client: FlaskClient) -> Callable[..., Any]:
    """POST like a browser would: with the session's CSRF token added to the data."""

    def post(url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        payload = dict(data or {})
        payload.setdefault("csrf_token", csrf_token(client))
        return client.post(url, data=payload, **kwargs)

    return post


# Counting queries


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(engine: Engine) -> Callable[[], Any]:
    """`with count_queries() as log:` records every SQL statement run inside the block."""

    @contextmanager
    def counting() -> Iterator[QueryLog]:
        log = QueryLog()

        def before_cursor_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            log.statements.append(statement)

        event.listen(engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield log
        finally:
            event.remove(engine, "before_cursor_execute", before_cursor_execute)

    return counting
