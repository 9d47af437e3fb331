"""The small set of errors domain functions raise; views turn them into messages."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError


class DomainError(Exception):
    """A rule refused the change. `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    pass


class StaleEdit(DomainError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Someone else changed this record while you were editing it. "
            "Check the current details and make your change again."
        )


def flush_versioned(session: Session) -> None:
    """Flush an edit of a versioned record; a concurrent save in between is a stale edit."""
    try:
        session.flush()
    except StaleDataError:
        raise StaleEdit() from None
