"""Forms of the apprentice pages: the list's filters, adding and changing an apprentice, the
status moves and the CSV upload. The views fill in the choices of the selects."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovTextInput
from wtforms import Field, StringField
from wtforms.validators import DataRequired, ValidationError

from app.models import WithdrawalReason
from app.web.admin.forms import EMAIL_FORMAT
from app.web.forms_common import (
    date_field,
    select_field,
    submit_button,
    text_field,
    textarea_field,
    version_field,
)

# The value of the residence select that means "lives outside London".
OUTSIDE_LONDON = "outside"
SORTS = (("name", "Name"), ("start", "Start date"), ("status", "Status"))


class ApprenticeFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = text_field("Name", max_length=100)
    cohort = select_field("Cohort", [])
    borough = select_field("Employing borough", [])
    status = select_field("Status", [])
    standard = select_field("Standard", [])
    sort = select_field("Sort by", SORTS)
    submit = submit_button("Apply filters")


def _hours(form: FlaskForm, field: Field) -> None:
    """Contracted hours: a number with at most one decimal place (the domain checks the range)."""
    raw = field.data or ""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError("Contracted hours must be a number, like 37.5") from None
    if not value.is_finite():
        raise ValidationError("Contracted hours must be a number, like 37.5")


def hours_field() -> StringField:
    return StringField(
        "Contracted hours a week",
        validators=[DataRequired("Enter their contracted hours a week"), _hours],
        widget=GovTextInput(),
        description="For example, 37.5. More than 0 and at most 48.",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"inputmode": "decimal", "spellcheck": "false"},
    )


class ApprenticeEditForm(FlaskForm):
    """The details a coordinator can change. Adding an apprentice also asks for the email
    address and (for those who see every borough) the employing borough."""

    name = text_field("Full name", required="Enter their full name", max_length=200)
    date_of_birth = date_field(
        "Date of birth", required="Enter their date of birth", hint="For example, 17 5 2006"
    )
    cohort = select_field("Cohort", [], required="Select a cohort")
    standard = select_field("Standard", [])
    training_provider = select_field("Training provider", [])
    residence_borough = select_field(
        "Borough they live in", [], required="Select the borough they live in, or outside London"
    )
    uln = text_field(
        "Unique learner number (optional)",
        max_length=12,
        pattern=(r"^\s*(\d\s*){10}$", "Unique learner number must be 10 digits"),
        hint="10 digits, from the Learning Records Service",
    )
    start_date = date_field("Start date", required=True, hint="For example, 1 9 2026")
    practical_period_end = date_field(
        "End of the practical period",
        hint="Leave blank to use the standard’s typical duration. It must be at least 12 "
        "months after a start before 1 August 2025, or 8 months after a later start.",
    )
    planned_end_date = date_field(
        "Planned end date",
        hint="Leave blank for the end of the practical period plus 3 months for the "
        "end-point assessment",
    )
    contracted_hours = hours_field()
    row_version = version_field()
    submit = submit_button("Save changes")


class ApprenticeNewForm(ApprenticeEditForm):
    email = text_field(
        "Email address",
        required="Enter their email address",
        max_length=320,
        pattern=EMAIL_FORMAT,
        hint="We will send them an invitation to choose a password",
    )
    employing_borough = select_field("Employing borough", [], required="Select a borough")
    submit = submit_button("Add apprentice and send invitation")


def _note() -> StringField:
    return textarea_field("Note (optional)", max_length=2000)


class StartForm(FlaskForm):
    effective_on = date_field("Date they started", required=True)
    note = _note()
    row_version = version_field()
    submit = submit_button("Start the apprenticeship")


class PauseForm(FlaskForm):
    effective_on = date_field("Date the break started", required=True)
    expected_return_date = date_field("Expected return date", required=True)
    note = _note()
    row_version = version_field()
    submit = submit_button("Pause the apprenticeship")


class ResumeForm(FlaskForm):
    effective_on = date_field(
        "Date they returned",
        required=True,
        hint="The 42-day qualifying period starts again on this date",
    )
    note = _note()
    row_version = version_field()
    submit = submit_button("Return from the break")


class WithdrawForm(FlaskForm):
    effective_on = date_field("Date they left", required=True, hint="Their last day in learning")
    reason = select_field(
        "Why they left",
        [("", "Select a reason")] + [(reason.value, reason.label) for reason in WithdrawalReason],
        required="Select why they left",
    )
    note = _note()
    row_version = version_field()
    submit = submit_button("Withdraw the apprentice")


class ImportForm(FlaskForm):
    csv_file = FileField(
        "Upload a CSV file",
        validators=[FileRequired("Select a CSV file")],
        widget=GovFileInput(),
        description="A .csv file of at most 2 MB, with the columns listed above",
    )
    submit = submit_button("Import apprentices")
