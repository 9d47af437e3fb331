from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.web.reports import views  # noqa: E402, F401
