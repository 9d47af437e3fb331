"""Open vacancies for residents: the list (filterable by borough and standard) and a vacancy's
page with who can apply. Drafts are not found; a closed vacancy says so and offers no way to
apply."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.clock import today
from app.domain import vacancies as rules
from app.domain.errors import NotFound
from app.extensions import db
from app.models import Standard
from app.web.forms_common import choices, select_field
from app.web.pagination import page_number, paginate
from app.web.public import bp
from app.web.user_pages import borough_choices


class VacancyFilterForm(FlaskForm):
    """Filters sent in the query string (GET), so no CSRF token."""

    class Meta:
        csrf = False

    borough = select_field("Borough", [])
    standard = select_field("Apprenticeship", [])


def _chosen_id(value: str | None, allowed: set[str]) -> int | None:
    """A filter's value when it is one of the choices; anything else means no filter."""
    return int(value) if value and value in allowed else None


@bp.get("/vacancies", endpoint="vacancies")
def vacancy_list() -> str:
    form = VacancyFilterForm(request.args)
    form.borough.choices = choices([("", "Any borough")]) + borough_choices(blank=False)
    standards = db.session.scalars(
        select(Standard).order_by(Standard.title, Standard.level, Standard.id)
    ).all()
    form.standard.choices = choices(
        [("", "Any apprenticeship")]
        + [(str(s.id), f"{s.title} (level {s.level})") for s in standards]
    )
    borough_id = _chosen_id(form.borough.data, {c.value for c in form.borough.choices})
    standard_id = _chosen_id(form.standard.data, {c.value for c in form.standard.choices})
    page = paginate(
        db.session,
        rules.open_vacancies(today(), borough_id=borough_id, standard_id=standard_id),
        page_number(),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "public/vacancies/list.html",
        filters=form,
        page=page,
        filtered=borough_id is not None or standard_id is not None,
    )


@bp.get("/vacancies/<int:vacancy_id>", endpoint="vacancy")
def vacancy_page(vacancy_id: int) -> str:
    try:
        shown = rules.published_vacancy(db.session, vacancy_id)
    except NotFound:
        abort(404)
    hired = rules.hired_counts(db.session, [vacancy_id]).get(vacancy_id, 0)
    return render_template(
        "public/vacancies/show.html",
        vacancy=shown,
        is_open=rules.is_open(shown, hired, today()),
        who=rules.who_can_apply(shown),
    )
