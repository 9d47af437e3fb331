"""Form fields with GOV.UK widgets and GOV.UK error wording, shared by every blueprint.

Forms check the shape of input; rules about the data live in app.domain.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import render_template
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

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
