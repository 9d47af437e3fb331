from __future__ import annotations

import pytest

from app.domain.accounts import authenticate, create_user, normalise_email
from app.domain.errors import DomainError
from app.models import Role
from tests import builders


def test_emails_are_stored_in_lower_case_and_unique_whatever_the_case(db_session):
    hackney = builders.get_borough(db_session)
    user = create_user(
        db_session,
        email=" Kemi.Bello@Example.org ",
        name="Kemi",
        borough=hackney,
        roles=[Role.MENTOR],
    )
    assert user.email == "kemi.bello@example.org"
    with pytest.raises(DomainError, match="already exists"):
        create_user(
            db_session,
            email="KEMI.BELLO@example.org",
            name="K",
            borough=hackney,
            roles=[Role.MENTOR],
        )


def test_database_refuses_a_mixed_case_email_written_around_the_domain_code(db_session):
    from sqlalchemy.exc import IntegrityError

    from app.models import User

    db_session.add(
        User(email="Mixed@Example.org", name="X", borough=builders.get_borough(db_session))
    )
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_a_user_needs_a_role_and_only_coordinators_are_programme_wide(db_session):
    hackney = builders.get_borough(db_session)
    with pytest.raises(DomainError, match="at least one role"):
        create_user(db_session, email="a@example.org", name="A", borough=hackney, roles=[])
    with pytest.raises(DomainError, match="programme-wide"):
        create_user(
            db_session,
            email="b@example.org",
            name="B",
            borough=hackney,
            roles=[Role.MENTOR],
            programme_wide=True,
        )


def test_authenticate_updates_last_sign_in(db_session, app_context, frozen_clock):
    user = builders.create_user(db_session, password="a long passphrase indeed")
    assert user.last_signed_in_at is None
    assert authenticate(db_session, user.email.upper(), "a long passphrase indeed") is user
    assert user.last_signed_in_at == frozen_clock.now
    db_session.commit()
    assert authenticate(db_session, user.email, "wrong") is None


def test_normalise_email():
    assert normalise_email("  A.B@Example.ORG\n") == "a.b@example.org"
