"""The form a mentor uses to sign off or return a mentee's milestone."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.domain.milestones import COMMENT_MAX_LENGTH
from app.web.forms_common import radio_field, submit_button, textarea_field, version_field

DECISIONS = (("sign_off", "Sign off"), ("return", "Return with a comment"))


class MilestoneDecisionForm(FlaskForm):
    row_version = version_field()
    decision = radio_field(
        "What is your decision?", DECISIONS, required="Select sign off or return"
    )
    comment = textarea_field(
        "Comment",
        max_length=COMMENT_MAX_LENGTH,
        hint="Required if you return it: say what your mentee needs to change",
    )
    submit = submit_button("Save decision")
