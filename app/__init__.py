"""The application factory. It wires the parts together and does nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_environment


def create_app(config: type[Config] | Config | Mapping[str, Any] | None = None) -> Flask:
    """Build the app from a config class or object, or from the environment with overrides."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static")

    if config is None or isinstance(config, Mapping):
        app.config.from_object(config_from_environment())
        app.config.update(config or {})
    else:
        app.config.from_object(config() if isinstance(config, type) else config)
    Path(app.instance_path).mkdir(exist_ok=True)

    from app import access, cli, dialect, mail, security, templating  # noqa: F401 (dialect)
    from app.domain import report_facts
    from app.extensions import csrf, db, login_manager
    from app.sessions import ServerSessionInterface
    from app.web import auth, errors, init_transactions, register_blueprints

    if app.config["TRUSTED_PROXY_HOPS"]:
        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    report_facts.keep_current()  # stored report figures change with what they count
    mail.init_app(app)
    app.session_interface = ServerSessionInterface()
    security.init_app(app)  # first, so every later hook has a request id
    csrf.init_app(app)  # before the access policy: a forged POST is refused before anything else
    login_manager.init_app(app)
    auth.init_login(login_manager)
    access.init_app(app)
    templating.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    init_transactions(app)
    return app
