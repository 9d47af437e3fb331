from flask import Blueprint

bp = Blueprint("coordinator", __name__)

# One module of views per area; each registers its routes on `bp`.
from app.web.coordinator import (  # noqa: E402, F401
    applications,
    apprentices,
    cohorts,
    completion,
    data_rights,
    mentors,
    placements,
    progression,
    vacancies,
    views,
)
