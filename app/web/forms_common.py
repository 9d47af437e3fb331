"""Form fields with GOV.UK widgets and GOV.UK error wording, shared by every blueprint.

Forms check the shape of input; rules about the data live in app.domain.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import render_template
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
)

from app.domain.errors import DomainError


class WholeNumberField(IntegerField):
    """An integer field whose error for non-numbers reads like the GOV.UK pattern."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip().replace(",", ""))
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a whole number") from None


class GovDateField(DateField):
    """A date entered as day, month and year (the GOV.UK date input), checked with GOV.UK wording.

    All three parts blank means no date: "Enter the <label>" when the date is required, None
    otherwise. A POST that leaves the field out entirely counts as blank; one with a part
    missing or extra (never sent by the page itself) is refused rather than crashing the widget,
    which needs exactly three parts to show what was typed."""

    PARTS = ("day", "month", "year")

    def __init__(self, label: str, *, required_message: str | None = None, **kwargs: object):
        super().__init__(label, widget=GovDateInput(), **kwargs)
        self.required_message = required_message

    @property
    def _lower_label(self) -> str:
        text = self.label.text
        return text[:1].lower() + text[1:]

    def pre_validate(self, form: object) -> None:
        # A request with no form data at all never reaches process_formdata.
        if self.required_message and self.data is None and not self.process_errors:
            raise StopValidation(self.required_message)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist:
            self.raw_data = ["", "", ""]
            if self.required_message:
                raise ValueError(self.required_message)
            return
        if len(valuelist) != len(self.PARTS):
            self.raw_data = ["", "", ""]
            raise ValueError(f"Enter the {self._lower_label}")
        # Control characters are dropped, so what is shown again is always valid HTML.
        parts = ["".join(ch for ch in value if ch.isprintable()).strip() for value in valuelist]
        self.raw_data = parts
        if not any(parts):
            if self.required_message:
                raise ValueError(self.required_message)
            return
        missing = [name for name, value in zip(self.PARTS, parts, strict=True) if not value]
        if missing:
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        # isdecimal, not isdigit: "²" is a digit that int() refuses. A day or month of many
        # digits would overflow date(), so lengths are checked first.
        day_text, month_text, year_text = parts
        if (
            not all(value.isascii() and value.isdecimal() for value in parts)
            or len(day_text) > 2
            or len(month_text) > 2
            or len(year_text) != 4
        ):
            raise ValueError(f"{self.label.text} must be a real date")
        try:
            self.data = date(int(year_text), int(month_text), int(day_text))
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date") from None


def date_field(label: str, *, required: str | bool | None = None, hint: str = "") -> GovDateField:
    """A GOV.UK date input. `required` is the message for a blank date, or True for the usual
    "Enter the <label>"; without it a blank date is None."""
    lower = label[:1].lower() + label[1:]
    message = f"Enter the {lower}" if required is True else (required or None)
    return GovDateField(label, required_message=message, description=hint)


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def text_field(
    label: str,
    *,
    required: str | None = None,
    max_length: int = 200,
    pattern: tuple[str, str] | None = None,
    hint: str = "",
) -> StringField:
    validators: list = [DataRequired(required)] if required else [Optional()]
    validators.append(
        Length(max=max_length, message=f"{label} must be {max_length} characters or fewer")
    )
    if pattern:
        validators.append(Regexp(pattern[0], message=pattern[1]))
    return StringField(
        label,
        validators=validators,
        widget=GovTextInput(),
        description=hint,
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


def textarea_field(
    label: str, *, required: str | None = None, max_length: int = 5000, hint: str = ""
) -> TextAreaField:
    validators: list = [DataRequired(required)] if required else [Optional()]
    validators.append(
        Length(max=max_length, message=f"{label} must be {max_length} characters or fewer")
    )
    return TextAreaField(
        label,
        validators=validators,
        widget=GovTextArea(),
        description=hint,
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


def whole_number_field(
    label: str,
    *,
    minimum: int,
    maximum: int,
    required: str | None = None,
    hint: str = "",
) -> WholeNumberField:
    range_message = f"{label} must be between {minimum:,} and {maximum:,}"
    validators: list = [InputRequired(required)] if required else [Optional()]
    validators.append(NumberRange(min=minimum, max=maximum, message=range_message))
    return WholeNumberField(
        label,
        validators=validators,
        widget=GovTextInput(),
        description=hint,
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )


def password_field(label: str, *, required: str, hint: str = "") -> PasswordField:
    # Not stripped: spaces at either end are part of the password.
    return PasswordField(
        label, validators=[DataRequired(required)], widget=GovPasswordInput(), description=hint
    )


def radio_field(
    label: str, options: Iterable[tuple[str, str]], *, required: str, hint: str = ""
) -> RadioField:
    return RadioField(
        label,
        choices=choices(options),
        validators=[InputRequired(required)],
        widget=GovRadioInput(),
        description=hint,
    )


def select_field(
    label: str, options: Iterable[tuple[str, str]], *, required: str | None = None, hint: str = ""
) -> SelectField:
    return SelectField(
        label,
        choices=choices(options),
        validators=[InputRequired(required)] if required else [Optional()],
        widget=GovSelect(),
        description=hint,
        validate_choice=bool(required),
    )


def checkboxes_field(
    label: str, options: Iterable[tuple[str, str]], *, required: str | None = None, hint: str = ""
) -> SelectMultipleField:
    return SelectMultipleField(
        label,
        choices=choices(options),
        validators=[InputRequired(required)] if required else [Optional()],
        widget=GovCheckboxesInput(),
        description=hint,
    )


def checkbox_field(label: str, *, hint: str = "") -> BooleanField:
    return BooleanField(label, widget=GovCheckboxInput(), description=hint)


def submit_button(label: str) -> SubmitField:
    return SubmitField(label, widget=GovSubmitInput())


def version_field() -> HiddenField:
    """The row version the form was loaded with, so a stale edit can be recognised."""
    return HiddenField(validators=[Regexp(r"^\d{0,9}$", message="Reload the page and try again")])


def render_form(template: str, form: FlaskForm, **context: object) -> tuple[str, int]:
    """Render a form page; a form re-shown with errors answers 400 with the input kept."""
    status = 400 if form.errors else 200
    return render_template(template, form=form, **context), status


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Show a domain refusal against the field it concerns (or the form's first field)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        field = next(iter(form))
    field.errors = [*field.errors, error.message]
