"""The shared GOV.UK fields: a date input never fails with a 500, whatever is typed."""

from __future__ import annotations

from datetime import date

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from app.web.forms_common import date_field


class DateForm(FlaskForm):
    class Meta:
        csrf = False

    start = date_field("Start date", required=True)


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        (["1", "9", "2026"], None),
        ([], "Enter the start date"),
        (["", "", ""], "Enter the start date"),
        (["1", "", "2026"], "Start date must include a month"),
        (["31", "2", "2026"], "Start date must be a real date"),
        (["9" * 30, "9" * 30, "2026"], "Start date must be a real date"),
        (["1", "9", "26"], "Start date must be a real date"),
        (["²", "9", "2026"], "Start date must be a real date"),
        (["-1", "9", "2026"], "Start date must be a real date"),
        (["1", "9"], "Enter the start date"),
    ],
)
def test_date_input(app, parts, error):
    with app.test_request_context(method="POST", data=MultiDict([("start", p) for p in parts])):
        form = DateForm()
        assert form.validate() is (error is None)
        if error:
            assert form.start.errors == [error]
        else:
            assert form.start.data == date(2026, 9, 1)
