from flask import Blueprint

bp = Blueprint("apprentice", __name__)

from app.web.apprentice import views  # noqa: E402, F401
