"""Report figures stored per borough and day, kept current in the same transaction as the
records they count (app.domain.report_facts), so report pages add up a few thousand stored
rows instead of aggregating every application, milestone and apprentice on each request."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table

from app.extensions import db
from app.models.base import UTCDateTime

# The counts that add up over days, in the order app.domain.reports defines them.
DAY_MEASURES: tuple[str, ...] = (
    "applications",
    "local_applications",
    "eligible_applications",
    "hired_applications",
    "hires",
    "starts",
    "milestones_due",
    "milestones_on_time",
    "leavers",
    "early_leavers",
    "completers",
    "achievers",
    "known_6m",
    "in_work_6m",
    "with_council_6m",
    "known_12m",
    "with_council_12m",
)

# One row per employing borough and day with anything to count. Each measure is counted on
# its own event date: applications on the London date of submission (with those since hired),
# hires on the date of the first move to hired, starts on the start date, leavers and their
# destinations on the leave date, milestones on the due date (all of them: a report counts
# only those due before today, so the stored figures never depend on the date).
report_day_figures = Table(
    "report_day_figures",
    db.metadata,
    # Day first: reports read a range of days, and changes refresh given days.
    Column("day", Date, primary_key=True),
    Column("borough_id", Integer, ForeignKey("borough.id", ondelete="CASCADE"), primary_key=True),
    *(Column(measure, Integer, nullable=False, default=0) for measure in DAY_MEASURES),
)

# Hires per borough, day of first hire and days from application to hire: the median days to
# hire of any period and set of boroughs comes from these counts.
report_hire_days = Table(
    "report_hire_days",
    db.metadata,
    # Day first: reports read a range of days, and changes refresh given days.
    Column("day", Date, primary_key=True),
    Column("borough_id", Integer, ForeignKey("borough.id", ondelete="CASCADE"), primary_key=True),
    Column("days_to_hire", Integer, primary_key=True),
    Column("hires", Integer, nullable=False),
)

# People per month (its first day), borough, measure (applicants, hires, completers),
# equality monitoring question and answer category: the equality breakdowns, which are by
# financial year, add up twelve months. Never shown as they are (disclosure control applies).
report_equality_months = Table(
    "report_equality_months",
    db.metadata,
    Column("month", Date, primary_key=True),
    Column("borough_id", Integer, ForeignKey("borough.id", ondelete="CASCADE"), primary_key=True),
    Column("measure", String(12), primary_key=True),
    Column("question", String(20), primary_key=True),
    Column("category", String(30), primary_key=True),
    Column("people", Integer, nullable=False),
)

# One row once the stored figures describe every record (built by `flask report-facts
# rebuild`, or by the migration on an empty database). Without it reports count the records
# themselves, so an upgraded database never shows figures that have not been built.
report_facts_state = Table(
    "report_facts_state",
    db.metadata,
    Column("id", Integer, primary_key=True),
    Column("built_at", UTCDateTime(), nullable=False),
)

__all__ = [
    "DAY_MEASURES",
    "report_day_figures",
    "report_equality_months",
    "report_facts_state",
    "report_hire_days",
]
