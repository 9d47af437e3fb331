"""public-sector return: headcount per borough and financial year

Revision ID: c9f5e13a4d13
Revises: b8e4d02f3c12
Create Date: 2026-11-27 15:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9f5e13a4d13"
down_revision: str | Sequence[str] | None = "b8e4d02f3c12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "borough_headcount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("borough_id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("headcount > 0", name=op.f("ck_borough_headcount_positive_headcount")),
        sa.ForeignKeyConstraint(
            ["borough_id"],
            ["borough.id"],
            name=op.f("fk_borough_headcount_borough_id_borough"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_borough_headcount_recorded_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_borough_headcount")),
        sa.UniqueConstraint(
            "borough_id",
            "financial_year",
            name=op.f("uq_borough_headcount_borough_id_financial_year"),
        ),
    )


def downgrade() -> None:
    op.drop_table("borough_headcount")
