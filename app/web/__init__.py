"""The web layer: one blueprint package per audience. Views parse, call app.domain, render."""

from __future__ import annotations

from flask import Flask

from app.extensions import db


def register_blueprints(app: Flask) -> None:
    from app.web.admin import bp as admin_bp
    from app.web.apprentice import bp as apprentice_bp
    from app.web.auth import bp as auth_bp
    from app.web.coordinator import bp as coordinator_bp
    from app.web.mentor import bp as mentor_bp
    from app.web.public import bp as public_bp
    from app.web.reports import bp as reports_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(apprentice_bp, url_prefix="/apprentice")
    app.register_blueprint(mentor_bp, url_prefix="/mentor")
    app.register_blueprint(coordinator_bp, url_prefix="/coordinator")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(admin_bp, url_prefix="/admin")


def init_transactions(app: Flask) -> None:
    """One transaction per request: views commit what they mean to keep; the rest is dropped."""

    @app.after_request
    def discard_uncommitted(response):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return response

    @app.teardown_request
    def remove_session(_exc: BaseException | None) -> None:
        db.session.remove()
