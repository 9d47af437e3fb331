"""progression: milestones, off-the-job log, reviews, progress summary

Revision ID: 18abe70d01e5
Revises: e9c2a7bbb09f
Create Date: 2026-11-27 13:00:22.700759
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "18abe70d01e5"
down_revision: str | Sequence[str] | None = "e9c2a7bbb09f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "milestone_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("due_offset_weeks", sa.Integer(), nullable=False),
        sa.Column("signer", sa.String(length=12), nullable=False),
        sa.Column("required_for_gateway", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('induction', 'functional_skills_english', 'functional_skills_maths', 'portfolio', 'gateway', 'end_point_assessment', 'custom')",
            name=op.f("ck_milestone_template_known_kind"),
        ),
        sa.CheckConstraint(
            "signer IN ('mentor', 'coordinator')", name=op.f("ck_milestone_template_known_signer")
        ),
        sa.CheckConstraint(
            "due_offset_weeks >= 0", name=op.f("ck_milestone_template_offset_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standard.id"],
            name=op.f("fk_milestone_template_standard_id_standard"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_template")),
    )
    with op.batch_alter_table("milestone_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_template_standard_id"), ["standard_id"], unique=False
        )

    op.create_table(
        "log_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column("activity_type", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "activity_type IN ('teaching', 'practical_training', 'online_learning', 'shadowing', 'mentoring', 'industry_visit', 'assignment', 'other')",
            name=op.f("ck_log_entry_known_activity"),
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'returned')",
            name=op.f("ck_log_entry_known_status"),
        ),
        sa.CheckConstraint("hours > 0 AND hours <= 24", name=op.f("ck_log_entry_hours_range")),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_log_entry_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
            name=op.f("fk_log_entry_decided_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_entry")),
    )
    with op.batch_alter_table("log_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_log_entry_apprentice_status", ["apprentice_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_log_entry_status_submitted", ["status", "submitted_at"], unique=False
        )

    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("signer", sa.String(length=12), nullable=False),
        sa.Column("required_for_gateway", sa.Boolean(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        sa.Column("evidence_links", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('induction', 'functional_skills_english', 'functional_skills_maths', 'portfolio', 'gateway', 'end_point_assessment', 'custom')",
            name=op.f("ck_milestone_known_kind"),
        ),
        sa.CheckConstraint(
            "signer IN ('mentor', 'coordinator')", name=op.f("ck_milestone_known_signer")
        ),
        sa.CheckConstraint(
            "status IN ('not_started', 'submitted', 'signed_off', 'returned')",
            name=op.f("ck_milestone_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_milestone_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
            name=op.f("fk_milestone_decided_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["milestone_template.id"],
            name=op.f("fk_milestone_template_id_milestone_template"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(
            "ix_milestone_apprentice_status_due",
            ["apprentice_id", "status", "due_date"],
            unique=False,
        )

    op.create_table(
        "progress_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("rating", sa.String(length=15), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("next_review_date", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "rating IN ('on_track', 'some_concerns', 'at_risk')",
            name=op.f("ck_progress_review_known_rating"),
        ),
        sa.CheckConstraint(
            "next_review_date > review_date", name=op.f("ck_progress_review_next_after_this")
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_progress_review_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_progress_review_recorded_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_review")),
    )
    with op.batch_alter_table("progress_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_review_apprentice_id"), ["apprentice_id"], unique=False
        )

    op.create_table(
        "progress_summary",
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("approved_hours", sa.Numeric(precision=7, scale=1), nullable=False),
        sa.Column("planned_hours", sa.Numeric(precision=7, scale=1), nullable=False),
        sa.Column("expected_hours", sa.Numeric(precision=7, scale=1), nullable=False),
        sa.Column("ksbs_evidenced", sa.Integer(), nullable=False),
        sa.Column("ksbs_total", sa.Integer(), nullable=False),
        sa.Column("overdue_milestones", sa.Integer(), nullable=False),
        sa.Column("next_milestone_due", sa.Date(), nullable=True),
        sa.Column("next_review_due", sa.Date(), nullable=True),
        sa.Column("entries_waiting", sa.Integer(), nullable=False),
        sa.Column("oldest_waiting_since", sa.DateTime(), nullable=True),
        sa.Column("rag", sa.String(length=5), nullable=True),
        sa.Column("rag_reasons", sa.JSON(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "rag IS NULL OR rag IN ('red', 'amber', 'green')",
            name=op.f("ck_progress_summary_known_rag"),
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_progress_summary_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("apprentice_id", name=op.f("pk_progress_summary")),
    )
    with op.batch_alter_table("progress_summary", schema=None) as batch_op:
        batch_op.create_index("ix_progress_summary_rag", ["rag"], unique=False)
        batch_op.create_index("ix_progress_summary_review_due", ["next_review_due"], unique=False)

    op.create_table(
        "log_entry_ksb",
        sa.Column("log_entry_id", sa.Integer(), nullable=False),
        sa.Column("ksb_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ksb_id"], ["ksb.id"], name=op.f("fk_log_entry_ksb_ksb_id_ksb"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["log_entry_id"],
            ["log_entry.id"],
            name=op.f("fk_log_entry_ksb_log_entry_id_log_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("log_entry_id", "ksb_id", name=op.f("pk_log_entry_ksb")),
    )
    with op.batch_alter_table("log_entry_ksb", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_entry_ksb_ksb_id"), ["ksb_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("log_entry_ksb", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_entry_ksb_ksb_id"))

    op.drop_table("log_entry_ksb")
    with op.batch_alter_table("progress_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_summary_review_due")
        batch_op.drop_index("ix_progress_summary_rag")

    op.drop_table("progress_summary")
    with op.batch_alter_table("progress_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_review_apprentice_id"))

    op.drop_table("progress_review")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index("ix_milestone_apprentice_status_due")

    op.drop_table("milestone")
    with op.batch_alter_table("log_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_log_entry_status_submitted")
        batch_op.drop_index("ix_log_entry_apprentice_status")

    op.drop_table("log_entry")
    with op.batch_alter_table("milestone_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_template_standard_id"))

    op.drop_table("milestone_template")
