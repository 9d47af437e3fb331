"""The second factor's rules, with a controlled clock: codes single-use and short-lived,
recovery codes single-use and stored hashed, a few wrong codes per attempt, resets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.domain import two_factor, user_sessions
from app.domain.errors import DomainError
from app.domain.throttling import Limits
from app.models import AuditEvent, RecoveryCode, Role, User, UserSession
from app.sessions import create_session
from tests import builders
from tests.web.auth.two_factor_helpers import events_named, set_up_two_factor, valid_code

pytestmark = pytest.mark.usefixtures("app_context")
LIMITS = Limits()
IP = "192.0.2.10"


@pytest.fixture
def user(db_session) -> User:
    user = builders.create_user(db_session, roles=[Role.COORDINATOR], password="long enough pw 1")
    set_up_two_factor(db_session, user)
    return user


def test_a_valid_code_is_accepted_once_and_refused_on_replay(db_session, user):
    code = valid_code(user)
    assert two_factor.accept_code(user, code)
    assert not two_factor.accept_code(user, code)
    db_session.expire_all()
    assert db_session.get(User, user.id).totp_last_step == two_factor.time_step(utcnow())


def test_a_code_from_the_step_before_is_accepted_for_clock_drift(user, frozen_clock):
    code = valid_code(user)
    frozen_clock.advance(seconds=30)
    assert two_factor.accept_code(user, code)


@pytest.mark.parametrize("later", [{"seconds": 61}, {"minutes": 10}])
def test_an_expired_code_is_refused(user, frozen_clock, later):
    code = valid_code(user)
    frozen_clock.advance(**later)
    assert not two_factor.accept_code(user, code)


def test_a_code_older_than_the_last_one_used_is_refused(user, frozen_clock):
    earlier = valid_code(user)
    frozen_clock.advance(seconds=30)
    assert two_factor.accept_code(user, valid_code(user))
    assert not two_factor.accept_code(user, earlier)  # still inside the drift window


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(user, typed):
    assert not two_factor.accept_code(user, typed)


def test_codes_may_be_typed_with_spaces(user):
    code = valid_code(user)
    assert two_factor.accept_code(user, f" {code[:3]} {code[3:]} ")


def test_ten_recovery_codes_stored_only_as_hashes_each_single_use(db_session):
    user = builders.create_user(db_session, roles=[Role.APPRENTICE])
    codes = set_up_two_factor(db_session, user)
    assert len(codes) == len(set(codes)) == 10
    stored = db_session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not set(stored) & set(codes)
    assert set(stored) == {two_factor.hash_recovery_code(code) for code in codes}

    assert two_factor.use_recovery_code(user, codes[0].upper())
    assert not two_factor.use_recovery_code(user, codes[0])
    assert two_factor.unused_recovery_codes(db_session, user) == 9
    assert not two_factor.use_recovery_code(user, "abcd-efgh-jkmn-pqrs")


def test_five_wrong_codes_end_the_attempt(user):
    attempt = two_factor.start_attempt(user)
    outcomes = [
        two_factor.check_sign_in_code(user, attempt, "000000", ip_address=IP, limits=LIMITS)
        for _ in range(5)
    ]
    assert outcomes == [two_factor.Outcome.WRONG] * 4 + [two_factor.Outcome.ENDED]
    # A sixth try, even with the right code, is refused: the attempt is over.
    right = two_factor.check_sign_in_code(
        user, attempt, valid_code(user), ip_address=IP, limits=LIMITS
    )
    assert right is two_factor.Outcome.ENDED
    assert not two_factor.attempt_is_live(attempt)


def test_an_attempt_lasts_ten_minutes(user, frozen_clock):
    attempt = two_factor.start_attempt(user)
    frozen_clock.advance(minutes=10, seconds=1)
    outcome = two_factor.check_sign_in_code(
        user, attempt, valid_code(user), ip_address=IP, limits=LIMITS
    )
    assert outcome is two_factor.Outcome.ENDED


def test_wrong_codes_count_towards_the_account_lock(user):
    """Starting again from the password does not give unlimited guesses."""
    for _ in range(2):
        attempt = two_factor.start_attempt(user)
        for _ in range(5):
            two_factor.check_sign_in_code(user, attempt, "000000", ip_address=IP, limits=LIMITS)
    attempt = two_factor.start_attempt(user)
    outcome = two_factor.check_sign_in_code(
        user, attempt, valid_code(user), ip_address=IP, limits=LIMITS
    )
    assert outcome is two_factor.Outcome.ENDED


@pytest.mark.parametrize(
    ("roles", "has_app", "required", "step"),
    [
        ([Role.COORDINATOR], False, True, two_factor.SecondStep.SET_UP),
        ([Role.MENTOR], False, True, two_factor.SecondStep.SET_UP),
        ([Role.BOROUGH_LEAD], False, True, two_factor.SecondStep.SET_UP),
        ([Role.ADMIN], False, True, two_factor.SecondStep.SET_UP),
        ([Role.APPRENTICE], False, True, None),
        ([Role.COORDINATOR], False, False, None),
        ([Role.APPRENTICE], True, False, two_factor.SecondStep.CODE),
        ([Role.COORDINATOR], True, True, two_factor.SecondStep.CODE),
    ],
)
def test_who_needs_which_step(db_session, roles, has_app, required, step):
    user = builders.create_user(db_session, roles=roles)
    if has_app:
        set_up_two_factor(db_session, user)
    assert two_factor.second_step(user, required) is step


def test_setting_up_needs_a_code_the_app_shows(db_session):
    secret = two_factor.new_secret()
    with pytest.raises(DomainError, match="code is not right"):
        two_factor.set_up_step(secret, "123456" if valid_code(secret) != "123456" else "654321")
    assert two_factor.set_up_step(secret, valid_code(secret)) == two_factor.time_step(utcnow())


def test_the_code_used_to_set_up_cannot_sign_in(db_session):
    user = builders.create_user(db_session, roles=[Role.APPRENTICE])
    secret = two_factor.new_secret()
    code = valid_code(secret)
    two_factor.enable(db_session, user, secret, two_factor.set_up_step(secret, code), actor=user)
    db_session.commit()
    assert not two_factor.accept_code(user, code)


def test_an_admin_reset_forgets_the_app_and_ends_every_session(db_session, user):
    admin = builders.create_user(db_session, roles=[Role.ADMIN])
    create_session({"_user_id": str(user.id)}, user_id=user.id)
    two_factor.reset(db_session, user, actor=admin)
    db_session.commit()
    db_session.expire_all()
    user = db_session.get(User, user.id)
    assert (user.totp_secret, user.totp_enabled_at, user.totp_last_step) == (None, None, None)
    assert db_session.scalars(select(RecoveryCode)).all() == []
    assert db_session.scalars(select(UserSession)).all() == []
    assert two_factor.second_step(user, True) is two_factor.SecondStep.SET_UP
    event = events_named(db_session, "reset")
    assert [e.actor_user_id for e in event] == [admin.id]


def test_turning_off_is_refused_where_the_role_needs_it(db_session, user):
    with pytest.raises(DomainError, match="cannot be turned off"):
        two_factor.turn_off(db_session, user, required_setting=True)
    two_factor.turn_off(db_session, user, required_setting=False)
    assert not two_factor.has_second_factor(user)


def test_audit_events_name_what_happened_never_the_code_or_secret(db_session, user):
    attempt = two_factor.start_attempt(user)
    code = valid_code(user)
    two_factor.check_sign_in_code(user, attempt, "000000", ip_address=IP, limits=LIMITS)
    two_factor.check_sign_in_code(user, attempt, code, ip_address=IP, limits=LIMITS)
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "second_factor").order_by(AuditEvent.id)
    ).all()
    assert [event.fields_changed for event in events] == [
        ["set_up"],
        ["code_refused"],
        ["code_accepted"],
    ]
    dumped = repr([vars(event) for event in events])
    assert code not in dumped and user.totp_secret not in dumped


def test_password_check_before_changing_the_second_factor(db_session, user):
    with pytest.raises(DomainError, match="password is not right"):
        two_factor.check_password_again(user, "wrong", ip_address=IP, limits=LIMITS)
    two_factor.check_password_again(user, "long enough pw 1", ip_address=IP, limits=LIMITS)


@pytest.mark.parametrize(
    ("agent", "shown"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Mac",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_browser_names_from_the_user_agent(agent, shown):
    assert user_sessions.describe_browser(agent) == shown
