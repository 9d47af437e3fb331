from __future__ import annotations

from flask_wtf import FlaskForm

from app.domain.mentoring import MAX_MEETING_MINUTES
from app.web.forms_common import date_field, submit_button, textarea_field, whole_number_field


class MeetingForm(FlaskForm):
    met_on = date_field("Date of the meeting", required=True, hint="For example, 20 11 2026")
    duration_minutes = whole_number_field(
        "Length of the meeting",
        minimum=1,
        maximum=MAX_MEETING_MINUTES,
        required="Enter the length of the meeting",
        hint="In minutes, for example 45",
    )
    notes = textarea_field(
        "Notes",
        required="Enter notes from the meeting",
        hint="What you talked about and anything agreed",
    )
    submit = submit_button("Save meeting")
