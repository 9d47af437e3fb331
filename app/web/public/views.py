from __future__ import annotations

from flask import render_template
from sqlalchemy import text

from app.clock import today
from app.domain.vacancies import open_vacancies
from app.extensions import db
from app.web.public import bp

# How many open vacancies the start page shows; the rest are on /vacancies.
START_PAGE_VACANCIES = 5


@bp.get("/")
def start() -> str:
    shown = db.session.scalars(open_vacancies(today()).limit(START_PAGE_VACANCIES)).all()
    return render_template("public/start.html", vacancies=shown)


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("public/accessibility.html")


@bp.get("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


@bp.get("/cookies")
def cookies() -> str:
    return render_template("public/cookies.html")


@bp.get("/health")
def health() -> tuple[dict[str, str], int]:
    """For load balancers: answers 200 when the app can reach its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}, 200
