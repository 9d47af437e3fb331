"""Objection to equality monitoring: the person's answers leave every equality breakdown."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.domain import objection, reports
from app.domain.errors import NotFound
from app.models import AuditEvent, EqualityMonitoring
from tests import builders

pytestmark = pytest.mark.usefixtures("app_context")

YEAR = reports.Period(2026)


def applicant_with_answers(db_session, vacancy, gender):
    application = builders.create_application(db_session, vacancy)
    db_session.add(
        EqualityMonitoring(application_id=application.id, gender=gender, disability="no")
    )
    db_session.commit()
    return application


def test_after_objecting_the_answers_leave_the_equality_breakdowns(db_session):
    vacancy = builders.create_vacancy(db_session)
    objecting = applicant_with_answers(db_session, vacancy, "another_way")
    applicant_with_answers(db_session, vacancy, "woman")
    hackney = vacancy.employing_borough_id
    before = reports.raw_equality(db_session, YEAR)
    assert before.count("applicants", "gender", "another_way", hackney) == 1

    changed = objection.record_objection(db_session, objecting, actor=None)
    db_session.commit()

    after = reports.raw_equality(db_session, YEAR)
    assert changed
    assert after.count("applicants", "gender", "another_way", hackney) == 0
    assert after.count("applicants", "disability", "no", hackney) == 1
    assert after.count("applicants", "gender", "woman", hackney) == 1
    event = db_session.scalars(select(AuditEvent)).one()
    assert (event.action, event.target_type, event.fields_changed) == (
        "updated",
        "equality_monitoring",
        ["objected"],
    )


def test_objecting_before_answering_keeps_later_answers_out(db_session):
    from app.domain.applications import EqualityAnswers, save_equality_answers

    vacancy = builders.create_vacancy(db_session)
    application = builders.create_application(db_session, vacancy)
    objection.record_objection(db_session, application, actor=None)
    save_equality_answers(db_session, application, EqualityAnswers(gender="man"))
    db_session.commit()

    equality = reports.raw_equality(db_session, YEAR)
    assert equality.count("applicants", "gender", "man") == 0
    assert objection.has_objected(db_session, application.id)


def test_objecting_twice_changes_nothing_more(db_session):
    vacancy = builders.create_vacancy(db_session)
    application = applicant_with_answers(db_session, vacancy, "woman")
    assert objection.record_objection(db_session, application, actor=None)
    assert not objection.record_objection(db_session, application, actor=None)


def test_the_link_token_finds_the_application_and_a_forged_one_does_not(db_session):
    vacancy = builders.create_vacancy(db_session)
    application = builders.create_application(db_session, vacancy)
    token = objection.objection_token("secret", application)
    assert objection.application_for_objection_token(db_session, "secret", token) == application
    for bad in (token + "x", "nonsense", "a" * 600):
        with pytest.raises(NotFound):
            objection.application_for_objection_token(db_session, "secret", bad)
    # A withdrawal token is not an objection token.
    from app.domain.applications import withdraw_token

    with pytest.raises(NotFound):
        objection.application_for_objection_token(
            db_session, "secret", withdraw_token("secret", application)
        )


def test_submitted_date_is_in_the_reported_year():
    assert YEAR.contains(date(2026, 11, 20))
