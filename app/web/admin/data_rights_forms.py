"""Forms of the audit log and data-rights pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

from app.domain.audit_log import TARGET_TYPES
from app.models import AuditAction
from app.web.forms_common import (
    checkbox_field,
    date_field,
    select_field,
    submit_button,
    text_field,
    whole_number_field,
)

ACTION_LABELS = [
    (action.value, action.value.replace("_", " ").capitalize()) for action in AuditAction
]


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    actor = text_field("Who (email address or user number)", max_length=320)
    action = select_field("Action", [("", "Any action"), *ACTION_LABELS])
    target_type = select_field("Kind of record", [("", "Any kind"), *TARGET_TYPES])
    target_id = whole_number_field("Record number", minimum=1, maximum=2_000_000_000)
    date_from = date_field("From")
    date_to = date_field("To")
    submit = submit_button("Filter")


IDENTIFIER_HINT = "The email address of their account or application, or an application reference"


class FindPersonForm(FlaskForm):
    class Meta:
        csrf = False  # finding someone changes nothing

    identifier = text_field(
        "Email address or application reference", max_length=320, hint=IDENTIFIER_HINT
    )
    submit = submit_button("Find")


class SubjectAccessRequestForm(FlaskForm):
    identifier = text_field(
        "Email address or application reference",
        required="Enter an email address or an application reference",
        max_length=320,
        hint=IDENTIFIER_HINT,
    )
    received_on = date_field("Date received", required=True, hint="For example, 27 11 2026")
    submit = submit_button("Log the request")


class ProduceBundleForm(FlaskForm):
    submit = submit_button("Produce the bundle")


class EraseForm(FlaskForm):
    # Named apart from the search form's fields, which share the page.
    person = HiddenField()
    confirm = checkbox_field(
        "I understand that this cannot be undone",
        hint="Their personal details will be removed from every record.",
    )
    erase = submit_button("Erase this person")


class ObjectionForm(FlaskForm):
    submit = submit_button("Stop using my answers")


class RecordObjectionForm(FlaskForm):
    submit = submit_button("Record the objection")
