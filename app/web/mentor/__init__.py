from flask import Blueprint

bp = Blueprint("mentor", __name__)

from app.web.mentor import progression, views  # noqa: E402, F401
