"""Forms of the pipeline pages: the list's filters, moving one or many applications, hiring and
the CSV upload. The views fill in the choices that depend on the application."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import Field, HiddenField
from wtforms.fields.core import UnboundField
from wtforms.validators import Regexp, ValidationError

from app.domain.pipeline import MOVE_LABELS, NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from app.models import Stage
from app.web.coordinator.apprentice_forms import hours_field
from app.web.forms_common import (
    checkbox_field,
    date_field,
    radio_field,
    select_field,
    submit_button,
    text_field,
    textarea_field,
)

YES_NO_ANY = (("", "Any"), ("yes", "Yes"), ("no", "No"))


def _without_hidden_characters(*, lines: bool = False) -> Callable[[object], object]:
    """A filter dropping control characters (keeping line breaks and tabs in `lines` text):
    they mean nothing here, and a form shown again must not echo them into the page."""
    allowed = "\r\n\t" if lines else ""

    def clean(value: object) -> object:
        if not isinstance(value, str):
            return value
        return "".join(
            char
            for char in value
            if char in allowed or unicodedata.category(char) not in ("Cc", "Cs")
        )

    return clean


def plain(field: UnboundField, *, lines: bool = False) -> UnboundField:
    """The field, with hidden characters dropped from what is typed."""
    field.kwargs["filters"] = [
        *field.kwargs.get("filters", ()),
        _without_hidden_characters(lines=lines),
    ]
    return field


def _version() -> UnboundField:
    """The row version the form was loaded with (see forms_common.version_field), with hidden
    characters dropped so a forged value is never echoed into the page."""
    return plain(
        HiddenField(validators=[Regexp(r"^\d{0,9}$", message="Reload the page and try again")])
    )


# How many applications one bulk move may take (a page holds far fewer).
MAX_SELECTED = 500
# A selected row: "<application id>:<row version as listed>".
SELECTION = re.compile(r"^(\d{1,9}):(\d{1,9})$")


class ApplicationFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = plain(text_field("Name or reference", max_length=100))
    stage = select_field(
        "Stage", [("", "Any stage")] + [(stage.value, stage.label) for stage in Stage]
    )
    eligible = select_field("Eligible", YES_NO_ANY)
    local = select_field("Lives in the borough", YES_NO_ANY)
    interview = select_field("Asked for a guaranteed interview", YES_NO_ANY)
    submit = submit_button("Apply filters")


class SelectionField(Field):
    """The rows ticked in the list: each "<id>:<version>", so a row someone else changed since
    the list was shown is recognised as a stale edit. Rendered by the list's table."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(valuelist)

    def pre_validate(self, form: FlaskForm) -> None:
        if not self.data:
            raise ValidationError("Select at least one application")
        if len(self.data) > MAX_SELECTED:
            raise ValidationError(f"Select at most {MAX_SELECTED} applications at a time")
        if not all(SELECTION.match(value) for value in self.data):
            raise ValidationError("Reload the page and select the applications again")

    def versions(self) -> dict[int, int]:
        """Application id: row version, for each selected row."""
        pairs = (SELECTION.match(value) for value in self.data or [])
        return {int(m.group(1)): int(m.group(2)) for m in pairs if m}


def _reason() -> UnboundField:
    return plain(
        text_field(
            "Reason for rejecting (needed when rejecting)",
            max_length=REASON_MAX_LENGTH,
            hint="For example, does not meet the eligibility rule. The applicant does not see "
            "this.",
        )
    )


def _note() -> UnboundField:
    return plain(textarea_field("Note (optional)", max_length=NOTE_MAX_LENGTH), lines=True)


# A bulk move goes to any stage but hired (which is reached by hiring, one at a time).
BULK_STAGES = [stage for stage in Stage if stage not in (Stage.SUBMITTED, Stage.HIRED)]


class BulkMoveForm(FlaskForm):
    selected = SelectionField("Applications")
    to_stage = select_field(
        "Move the selected applications to",
        [("", "Select a stage")] + [(stage.value, stage.label) for stage in BULK_STAGES],
        required="Select the stage to move the applications to",
    )
    reason = _reason()
    note = _note()
    # Not "submit": the filter form on the same page has a button of that name.
    move = submit_button("Move selected applications")


class MoveForm(FlaskForm):
    to_stage = radio_field(
        "Move the application to", [], required="Select the stage to move the application to"
    )
    reason = _reason()
    note = _note()
    row_version = _version()
    submit = submit_button("Move the application")


def move_choices(stages: list[Stage]) -> list[tuple[str, str]]:
    return [(stage.value, MOVE_LABELS[stage]) for stage in stages]


class HireForm(FlaskForm):
    right_to_work_checked_on = date_field(
        "Date you checked their right to work in the UK",
        required="Enter the date you checked their right to work in the UK",
        hint="Check their documents before they start work. For example, 20 11 2026",
    )
    start_date = date_field(
        "Start date", required=True, hint="The cohort’s start date unless you change it"
    )
    contracted_hours = plain(hours_field())
    allow_over_positions = checkbox_field(
        "Hire over the vacancy’s number of positions",
        hint="All positions are filled. Tick this to hire this applicant anyway; it is recorded.",
    )
    note = _note()
    row_version = _version()
    submit = submit_button("Hire and send their invitation")


class ApplicationImportForm(FlaskForm):
    csv_file = FileField(
        "Upload a CSV file",
        validators=[FileRequired("Select a CSV file")],
        widget=GovFileInput(),
        description="A .csv file of at most 2 MB, with the columns listed above",
    )
    submit = submit_button("Import applications")
