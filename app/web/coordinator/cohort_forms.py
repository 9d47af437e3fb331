"""The cohort form. The view fills in the choices (standards, providers that deliver training,
boroughs) and removes the lead borough for a coordinator who can only lead from their own."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.web.forms_common import (
    date_field,
    select_field,
    submit_button,
    text_field,
    version_field,
    whole_number_field,
)

# The standard select's value for a cohort of several standards.
MIXED = "mixed"


class CohortForm(FlaskForm):
    name = text_field(
        "Name",
        required="Enter the cohort’s name",
        max_length=200,
        hint="For example, Hackney digital apprentices September 2026",
    )
    standard = select_field(
        "Apprenticeship standard",
        [],
        required="Select the apprenticeship standard, or mixed",
        hint="Choose mixed when the cohort’s apprentices follow different standards",
    )
    training_provider = select_field(
        "Training provider", [], required="Select the training provider"
    )
    lead_borough = select_field("Lead borough", [], required="Select the lead borough")
    start_date = date_field("Start date", required=True, hint="For example, 1 9 2026")
    planned_end_date = date_field("Planned end date", required=True, hint="For example, 31 8 2028")
    capacity = whole_number_field(
        "Capacity",
        minimum=1,
        maximum=1_000,
        required="Enter the capacity",
        hint="The most apprentices the cohort can take",
    )
    row_version = version_field()
    submit = submit_button("Save cohort")
