"""Placements: where an apprentice works, for a date range, often rotating between boroughs.

Rules: the end is on or after the start; a placement lies within the apprenticeship (from its
start date to its planned end date); one apprentice's placements never overlap (an open end
means "until further notice", so it overlaps everything after its start). The overlap rule is
checked here with a message naming the clash, and on PostgreSQL the database refuses it too
(the exclusion constraint ex_placement_no_overlap), which catches two saves racing each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.clock import today
from app.dialect import is_postgresql
from app.domain import audit
from app.domain.errors import DomainError, StaleEdit
from app.models import Apprentice, AuditAction, Borough, Placement, User

OVERLAP_CONSTRAINT = "ex_placement_no_overlap"


@dataclass(frozen=True)
class PlacementDetails:
    host_borough_id: int
    team: str
    line_manager_name: str
    line_manager_email: str
    start_date: date
    end_date: date | None = None


def _tidy(details: PlacementDetails) -> PlacementDetails:
    return replace(
        details,
        team=details.team.strip(),
        line_manager_name=details.line_manager_name.strip(),
        line_manager_email=details.line_manager_email.strip().lower(),
    )


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def describe(placement: Placement) -> str:
    """The host and dates, e.g. "Camden, 1 September 2026 to 28 February 2027"."""
    host = placement.host_borough.name
    if placement.end_date is None:
        return f"{host}, from {_long_date(placement.start_date)} with no end date"
    return f"{host}, {_long_date(placement.start_date)} to {_long_date(placement.end_date)}"


def placements_for(session: Session, apprentice_id: int) -> list[Placement]:
    """An apprentice's placements with their host boroughs, earliest first (the timeline)."""
    return list(
        session.scalars(
            select(Placement)
            .where(Placement.apprentice_id == apprentice_id)
            .options(joinedload(Placement.host_borough))
            .order_by(Placement.start_date, Placement.id)
        )
    )


def current_placement(
    session: Session, apprentice_id: int, on: date | None = None
) -> Placement | None:
    """The placement under way on a date (today by default), with its host borough."""
    on = on or today()
    return session.scalars(
        select(Placement)
        .where(
            Placement.apprentice_id == apprentice_id,
            Placement.start_date <= on,
            or_(Placement.end_date.is_(None), Placement.end_date >= on),
        )
        .options(joinedload(Placement.host_borough))
        .order_by(Placement.start_date.desc())
        .limit(1)
    ).first()


def _check_dates(apprentice: Apprentice, start: date, end: date | None) -> None:
    if end is not None and end < start:
        raise DomainError(
            "The end date must be the same as or after the start date", field="end_date"
        )
    if start < apprentice.start_date:
        raise DomainError(
            "The start date must be on or after the start of the apprenticeship, "
            f"{_long_date(apprentice.start_date)}",
            field="start_date",
        )
    last = apprentice.planned_end_date
    if start > last:
        raise DomainError(
            f"The start date must be on or before the planned end of the apprenticeship, "
            f"{_long_date(last)}",
            field="start_date",
        )
    if end is not None and end > last:
        raise DomainError(
            f"The end date must be on or before the planned end of the apprenticeship, "
            f"{_long_date(last)}",
            field="end_date",
        )


def find_overlap(
    session: Session,
    apprentice_id: int,
    start: date,
    end: date | None,
    *,
    ignore_id: int | None = None,
) -> Placement | None:
    """Another placement of the apprentice sharing at least one day with [start, end]."""
    conditions = [
        Placement.apprentice_id == apprentice_id,
        Placement.id != (ignore_id or 0),
        or_(Placement.end_date.is_(None), Placement.end_date >= start),
    ]
    if end is not None:
        conditions.append(Placement.start_date <= end)
    return session.scalars(
        select(Placement)
        .where(*conditions)
        .options(joinedload(Placement.host_borough))
        .order_by(Placement.start_date)
        .limit(1)
    ).first()


def _overlap_error(clash: Placement | None) -> DomainError:
    if clash is None:
        return DomainError(
            "These dates overlap another of the apprentice's placements", field="start_date"
        )
    return DomainError(
        f"These dates overlap the placement with {describe(clash)}", field="start_date"
    )


def _check_no_overlap(
    session: Session, apprentice: Apprentice, start: date, end: date | None, own_id: int | None
) -> None:
    clash = find_overlap(session, apprentice.id, start, end, ignore_id=own_id)
    if clash is not None:
        raise _overlap_error(clash)


def _check_host(session: Session, host_borough_id: int) -> None:
    if session.get(Borough, host_borough_id) is None:
        raise DomainError("Select the host borough", field="host_borough_id")


@contextmanager
def _saved_or_refused(
    session: Session, apprentice: Apprentice, start: date, end: date | None, own_id: int | None
) -> Iterator[None]:
    """Make a change and flush it; an overlap the database refuses (two saves racing) becomes
    the same refusal as the domain check's, and a concurrent edit a stale edit.

    On PostgreSQL the change runs in a savepoint, so a refusal leaves the transaction usable
    for naming the clash. SQLite has no exclusion constraint to refuse it (and an outermost
    SAVEPOINT there would commit on release), so it flushes plainly."""
    savepoint = session.begin_nested() if is_postgresql(session.get_bind()) else nullcontext()
    try:
        with savepoint:
            yield
            session.flush()
    except StaleDataError:
        raise StaleEdit() from None
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT not in str(error.orig):
            raise
        raise _overlap_error(
            find_overlap(session, apprentice.id, start, end, ignore_id=own_id)
        ) from None


def add_placement(
    session: Session, apprentice: Apprentice, details: PlacementDetails, *, actor: User
) -> Placement:
    details = _tidy(details)
    _check_host(session, details.host_borough_id)
    _check_dates(apprentice, details.start_date, details.end_date)
    _check_no_overlap(session, apprentice, details.start_date, details.end_date, None)
    placement = Placement(apprentice_id=apprentice.id, **vars(details))
    with _saved_or_refused(session, apprentice, details.start_date, details.end_date, None):
        session.add(placement)
    audit.record(session, AuditAction.CREATED, actor=actor, target=audit.target_of(placement))
    return placement


def _check_placement_of(placement: Placement, apprentice: Apprentice) -> None:
    if placement.apprentice_id != apprentice.id:
        raise DomainError("This placement belongs to another apprentice")


def update_placement(
    session: Session,
    apprentice: Apprentice,
    placement: Placement,
    details: PlacementDetails,
    *,
    expected_version: int,
    actor: User,
) -> Placement:
    """Change a placement's details; refused as stale when it changed since the form loaded."""
    _check_placement_of(placement, apprentice)
    if placement.row_version != expected_version:
        raise StaleEdit()
    details = _tidy(details)
    _check_host(session, details.host_borough_id)
    _check_dates(apprentice, details.start_date, details.end_date)
    _check_no_overlap(session, apprentice, details.start_date, details.end_date, placement.id)
    values = vars(details)
    changed = [name for name, value in values.items() if getattr(placement, name) != value]
    if not changed:
        return placement
    with _saved_or_refused(session, apprentice, details.start_date, details.end_date, placement.id):
        for name in changed:
            setattr(placement, name, values[name])
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(placement),
        fields=changed,
    )
    return placement


def end_placement(
    session: Session,
    apprentice: Apprentice,
    placement: Placement,
    end_date: date,
    *,
    expected_version: int,
    actor: User,
) -> Placement:
    """Give a current placement its end date."""
    _check_placement_of(placement, apprentice)
    if placement.row_version != expected_version:
        raise StaleEdit()
    if placement.end_date is not None:
        raise DomainError(
            f"This placement already ended on {_long_date(placement.end_date)}", field="end_date"
        )
    _check_dates(apprentice, placement.start_date, end_date)
    _check_no_overlap(session, apprentice, placement.start_date, end_date, placement.id)
    with _saved_or_refused(session, apprentice, placement.start_date, end_date, placement.id):
        placement.end_date = end_date
    audit.record(
        session,
        AuditAction.UPDATED,
        actor=actor,
        target=audit.target_of(placement),
        fields=["end_date"],
    )
    return placement
