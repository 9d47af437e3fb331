"""Reading the audit trail: the filters of the audit pages, and the events about a set of
boroughs' records (what a borough's coordinators may see)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import aliased

from app.clock import LONDON
from app.models import (
    Application,
    Apprentice,
    AuditEvent,
    Borough,
    Cohort,
    EqualityMonitoring,
    LogEntry,
    Milestone,
    Placement,
    ProgressReview,
    User,
    Vacancy,
)

Actor = aliased(User, name="actor")
ActorBorough = aliased(Borough, name="actor_borough")


@dataclass(frozen=True)
class Filters:
    actor: str | None = None  # an email address (or part of one), or a user number
    action: str | None = None
    target_type: str | None = None
    target_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def events_query() -> Select:
    """Events newest first, each with its actor's name and email and borough (one query)."""
    return (
        select(AuditEvent, Actor.name, Actor.email, ActorBorough.name)
        .outerjoin(Actor, Actor.id == AuditEvent.actor_user_id)
        .outerjoin(ActorBorough, ActorBorough.id == AuditEvent.actor_borough_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def apply_filters(statement: Select, filters: Filters) -> Select:
    if filters.actor:
        text = filters.actor.strip()
        if text.isascii() and text.isdigit():
            statement = statement.where(AuditEvent.actor_user_id == int(text))
        else:
            statement = statement.where(Actor.email.icontains(text.lower(), autoescape=True))
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.target_type:
        statement = statement.where(AuditEvent.target_type == filters.target_type)
    if filters.target_id is not None:
        statement = statement.where(AuditEvent.target_id == filters.target_id)
    if filters.date_from:
        statement = statement.where(AuditEvent.occurred_at >= _london_midnight(filters.date_from))
    if filters.date_to:
        end = _london_midnight(filters.date_to + timedelta(days=1))
        statement = statement.where(AuditEvent.occurred_at < end)
    return statement


def about_boroughs(statement: Select, boroughs: Collection[int] | None) -> Select:
    """Only events whose target is a record of these boroughs (None: every event)."""
    if boroughs is None:
        return statement
    scope = sorted(boroughs)
    apprentices = select(Apprentice.id).where(Apprentice.employing_borough_id.in_(scope))
    vacancies = select(Vacancy.id).where(Vacancy.employing_borough_id.in_(scope))
    applications = select(Application.id).where(Application.vacancy_id.in_(vacancies))
    owned = {
        "app_user": select(User.id).where(User.borough_id.in_(scope)),
        "apprentice": apprentices,
        "vacancy": vacancies,
        "application": applications,
        "equality_monitoring": select(EqualityMonitoring.id).where(
            EqualityMonitoring.application_id.in_(applications)
        ),
        "cohort": select(Cohort.id).where(Cohort.lead_borough_id.in_(scope)),
        "placement": select(Placement.id).where(Placement.apprentice_id.in_(apprentices)),
        "milestone": select(Milestone.id).where(Milestone.apprentice_id.in_(apprentices)),
        "log_entry": select(LogEntry.id).where(LogEntry.apprentice_id.in_(apprentices)),
        "progress_review": select(ProgressReview.id).where(
            ProgressReview.apprentice_id.in_(apprentices)
        ),
    }
    conditions = [
        and_(AuditEvent.target_type == kind, AuditEvent.target_id.in_(ids))
        for kind, ids in owned.items()
    ]
    return statement.where(or_(false(), *conditions))


# The kinds of record events name, for the filter's choices.
TARGET_TYPES = (
    ("app_user", "User account"),
    ("apprentice", "Apprentice"),
    ("application", "Application"),
    ("vacancy", "Vacancy"),
    ("cohort", "Cohort"),
    ("placement", "Placement"),
    ("milestone", "Milestone"),
    ("log_entry", "Off-the-job log entry"),
    ("progress_review", "Progress review"),
    ("equality_monitoring", "Equality monitoring answers"),
    ("subject_access_request", "Subject access request"),
    ("audit_event", "Audit log"),
)
