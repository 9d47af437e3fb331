"""Demo progression: off-the-job logs, milestones, reviews, the gateway, end-point assessments
and destinations, made through the domain functions so every rule holds for the demo too.

Each demo apprentice gets a `Progress` plan: how far ahead of or behind their off-the-job target
they are, how many milestones they let slip, whether their review is late, their assessment
results and where they went afterwards. Together they give every progression page something
realistic: apprentices on and off target, entries waiting and returned, overdue milestones and
reviews, a gateway due, assessment passes at each grade, a fail awaiting a resit, and completers
followed up at 6 and 12 months."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import destinations as destination_rules
from app.domain import epa, gateway, lifecycle, logbook, milestones, otj, progress, reviews
from app.domain.apprenticeship_rules import add_months
from app.domain.lifecycle import Move
from app.domain.mentoring import current_assignment
from app.models import (
    KSB,
    ActivityType,
    Apprentice,
    Destination,
    FollowUp,
    ReviewRating,
    Standard,
    User,
    WithdrawalReason,
)
from app.seed.milestone_templates import settle_demo_milestones

ENTRY_HOURS = Decimal("7.5")
REVIEW_EVERY = timedelta(weeks=12)
FAIL = "fail"
ACTIVITIES = (
    (ActivityType.TEACHING, "Provider workshop on the week's module, with exercises"),
    (ActivityType.PRACTICAL_TRAINING, "Practised the new skills on a training project"),
    (ActivityType.ONLINE_LEARNING, "Online course unit and its end-of-unit quiz"),
    (ActivityType.SHADOWING, "Shadowed a senior colleague through a live change"),
    (ActivityType.ASSIGNMENT, "Wrote up portfolio evidence for the assessor"),
)


@dataclass(frozen=True)
class Progress:
    """How one demo apprentice's apprenticeship has gone."""

    pace: float = 1.0  # approved hours as a share of the hours expected to date
    waiting: int = 0  # latest entries still waiting for approval
    waiting_days: int = 2  # how long ago those were submitted
    returned: bool = False  # one entry returned with a comment, not yet corrected
    slipped_milestones: int = 0  # milestones due before the end still open
    review_late_weeks: int | None = None  # the last review's next date passed this long ago
    results: tuple[str, ...] = ()  # end-point assessment grades in order ("fail" for a fail)
    destinations: tuple[Destination, ...] = ()  # at the end, at 6 months, at 12 months


def _programme(apprentice: Apprentice, standard: Standard) -> otj.Programme:
    return otj.Programme(
        start_date=apprentice.start_date,
        practical_period_end=apprentice.practical_period_end,
        contracted_hours=apprentice.contracted_hours,
        published_minimum_hours=standard.min_otj_hours,
    )


def _decider(session: Session, apprentice: Apprentice, coordinator: User) -> User:
    """The current mentor, or the coordinator when there is none."""
    assignment = current_assignment(session, apprentice.id)
    if assignment is not None:
        mentor = session.get(User, assignment.mentor_user_id)
        assert mentor is not None
        return mentor
    return coordinator


def _log(
    session: Session,
    apprentice: Apprentice,
    owner: User,
    decider: User,
    plan: Progress,
    until: date,
) -> None:
    """Entries of 7.5 hours spread evenly from the start to `until`, enough for `pace` of the
    hours expected by then; all approved except the latest `waiting` (and one returned)."""
    standard = session.get(Standard, apprentice.standard_id)
    assert standard is not None
    expected = otj.expected_hours_to_date(_programme(apprentice, standard), until)
    count = math.ceil(Decimal(plan.pace) * expected / ENTRY_HOURS)
    if count == 0:
        return
    ksbs = session.scalars(
        select(KSB.id).where(KSB.standard_id == standard.id).order_by(KSB.id)
    ).all()
    first = apprentice.start_date + timedelta(days=3)
    spacing = max(1, (until - first).days // count)
    entries = []
    for number in range(count):
        activity, description = ACTIVITIES[number % len(ACTIVITIES)]
        covered = [ksbs[number % len(ksbs)], ksbs[(number + 3) % len(ksbs)]] if ksbs else []
        entries.append(
            logbook.log_entry(
                session,
                apprentice,
                actor=owner,
                entry_date=min(until, first + timedelta(days=number * spacing)),
                hours=ENTRY_HOURS,
                activity_type=activity.value,
                description=description,
                ksb_ids=covered,
            )
        )
    deciding = entries[: len(entries) - plan.waiting]
    for entry in deciding:
        logbook.approve_entry(session, entry, actor=decider)
    for entry in entries[len(deciding) :]:
        entry.submitted_at = datetime.now(UTC) - timedelta(days=plan.waiting_days)
    if plan.returned:
        returned = logbook.log_entry(
            session,
            apprentice,
            actor=owner,
            entry_date=until - timedelta(days=1),
            hours=Decimal("3"),
            activity_type=ActivityType.OTHER.value,
            description="Team meeting",
        )
        logbook.return_entry(
            session,
            returned,
            "A team meeting is part of your normal work, not off-the-job training. If you "
            "learned something new in it, say what and which KSB it covered.",
            actor=decider,
        )
    session.flush()


def _review(
    session: Session, apprentice: Apprentice, reviewer: User, plan: Progress, until: date
) -> None:
    """Reviews every 12 weeks back from the latest: held 5 weeks before `until`, or for a late
    one, so long before that its next date passed `review_late_weeks` before `until`."""
    if plan.review_late_weeks is None:
        latest = until - timedelta(weeks=5)
    else:
        latest = until - timedelta(weeks=plan.review_late_weeks) - REVIEW_EVERY
    held_on = []
    while latest >= apprentice.start_date + timedelta(weeks=2):
        held_on.append(latest)
        latest -= REVIEW_EVERY
    rating = ReviewRating.ON_TRACK if plan.pace >= 0.95 else ReviewRating.SOME_CONCERNS
    for held in reversed(held_on):
        reviews.record_review(
            session,
            apprentice,
            actor=reviewer,
            review_date=held,
            attendees="Apprentice, line manager, training provider's tutor",
            rating=rating,
            notes="Went through the off-the-job log, the portfolio and feedback from the team.",
            actions="Book the next module; add two pieces of evidence for the portfolio.",
            next_review_date=held + REVIEW_EVERY,
        )


def _settle(
    session: Session, apprentice: Apprentice, coordinator: User, plan: Progress, until: date
) -> None:
    """Sign off the milestones due before `until`, except the last `slipped_milestones`."""
    before = until
    if plan.slipped_milestones:
        mine = milestones.milestones_of(session, apprentice.id)
        due = sorted(m.due_date for m in mine if m.due_date < until)
        if len(due) >= plan.slipped_milestones:
            before = due[-plan.slipped_milestones]
    settle_demo_milestones(session, apprentice, coordinator=coordinator, before=before)


def live_progress(
    session: Session,
    apprentice: Apprentice,
    plan: Progress,
    *,
    coordinator: User,
    until: date,
    milestones_until: date | None = None,
) -> None:
    """What happened between the start and `until`: the log, milestones (signed off up to
    `milestones_until` when given: for the gateway and assessment after the practical period)
    and reviews."""
    owner = session.get(User, apprentice.user_id)
    assert owner is not None
    decider = _decider(session, apprentice, coordinator)
    _log(session, apprentice, owner, decider, plan, until)
    _settle(session, apprentice, coordinator, plan, milestones_until or until)
    _review(session, apprentice, decider, plan, until)


def awaiting_resit(plan: Progress) -> bool:
    """A single failed attempt so far: still active, a resit booked."""
    return plan.results == (FAIL,)


def assess(
    session: Session, apprentice: Apprentice, plan: Progress, *, coordinator: User, now: date
) -> date | None:
    """The gateway two weeks after the practical period, then the assessment attempts 6 and 14
    weeks later (a fail not followed by another attempt awaits a resit in 4 weeks); two fails
    end in withdrawal as `epa_not_achieved`. Returns the date the apprenticeship ended."""
    confirmed_on = apprentice.practical_period_end + timedelta(weeks=2)
    progress.refresh_summaries(session, [apprentice.id])  # the checklist reads it
    items = gateway.checklist(session, apprentice, confirmed_on)
    gateway.confirm_gateway(
        session,
        apprentice,
        actor=coordinator,
        on=confirmed_on,
        exception_reason=None
        if gateway.all_met(items)
        else "Agreed with the training provider and the assessment organisation",
    )
    organisation = epa.assessment_organisations(session)[0]
    assessed_on = confirmed_on + timedelta(weeks=6)
    for number, grade in enumerate(plan.results):
        last = number == len(plan.results) - 1
        if last and grade == FAIL:
            assessed_on = min(assessed_on, now - timedelta(weeks=5))
        epa.record_attempt(
            session,
            apprentice,
            actor=coordinator,
            assessed_on=assessed_on,
            organisation_id=organisation.id,
            grade=grade,
            next_attempt_on=(
                (now + timedelta(weeks=4) if last else assessed_on + timedelta(weeks=8))
                if grade == FAIL
                else None
            ),
            note="Resit of the practical assessment booked" if grade == FAIL else None,
        )
        if grade != FAIL:
            return assessed_on
        assessed_on += timedelta(weeks=8)
    if len(plan.results) >= 2:
        left_on = assessed_on - timedelta(weeks=7)
        lifecycle.apply_move(
            session,
            apprentice,
            Move.WITHDRAW,
            actor=coordinator,
            effective_on=left_on,
            reason=WithdrawalReason.EPA_NOT_ACHIEVED,
            note="Finished the apprenticeship but did not pass the end-point assessment",
        )
        return left_on
    return None


def follow_up(
    session: Session,
    apprentice: Apprentice,
    plan: Progress,
    *,
    coordinator: User,
    ended: date,
    now: date,
) -> None:
    """The destinations at the end and at the follow-ups that have fallen due."""
    for when, (follow, where) in zip(
        (ended, add_months(ended, 6), add_months(ended, 12)),
        zip(FollowUp, plan.destinations, strict=False),
        strict=False,
    ):
        if destination_rules.refusal(apprentice, follow, now) is not None or when > now:
            return
        destination_rules.record_outcome(
            session,
            apprentice,
            actor=coordinator,
            follow_up=follow,
            destination=where,
            recorded_on=when,
            note=None,
        )
