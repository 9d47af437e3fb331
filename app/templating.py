"""Jinja set-up: our templates first, then the GOV.UK macros; filters and globals for pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, g, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovRadioInput
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from app.access import is_allowed
from app.clock import to_london
from app.domain import lifecycle
from app.models import Role

# Service navigation for each role: (role, label, endpoint, endpoints that mark it current).
NAVIGATION: tuple[tuple[Role, str, str, str], ...] = (
    (Role.APPRENTICE, "My apprenticeship", "apprentice.home", "apprentice."),
    (Role.MENTOR, "Mentees", "mentor.home", "mentor."),
    (Role.COORDINATOR, "Coordinator", "coordinator.home", "coordinator."),
    (Role.BOROUGH_LEAD, "Reports", "reports.home", "reports."),
    (Role.COORDINATOR, "Reports", "reports.home", "reports."),
    (Role.ADMIN, "Administration", "admin.home", "admin."),
    (Role.ADMIN, "Reports", "reports.home", "reports."),
)


def navigation_items() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    items = []
    shown: set[str] = set()  # someone with several roles sees each place once
    for role, label, target, prefix in NAVIGATION:
        if target in shown:
            continue
        if role in current_user.roles and is_allowed(current_user, target):
            shown.add(target)
            items.append(
                {"text": label, "href": url_for(target), "active": endpoint.startswith(prefix)}
            )
    return items


def london_date(value: date | datetime | None) -> str:
    """1 September 2026, the GOV.UK style; datetimes are shown in London time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value)
    return f"{value.day} {value:%B %Y}"


def london_datetime(value: datetime | None) -> str:
    """1 September 2026 at 2:05pm, in London time."""
    if value is None:
        return ""
    local = to_london(value)
    hour = local.hour % 12 or 12
    return f"{london_date(local)} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def error_summary(form: Any) -> dict[str, Any]:
    """Error-summary parameters whose links point at a field that can take focus."""
    errors = []
    for field in form:
        if not field.errors:
            continue
        widget = field.widget
        if isinstance(widget, GovDateInput):
            anchor = f"{field.id}-day"
        elif isinstance(widget, GovRadioInput | GovCheckboxesInput):
            anchor = f"{field.id}"
        else:
            anchor = field.id
        errors.append({"text": field.errors[0], "href": f"#{anchor}"})
    return {"titleText": "There is a problem", "errorList": errors}


def init_app(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,  # the top-level templates/ folder
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["london_date"] = london_date
    app.jinja_env.filters["london_datetime"] = london_datetime
    app.jinja_env.filters["status_label"] = lifecycle.status_label
    app.jinja_env.filters["reason_label"] = lifecycle.reason_label
    app.jinja_env.globals["error_summary"] = error_summary
    app.jinja_env.globals["navigation_items"] = navigation_items
    app.jinja_env.globals["is_allowed"] = lambda endpoint: is_allowed(
        current_user if current_user.is_authenticated else None, endpoint
    )

    @app.context_processor
    def page_globals() -> dict[str, Any]:
        return {
            "serviceName": app.config["SERVICE_NAME"],
            "cspNonce": g.get("csp_nonce"),
            "assetPath": url_for("static", filename="build/assets"),
            "roles": Role,
        }
