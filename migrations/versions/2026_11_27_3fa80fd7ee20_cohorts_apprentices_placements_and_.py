"""cohorts, apprentices, placements and mentoring

Revision ID: 3fa80fd7ee20
Revises: b016c0e8b4a3
Create Date: 2026-11-27 12:25:19.730809
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3fa80fd7ee20"
down_revision: str | Sequence[str] | None = "b016c0e8b4a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=True),
        sa.Column("training_provider_id", sa.Integer(), nullable=False),
        sa.Column("lead_borough_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("planned_end_date", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_cohort_capacity_positive")),
        sa.CheckConstraint(
            "planned_end_date > start_date", name=op.f("ck_cohort_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["lead_borough_id"],
            ["borough.id"],
            name=op.f("fk_cohort_lead_borough_id_borough"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standard.id"],
            name=op.f("fk_cohort_standard_id_standard"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["training_provider_id"],
            ["training_provider.id"],
            name=op.f("fk_cohort_training_provider_id_training_provider"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort")),
    )
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_lead_borough_id"), ["lead_borough_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cohort_standard_id"), ["standard_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cohort_training_provider_id"), ["training_provider_id"], unique=False
        )

    op.create_table(
        "apprentice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("training_provider_id", sa.Integer(), nullable=False),
        sa.Column("employing_borough_id", sa.Integer(), nullable=False),
        sa.Column("residence_borough_id", sa.Integer(), nullable=True),
        sa.Column("uln", sa.String(length=10), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("practical_period_end", sa.Date(), nullable=False),
        sa.Column("planned_end_date", sa.Date(), nullable=False),
        sa.Column("contracted_hours", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("qualifying_period_start", sa.Date(), nullable=False),
        sa.Column("expected_return_date", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_reason", sa.String(length=40), nullable=True),
        sa.Column("left_in_qualifying_period", sa.Boolean(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting_to_start', 'active', 'on_break', 'withdrawn', 'completed')",
            name=op.f("ck_apprentice_known_status"),
        ),
        sa.CheckConstraint(
            "withdrawal_reason IS NULL OR withdrawal_reason IN ('caring_responsibilities', 'family_circumstances', 'financial_reasons', 'health', 'better_job_elsewhere', 'lack_of_employer_support', 'job_not_as_expected', 'pay', 'no_reasonable_adjustments', 'discrimination', 'dismissed', 'made_redundant', 'training_quality', 'provider_stopped_delivering', 'epa_not_achieved', 'other')",
            name=op.f("ck_apprentice_known_withdrawal_reason"),
        ),
        sa.CheckConstraint(
            "contracted_hours > 0 AND contracted_hours <= 48",
            name=op.f("ck_apprentice_hours_range"),
        ),
        sa.CheckConstraint(
            "planned_end_date >= practical_period_end",
            name=op.f("ck_apprentice_end_after_practical"),
        ),
        sa.CheckConstraint(
            "practical_period_end >= start_date", name=op.f("ck_apprentice_practical_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_apprentice_cohort_id_cohort"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["employing_borough_id"],
            ["borough.id"],
            name=op.f("fk_apprentice_employing_borough_id_borough"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["residence_borough_id"],
            ["borough.id"],
            name=op.f("fk_apprentice_residence_borough_id_borough"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standard.id"],
            name=op.f("fk_apprentice_standard_id_standard"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["training_provider_id"],
            ["training_provider.id"],
            name=op.f("fk_apprentice_training_provider_id_training_provider"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_apprentice_user_id_app_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apprentice")),
        sa.UniqueConstraint("uln", name=op.f("uq_apprentice_uln")),
        sa.UniqueConstraint("user_id", name=op.f("uq_apprentice_user_id")),
    )
    with op.batch_alter_table("apprentice", schema=None) as batch_op:
        batch_op.create_index(
            "ix_apprentice_borough_status_start",
            ["employing_borough_id", "status", "start_date"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_apprentice_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_apprentice_residence_borough_id"), ["residence_borough_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_apprentice_standard_id"), ["standard_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_apprentice_training_provider_id"), ["training_provider_id"], unique=False
        )

    op.create_table(
        "apprentice_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("apprentices_created", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["app_user.id"],
            name=op.f("fk_apprentice_import_imported_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apprentice_import")),
        sa.UniqueConstraint("file_sha256", name=op.f("uq_apprentice_import_file_sha256")),
    )
    op.create_table(
        "mentor_profile",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("current_mentees", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_mentor_profile_capacity_not_negative")),
        sa.CheckConstraint(
            "current_mentees >= 0", name=op.f("ck_mentor_profile_mentees_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_mentor_profile_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mentor_profile")),
    )
    op.create_table(
        "apprentice_status_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "to_status IN ('waiting_to_start', 'active', 'on_break', 'withdrawn', 'completed')",
            name=op.f("ck_apprentice_status_event_known_to_status"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["app_user.id"],
            name=op.f("fk_apprentice_status_event_actor_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_apprentice_status_event_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apprentice_status_event")),
    )
    with op.batch_alter_table("apprentice_status_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_apprentice_status_event_apprentice_id"), ["apprentice_id"], unique=False
        )

    op.create_table(
        "mentor_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("mentor_user_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date",
            name=op.f("ck_mentor_assignment_end_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_mentor_assignment_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_user_id"],
            ["app_user.id"],
            name=op.f("fk_mentor_assignment_mentor_user_id_app_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_assignment")),
    )
    with op.batch_alter_table("mentor_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_assignment_apprentice_id"), ["apprentice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentor_assignment_mentor_user_id"), ["mentor_user_id"], unique=False
        )
        batch_op.create_index(
            "uq_mentor_assignment_one_current",
            ["apprentice_id"],
            unique=True,
            sqlite_where=sa.text("end_date IS NULL"),
            postgresql_where=sa.text("end_date IS NULL"),
        )

    op.create_table(
        "mentor_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("mentor_user_id", sa.Integer(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 480",
            name=op.f("ck_mentor_meeting_duration_range"),
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_mentor_meeting_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_user_id"],
            ["app_user.id"],
            name=op.f("fk_mentor_meeting_mentor_user_id_app_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_meeting")),
    )
    with op.batch_alter_table("mentor_meeting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentor_meeting_apprentice_id"), ["apprentice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mentor_meeting_mentor_user_id"), ["mentor_user_id"], unique=False
        )

    op.create_table(
        "placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("host_borough_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("line_manager_name", sa.String(length=200), nullable=False),
        sa.Column("line_manager_email", sa.String(length=320), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_placement_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_placement_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_borough_id"],
            ["borough.id"],
            name=op.f("fk_placement_host_borough_id_borough"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement")),
    )
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_placement_apprentice_id"), ["apprentice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_placement_host_borough_id"), ["host_borough_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        # One apprentice's placements never overlap: checked in the domain layer, and here the
        # database refuses it too, even for two saves racing each other.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE placement ADD CONSTRAINT ex_placement_no_overlap EXCLUDE USING gist "
            "(apprentice_id WITH =, daterange(start_date, end_date, '[]') WITH &&)"
        )


def downgrade() -> None:
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_host_borough_id"))
        batch_op.drop_index(batch_op.f("ix_placement_apprentice_id"))

    op.drop_table("placement")
    with op.batch_alter_table("mentor_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_meeting_mentor_user_id"))
        batch_op.drop_index(batch_op.f("ix_mentor_meeting_apprentice_id"))

    op.drop_table("mentor_meeting")
    with op.batch_alter_table("mentor_assignment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_mentor_assignment_one_current",
            sqlite_where=sa.text("end_date IS NULL"),
            postgresql_where=sa.text("end_date IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_mentor_assignment_mentor_user_id"))
        batch_op.drop_index(batch_op.f("ix_mentor_assignment_apprentice_id"))

    op.drop_table("mentor_assignment")
    with op.batch_alter_table("apprentice_status_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apprentice_status_event_apprentice_id"))

    op.drop_table("apprentice_status_event")
    op.drop_table("mentor_profile")
    op.drop_table("apprentice_import")
    with op.batch_alter_table("apprentice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apprentice_training_provider_id"))
        batch_op.drop_index(batch_op.f("ix_apprentice_standard_id"))
        batch_op.drop_index(batch_op.f("ix_apprentice_residence_borough_id"))
        batch_op.drop_index(batch_op.f("ix_apprentice_cohort_id"))
        batch_op.drop_index("ix_apprentice_borough_status_start")

    op.drop_table("apprentice")
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_training_provider_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_standard_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_lead_borough_id"))

    op.drop_table("cohort")
