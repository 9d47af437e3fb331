"""Forms for adding, changing and ending an apprentice's placements."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.web.admin.forms import EMAIL_FORMAT
from app.web.forms_common import (
    date_field,
    select_field,
    submit_button,
    text_field,
    version_field,
)


class PlacementForm(FlaskForm):
    """The view fills in the host borough choices. Field names match the domain's, so a refusal
    is shown against the right field."""

    row_version = version_field()
    host_borough_id = select_field("Host borough", [], required="Select the host borough")
    team = text_field("Team", required="Enter the team", max_length=200)
    line_manager_name = text_field(
        "Line manager’s full name", required="Enter the line manager’s full name", max_length=200
    )
    line_manager_email = text_field(
        "Line manager’s email address",
        required="Enter the line manager’s email address",
        max_length=320,
        pattern=EMAIL_FORMAT,
    )
    start_date = date_field("Start date", required=True, hint="For example, 1 9 2026")
    end_date = date_field(
        "End date",
        hint="Leave this blank if the placement has no end date yet. For example, 28 2 2027",
    )
    submit = submit_button("Save placement")


class EndPlacementForm(FlaskForm):
    row_version = version_field()
    end_date = date_field(
        "End date", required=True, hint="The last day of the placement. For example, 28 2 2027"
    )
    submit = submit_button("End placement")
