from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.web.admin import milestone_templates, security, views  # noqa: E402, F401
