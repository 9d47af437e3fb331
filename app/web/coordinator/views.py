from __future__ import annotations

from flask import render_template

from app.web.coordinator import bp


@bp.get("/")
def home() -> str:
    return render_template("coordinator/home.html")
