"""Approving or returning an off-the-job log entry: one flow for the mentor and for the
coordinator who decides when the apprentice has no current mentor. Who may decide is the
domain's rule (logbook.decision_refusal); each audience brings how it finds the entry, its page
and where to go afterwards."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from app.domain import audit, logbook
from app.domain.errors import DomainError, StaleEdit
from app.extensions import db
from app.models import Apprentice, AuditAction, EntryStatus, LogEntry, User
from app.web.forms_common import (
    radio_field,
    show_domain_error,
    submit_button,
    textarea_field,
    version_field,
)

LABELS: Mapping[str, object] = {
    "activity_label": logbook.activity_label,
    "status_label": logbook.status_label,
    "hours_text": logbook.hours_text,
}


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


def decide_entry(
    entry_id: int,
    *,
    load: Callable[[int], tuple[LogEntry, Apprentice]],
    template: str,
    done_url: Callable[[Apprentice], str],
    context: Callable[[Apprentice], Mapping[str, object]] = lambda _apprentice: {},
) -> ResponseReturnValue:
    """The decision page: 403 (audited) with the reason for someone who may not decide, 409
    when the entry is no longer waiting or changed meanwhile, the form again on bad input."""
    entry, apprentice = load(entry_id)
    form = DecisionForm()

    def page(status: int, **extra: object) -> ResponseReturnValue:
        shown = {"entry": entry, "apprentice": apprentice, **LABELS, **context(apprentice)}
        return render_template(template, form=form, **shown, **extra), status

    refusal = logbook.decision_refusal(db.session, apprentice, current_user)
    if refusal is not None:
        audit.record_security_event(
            AuditAction.ACCESS_REFUSED, actor=current_user, target=audit.target_of(entry)
        )
        return page(403, refusal=refusal)
    if request.method == "GET":
        form.row_version.data = str(entry.row_version)
        return page(200)
    if entry.status != EntryStatus.SUBMITTED.value:
        return page(409, stale=nothing_to_decide(entry))
    if form.validate_on_submit():
        try:
            form.apply(entry, current_user)
        except StaleEdit as error:
            db.session.rollback()
            entry, apprentice = load(entry_id)
            form.row_version.data = str(entry.row_version)
            return page(409, stale=error.message)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            message = decision_message(entry, apprentice)
            db.session.commit()
            flash(message)
            return redirect(done_url(apprentice))
    return page(400 if form.errors else 200)
