"""completion: gateway, end-point assessment, destinations

Revision ID: 75822029d5f0
Revises: 18abe70d01e5
Create Date: 2026-11-27 13:46:09.054112
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "75822029d5f0"
down_revision: str | Sequence[str] | None = "18abe70d01e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "epa_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=12), nullable=False),
        sa.Column("next_attempt_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "grade IN ('fail', 'pass', 'merit', 'distinction')",
            name=op.f("ck_epa_attempt_known_grade"),
        ),
        sa.CheckConstraint(
            "next_attempt_on IS NULL OR grade = 'fail'",
            name=op.f("ck_epa_attempt_next_attempt_only_after_fail"),
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_epa_attempt_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["training_provider.id"],
            name=op.f("fk_epa_attempt_organisation_id_training_provider"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_epa_attempt_recorded_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epa_attempt")),
    )
    with op.batch_alter_table("epa_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_epa_attempt_apprentice", ["apprentice_id", "assessed_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_epa_attempt_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "gateway_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("exception_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_gateway_confirmation_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["app_user.id"],
            name=op.f("fk_gateway_confirmation_confirmed_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_confirmation")),
        sa.UniqueConstraint("apprentice_id", name=op.f("uq_gateway_confirmation_apprentice_id")),
    )
    op.create_table(
        "outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("apprentice_id", sa.Integer(), nullable=False),
        sa.Column("follow_up", sa.String(length=15), nullable=False),
        sa.Column("destination", sa.String(length=25), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "destination IN ('same_council', 'other_public_sector', 'private_sector', 'further_learning', 'not_in_work', 'unknown')",
            name=op.f("ck_outcome_known_destination"),
        ),
        sa.CheckConstraint(
            "follow_up IN ('end', 'six_months', 'twelve_months')",
            name=op.f("ck_outcome_known_follow_up"),
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_outcome_apprentice_id_apprentice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_outcome_recorded_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome")),
        sa.UniqueConstraint(
            "apprentice_id", "follow_up", name=op.f("uq_outcome_apprentice_id_follow_up")
        ),
    )
    with op.batch_alter_table("apprentice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completion_grade", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("english_maths_opted_in", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("apprentice", schema=None) as batch_op:
        batch_op.drop_column("english_maths_opted_in")
        batch_op.drop_column("completion_grade")

    op.drop_table("outcome")
    op.drop_table("gateway_confirmation")
    with op.batch_alter_table("epa_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_epa_attempt_organisation_id"))
        batch_op.drop_index("ix_epa_attempt_apprentice")

    op.drop_table("epa_attempt")
