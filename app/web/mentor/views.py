from __future__ import annotations

from flask import render_template

from app.web.mentor import bp


@bp.get("/")
def home() -> str:
    return render_template("mentor/home.html")
