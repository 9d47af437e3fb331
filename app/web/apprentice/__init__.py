from flask import Blueprint

bp = Blueprint("apprentice", __name__)

from app.web.apprentice import progression, views  # noqa: E402, F401
