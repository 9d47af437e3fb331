from __future__ import annotations

from flask import render_template

from app.web.apprentice import bp


@bp.get("/")
def home() -> str:
    return render_template("apprentice/home.html")
