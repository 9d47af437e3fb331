"""The form for adding and changing a milestone template."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.domain.milestones import KIND_LABELS, MAX_OFFSET_WEEKS, NAME_MAX_LENGTH
from app.models import Signer
from app.web.forms_common import (
    radio_field,
    select_field,
    submit_button,
    text_field,
    whole_number_field,
)

ALL_STANDARDS = "all"
SIGNER_CHOICES = (
    (Signer.MENTOR.value, "The apprentice’s mentor"),
    (Signer.COORDINATOR.value, "A coordinator of the employing borough"),
)
YES_NO = (("yes", "Yes"), ("no", "No"))


class MilestoneTemplateForm(FlaskForm):
    """The view fills in the standard choices. Field names match the domain's, so a refusal is
    shown against the right field."""

    standard_id = select_field(
        "Standard",
        [],
        required="Select a standard, or all standards",
        hint="Apprentices on this standard get the milestone",
    )
    name = text_field("Name", required="Enter a name", max_length=NAME_MAX_LENGTH)
    kind = radio_field(
        "Kind of milestone",
        KIND_LABELS.items(),
        required="Select the kind of milestone",
        hint="English and maths milestones are only given to apprentices who need them: those "
        "aged 16 to 18 on their start date",
    )
    due_offset_weeks = whole_number_field(
        "Weeks after the start",
        minimum=0,
        maximum=MAX_OFFSET_WEEKS,
        required="Enter how many weeks after the start it is due",
        hint=f"When it is due, in weeks after the apprentice’s start date, from 0 to "
        f"{MAX_OFFSET_WEEKS}",
    )
    signer = radio_field("Who signs it off?", SIGNER_CHOICES, required="Select who signs it off")
    required_for_gateway = radio_field(
        "Must it be signed off before the gateway?",
        YES_NO,
        required="Select yes if it must be signed off before the gateway",
    )
    submit = submit_button("Save template")


class DeleteTemplateForm(FlaskForm):
    submit = submit_button("Yes, delete it")
