"""The report pages' filters: GOV.UK GET forms whose state stays in the URL.

Every choice is fixed (financial years and their quarters, a borough or London, a grouping,
a question): a value that is not on the list gets a GOV.UK error message and the page shows
the default instead, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import ValidationError

from app.web.forms_common import choices


class ChoiceField(SelectField):
    """A select whose value must be one of its choices, with a GOV.UK error message."""

    def __init__(self, label: str, *, message: str, hint: str = "", **kwargs: Any) -> None:
        super().__init__(label, choices=[], widget=GovSelect(), description=hint, **kwargs)
        self.message = message

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.message)

    def offer(self, options: Iterable[tuple[str, str]]) -> None:
        self.choices = choices(options)


class _Filters(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    def apply(self, defaults: dict[str, str]) -> bool:
        """Validate; every field with a bad value goes back to its default (the error stays,
        for the error summary). True when every value was good."""
        valid = self.validate()
        for name in list(self.errors):
            if name in defaults:
                self[name].data = defaults[name]
            if len(self[name].choices) < 2:  # not offered, so not shown: nothing to correct
                self[name].errors = []
        return valid and not self.errors

    def values(self) -> dict[str, str]:
        """The filters as URL arguments, for links that keep them."""
        return {field.name: field.data for field in self if isinstance(field, ChoiceField)}


class ReportFilters(_Filters):
    """A period and an area: London, or one borough."""

    period = ChoiceField("Period", message="Select a period from the list")
    area = ChoiceField("Area", message="Select an area from the list")
    submit = SubmitField("Show figures", widget=GovSubmitInput())


class AreaFilters(_Filters):
    """An area only: the trends cover the last five financial years."""

    area = ChoiceField("Area", message="Select an area from the list")
    submit = SubmitField("Show figures", widget=GovSubmitInput())


class ComparisonFilters(_Filters):
    period = ChoiceField("Period", message="Select a period from the list")
    group = ChoiceField("Boroughs", message="Select a group of boroughs from the list")
    submit = SubmitField("Show figures", widget=GovSubmitInput())


class EqualityFilters(_Filters):
    period = ChoiceField(
        "Financial year",
        message="Select a financial year from the list",
        hint="Equality breakdowns are by financial year only.",
    )
    area = ChoiceField("Area", message="Select an area from the list")
    question = ChoiceField("Question", message="Select a question from the list")
    submit = SubmitField("Show figures", widget=GovSubmitInput())
