"""Approving or returning an off-the-job log entry (the coordinator's fallback uses it too)."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.domain import logbook
from app.extensions import db
from app.models import Apprentice, EntryStatus, LogEntry, User
from app.web.forms_common import radio_field, submit_button, textarea_field, version_field

APPROVE = "approve"
RETURN = "return"


class DecisionForm(FlaskForm):
    row_version = version_field()
    decision = radio_field(
        "Do you approve this entry?",
        [(APPROVE, "Yes, approve it: its hours will count"), (RETURN, "No, return it")],
        required="Select whether to approve or return the entry",
    )
    comment = textarea_field(
        "Comment for the apprentice",
        max_length=logbook.MAX_COMMENT,
        hint="Needed if you return the entry: say what the apprentice needs to change",
    )
    submit = submit_button("Save decision")

    def apply(self, entry: LogEntry, actor: User) -> None:
        """Approve or return the entry as chosen, checked against the version the form showed
        (none never matches, so a form from nowhere is stale)."""
        version = int(self.row_version.data or -1)
        if self.decision.data == APPROVE:
            logbook.approve_entry(db.session, entry, actor=actor, expected_version=version)
        else:
            logbook.return_entry(
                db.session, entry, self.comment.data or "", actor=actor, expected_version=version
            )


def decision_message(entry: LogEntry, apprentice: Apprentice) -> str:
    """The confirmation after a decision."""
    name = apprentice.user.name
    if entry.status == EntryStatus.APPROVED.value:
        hours = logbook.hours_text(entry.hours)
        verb = "counts" if hours == "1 hour" else "count"
        return f"Entry approved: {hours} now {verb} for {name}"
    return f"Entry returned to {name} with your comment"


def nothing_to_decide(entry: LogEntry) -> str:
    """Said when an entry that is no longer waiting is decided again."""
    if entry.status == EntryStatus.APPROVED.value:
        return "There is nothing to decide: this entry has already been approved"
    return (
        "There is nothing to decide: this entry was returned to the apprentice. You can decide "
        "once they submit it again."
    )
