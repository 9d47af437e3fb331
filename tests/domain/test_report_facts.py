"""The report figures stored per borough and day: kept equal to the records through every
kind of change, checked, rebuilt, and the commands that do both."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, insert, select, update

from app.domain import report_facts, reports
from app.domain.reports import Period
from app.models import (
    Application,
    ApplicationEvent,
    Apprentice,
    ApprenticeStatus,
    EqualityMonitoring,
    Milestone,
    Stage,
    report_day_figures,
    report_equality_months,
)
from tests import builders

pytestmark = pytest.mark.db

TODAY = date(2026, 11, 27)
THIS_YEAR = Period(2026)
LAST_YEAR = Period(2025)


def figures(session, period: Period, borough: str = "Hackney") -> dict:
    borough_id = builders.get_borough(session, borough).id
    return reports.raw_figures(session, period, today=TODAY).figures(borough_id)


def stored_applications(session, day: date) -> int:
    return sum(
        session.scalars(
            select(report_day_figures.c.applications).where(report_day_figures.c.day == day)
        )
    )


def test_consecutive_days_become_one_span():
    days = [date(2026, 5, 3), date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 9)]
    assert report_facts.spans(days) == [
        (date(2026, 5, 1), date(2026, 5, 3)),
        (date(2026, 5, 9), date(2026, 5, 9)),
    ]
    assert report_facts.spans([]) == []


def test_the_test_database_starts_with_its_figures_built(db_session):
    # Migrating an empty database marks its (empty) figures complete; without that mark every
    # other check here would pass by reading nothing.
    assert report_facts.built(db_session.connection())


def test_an_application_counts_on_its_day_and_moves_with_it(db_session):
    vacancy = builders.create_vacancy(db_session)
    application = builders.create_application(db_session, vacancy)
    application.submitted_at = datetime(2026, 5, 1, 9, tzinfo=UTC)
    db_session.commit()
    assert figures(db_session, THIS_YEAR)["applications"] == 1

    # Moved to the previous financial year, from an expired record: the old day is recounted.
    db_session.expire_all()
    application.submitted_at = datetime(2026, 3, 31, 9, tzinfo=UTC)
    db_session.commit()
    assert figures(db_session, THIS_YEAR)["applications"] == 0
    assert figures(db_session, LAST_YEAR)["applications"] == 1
    assert stored_applications(db_session, date(2026, 5, 1)) == 0
    assert report_facts.differences(db_session) == []


def test_a_hire_counts_on_the_london_day_of_the_first_move_to_hired(db_session):
    vacancy = builders.create_vacancy(db_session)
    application = builders.create_application(db_session, vacancy)
    application.submitted_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    db_session.commit()
    application.stage = Stage.HIRED.value
    # 23:30 UTC on 30 June is 1 July in London (BST): the second quarter.
    db_session.add(
        ApplicationEvent(
            application_id=application.id,
            from_stage=Stage.OFFERED.value,
            to_stage=Stage.HIRED.value,
            occurred_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
        )
    )
    db_session.commit()
    q1, q2 = Period(2026, 1), Period(2026, 2)
    assert (figures(db_session, q1)["hires"], figures(db_session, q2)["hires"]) == (0, 1)
    assert figures(db_session, q2)["median_days_to_hire"] == 30
    assert figures(db_session, q1)["hired_applications"] == 1  # applied in Q1, since hired


def test_an_apprentices_status_change_recounts_their_milestones(db_session):
    person = builders.create_apprentice(
        db_session, status=ApprenticeStatus.ACTIVE, start_date=date(2026, 4, 1)
    )
    db_session.add(
        Milestone(
            apprentice_id=person.id,
            title="Checkpoint",
            kind="portfolio",
            signer="mentor",
            due_date=date(2026, 9, 1),
            status="not_started",
        )
    )
    db_session.commit()
    assert figures(db_session, THIS_YEAR)["milestones_due"] == 1

    # Withdrawn before the due date: the milestone no longer counts; nothing else about the
    # milestone changed, so only the apprentice's change can have recounted its day.
    person.status = ApprenticeStatus.WITHDRAWN.value
    person.withdrawn_on = date(2026, 8, 1)
    person.withdrawal_reason = "health"
    db_session.commit()
    got = figures(db_session, THIS_YEAR)
    assert (got["milestones_due"], got["leavers"], got["starts"]) == (0, 1, 1)
    assert report_facts.differences(db_session) == []


def test_a_change_to_something_no_figure_counts_recounts_nothing(db_session, count_queries):
    person = builders.create_apprentice(db_session, status=ApprenticeStatus.ACTIVE)
    person_id = db_session.scalar(select(Apprentice.id))  # loads the record again
    assert person_id == person.id
    with count_queries() as log:
        person.completion_grade = "pass"
        db_session.flush()
    assert log.count == 1  # the UPDATE alone
    db_session.rollback()


def test_a_bulk_update_of_a_counted_column_recounts_every_day(db_session):
    vacancy = builders.create_vacancy(db_session)
    application = builders.create_application(db_session, vacancy)
    application.submitted_at = datetime(2026, 5, 1, 9, tzinfo=UTC)
    db_session.commit()
    # Tamper with the stored figure, so a recount shows.
    db_session.execute(update(report_day_figures).values(applications=7))
    db_session.commit()

    db_session.execute(update(Application).values(rejection_reason=None))  # not counted
    db_session.commit()
    assert stored_applications(db_session, date(2026, 5, 1)) == 7

    db_session.execute(update(Application).values(eligible=False))  # counted
    db_session.commit()
    assert stored_applications(db_session, date(2026, 5, 1)) == 1
    assert figures(db_session, THIS_YEAR)["eligible_applications"] == 0


def test_differences_finds_a_stored_figure_that_is_wrong_and_rebuild_mends_it(db_session):
    vacancy = builders.create_vacancy(db_session)
    builders.create_application(db_session, vacancy)
    db_session.commit()
    assert report_facts.differences(db_session) == []

    connection = db_session.connection()
    connection.execute(update(report_day_figures).values(applications=5))
    found = report_facts.differences(db_session)
    assert [d.table for d in found] == ["report_day_figures"]
    assert found[0].stored[0] == 5 and found[0].counted[0] == 1

    report_facts.rebuild(db_session)
    db_session.commit()
    assert report_facts.differences(db_session) == []


def test_the_commands_check_and_rebuild(app, db_session):
    vacancy = builders.create_vacancy(db_session)
    builders.create_application(db_session, vacancy)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report-facts", "check"])
    assert result.exit_code == 0, result.output
    assert "equals a fresh count" in result.output

    db_session.execute(update(report_day_figures).values(applications=3))
    db_session.commit()
    result = runner.invoke(args=["report-facts", "check"])
    assert result.exit_code != 0
    assert "1 stored figures differ" in result.output

    result = runner.invoke(args=["report-facts", "rebuild"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["report-facts", "check"]).exit_code == 0


def test_seeded_scale_data_has_its_figures_built(app, db_session):
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--tier", "tiny"])
    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(Apprentice.id).limit(1)) is not None
    assert report_facts.differences(db_session) == []


def test_deferred_recounts_once_at_the_end_of_the_block(db_session):
    vacancy = builders.create_vacancy(db_session)
    day = date(2026, 5, 1)
    with report_facts.deferred(db_session):
        for hour in (9, 10, 11):
            application = builders.create_application(db_session, vacancy)
            application.submitted_at = datetime(2026, 5, 1, hour, tzinfo=UTC)
            db_session.flush()
        assert stored_applications(db_session, day) == 0  # not yet
    assert stored_applications(db_session, day) == 3
    db_session.commit()
    assert report_facts.differences(db_session) == []


def stored_woman_applicants(session) -> int:
    return sum(
        session.scalars(
            select(report_equality_months.c.people).where(
                report_equality_months.c.measure == "applicants",
                report_equality_months.c.question == "gender",
                report_equality_months.c.category == "woman",
            )
        )
    )


def test_equality_answers_count_and_stop_counting_when_deleted_in_bulk(db_session):
    vacancy = builders.create_vacancy(db_session)
    kept, deleted = (builders.create_application(db_session, vacancy) for _ in range(2))
    db_session.add_all(
        [
            EqualityMonitoring(application_id=kept.id, gender="woman"),
            EqualityMonitoring(application_id=deleted.id, gender="woman"),
        ]
    )
    db_session.commit()
    assert stored_woman_applicants(db_session) == 2

    # Tamper with another month's stored count, which only a recount of everything would mend.
    db_session.execute(
        insert(report_equality_months).values(
            month=date(2024, 1, 1),
            borough_id=vacancy.employing_borough_id,
            measure="applicants",
            question="gender",
            category="woman",
            people=9,
        )
    )
    # As retention deletes answers: in bulk, then recounting just those applications.
    db_session.execute(
        delete(EqualityMonitoring)
        .where(EqualityMonitoring.application_id == deleted.id)
        .execution_options(**{report_facts.RECOUNTED_BY_CALLER: True})
    )
    report_facts.recount_applications(db_session, [deleted.id])
    assert stored_woman_applicants(db_session) == 1 + 9  # the other month was not recounted
    db_session.rollback()
