"""Forms about mentoring: the coordinator's mentor list, capacity and assignment pages, and the
mentor's own meeting form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Regexp

from app.domain.mentoring import MAX_CAPACITY
from app.web.forms_common import (
    date_field,
    radio_field,
    select_field,
    submit_button,
    whole_number_field,
)

EVERY_BOROUGH = "all"


class MentorFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    borough = select_field("Borough", [])  # the view fills in the boroughs
    show = submit_button("Show mentors")


class CapacityForm(FlaskForm):
    capacity = whole_number_field(
        "Capacity",
        minimum=0,
        maximum=MAX_CAPACITY,
        required="Enter the capacity",
        hint="The most apprentices they can mentor at the same time",
    )
    submit = submit_button("Save capacity")


class AssignMentorForm(FlaskForm):
    """The view fills in the mentors of the borough shown. `current_assignment` is the id of the
    apprentice's current assignment when the form was loaded (blank for none): if it changed
    meanwhile, the save is stale."""

    current_assignment = HiddenField(
        validators=[Regexp(r"^\d{0,9}$", message="Reload the page and try again")]
    )
    mentor = radio_field("Mentor", [], required="Select a mentor")
    start_date = date_field("Start date", required=True, hint="For example, 1 12 2026")
    submit = submit_button("Assign mentor")
