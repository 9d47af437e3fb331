"""Signing off or returning a milestone's evidence: one flow for the mentor (mentor
milestones) and the employing borough's coordinator (coordinator milestones). Who may decide is
the domain's rule (milestones.signer_refusal); each audience brings how it finds the milestone
and where its page leads back to."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from app.clock import today
from app.domain import audit, milestones
from app.domain.errors import DomainError, StaleEdit
from app.domain.milestones import COMMENT_MAX_LENGTH, NotSigner
from app.extensions import db
from app.models import Apprentice, AuditAction, Milestone, MilestoneStatus, User
from app.web.forms_common import (
    radio_field,
    show_domain_error,
    submit_button,
    textarea_field,
    version_field,
)

SIGN_OFF = "sign_off"
RETURN = "return"
TEMPLATE = "milestones/decide.html"


def labels() -> dict[str, object]:
    """What the milestone pages need to describe a milestone."""
    return {
        "kind_labels": milestones.KIND_LABELS,
        "signer_labels": milestones.SIGNER_LABELS,
        "status_labels": milestones.STATUS_LABELS,
        "today": today(),
    }


class MilestoneDecisionForm(FlaskForm):
    row_version = version_field()
    decision = radio_field(
        "What is your decision?",
        [(SIGN_OFF, "Sign off"), (RETURN, "Return with a comment")],
        required="Select sign off or return",
    )
    comment = textarea_field(
        "Comment",
        max_length=COMMENT_MAX_LENGTH,
        hint="Required if you return it: say what the apprentice needs to change",
    )
    submit = submit_button("Save decision")

    def apply(self, milestone: Milestone, actor: User) -> None:
        """Sign off or return as chosen, checked against the version the form showed (none
        never matches, so a form from nowhere is stale)."""
        version = int(self.row_version.data or -1)
        if self.decision.data == SIGN_OFF:
            milestones.sign_off(
                db.session, milestone, actor, comment=self.comment.data, expected_version=version
            )
        else:
            milestones.return_milestone(
                db.session, milestone, actor, self.comment.data or "", expected_version=version
            )


def decision_message(milestone: Milestone, apprentice: Apprentice) -> str:
    if milestone.status == MilestoneStatus.SIGNED_OFF.value:
        return f"{milestone.title} signed off"
    return f"{milestone.title} returned to {apprentice.user.name} with your comment"


def nothing_to_decide(milestone: Milestone) -> str:
    state = milestones.STATUS_LABELS[milestone.status].lower()
    return f"There is nothing to decide: this milestone is {state}"


def decide_milestone(
    milestone_id: int,
    *,
    load: Callable[[int], tuple[Milestone, Apprentice]],
    back: Callable[[Apprentice], tuple[str, str]],
) -> ResponseReturnValue:
    """The decision page: 403 (audited) with who decides for someone who may not, 409 when the
    milestone is no longer waiting or changed meanwhile, the form again on bad input. `back`
    gives the back link's text and address, where a decision also leads."""
    milestone, apprentice = load(milestone_id)
    form = MilestoneDecisionForm()

    def page(status: int, **extra: object) -> ResponseReturnValue:
        back_text, back_url = back(apprentice)
        shown = {
            "milestone": milestone,
            "apprentice": apprentice,
            "back_text": back_text,
            "back_url": back_url,
            **labels(),
        }
        return render_template(TEMPLATE, form=form, **shown, **extra), status

    refusal = milestones.signer_refusal(db.session, milestone, current_user)
    if refusal is not None:
        audit.record_security_event(
            AuditAction.ACCESS_REFUSED, actor=current_user, target=audit.target_of(milestone)
        )
        return page(403, refusal=refusal)
    if request.method == "GET":
        form.row_version.data = str(milestone.row_version)
        shown = page(200)
        # Recorded once the page is ready (a commit would expire what the page shows).
        audit.record(
            db.session,
            AuditAction.VIEWED_RECORD,
            actor=current_user,
            target=audit.target_of(milestone),
        )
        db.session.commit()
        return shown
    if milestone.status != MilestoneStatus.SUBMITTED.value:
        return page(409, stale=nothing_to_decide(milestone))
    if form.validate_on_submit():
        try:
            form.apply(milestone, current_user)
        except StaleEdit as error:
            db.session.rollback()
            milestone, apprentice = load(milestone_id)
            form.row_version.data = str(milestone.row_version)
            return page(409, stale=error.message)
        except NotSigner as error:
            db.session.rollback()
            milestone, apprentice = load(milestone_id)
            return page(403, refusal=error.message)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            message = decision_message(milestone, apprentice)
            done = back(apprentice)[1]
            db.session.commit()
            flash(message)
            return redirect(done)
    return page(400 if form.errors else 200)
