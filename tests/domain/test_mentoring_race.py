"""The last places of a mentor, raced for: 20 coordinators at once, a capacity of 3.

Each thread has its own session and connection, so the database alone decides who wins: the
conditional UPDATE's row count. Exactly 3 assignments succeed; the rest are refused as full.
"""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.domain import mentoring
from app.domain.errors import DomainError
from app.models import Apprentice, MentorAssignment, MentorProfile, Role, User
from tests import builders

THREADS = 20
CAPACITY = 3


def test_twenty_concurrent_assignments_fill_three_places_exactly(db_session, engine):
    mentor = builders.create_mentor(db_session, capacity=CAPACITY, name="Sam Okafor")
    actor = builders.create_user(db_session, roles=[Role.COORDINATOR])
    cohort = builders.create_cohort(db_session)
    apprentice_ids = [
        builders.create_apprentice(db_session, cohort=cohort).id for _ in range(THREADS)
    ]
    mentor_id, actor_id = mentor.id, actor.id
    db_session.close()
    # An engine of its own, with a connection for every thread (the shared pool has fewer).
    racing = create_engine(engine.url, pool_size=THREADS, max_overflow=0)
    try:
        outcomes = race(racing, apprentice_ids, mentor_id, actor_id)
    finally:
        racing.dispose()

    assert len(outcomes) == THREADS
    assert outcomes.count("assigned") == CAPACITY, outcomes
    assert outcomes.count("Sam Okafor already mentors 3 apprentices, their capacity") == (
        THREADS - CAPACITY
    ), outcomes
    with Session(engine) as session:
        assert session.get(MentorProfile, mentor_id).current_mentees == CAPACITY
        assigned = session.scalar(
            select(func.count())
            .select_from(MentorAssignment)
            .where(MentorAssignment.mentor_user_id == mentor_id)
        )
        assert assigned == CAPACITY


def race(engine: Engine, apprentice_ids: list[int], mentor_id: int, actor_id: int) -> list[str]:
    """Every thread assigns its apprentice to the mentor at the same moment."""
    barrier = threading.Barrier(THREADS, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def assign(apprentice_id: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            try:
                apprentice = session.get(Apprentice, apprentice_id)
                chosen = session.get(User, mentor_id)
                coordinator = session.get(User, actor_id)
                session.commit()  # end the read transaction: every thread starts level
                barrier.wait()
                mentoring.assign_mentor(
                    session, apprentice, chosen, date(2026, 11, 27), actor=coordinator
                )
                session.commit()
                outcome = "assigned"
            except DomainError as error:
                session.rollback()
                outcome = error.message
            except Exception as error:  # reported, so the assertion below names it
                session.rollback()
                outcome = f"error: {error!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=assign, args=(i,)) for i in apprentice_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes
