"""Error pages in the service's design. No stack trace, SQL or setting ever reaches a user."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

PAGES = {400, 403, 404, 405, 409, 413, 500}


def _render(code: int, **context: object) -> tuple[str, int]:
    template = f"errors/{code}.html" if code in PAGES else "errors/generic.html"
    return render_template(template, code=code, request_id=g.get("request_id"), **context), code


def handle_http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return _render(code, description=error.description)


def handle_csrf_error(error: CSRFError) -> tuple[str, int]:
    return _render(400, csrf=True)


def handle_unexpected_error(error: Exception) -> tuple[str, int]:
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception("Unhandled error (request %s)", g.get("request_id"), exc_info=error)
    return _render(InternalServerError.code)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
