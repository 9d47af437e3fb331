from flask import Blueprint

bp = Blueprint("mentor", __name__)

from app.web.mentor import views  # noqa: E402, F401
