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


def _env_bool(name: str, default: bool) -> bool:
    value = (os.environ.get(name) or "").strip().lower()
    if value == "":
        return default
    if value not in ("true", "false"):
        raise RuntimeError(f"{name} must be true or false, not {value!r}")
    return value == "true"


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
    # A signed-out visitor's session (a form's CSRF token): long enough to write an application.
    VISITOR_SESSION_IDLE_MINUTES = _env_int("VISITOR_SESSION_IDLE_MINUTES", 240)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the server-side session
    SEND_HSTS = False
    TRUSTED_PROXY_HOPS = _env_int("TRUSTED_PROXY_HOPS", 0)
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD") or "quiet-river-lantern-42"
    ALLOW_SEEDING = True
    PAGE_SIZE = 25
    # No request body may be larger (uploads are CSV files of a few hundred rows).
    MAX_CONTENT_LENGTH = 3 * 1024 * 1024

    # Mail: `smtp` in production, `outbox` (log and instance/outbox) in development.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or "outbox"
    MAIL_SENDER = os.environ.get("MAIL_SENDER") or "Digital Apprenticeships <no-reply@localhost>"
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or "localhost"
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USE_TLS = (os.environ.get("MAIL_USE_TLS") or "true").lower() == "true"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    # The address links in mail point at, e.g. https://apprenticeships.example.org
    PUBLIC_URL = os.environ.get("PUBLIC_URL") or "http://127.0.0.1:5000"

    # Progression: the red/amber/green thresholds, the longest gap between progress reviews,
    # and the most off-the-job hours one log entry may claim for a day.
    RAG_RED_BELOW_SHARE = float(os.environ.get("RAG_RED_BELOW_SHARE") or 0.75)
    RAG_AMBER_BELOW_SHARE = float(os.environ.get("RAG_AMBER_BELOW_SHARE") or 0.95)
    RAG_RED_REVIEW_WEEKS_LATE = _env_int("RAG_RED_REVIEW_WEEKS_LATE", 4)
    RAG_RED_OVERDUE_MILESTONES = _env_int("RAG_RED_OVERDUE_MILESTONES", 2)
    REVIEW_INTERVAL_WEEKS = _env_int("REVIEW_INTERVAL_WEEKS", 12)
    OTJ_MAX_HOURS_PER_DAY = _env_int("OTJ_MAX_HOURS_PER_DAY", 8)

    # Applications: at most this many submitted from one address to one vacancy within the
    # window (generous: many residents may apply from one council network at an open day).
    APPLICATION_SUBMISSION_LIMIT = _env_int("APPLICATION_SUBMISSION_LIMIT", 30)
    APPLICATION_SUBMISSION_WINDOW_MINUTES = _env_int("APPLICATION_SUBMISSION_WINDOW_MINUTES", 60)

    # Disclosure control for figures about other boroughs, London and equality breakdowns.
    DISCLOSURE_THRESHOLD = _env_int("DISCLOSURE_THRESHOLD", 7)
    DISCLOSURE_ROUNDING_BASE = _env_int("DISCLOSURE_ROUNDING_BASE", 5)
    DISCLOSURE_MINIMUM_DENOMINATOR = _env_int("DISCLOSURE_MINIMUM_DENOMINATOR", 8)
    # Scaling projections use a borough's own rates once it has this many starts; until then,
    # the partner boroughs' pooled rates.
    PROJECTION_OWN_RATES_MIN_STARTS = _env_int("PROJECTION_OWN_RATES_MIN_STARTS", 30)

    # Retention (UK GDPR storage limitation), applied daily by `flask apply-retention`:
    # unsuccessful applicants' personal details and equality answers, months after the vacancy
    # closes; apprentices, years after they leave; audit events, years after they happen.
    RETENTION_APPLICANT_MONTHS = _env_int("RETENTION_APPLICANT_MONTHS", 12)
    RETENTION_APPRENTICE_YEARS = _env_int("RETENTION_APPRENTICE_YEARS", 6)
    RETENTION_AUDIT_YEARS = _env_int("RETENTION_AUDIT_YEARS", 6)

    # Sign-in throttling: per account and per client address, over a window, then a lock.
    SIGN_IN_ACCOUNT_LIMIT = _env_int("SIGN_IN_ACCOUNT_LIMIT", 10)
    SIGN_IN_IP_LIMIT = _env_int("SIGN_IN_IP_LIMIT", 50)
    SIGN_IN_WINDOW_MINUTES = _env_int("SIGN_IN_WINDOW_MINUTES", 5)
    SIGN_IN_LOCK_MINUTES = _env_int("SIGN_IN_LOCK_MINUTES", 15)

    # Staff roles must sign in with an authenticator app as well as the password. Off here, so
    # the demo accounts sign in with a password alone; production refuses to start without it.
    TWO_FACTOR_REQUIRED = _env_bool("TWO_FACTOR_REQUIRED", False)


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestConfig(Config):
    ENV_NAME = "test"
    TWO_FACTOR_REQUIRED = False  # tests that need it switch it on
    TESTING = True
    SECRET_KEY = "test-secret-key"
    MAIL_BACKEND = "memory"
    PUBLIC_URL = "http://localhost"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    DEMO_PASSWORD = "quiet-river-lantern-42"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SEND_HSTS = True
    ALLOW_SEEDING = False
    DEMO_PASSWORD = None
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or "smtp"

    def __init__(self) -> None:
        required = ("SECRET_KEY", "DATABASE_URL", "PUBLIC_URL")
        missing = [name for name in required if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "The production configuration needs these environment variables: "
                + ", ".join(missing)
            )
        self.TWO_FACTOR_REQUIRED = _env_bool("TWO_FACTOR_REQUIRED", True)
        if not self.TWO_FACTOR_REQUIRED:
            raise RuntimeError(
                "The production configuration needs two-factor sign-in: "
                "TWO_FACTOR_REQUIRED cannot be false"
            )
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        self.SQLALCHEMY_DATABASE_URI = database_url(os.environ["DATABASE_URL"])
        # Links in mail are built from this, never from a request's Host header.
        self.PUBLIC_URL = os.environ["PUBLIC_URL"]


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
