from __future__ import annotations

import pytest

from app.domain.accounts import (
    create_user,
    invite_user,
    normalise_email,
    set_active,
    set_password,
    update_user,
)
from app.domain.errors import DomainError, StaleEdit
from app.domain.sign_in import attempt_sign_in
from app.domain.throttling import Limits
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


def test_signing_in_records_when(db_session, app_context, frozen_clock):
    user = builders.create_user(db_session, password="a long passphrase indeed")
    assert user.last_signed_in_at is None
    signed_in = attempt_sign_in(
        db_session,
        user.email.upper(),
        "a long passphrase indeed",
        ip_address="10.0.0.1",
        limits=Limits(),
    )
    assert signed_in is user
    assert user.last_signed_in_at == frozen_clock.now
    db_session.commit()
    wrong = attempt_sign_in(db_session, user.email, "wrong", ip_address="10.0.0.1", limits=Limits())
    assert wrong is None


def test_setting_a_password_checks_the_policy_and_retires_old_links(db_session, app_context):
    user = builders.create_user(db_session, name="Priya Shah", email="priya@example.org")
    stamp = user.security_stamp
    with pytest.raises(DomainError, match="12 characters or more"):
        set_password(db_session, user, "too short", actor=user)
    with pytest.raises(DomainError, match="based on your name"):
        set_password(db_session, user, "PriyaShah2026!", actor=user)
    assert user.password_hash is None and user.security_stamp == stamp
    set_password(db_session, user, "lantern river quietly", actor=user)
    assert user.password_hash.startswith("$argon2id$")
    assert user.security_stamp != stamp


def test_coordinators_invite_only_apprentices_and_mentors_of_their_borough(db_session, app_context):
    coordinator = builders.create_user(db_session, roles=[Role.COORDINATOR], borough="Hackney")
    hackney = builders.get_borough(db_session, "Hackney")
    camden = builders.get_borough(db_session, "Camden")
    mentor = invite_user(
        db_session,
        actor=coordinator,
        email="m@example.org",
        name="M",
        borough=hackney,
        roles=[Role.MENTOR],
    )
    assert mentor.password_hash is None and mentor.roles == {Role.MENTOR}
    with pytest.raises(DomainError, match="only invite apprentices and mentors"):
        invite_user(
            db_session,
            actor=coordinator,
            email="a@example.org",
            name="A",
            borough=hackney,
            roles=[Role.ADMIN],
        )
    with pytest.raises(DomainError, match="your own borough"):
        invite_user(
            db_session,
            actor=coordinator,
            email="c@example.org",
            name="C",
            borough=camden,
            roles=[Role.APPRENTICE],
        )


def test_admins_cannot_remove_their_own_admin_role_or_deactivate_themselves(
    db_session, app_context
):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    hackney = builders.get_borough(db_session)
    with pytest.raises(DomainError, match="own administrator role"):
        update_user(
            db_session,
            admin,
            actor=admin,
            name=admin.name,
            borough=hackney,
            roles=[Role.COORDINATOR],
            programme_wide=False,
            expected_version=admin.row_version,
        )
    with pytest.raises(DomainError, match="cannot deactivate"):
        set_active(db_session, admin, False, actor=admin)
    assert admin.roles == {Role.ADMIN} and admin.is_active


def test_a_stale_user_edit_is_refused(db_session, app_context):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    someone = builders.create_user(db_session, roles=[Role.MENTOR], name="Before")
    with pytest.raises(StaleEdit):
        update_user(
            db_session,
            someone,
            actor=admin,
            name="After",
            borough=builders.get_borough(db_session),
            roles=[Role.MENTOR],
            programme_wide=False,
            expected_version=someone.row_version - 1,
        )
    assert someone.name == "Before"


def test_normalise_email():
    assert normalise_email("  A.B@Example.ORG\n") == "a.b@example.org"
