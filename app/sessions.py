"""Server-side sessions.

The cookie holds a random token; the `user_session` table holds its SHA-256 hash and the
session's data. That lets us rotate the id at sign-in, end a session for good at sign-out,
enforce idle and absolute limits on the server, and later list or end a user's sessions.
The store writes through its own connection, so session bookkeeping never rides on (or
commits) the request's transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from werkzeug.datastructures import CallbackDict

from app.clock import utcnow
from app.extensions import db
from app.models import UserSession

# last_seen_at is written at most this often, so a busy page does not write on every request.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)

_table = UserSession.__table__


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        record_id: int | None = None,
        last_seen_at: datetime | None = None,
        expired: bool = False,
    ) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.token = token
        self.record_id = record_id
        self.last_seen_at = last_seen_at
        # True when the request arrived with a session that had passed its time limit.
        self.expired = expired
        self.modified = False
        self.rotate_requested = False
        self.end_requested = False
        self.touch_requested = False

    def rotate(self) -> None:
        """Issue a new id for this session's data (at sign-in), retiring the old one."""
        self.rotate_requested = True
        self.modified = True

    def touch(self) -> None:
        """Record activity now, even within the minute last_seen is usually rounded to."""
        self.touch_requested = True

    def end(self) -> None:
        """Remove the session from the server and clear it (at sign-out)."""
        self.clear()
        self.end_requested = True


class ServerSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token:
            return ServerSession()
        with db.engine.connect() as connection:
            row = connection.execute(
                select(
                    _table.c.id,
                    _table.c.data,
                    _table.c.user_id,
                    _table.c.created_at,
                    _table.c.last_seen_at,
                ).where(_table.c.token_hash == hash_token(token))
            ).one_or_none()
        if row is None:
            return ServerSession()
        if _has_expired(app, row.created_at, row.last_seen_at, signed_in=row.user_id is not None):
            end_session(row.id)
            # Only a signed-in visitor needs telling that they were signed out.
            return ServerSession(expired=row.user_id is not None)
        return ServerSession(
            json.loads(row.data),
            token=token,
            record_id=row.id,
            last_seen_at=row.last_seen_at,
        )

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        cookie_kwargs = {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
        }
        if session.end_requested or (not session and session.record_id is not None):
            if session.record_id is not None:
                end_session(session.record_id)
            response.delete_cookie(name, **cookie_kwargs)
            return
        if not session:
            return
        response.vary.add("Cookie")
        now = utcnow()
        user_id = _user_id(session)
        if session.record_id is None or session.rotate_requested:
            if session.record_id is not None:
                end_session(session.record_id)
            agent = request.headers.get("User-Agent")
            token = create_session(
                dict(session),
                user_id=user_id,
                ip_address=request.remote_addr,
                user_agent=agent[:300] if agent else None,
            )
            response.set_cookie(name, token, **cookie_kwargs)
        elif session.modified:
            _touch(session.record_id, now, data=dict(session), user_id=user_id)
        elif (
            session.touch_requested
            or session.last_seen_at is None
            or now - session.last_seen_at >= LAST_SEEN_RESOLUTION
        ):
            _touch(session.record_id, now)


def create_session(
    data: dict[str, Any],
    *,
    user_id: int | None,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Store a new session and return the token for its cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(
            insert(_table).values(
                token_hash=hash_token(token),
                user_id=user_id,
                data=json.dumps(data),
                created_at=now,
                updated_at=now,
                last_seen_at=now,
                ip_address=ip_address,
                user_agent=user_agent,
            )
        )
    return token


def end_session(record_id: int) -> None:
    with db.engine.begin() as connection:
        connection.execute(delete(_table).where(_table.c.id == record_id))


def end_sessions_of_user(session: Session, user_id: int) -> None:
    """End every session of a user, as part of the caller's transaction (a password change or a
    deactivation): they end exactly when that change is committed."""
    session.execute(delete(_table).where(_table.c.user_id == user_id))


def purge_expired_sessions(app: Flask) -> int:
    """Remove sessions past their limits (the daily housekeeping command calls this)."""
    now = utcnow()
    idle_cutoff = now - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    visitor_cutoff = now - timedelta(minutes=app.config["VISITOR_SESSION_IDLE_MINUTES"])
    absolute_cutoff = now - timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
    with db.engine.begin() as connection:
        result = connection.execute(
            delete(_table).where(
                (_table.c.user_id.is_not(None) & (_table.c.last_seen_at < idle_cutoff))
                | (_table.c.user_id.is_(None) & (_table.c.last_seen_at < visitor_cutoff))
                | (_table.c.created_at < absolute_cutoff)
            )
        )
    return result.rowcount


def _touch(
    record_id: int, now: datetime, *, data: dict[str, Any] | None = None, user_id: int | None = None
) -> None:
    changes: dict[str, Any] = {"last_seen_at": now, "updated_at": now}
    if data is not None:
        changes["data"] = json.dumps(data)
        changes["user_id"] = user_id
    with db.engine.begin() as connection:
        connection.execute(update(_table).where(_table.c.id == record_id).values(**changes))


def _has_expired(
    app: Flask, created_at: datetime, last_seen_at: datetime, *, signed_in: bool = True
) -> bool:
    """Signed-in sessions end after the idle limit. A signed-out visitor's session only holds a
    form's CSRF token, so it may idle longer: a resident writing a long supporting statement
    must not lose it to an expired token."""
    now = utcnow()
    setting = "SESSION_IDLE_MINUTES" if signed_in else "VISITOR_SESSION_IDLE_MINUTES"
    idle = timedelta(minutes=app.config[setting])
    absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
    return now - last_seen_at > idle or now - created_at > absolute


def _user_id(session: ServerSession) -> int | None:
    value = session.get("_user_id")
    return int(value) if value is not None else None
