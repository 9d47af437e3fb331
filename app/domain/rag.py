"""Red, amber or green: who needs help, and why, from an apprentice's progress facts.

Red when approved off-the-job hours are under 75% of the hours expected to date, a review is
more than 4 weeks late, or 2 or more milestones are overdue; amber when hours are under 95%, a
review is late at all, or 1 milestone is overdue; green otherwise. The thresholds are settings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


class Rag(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


@dataclass(frozen=True)
class Thresholds:
    red_below_share: Decimal = Decimal("0.75")
    amber_below_share: Decimal = Decimal("0.95")
    red_review_late: timedelta = timedelta(weeks=4)
    red_overdue_milestones: int = 2

    @classmethod
    def from_config(cls, config: dict) -> Thresholds:
        return cls(
            red_below_share=Decimal(str(config["RAG_RED_BELOW_SHARE"])),
            amber_below_share=Decimal(str(config["RAG_AMBER_BELOW_SHARE"])),
            red_review_late=timedelta(weeks=config["RAG_RED_REVIEW_WEEKS_LATE"]),
            red_overdue_milestones=config["RAG_RED_OVERDUE_MILESTONES"],
        )


@dataclass(frozen=True)
class ProgressFacts:
    approved_hours: Decimal
    expected_hours: Decimal
    next_review_due: date | None
    overdue_milestones: int


@dataclass(frozen=True)
class Assessment:
    rag: Rag
    reasons: tuple[str, ...]


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def assess(facts: ProgressFacts, today: date, thresholds: Thresholds = Thresholds()) -> Assessment:
    red: list[str] = []
    amber: list[str] = []
    if facts.expected_hours > 0:
        share = facts.approved_hours / facts.expected_hours
        words = (
            f"{_hours(facts.approved_hours)} of {_hours(facts.expected_hours)} off-the-job "
            f"hours expected by now ({int(share * 100)}%)"
        )
        if share < thresholds.red_below_share:
            red.append(words)
        elif share < thresholds.amber_below_share:
            amber.append(words)
    if facts.next_review_due is not None and facts.next_review_due < today:
        late = today - facts.next_review_due
        words = f"Progress review {late.days} days late"
        (red if late > thresholds.red_review_late else amber).append(words)
    if facts.overdue_milestones:
        count = facts.overdue_milestones
        words = f"{count} milestone{'s' if count != 1 else ''} overdue"
        (red if count >= thresholds.red_overdue_milestones else amber).append(words)
    if red:
        return Assessment(Rag.RED, tuple(red + amber))
    if amber:
        return Assessment(Rag.AMBER, tuple(amber))
    return Assessment(Rag.GREEN, ())
