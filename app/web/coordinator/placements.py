"""Placements: adding, changing and ending where an apprentice works.

Only the employing borough's coordinators (and admins) change them. An apprentice outside the
viewer's scope is not found (404); one they may read but not change, such as an apprentice
placed with their borough now, is forbidden (403).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.domain import placements
from app.domain.errors import DomainError, StaleEdit
from app.extensions import db
from app.models import Apprentice, Placement
from app.web.coordinator import bp
from app.web.coordinator.placement_forms import EndPlacementForm, PlacementForm
from app.web.forms_common import render_form, show_domain_error
from app.web.scoped import apprentice_to_change
from app.web.user_pages import borough_choices

FORM_TEMPLATE = "coordinator/placements/form.html"
END_TEMPLATE = "coordinator/placements/end.html"


def apprentice_for_change(apprentice_id: int) -> Apprentice:
    return apprentice_to_change(
        apprentice_id, joinedload(Apprentice.user), joinedload(Apprentice.employing_borough)
    )


def _placement_of(apprentice: Apprentice, placement_id: int) -> Placement:
    """One of this apprentice's placements; another apprentice's is not found."""
    placement = db.session.scalars(
        select(Placement)
        .where(Placement.id == placement_id, Placement.apprentice_id == apprentice.id)
        .options(joinedload(Placement.host_borough))
    ).one_or_none()
    if placement is None:
        abort(404)
    return placement


def _back(apprentice: Apprentice) -> ResponseReturnValue:
    return redirect(url_for("coordinator.apprentice", apprentice_id=apprentice.id))


def _details(form: PlacementForm) -> placements.PlacementDetails:
    return placements.PlacementDetails(
        host_borough_id=int(form.host_borough_id.data),
        team=form.team.data,
        line_manager_name=form.line_manager_name.data,
        line_manager_email=form.line_manager_email.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
    )


def _expected_version(form: PlacementForm | EndPlacementForm) -> int:
    # An empty version (a form from nowhere) never matches, so it counts as stale.
    return int(form.row_version.data or -1)


def _page_context(apprentice: Apprentice, placement: Placement | None) -> dict[str, object]:
    return {
        "apprentice": apprentice,
        "placement": placement,
        "timeline": placements.placements_for(db.session, apprentice.id),
    }


@bp.route("/apprentices/<int:apprentice_id>/placements/new", methods=["GET", "POST"])
def placement_new(apprentice_id: int) -> ResponseReturnValue:
    apprentice = apprentice_for_change(apprentice_id)
    form = PlacementForm()
    form.host_borough_id.choices = borough_choices(blank=True)
    if request.method == "GET":
        form.host_borough_id.data = str(apprentice.employing_borough_id)
    if form.validate_on_submit():
        try:
            placements.add_placement(db.session, apprentice, _details(form), actor=current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("Placement added")
            return _back(apprentice)
    return render_form(FORM_TEMPLATE, form, **_page_context(apprentice, None))


def _fill_from(form: PlacementForm, placement: Placement) -> None:
    form.host_borough_id.data = str(placement.host_borough_id)
    form.team.data = placement.team
    form.line_manager_name.data = placement.line_manager_name
    form.line_manager_email.data = placement.line_manager_email
    form.start_date.data = placement.start_date
    form.end_date.data = placement.end_date
    form.row_version.data = str(placement.row_version)


def _stale_page(
    template: str, form: PlacementForm | EndPlacementForm, apprentice_id: int, placement_id: int
) -> ResponseReturnValue:
    """Someone else saved first: their change is kept, and the form shows what this user typed
    beside the current details, with the current version so a second save goes through."""
    db.session.rollback()
    apprentice = apprentice_for_change(apprentice_id)
    current = _placement_of(apprentice, placement_id)
    form.row_version.data = str(current.row_version)
    context = _page_context(apprentice, current)
    return render_template(template, form=form, stale=StaleEdit().message, **context), 409


@bp.route(
    "/apprentices/<int:apprentice_id>/placements/<int:placement_id>/edit", methods=["GET", "POST"]
)
def placement_edit(apprentice_id: int, placement_id: int) -> ResponseReturnValue:
    apprentice = apprentice_for_change(apprentice_id)
    placement = _placement_of(apprentice, placement_id)
    form = PlacementForm()
    form.host_borough_id.choices = borough_choices(blank=True)
    if request.method == "GET":
        _fill_from(form, placement)
    if form.validate_on_submit():
        try:
            placements.update_placement(
                db.session,
                apprentice,
                placement,
                _details(form),
                expected_version=_expected_version(form),
                actor=current_user,
            )
        except StaleEdit:
            return _stale_page(FORM_TEMPLATE, form, apprentice_id, placement_id)
        except DomainError as error:
            show_domain_error(form, error)
            placement = _placement_of(apprentice, placement_id)  # as stored, after a refusal
        else:
            db.session.commit()
            flash("Placement updated")
            return _back(apprentice)
    return render_form(FORM_TEMPLATE, form, **_page_context(apprentice, placement))


@bp.route(
    "/apprentices/<int:apprentice_id>/placements/<int:placement_id>/end", methods=["GET", "POST"]
)
def placement_end(apprentice_id: int, placement_id: int) -> ResponseReturnValue:
    apprentice = apprentice_for_change(apprentice_id)
    placement = _placement_of(apprentice, placement_id)
    form = EndPlacementForm()
    if request.method == "GET":
        form.row_version.data = str(placement.row_version)
    if form.validate_on_submit():
        try:
            placements.end_placement(
                db.session,
                apprentice,
                placement,
                form.end_date.data,
                expected_version=_expected_version(form),
                actor=current_user,
            )
        except StaleEdit:
            return _stale_page(END_TEMPLATE, form, apprentice_id, placement_id)
        except DomainError as error:
            show_domain_error(form, error)
            placement = _placement_of(apprentice, placement_id)  # as stored, after a refusal
        else:
            db.session.commit()
            flash("Placement ended")
            return _back(apprentice)
    return render_form(END_TEMPLATE, form, **_page_context(apprentice, placement))
