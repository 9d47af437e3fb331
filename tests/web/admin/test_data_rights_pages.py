"""The admin pages for subject access requests and erasure, the public objection link, and
the coordinator's objection on request."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from sqlalchemy import select

from app.domain.objection import objection_token
from app.models import (
    Application,
    ApprenticeStatus,
    AuditEvent,
    EqualityMonitoring,
    Role,
    SubjectAccessRequest,
    User,
)
from tests import builders
from tests.domain.people import seed_person


def a_person(db_session, **options):
    return seed_person(
        db_session,
        name="Priya Person",
        email="priya@example.org",
        phone="07700 900777",
        postcode="E5 0AA",
        date_of_birth=date(2004, 6, 1),
        mentor=builders.create_mentor(db_session),
        coordinator=builders.create_user(db_session),
        **options,
    )


def test_an_admin_logs_a_request_sees_its_due_date_and_produces_the_bundle(
    db_session, client, login_as, get_page, post_form
):
    admin = login_as(Role.ADMIN)
    person = a_person(db_session)
    response = post_form(
        "/admin/subject-access/new",
        {"identifier": "Priya@example.org", "received_on": ["20", "11", "2026"]},
    )
    assert response.status_code == 302
    page = get_page("/admin/subject-access")
    text = page.get_text()
    assert "Priya Person" in text and "20 December 2026" in text and "Open" in text
    [sar] = db_session.scalars(
        select(SubjectAccessRequest).where(SubjectAccessRequest.logged_by_id == admin.id)
    ).all()
    assert (sar.subject_type, sar.subject_id) == ("user", person.user.id)

    bundle = post_form(f"/admin/subject-access/{sar.id}/bundle")

    assert bundle.status_code == 200
    assert bundle.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    data = json.loads(archive.read("subject-access.json"))
    assert data["application"][0]["email"] == "priya@example.org"
    db_session.expire_all()
    assert db_session.get(SubjectAccessRequest, sar.id).status == "completed"
    assert "Completed" in get_page("/admin/subject-access").get_text()


def test_a_request_for_nobody_or_in_the_future_is_refused_with_the_input_kept(
    db_session, login_as, post_form
):
    login_as(Role.ADMIN)
    response = post_form(
        "/admin/subject-access/new",
        {"identifier": "nobody@example.org", "received_on": ["1", "12", "2026"]},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "No account or application matches" in text
    assert 'value="nobody@example.org"' in text
    response = post_form(
        "/admin/subject-access/new",
        {"identifier": "", "received_on": ["", "", ""]},
    )
    assert response.status_code == 400
    assert "Enter the date received" in response.get_data(as_text=True)
    assert db_session.scalars(select(SubjectAccessRequest)).all() == []


def test_an_admin_erases_a_person_who_has_left(db_session, login_as, get_page, post_form):
    admin = login_as(Role.ADMIN)
    person = a_person(db_session)
    page = get_page("/admin/erase?identifier=priya%40example.org")
    assert "Priya Person" in page.get_text()

    response = post_form("/admin/erase", {"person": "priya@example.org", "confirm": "y"})

    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Application, person.application_id).email is None
    assert db_session.get(User, person.user.id).name == "Erased person"
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "erased")).all()
    assert len(events) == 3 and {e.actor_user_id for e in events} == {admin.id}


def test_erasure_needs_confirming(db_session, login_as, post_form):
    login_as(Role.ADMIN)
    person = a_person(db_session)
    response = post_form("/admin/erase", {"person": "priya@example.org"})
    assert response.status_code == 400
    assert "Confirm that you understand" in response.get_data(as_text=True)
    assert db_session.get(User, person.user.id).email == "priya@example.org"


def test_an_apprentice_on_the_programme_cannot_be_erased(db_session, login_as, get_page, post_form):
    login_as(Role.ADMIN)
    person = a_person(db_session, status=ApprenticeStatus.ACTIVE)
    page = get_page("/admin/erase?identifier=priya%40example.org")
    assert "once they have completed or left" in page.get_text()
    assert page.select_one("input[name=confirm]") is None
    response = post_form("/admin/erase", {"person": "priya@example.org", "confirm": "y"})
    assert response.status_code == 400
    db_session.expire_all()
    assert db_session.get(User, person.user.id).email == "priya@example.org"


def test_the_receipt_link_lets_an_applicant_object(app, db_session, client, get_page, post_form):
    vacancy = builders.create_vacancy(db_session)
    application = builders.create_application(db_session, vacancy)
    db_session.add(EqualityMonitoring(application_id=application.id, gender="woman"))
    db_session.commit()
    url = (
        f"/applications/equality-objection/{objection_token(app.config['SECRET_KEY'], application)}"
    )
    assert "Stop the use of your equality monitoring answers" in get_page(url).get_text()

    response = post_form(url)

    assert response.status_code == 302
    assert "are no longer used" in get_page(url).get_text()
    db_session.expire_all()
    assert db_session.scalars(select(EqualityMonitoring.objected)).one() is True
    assert client.get("/applications/equality-objection/forged").status_code == 400


def test_the_receipt_email_carries_the_objection_link(app, db_session, mailbox):
    from sqlalchemy.orm import joinedload

    from app.extensions import db
    from app.models import Vacancy
    from app.web.public.apply import _send_receipt

    vacancy = builders.create_vacancy(db_session)
    application = builders.create_application(db_session, vacancy)
    with app.test_request_context():
        loaded = db.session.scalars(
            select(Vacancy)
            .where(Vacancy.id == vacancy.id)
            .options(joinedload(Vacancy.employing_borough))
        ).one()
        assert _send_receipt(loaded, db.session.get(Application, application.id))
    assert "/applications/equality-objection/" in str(mailbox[-1])


def test_a_coordinator_records_an_objection_on_request(db_session, login_as, get_page, post_form):
    login_as(Role.COORDINATOR, borough="Hackney")
    ours = builders.create_application(db_session, builders.create_vacancy(db_session))
    theirs = builders.create_application(
        db_session, builders.create_vacancy(db_session, borough="Camden")
    )
    url = f"/coordinator/applications/{ours.id}/equality-objection"
    assert "Record an objection" in get_page(url).get_text()

    assert post_form(url).status_code == 302

    assert db_session.scalars(select(EqualityMonitoring.objected)).one() is True
    assert "already been recorded" in get_page(url).get_text()
    other = f"/coordinator/applications/{theirs.id}/equality-objection"
    get_page(other, status=404)
    assert post_form(other).status_code == 404


def test_the_privacy_notice_states_the_retention_periods_from_the_settings(
    app, get_page, db_session
):
    text = " ".join(get_page("/privacy").get_text().split())
    assert f"removed {app.config['RETENTION_APPLICANT_MONTHS']} months after the vacancy" in text
    assert f"{app.config['RETENTION_APPRENTICE_YEARS']} years after your apprenticeship" in text
    assert f"kept for {app.config['RETENTION_AUDIT_YEARS']} years" in text
    assert "Schedule 1, paragraph 8" in text and "one calendar month" in text
