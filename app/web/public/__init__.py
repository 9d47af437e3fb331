from flask import Blueprint

bp = Blueprint("public", __name__)

from app.web.public import apply, vacancies, views  # noqa: E402, F401
