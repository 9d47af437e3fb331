from __future__ import annotations

from flask_wtf import FlaskForm

from app.models import GradeSet, Role
from app.web.forms_common import (
    checkboxes_field,
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
