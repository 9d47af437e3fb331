"""Progress reviews: the apprentice, their employer and the training provider (mentor optional)
look at progress together, agree actions and set the next review.

Rules (DESIGN.md, ProgressReview; the funding rules' review frequency): recorded by a
coordinator who may change the apprentice's records (the employing borough's, or an admin) or by
the apprentice's current mentor; the review happened on or after the start and not in the
future; the next review is after this one and at most the review interval later (the
REVIEW_INTERVAL_WEEKS setting, default 12 weeks). A review is overdue once its next date passes:
the stored summary holds that date, so `record_review` refreshes it in the same transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.access import may_change_apprentice
from app.clock import today
from app.domain import audit, mentoring, progress
from app.domain.errors import DomainError, NotFound
from app.models import (
    Apprentice,
    ApprenticeStatus,
    AuditAction,
    ProgressReview,
    ReviewRating,
    Role,
    User,
)

MAX_ATTENDEES: Final = 500
MAX_NOTES: Final = 5000
MAX_ACTIONS: Final = 5000

RATING_LABELS: Final[dict[ReviewRating, str]] = {
    ReviewRating.ON_TRACK: "On track",
    ReviewRating.SOME_CONCERNS: "Some concerns",
    ReviewRating.AT_RISK: "At risk",
}
# Apprenticeships that have ended take no more reviews.
_ENDED = (ApprenticeStatus.WITHDRAWN.value, ApprenticeStatus.COMPLETED.value)


def rating_label(value: str | None) -> str:
    return RATING_LABELS[ReviewRating(value)] if value in set(ReviewRating) else (value or "")


def review_interval() -> timedelta:
    """The longest gap between two reviews: the app's setting, or 12 weeks without an app."""
    if has_app_context():
        return timedelta(weeks=int(current_app.config.get("REVIEW_INTERVAL_WEEKS", 12)))
    return progress.DEFAULT_REVIEW_INTERVAL


def interval_words(interval: timedelta | None = None) -> str:
    """The interval for messages: "12 weeks", or "10 days" when it is not whole weeks."""
    interval = interval or review_interval()
    days = interval.days
    if days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week" if weeks == 1 else f"{weeks} weeks"
    return f"{days} day" if days == 1 else f"{days} days"


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def may_record_review(session: Session, actor: User, apprentice: Apprentice) -> bool:
    """A coordinator who may change the apprentice's records, or their current mentor."""
    if may_change_apprentice(actor, apprentice):
        return True
    return Role.MENTOR in actor.roles and mentoring.is_current_mentor(
        session, apprentice.id, actor.id
    )


def _required_text(value: str | None, *, field: str, missing: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(missing, field=field)
    if len(text) > limit:
        raise DomainError(f"{label} must be {limit:,} characters or fewer", field=field)
    return text


def _check_dates(apprentice: Apprentice, review_date: date, next_review_date: date) -> None:
    if review_date > today():
        raise DomainError(
            "The date of the review must be today or in the past", field="review_date"
        )
    if review_date < apprentice.start_date:
        raise DomainError(
            "The date of the review must be on or after the start of the apprenticeship, "
            f"{_long_date(apprentice.start_date)}",
            field="review_date",
        )
    if next_review_date <= review_date:
        raise DomainError(
            "The date of the next review must be after the date of this review",
            field="next_review_date",
        )
    interval = review_interval()
    latest = review_date + interval
    if next_review_date > latest:
        raise DomainError(
            f"The next review must be at most {interval_words(interval)} after this one, "
            f"on or before {_long_date(latest)}",
            field="next_review_date",
        )


def record_review(
    session: Session,
    apprentice: Apprentice,
    *,
    actor: User,
    review_date: date,
    attendees: str,
    rating: ReviewRating,
    notes: str,
    actions: str,
    next_review_date: date,
) -> ProgressReview:
    """Record a progress review and refresh the apprentice's stored summary (its next review
    date, and so its colour). Never commits."""
    if not may_record_review(session, actor, apprentice):
        raise NotFound(
            "Only a coordinator of the employing borough or the apprentice's current mentor "
            "can record a progress review"
        )
    if apprentice.status in _ENDED:
        raise DomainError(
            f"The apprenticeship is {apprentice.status_label.lower()}, so it takes no more "
            "progress reviews",
            field="review_date",
        )
    if rating not in set(ReviewRating):
        raise DomainError("Select how the apprentice is doing", field="rating")
    _check_dates(apprentice, review_date, next_review_date)
    review = ProgressReview(
        apprentice_id=apprentice.id,
        review_date=review_date,
        attendees=_required_text(
            attendees,
            field="attendees",
            missing="Enter who attended the review",
            label="Who attended",
            limit=MAX_ATTENDEES,
        ),
        rating=ReviewRating(rating).value,
        notes=_required_text(
            notes,
            field="notes",
            missing="Enter notes from the review",
            label="Notes",
            limit=MAX_NOTES,
        ),
        actions=_required_text(
            actions,
            field="actions",
            missing="Enter the actions agreed",
            label="Actions agreed",
            limit=MAX_ACTIONS,
        ),
        next_review_date=next_review_date,
        recorded_by_id=actor.id,
    )
    session.add(review)
    session.flush()
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(review))
    progress.refresh_summary(session, apprentice.id)
    return review


def reviews_for(session: Session, apprentice_id: int) -> list[ProgressReview]:
    """The apprentice's reviews, newest first, with who recorded each."""
    return list(
        session.scalars(
            select(ProgressReview)
            .where(ProgressReview.apprentice_id == apprentice_id)
            .options(joinedload(ProgressReview.recorded_by))
            .order_by(ProgressReview.review_date.desc(), ProgressReview.id.desc())
        )
    )
