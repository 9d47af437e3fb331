from flask import Blueprint

bp = Blueprint("public", __name__)

from app.web.public import apply, objection, open_data, vacancies, views  # noqa: E402, F401
