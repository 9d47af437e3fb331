"""The apprentice's off-the-job log entry form (logging and correcting an entry). The view fills
in the KSB choices from the apprentice's standard; the domain checks the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovTextInput
from wtforms import Field, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Optional, ValidationError

from app.domain.logbook import ACTIVITY_LABELS, MAX_DESCRIPTION
from app.web.forms_common import (
    date_field,
    radio_field,
    submit_button,
    textarea_field,
    version_field,
)


def _a_number(form: FlaskForm, field: Field) -> None:
    """Hours are a number (the domain checks the range and the tenths)."""
    try:
        value = Decimal(field.data or "")
    except InvalidOperation:
        raise ValidationError("Hours must be a number, like 1.5") from None
    if not value.is_finite():
        raise ValidationError("Hours must be a number, like 1.5")


class EntryForm(FlaskForm):
    """Field names match the domain's, so a refusal is shown against the right field."""

    row_version = version_field()
    entry_date = date_field("Date of the training", required=True, hint="For example, 20 11 2026")
    hours = StringField(
        "Hours",
        validators=[DataRequired("Enter the number of hours"), _a_number],
        widget=GovTextInput(),
        description="In hours and tenths of an hour, for example 1.5 for an hour and a half",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"inputmode": "decimal", "spellcheck": "false"},
    )
    activity_type = radio_field(
        "Type of activity", ACTIVITY_LABELS.items(), required="Select the type of activity"
    )
    description = textarea_field(
        "What you did and what you learnt",
        required="Enter a description of the training",
        max_length=MAX_DESCRIPTION,
        hint="For example, the course or task, who led it and what you can now do",
    )
    # Choices are not checked here: the domain refuses a KSB of another standard with a clear
    # message rather than WTForms' "not a valid choice".
    ksb_ids = SelectMultipleField(
        "Knowledge, skills and behaviours it covered",
        validators=[Optional()],
        widget=GovCheckboxesInput(),
        description="Select all that apply",
        validate_choice=False,
    )
    submit = submit_button("Submit for approval")

    def chosen_ksb_ids(self) -> list[int]:
        """The ticked KSBs as ids; anything else becomes an id no KSB has, which is refused."""
        return [int(value) if value.isdecimal() else 0 for value in (self.ksb_ids.data or [])]
