"""Forms for adding a milestone by hand, regenerating milestones and deciding on evidence."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.domain.milestones import KIND_LABELS, NAME_MAX_LENGTH
from app.models import Signer
from app.web.forms_common import (
    date_field,
    radio_field,
    submit_button,
    text_field,
)

SIGNER_CHOICES = (
    (Signer.MENTOR.value, "Their mentor"),
    (Signer.COORDINATOR.value, "A coordinator of the employing borough"),
)
YES_NO = (("yes", "Yes"), ("no", "No"))


class MilestoneForm(FlaskForm):
    """Field names match the domain's, so a refusal is shown against the right field."""

    title = text_field("Title", required="Enter a title", max_length=NAME_MAX_LENGTH)
    kind = radio_field("Kind of milestone", KIND_LABELS.items(), required="Select the kind")
    due_date = date_field("Due date", required=True, hint="For example, 27 3 2027")
    signer = radio_field("Who signs it off?", SIGNER_CHOICES, required="Select who signs it off")
    required_for_gateway = radio_field(
        "Must it be signed off before the gateway?",
        YES_NO,
        required="Select yes if it must be signed off before the gateway",
    )
    submit = submit_button("Add milestone")


class RegenerateForm(FlaskForm):
    submit = submit_button("Regenerate milestones")
