"""The factory wires what it should, and the production configuration fails fast."""

from __future__ import annotations

import pytest

from app import create_app
from app.access import POLICY
from config import ProductionConfig, TestConfig, config_from_environment, database_url


def test_production_refuses_to_start_without_its_settings(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL, PUBLIC_URL"):
        ProductionConfig()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://apprenticeships.example.org")
    with pytest.raises(RuntimeError, match="needs these environment variables: DATABASE_URL$"):
        ProductionConfig()


def test_production_config_is_hardened(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal/apprenticeships")
    monkeypatch.setenv("PUBLIC_URL", "https://apprenticeships.example.org")
    monkeypatch.setenv("APP_ENV", "production")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://app@db.internal/apprenticeships"
    )
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SEND_HSTS"] is True
    assert app.config["ALLOW_SEEDING"] is False
    assert app.config["DEMO_PASSWORD"] is None
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["PUBLIC_URL"] == "https://apprenticeships.example.org"
    assert not app.debug


def test_unknown_app_env_is_refused(monkeypatch):
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(RuntimeError, match="APP_ENV"):
        config_from_environment()


def test_database_url_uses_psycopg_3():
    assert database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_factory_wires_blueprints_extensions_and_commands():
    app = create_app(TestConfig)
    assert {"public", "auth", "apprentice", "mentor", "coordinator", "reports", "admin"} <= set(
        app.blueprints
    )
    assert {"sqlalchemy", "csrf"} <= set(app.extensions)
    assert app.login_manager.login_view == "auth.sign_in"
    assert {"create-admin", "seed"} <= set(app.cli.commands)
    assert app.template_folder.endswith("templates")
    assert all(endpoint in POLICY for endpoint in app.view_functions)
