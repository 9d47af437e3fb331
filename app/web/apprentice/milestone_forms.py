"""The form an apprentice uses to submit evidence for a milestone."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.domain.milestones import EVIDENCE_MAX_LENGTH, LINK_MAX_LENGTH, MAX_LINKS
from app.web.forms_common import submit_button, textarea_field, version_field


class EvidenceForm(FlaskForm):
    row_version = version_field()
    evidence_text = textarea_field(
        "Describe your evidence",
        required="Describe your evidence",
        max_length=EVIDENCE_MAX_LENGTH,
        hint="What you did, and how it shows you have reached this milestone",
    )
    links = textarea_field(
        "Links to your evidence (optional)",
        # Room for the most links at their longest, one a line; the domain checks each.
        max_length=MAX_LINKS * (LINK_MAX_LENGTH + 2),
        hint=f"Web addresses of documents or work, one on each line, starting with https:// "
        f"– up to {MAX_LINKS}",
    )
    submit = submit_button("Submit evidence")

    def link_lines(self) -> list[str]:
        return (self.links.data or "").splitlines()
