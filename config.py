"""Settings, read from environment variables.

`APP_ENV` chooses the configuration: `development` (the default), `test` or `production`.
Every variable is listed in the README.
"""

from __future__ import annotations

import os


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs given without one."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    SERVICE_NAME = "Digital Apprenticeships"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-secret-key-not-for-production"
    # A relative SQLite path is placed in instance/ by Flask-SQLAlchemy.
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL") or "sqlite:///digital-apprenticeships.db"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Sessions are stored server-side; the cookie holds only a random id.
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_HOURS = _env_int("SESSION_ABSOLUTE_HOURS", 12)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the server-side session
    SEND_HSTS = False
    TRUSTED_PROXY_HOPS = _env_int("TRUSTED_PROXY_HOPS", 0)
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD") or "quiet-river-lantern-42"
    ALLOW_SEEDING = True
    PAGE_SIZE = 25


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    DEMO_PASSWORD = "quiet-river-lantern-42"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SEND_HSTS = True
    ALLOW_SEEDING = False
    DEMO_PASSWORD = None

    def __init__(self) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "The production configuration needs these environment variables: "
                + ", ".join(missing)
            )
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        self.SQLALCHEMY_DATABASE_URI = database_url(os.environ["DATABASE_URL"])


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> Config:
    name = os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
