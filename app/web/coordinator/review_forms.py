"""Forms of the progress-review pages (coordinators' and mentors') and the needs-attention
list's filters. The forms check the shape of input; app.domain.reviews checks the rules (the
dates, the longest gap to the next review) and the views show its refusals on these fields."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from flask_wtf import FlaskForm

from app.clock import today
from app.domain import reviews
from app.domain.attention import Colour, ReasonKind, Sort
from app.domain.errors import DomainError, NotFound
from app.domain.reviews import MAX_ACTIONS, MAX_ATTENDEES, MAX_NOTES, RATING_LABELS
from app.extensions import db
from app.models import Apprentice, ReviewRating
from app.web.forms_common import (
    date_field,
    radio_field,
    select_field,
    show_domain_error,
    submit_button,
    textarea_field,
)


class ReviewForm(FlaskForm):
    review_date = date_field("Date of the review", required=True, hint="For example, 20 11 2026")
    attendees = textarea_field(
        "Who attended",
        required="Enter who attended the review",
        max_length=MAX_ATTENDEES,
        hint="Names and roles: the apprentice, their line manager, the training provider and "
        "anyone else",
    )
    rating = radio_field(
        "How is the apprentice doing?",
        [(rating.value, label) for rating, label in RATING_LABELS.items()],
        required="Select how the apprentice is doing",
    )
    notes = textarea_field(
        "Notes",
        required="Enter notes from the review",
        max_length=MAX_NOTES,
        hint="Progress against the training plan, off-the-job training, any slippage and "
        "changes of circumstance",
    )
    actions = textarea_field(
        "Actions agreed",
        required="Enter the actions agreed",
        max_length=MAX_ACTIONS,
        hint="Who will do what, and by when",
    )
    next_review_date = date_field("Date of the next review", required=True)
    submit = submit_button("Save review")


class AttentionFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    colour = select_field(
        "Colour", [("", "Any colour"), *((colour.value, colour.label) for colour in Colour)]
    )
    reason = select_field(
        "Reason", [("", "Any reason"), *((kind.value, kind.label) for kind in ReasonKind)]
    )
    borough = select_field("Employing borough", [])
    cohort = select_field("Cohort", [])
    sort = select_field("Sort by", [(sort.value, sort.label) for sort in Sort])
    submit = submit_button("Apply filters")


def prepare_review_form(form: ReviewForm) -> None:
    """The interval in the hint; on a GET, today's review and the latest next date allowed."""
    interval = reviews.review_interval()
    form.next_review_date.description = (
        f"At most {reviews.interval_words(interval)} after the date of the review"
    )
    if request.method == "GET":
        form.review_date.data = today()
        form.next_review_date.data = today() + interval


def save_review(form: ReviewForm, apprentice: Apprentice) -> bool:
    """Record the review the form holds, committed; False with the refusal on its field (the
    session rolled back). Someone who may not record it finds nothing (404)."""
    if not form.validate_on_submit():
        return False
    try:
        reviews.record_review(
            db.session,
            apprentice,
            actor=current_user,
            review_date=form.review_date.data,
            attendees=form.attendees.data,
            rating=ReviewRating(form.rating.data),
            notes=form.notes.data,
            actions=form.actions.data,
            next_review_date=form.next_review_date.data,
        )
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return False
    db.session.commit()
    return True
