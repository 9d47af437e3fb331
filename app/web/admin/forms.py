from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from wtforms import BooleanField, Field, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, ValidationError

from app.models import GradeSet, Role
from app.web.forms_common import (
    checkbox_field,
    checkboxes_field,
    choices,
    radio_field,
    select_field,
    submit_button,
    text_field,
    textarea_field,
    version_field,
    whole_number_field,
)


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = text_field("Name or email address", max_length=100)
    role = select_field("Role", [("", "Any role")] + [(r.value, r.label) for r in Role])
    borough = select_field("Borough", [])
    submit = submit_button("Filter")


# Users

ROLE_VALUES = frozenset(role.value for role in Role)
EMAIL_FORMAT = (
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "Enter an email address in the correct format, like name@example.com",
)


def _known_roles(form: FlaskForm, field: Field) -> None:
    if not set(field.data or []) <= ROLE_VALUES:
        raise ValidationError("Select roles from the list")


def roles_field(roles: list[Role], *, hint: str = "") -> SelectMultipleField:
    """Role checkboxes. A role that is not offered is not refused here: whether someone may
    grant a role is the domain's rule, and it answers with a clearer message."""
    return SelectMultipleField(
        "Roles",
        choices=choices((role.value, role.label) for role in roles),
        validators=[InputRequired("Select at least one role"), _known_roles],
        widget=GovCheckboxesInput(),
        description=hint,
        validate_choice=False,
    )


def name_field() -> StringField:
    return text_field("Full name", required="Enter their full name", max_length=200)


def email_field() -> StringField:
    return text_field(
        "Email address",
        required="Enter their email address",
        max_length=320,
        pattern=EMAIL_FORMAT,
        hint="We will send an invitation to choose a password to this address",
    )


def borough_field() -> SelectField:
    """A select of the boroughs; the view fills in the choices."""
    return select_field("Borough", [], required="Select a borough")


def programme_wide_field() -> BooleanField:
    return checkbox_field(
        "Programme-wide: sees every borough",
        hint="Only coordinators can be programme-wide. Use it for the central programme team.",
    )


class InviteUserForm(FlaskForm):
    name = name_field()
    email = email_field()
    roles = roles_field(list(Role), hint="Select all that apply")
    borough = borough_field()
    programme_wide = programme_wide_field()
    submit = submit_button("Send invitation")


class EditUserForm(FlaskForm):
    name = name_field()
    roles = roles_field(list(Role), hint="Select all that apply")
    borough = borough_field()
    programme_wide = programme_wide_field()
    row_version = version_field()
    submit = submit_button("Save changes")


class DeactivateForm(FlaskForm):
    submit = submit_button("Yes, deactivate this account")


class ReactivateForm(FlaskForm):
    submit = submit_button("Yes, reactivate this account")


class ResendInvitationForm(FlaskForm):
    submit = submit_button("Send a new invitation")


class StandardForm(FlaskForm):
    reference = text_field(
        "Reference",
        required="Enter the standard's reference",
        max_length=6,
        pattern=(r"^[Ss][Tt]\d{4}$", "Enter a reference in the form ST0116"),
        hint="For example, ST0116",
    )
    version = text_field(
        "Version",
        required="Enter the version",
        max_length=10,
        pattern=(r"^\d{1,2}\.\d{1,2}$", "Enter a version in the form 1.0"),
        hint="For example, 1.0",
    )
    title = text_field("Title", required="Enter the title", max_length=200)
    level = radio_field(
        "Level",
        [(str(level), f"Level {level}") for level in range(2, 8)],
        required="Select the level",
    )
    typical_duration_months = whole_number_field(
        "Typical duration in months", minimum=8, maximum=72, required="Enter the typical duration"
    )
    funding_band_max = whole_number_field(
        "Funding band maximum in pounds",
        minimum=1_500,
        maximum=27_000,
        required="Enter the funding band maximum",
    )
    min_otj_hours = whole_number_field(
        "Minimum off-the-job hours (optional)",
        minimum=1,
        maximum=5_000,
        hint="The published minimum for starts from 1 August 2025",
    )
    grade_set = radio_field(
        "End-point assessment grades",
        [(grade_set.value, grade_set.label) for grade_set in GradeSet],
        required="Select the grades the assessment plan uses",
    )
    row_version = version_field()
    submit = submit_button("Save standard")


class KSBForm(FlaskForm):
    code = text_field(
        "Code",
        required="Enter the code",
        max_length=4,
        hint="K for knowledge, S for skill or B for behaviour, then a number: K3, S7, B2",
    )
    text = textarea_field("Description", required="Enter the description", max_length=2000)
    submit = submit_button("Save")


class ConfirmForm(FlaskForm):
    submit = submit_button("Yes, delete it")


class ProviderForm(FlaskForm):
    name = text_field("Name", required="Enter the organisation's name", max_length=200)
    ukprn = text_field(
        "UK provider reference number (UKPRN)",
        required="Enter the UKPRN",
        max_length=8,
        pattern=(r"^1\d{7}$", "Enter a UKPRN of 8 digits starting with 1, like 10012345"),
        hint="8 digits, starting with 1",
    )
    roles = checkboxes_field(
        "What does the organisation do?",
        [("training", "Delivers apprenticeship training"), ("epa", "End-point assessment")],
        required="Select whether the organisation delivers training, assesses, or both",
    )
    row_version = version_field()
    submit = submit_button("Save organisation")
