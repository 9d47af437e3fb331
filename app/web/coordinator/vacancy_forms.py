"""The vacancy form, and the form that confirms publishing. The view fills in the choices
(cohorts the coordinator may see, standards, boroughs) and removes the employing borough for a
coordinator who can only run vacancies for their own. Field names match the domain's, so a
refusal is shown against the right field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField

from app.domain.vacancies import (
    APPRENTICE_MINIMUM_HOURLY_PAY,
    DESCRIPTION_MAX_LENGTH,
    MAXIMUM_POSITIONS,
    MINIMUM_AGE_RANGE,
    TITLE_MAX_LENGTH,
)
from app.models import ResidenceRule
from app.web.forms_common import (
    checkboxes_field,
    date_field,
    radio_field,
    select_field,
    submit_button,
    text_field,
    textarea_field,
    version_field,
    whole_number_field,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
RESIDENCE_OPTIONS = [
    (ResidenceRule.OWN.value, "Residents of the employing borough"),
    (ResidenceRule.LIST.value, "Residents of the boroughs you choose"),
    (ResidenceRule.LONDON.value, "Residents of any London borough"),
]
_MONEY = re.compile(r"^£?\s*(\d{1,4}(?:\.\d{1,2})?)$")


class MoneyField(StringField):
    """A required amount in pounds, such as 13.85 or £13.85; `data` is a Decimal."""

    def __init__(self, label: str, *, required: str, **kwargs: object) -> None:
        super().__init__(label, widget=GovTextInput(), **kwargs)
        self.required_message = required

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            raise ValueError(self.required_message)
        match = _MONEY.match(text)
        if match is None:
            raise ValueError(f"{self.label.text} must be an amount of money, like 13.85")
        try:
            self.data = Decimal(match.group(1))
        except InvalidOperation:  # the pattern lets only digits through; kept for safety
            raise ValueError(f"{self.label.text} must be an amount of money, like 13.85") from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:.2f}" if self.data is not None else ""


class VacancyForm(FlaskForm):
    row_version = version_field()
    cohort = select_field(
        "Cohort",
        [],
        required="Select the cohort",
        hint="Applicants’ ages are worked out on the cohort’s start date",
    )
    employing_borough = select_field(
        "Employing borough", [], required="Select the employing borough"
    )
    title = text_field(
        "Title",
        required="Enter the vacancy’s title",
        max_length=TITLE_MAX_LENGTH,
        hint="For example, Junior software developer apprentice",
    )
    description = textarea_field(
        "Description",
        required="Enter a description of the job",
        max_length=DESCRIPTION_MAX_LENGTH,
        hint="What the apprentice will do and learn. Leave a blank line between paragraphs.",
    )
    standard = select_field(
        "Apprenticeship standard", [], required="Select the apprenticeship standard"
    )
    positions = whole_number_field(
        "Positions",
        minimum=1,
        maximum=MAXIMUM_POSITIONS,
        required="Enter the number of positions",
        hint="How many apprentices you will hire",
    )
    hourly_pay = MoneyField(
        "Hourly pay",
        required="Enter the hourly pay",
        description=f"At least £{APPRENTICE_MINIMUM_HOURLY_PAY}, the apprentice minimum wage",
        render_kw={"inputmode": "decimal", "spellcheck": "false"},
    )
    closing_date = date_field(
        "Closing date",
        required=True,
        hint="The last day residents can apply, before the cohort starts. For example, 31 1 2027",
    )
    residence_rule = radio_field(
        "Which residents can apply?",
        RESIDENCE_OPTIONS,
        required="Select which residents can apply",
    )
    eligible_boroughs = checkboxes_field(
        "Which boroughs’ residents can apply?",
        [],
        hint="Only if you chose ‘Residents of the boroughs you choose’. Select all that apply.",
    )
    educated_route = radio_field(
        "Can people who went to a secondary school or college in the employing borough apply, "
        "wherever they live now?",
        YES_NO,
        required="Select yes if people educated in the borough can apply",
    )
    care_leaver_route = radio_field(
        "Can care leavers the employing borough supports apply, wherever they live now?",
        YES_NO,
        required="Select yes if care leavers the borough supports can apply",
    )
    minimum_age = whole_number_field(
        "Minimum age",
        minimum=MINIMUM_AGE_RANGE[0],
        maximum=MINIMUM_AGE_RANGE[1],
        required="Enter the minimum age",
        hint="The youngest an applicant can be on the cohort’s start date. Usually 16.",
    )
    submit = submit_button("Save vacancy")


class PublishForm(FlaskForm):
    row_version = version_field()
    submit = submit_button("Publish vacancy")
