"""The second factor: an authenticator app (TOTP) and single-use recovery codes.

Codes are checked against the time-steps either side of now (30 seconds each, so a code lives
about 90 seconds at most, well under the 10 minutes allowed) and never one at or before the last
step accepted, so a code cannot be replayed. Each sign-in attempt allows a few wrong codes, then
the person must start again from the password. Every event is audited by name, never with the
code or the secret.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import audit, throttling
from app.domain.errors import DomainError
from app.domain.passwords import verify_password
from app.extensions import db
from app.models import AuditAction, RecoveryCode, Role, SignInChallenge, User
from app.sessions import end_sessions_of_user

STEP_SECONDS = 30
# A code from the step before or after now is accepted too, for clocks that drift a little.
DRIFT_STEPS = 1
CODE_DIGITS = 6
MAX_WRONG_CODES = 5
# An attempt not finished within this time must start again from the password.
ATTEMPT_LIFETIME = timedelta(minutes=10)
RECOVERY_CODE_COUNT = 10
# 16 characters from a 32-letter alphabet: 80 random bits per code. With that much entropy a
# plain SHA-256 is enough to store them (a slow hash like argon2 is for low-entropy passwords;
# nobody can search 2^80 codes), and it lets a code be found by its hash in one query.
RECOVERY_CODE_LENGTH = 16
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
assert len(set(_RECOVERY_ALPHABET)) >= 31

# Roles whose people see others' personal data: they must use a second factor when it is on.
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.BOROUGH_LEAD, Role.ADMIN, Role.MENTOR})


class Event(enum.StrEnum):
    """What happened, recorded as the audit event's field name (never a value)."""

    SET_UP = "set_up"
    USED = "code_accepted"
    FAILED = "code_refused"
    RECOVERY_CODE_USED = "recovery_code_used"
    RESET = "reset"
    TURNED_OFF = "turned_off"
    ATTEMPT_ENDED = "attempt_ended"


class SecondStep(enum.Enum):
    CODE = "code"
    SET_UP = "set_up"


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    ENDED = "ended"  # too many wrong codes, too slow, or the account got locked


def _audit_event(event: Event, *, actor: User | None, user: User) -> None:
    audit.record_security_event(
        AuditAction.SECOND_FACTOR, actor=actor, target=audit.target_of(user), fields=[event.value]
    )


def _record(session: Session, event: Event, *, actor: User, user: User) -> None:
    audit.record(
        session,
        AuditAction.SECOND_FACTOR,
        actor=actor,
        target=audit.target_of(user),
        fields=[event.value],
    )


# Who needs what


def is_required(user: User, required_setting: bool) -> bool:
    """Staff must have a second factor when the setting is on; apprentices may choose to."""
    return required_setting and not user.roles.isdisjoint(STAFF_ROLES)


def has_second_factor(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


def second_step(user: User, required_setting: bool) -> SecondStep | None:
    """What must follow the password at sign-in: a code, setting up an app, or nothing."""
    if has_second_factor(user):
        return SecondStep.CODE
    if is_required(user, required_setting):
        return SecondStep.SET_UP
    return None


# Codes


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, *, email: str, issuer: str) -> str:
    """What the QR code holds, for the authenticator app to read."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def time_step(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator app shows at a moment (tests use this too)."""
    return pyotp.TOTP(secret).at(moment)


def matching_step(secret: str, code: str, *, after_step: int | None = None) -> int | None:
    """The time-step near now whose code this is, if any and if later than `after_step`."""
    code = normalise_code(code)
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = time_step(utcnow())
    found = None
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        expected = totp.generate_otp(step)
        # Compare every candidate in constant time, so timing does not tell which step matched.
        if hmac.compare_digest(expected, code) and (after_step is None or step > after_step):
            found = step
    return found


def normalise_code(code: str) -> str:
    """People type codes with spaces or dashes, as apps show them."""
    return "".join(code.split()).replace("-", "").lower()


# Using up a code is written in its own transaction, like the sign-in throttle: it holds
# whatever becomes of the request, and the conditional update makes a code single-use even when
# two requests bring it at once.


def _use_step(user: User, step: int) -> bool:
    """Move the user's last accepted step forward, unless another request already has."""
    table = User.__table__
    with db.engine.begin() as connection:
        result = connection.execute(
            update(table)
            .where(
                table.c.id == user.id,
                table.c.totp_secret == user.totp_secret,
                table.c.totp_last_step.is_(None) | (table.c.totp_last_step < step),
            )
            .values(totp_last_step=step)
        )
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def accept_code(user: User, code: str) -> bool:
    """Whether the code is right and not used before; if so it is used up now."""
    if not has_second_factor(user):
        return False
    assert user.totp_secret is not None
    step = matching_step(user.totp_secret, code, after_step=user.totp_last_step)
    return step is not None and _use_step(user, step)


# Recovery codes


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def replace_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten new codes, returned once to show the user; any earlier ones stop working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(c)) for c in codes)
    return codes


def unused_recovery_codes(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def use_recovery_code(user: User, code: str) -> bool:
    """Whether the code is one of the user's unused ones; if so it is used up now."""
    if not has_second_factor(user):
        return False
    table = RecoveryCode.__table__
    now = utcnow()
    with db.engine.begin() as connection:
        result = connection.execute(
            update(table)
            .where(
                table.c.user_id == user.id,
                table.c.code_hash == hash_recovery_code(code),
                table.c.used_at.is_(None),
            )
            .values(used_at=now, updated_at=now)
        )
    return result.rowcount == 1


# Setting up, changing, resetting


WRONG_SET_UP_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now"


def set_up_step(secret: str, code: str) -> int:
    """The time-step of a code typed to prove the app was set up; refused if it is wrong."""
    step = matching_step(secret, code)
    if step is None:
        raise DomainError(WRONG_SET_UP_CODE, field="code")
    return step


def enable(session: Session, user: User, secret: str, step: int, *, actor: User) -> list[str]:
    """Start using an authenticator app, given the step of a code it showed (`set_up_step`).
    Returns the new recovery codes, to show once. Replaces any earlier app and codes."""
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step  # the code used to set up cannot then be used to sign in
    session.flush()
    codes = replace_recovery_codes(session, user)
    _record(session, Event.SET_UP, actor=actor, user=user)
    return codes


def _clear(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(SignInChallenge).where(SignInChallenge.user_id == user.id))


def turn_off(session: Session, user: User, *, required_setting: bool) -> None:
    """The user's own choice to stop using a second factor, where their role allows it."""
    if is_required(user, required_setting):
        raise DomainError("Your role needs two-step verification, so it cannot be turned off")
    if not has_second_factor(user):
        return
    _clear(session, user)
    session.flush()
    _record(session, Event.TURNED_OFF, actor=user, user=user)


def reset(session: Session, user: User, *, actor: User) -> None:
    """An administrator's reset (a lost phone): the app and codes are forgotten, every session
    ends, and the user sets a second factor up again at their next sign-in."""
    _clear(session, user)
    end_sessions_of_user(session, user.id)
    session.flush()
    _record(session, Event.RESET, actor=actor, user=user)


def check_password_again(
    user: User, password: str, *, ip_address: str, limits: throttling.Limits
) -> None:
    """Changing how one signs in asks for the password again. Wrong guesses count towards the
    same lock as the sign-in form, so a stolen session cannot be used to guess it."""
    if throttling.is_locked(user.email, ip_address) or not verify_password(
        user.password_hash, password
    ):
        throttling.record_failure(user.email, ip_address, limits)
        raise DomainError("Your password is not right", field="password")


# One sign-in attempt between the password and the second factor


@dataclass(frozen=True)
class Attempt:
    id: int
    user_id: int


def start_attempt(user: User) -> Attempt:
    """Written in its own transaction, like the throttle: an attempt outlives a refused code."""
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(
            delete(SignInChallenge.__table__).where(
                SignInChallenge.__table__.c.created_at < now - ATTEMPT_LIFETIME
            )
        )
        result = connection.execute(
            SignInChallenge.__table__.insert().values(
                user_id=user.id, wrong_codes=0, created_at=now, updated_at=now
            )
        )
        new_id = result.inserted_primary_key[0]
    return Attempt(id=new_id, user_id=user.id)


def attempt_is_live(attempt: Attempt) -> bool:
    table = SignInChallenge.__table__
    with db.engine.connect() as connection:
        row = connection.execute(
            select(table.c.wrong_codes, table.c.created_at).where(
                table.c.id == attempt.id, table.c.user_id == attempt.user_id
            )
        ).one_or_none()
    return (
        row is not None
        and row.wrong_codes < MAX_WRONG_CODES
        and utcnow() - row.created_at <= ATTEMPT_LIFETIME
    )


def end_attempt(attempt: Attempt) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            delete(SignInChallenge.__table__).where(SignInChallenge.__table__.c.id == attempt.id)
        )


def _count_wrong_code(attempt: Attempt) -> int:
    """Add one wrong code to the attempt; the count after it (or the limit if it has gone)."""
    table = SignInChallenge.__table__
    with db.engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.id == attempt.id, table.c.wrong_codes < MAX_WRONG_CODES)
            .values(wrong_codes=table.c.wrong_codes + 1, updated_at=utcnow())
        )
        count = connection.execute(
            select(table.c.wrong_codes).where(table.c.id == attempt.id)
        ).scalar_one_or_none()
    return MAX_WRONG_CODES if count is None else count


def refuse_code(
    user: User, attempt: Attempt, *, ip_address: str, limits: throttling.Limits
) -> Outcome:
    """Count a wrong code: against this attempt, and against the account's sign-in throttle (so
    starting again from the password does not give an attacker who has it unlimited guesses)."""
    _audit_event(Event.FAILED, actor=None, user=user)
    outcome = throttling.record_failure(user.email, ip_address, limits)
    if outcome.account_locked or outcome.ip_locked:
        audit.record_security_event(
            AuditAction.LOCKED_OUT, actor=None, target=audit.target_of(user)
        )
    if _count_wrong_code(attempt) >= MAX_WRONG_CODES or outcome.account_locked:
        end_attempt(attempt)
        _audit_event(Event.ATTEMPT_ENDED, actor=None, user=user)
        return Outcome.ENDED
    return Outcome.WRONG


def check_sign_in_code(
    user: User,
    attempt: Attempt,
    code: str,
    *,
    recovery: bool = False,
    ip_address: str,
    limits: throttling.Limits,
) -> Outcome:
    """Check a code (or a recovery code) typed at sign-in, within the attempt's limits. Writes
    only in its own transactions, so the caller can go on to finish the sign-in."""
    if not attempt_is_live(attempt) or throttling.is_locked(user.email, ip_address):
        end_attempt(attempt)
        return Outcome.ENDED
    accepted = use_recovery_code(user, code) if recovery else accept_code(user, code)
    if not accepted:
        return refuse_code(user, attempt, ip_address=ip_address, limits=limits)
    end_attempt(attempt)
    _audit_event(Event.RECOVERY_CODE_USED if recovery else Event.USED, actor=user, user=user)
    return Outcome.ACCEPTED


def check_set_up_code(
    user: User,
    attempt: Attempt,
    secret: str,
    code: str,
    *,
    ip_address: str,
    limits: throttling.Limits,
) -> tuple[Outcome, int | None]:
    """Check the code typed to set up the app during a sign-in that requires it; wrong codes
    count as at code entry. On success, the step to pass to `enable`."""
    if not attempt_is_live(attempt) or throttling.is_locked(user.email, ip_address):
        end_attempt(attempt)
        return Outcome.ENDED, None
    step = matching_step(secret, code)
    if step is None:
        return refuse_code(user, attempt, ip_address=ip_address, limits=limits), None
    end_attempt(attempt)
    return Outcome.ACCEPTED, step
