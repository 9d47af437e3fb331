"""The one source of "now" and "today".

Timestamps are UTC; rules that talk about dates use `today()`, the date in Europe/London.
Tests freeze the clock with `frozen_at`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

_frozen: datetime | None = None


def utcnow() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    return utcnow().astimezone(LONDON).date()


def to_london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Freeze `utcnow()` (and so `today()`) at an aware datetime."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def set_frozen(moment: datetime | None) -> None:
    """Move a frozen clock (tests that step time forward)."""
    global _frozen
    _frozen = moment.astimezone(UTC) if moment is not None else None
