"""A user's own sessions: listing them, ending one or all the others, and naming the browser.

Ending is part of the caller's transaction: a session ends exactly when that is committed. The
rows live in `user_session` (see app.sessions); a session row that has gone makes its cookie
worthless at once.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from app.domain import audit
from app.models import AuditAction, User, UserSession


def sessions_of(user: User) -> Select[tuple[UserSession]]:
    """The user's sessions, the most recently used first."""
    return (
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )


def count_others(session: Session, user: User, *, keep: int | None) -> int:
    """How many sessions the user has besides the one with id `keep`."""
    statement = select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    return session.scalar(statement) or 0


def end_one(session: Session, user: User, record_id: int) -> bool:
    """End one of the user's own sessions; False if there is no such session of theirs."""
    result = session.execute(
        delete(UserSession).where(UserSession.id == record_id, UserSession.user_id == user.id)
    )
    if result.rowcount != 1:
        return False
    _record(session, user, actor=user)
    return True


def end_others(session: Session, user: User, *, keep: int | None) -> int:
    """End every session of the user except the one with id `keep`. Returns how many ended."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    ended = session.execute(statement).rowcount
    if ended:
        _record(session, user, actor=user)
    return ended


def end_all(session: Session, user: User, *, actor: User) -> int:
    """An administrator ends every session of a user (a lost laptop, a suspected takeover)."""
    ended = session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
    _record(session, user, actor=actor)
    return ended


def _record(session: Session, user: User, *, actor: User) -> None:
    audit.record(
        session, AuditAction.UPDATED, actor=actor, target=audit.target_of(user), fields=["sessions"]
    )


# Browser names, from the User-Agent header: only to help people recognise their sessions.

_BROWSERS = (
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Mac", re.compile(r"Macintosh|Mac OS X")),
    ("Linux", re.compile(r"Linux")),
)


def describe_browser(user_agent: str | None) -> str:
    """'Firefox on Windows', 'Safari on iPhone', or 'Unknown browser'."""
    if not user_agent:
        return "Unknown browser"
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Unknown browser")
