"""Forms of the end-of-apprenticeship pages: confirming the gateway, the employer's decision on
English and maths, an end-point assessment result and a destination. The views fill in the
choices that depend on the data (organisations, the standard's grades)."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.domain.destinations import DESTINATION_LABELS
from app.domain.epa import NOTE_MAX_LENGTH
from app.domain.gateway import EXCEPTION_REASON_MAX_LENGTH
from app.web.forms_common import (
    date_field,
    radio_field,
    select_field,
    submit_button,
    textarea_field,
    version_field,
)

YES, NO = "yes", "no"


class GatewayConfirmForm(FlaskForm):
    # Shown only when an item is not met; the domain decides whether it is needed.
    exception_reason = textarea_field(
        "Reason for confirming the gateway although not every item is met",
        max_length=EXCEPTION_REASON_MAX_LENGTH,
        hint="For example, the training provider and employer agreed the apprentice is "
        "occupationally competent and the missing evidence follows by a given date",
    )
    submit = submit_button("Confirm the gateway")


class EnglishMathsForm(FlaskForm):
    opted_in = radio_field(
        "Will they take English and maths?",
        [
            (YES, "Yes, the employer opted in"),
            (NO, "No, the employer decided they will not take them"),
        ],
        required="Select whether they will take English and maths",
        hint="The employer’s decision, as recorded in the training plan",
    )
    row_version = version_field()
    submit = submit_button("Save the decision")


class EpaAttemptForm(FlaskForm):
    assessed_on = date_field(
        "Date of the assessment",
        required=True,
        hint="The day the result was given. For example, 14 10 2026",
    )
    organisation_id = select_field(
        "End-point assessment organisation",
        [],
        required="Select the end-point assessment organisation",
    )
    grade = radio_field("Result", [], required="Select the result")
    next_attempt_on = date_field(
        "Date of the next attempt (after a fail)",
        hint="The resit or retake. Leave blank for a passing grade.",
    )
    note = textarea_field("Note (optional)", max_length=NOTE_MAX_LENGTH)
    submit = submit_button("Record the result")


class OutcomeForm(FlaskForm):
    destination = radio_field(
        "Where are they now?",
        [(value.value, label) for value, label in DESTINATION_LABELS.items()],
        required="Select where they are now",
    )
    recorded_on = date_field(
        "Date you found this out", required=True, hint="For example, 27 11 2026"
    )
    note = textarea_field("Note (optional)", max_length=NOTE_MAX_LENGTH)
    submit = submit_button("Record the destination")
