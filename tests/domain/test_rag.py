"""Each red/amber/green reason and threshold."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.domain.rag import ProgressFacts, Rag, Thresholds, assess

TODAY = date(2026, 11, 27)


def facts(approved="100", expected="100", review_due=TODAY, overdue=0):
    return ProgressFacts(Decimal(approved), Decimal(expected), review_due, overdue)


@pytest.mark.parametrize(
    ("approved", "rag"),
    [("95", Rag.GREEN), ("94.9", Rag.AMBER), ("75", Rag.AMBER), ("74.9", Rag.RED)],
)
def test_hours_against_the_hours_expected_by_now(approved, rag):
    result = assess(facts(approved=approved), TODAY)
    assert result.rag is rag
    if rag is not Rag.GREEN:
        assert result.reasons[0].startswith(f"{approved} of 100 off-the-job hours expected")


@pytest.mark.parametrize(
    ("days_late", "rag"), [(0, Rag.GREEN), (1, Rag.AMBER), (28, Rag.AMBER), (29, Rag.RED)]
)
def test_late_reviews(days_late, rag):
    result = assess(facts(review_due=TODAY - timedelta(days=days_late)), TODAY)
    assert result.rag is rag
    if days_late:
        assert result.reasons == (f"Progress review {days_late} days late",)


@pytest.mark.parametrize(("overdue", "rag"), [(0, Rag.GREEN), (1, Rag.AMBER), (2, Rag.RED)])
def test_overdue_milestones(overdue, rag):
    assert assess(facts(overdue=overdue), TODAY).rag is rag


def test_red_lists_every_reason_red_first():
    result = assess(facts(approved="50", overdue=1, review_due=TODAY - timedelta(days=3)), TODAY)
    assert result.rag is Rag.RED
    assert result.reasons == (
        "50 of 100 off-the-job hours expected by now (50%)",
        "Progress review 3 days late",
        "1 milestone overdue",
    )


def test_nothing_expected_yet_and_no_review_due_is_green():
    assert assess(facts(approved="0", expected="0", review_due=None), TODAY).rag is Rag.GREEN


def test_thresholds_are_settings():
    strict = Thresholds(red_below_share=Decimal("0.9"), amber_below_share=Decimal("1"))
    assert assess(facts(approved="89"), TODAY, strict).rag is Rag.RED
    assert assess(facts(approved="99"), TODAY, strict).rag is Rag.AMBER


def test_thresholds_from_the_settings(app):
    thresholds = Thresholds.from_config(app.config)
    assert thresholds == Thresholds()
