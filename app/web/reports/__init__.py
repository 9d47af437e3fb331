from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.web.reports import public_sector, views  # noqa: E402, F401
