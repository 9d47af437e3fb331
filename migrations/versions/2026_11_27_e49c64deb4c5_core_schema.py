"""core schema

Revision ID: e49c64deb4c5
Revises:
Create Date: 2026-11-27 11:11:40.973910
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e49c64deb4c5"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_roles", sa.String(length=100), nullable=False),
        sa.Column("actor_borough_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("fields_changed", sa.JSON(), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "action IN ('sign_in', 'sign_in_failed', 'sign_out', 'locked_out', 'second_factor', 'role_changed', 'viewed_record', 'created', 'updated', 'deleted', 'exported', 'imported', 'erased', 'access_refused')",
            name=op.f("ck_audit_event_known_action"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_actor_user_id"), ["actor_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_event_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index("ix_audit_event_target", ["target_type", "target_id"], unique=False)

    op.create_table(
        "borough",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ons_code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("is_partner", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_borough")),
        sa.UniqueConstraint("name", name=op.f("uq_borough_name")),
        sa.UniqueConstraint("ons_code", name=op.f("uq_borough_ons_code")),
    )
    op.create_table(
        "standard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=10), nullable=False),
        sa.Column("version", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("typical_duration_months", sa.Integer(), nullable=False),
        sa.Column("funding_band_max", sa.Integer(), nullable=False),
        sa.Column("min_otj_hours", sa.Integer(), nullable=True),
        sa.Column("grade_set", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "grade_set IN ('pass_fail', 'pass_distinction', 'pass_merit_distinction')",
            name=op.f("ck_standard_known_grade_set"),
        ),
        sa.CheckConstraint("funding_band_max > 0", name=op.f("ck_standard_funding_positive")),
        sa.CheckConstraint("level BETWEEN 2 AND 7", name=op.f("ck_standard_level_range")),
        sa.CheckConstraint(
            "min_otj_hours IS NULL OR min_otj_hours > 0", name=op.f("ck_standard_otj_positive")
        ),
        sa.CheckConstraint(
            "typical_duration_months > 0", name=op.f("ck_standard_duration_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard")),
        sa.UniqueConstraint("reference", "version", name=op.f("uq_standard_reference_version")),
    )
    with op.batch_alter_table("standard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standard_reference"), ["reference"], unique=False)

    op.create_table(
        "training_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ukprn", sa.String(length=8), nullable=False),
        sa.Column("delivers_training", sa.Boolean(), nullable=False),
        sa.Column("assesses_epa", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "delivers_training OR assesses_epa", name=op.f("ck_training_provider_has_a_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_provider")),
        sa.UniqueConstraint("ukprn", name=op.f("uq_training_provider_ukprn")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("borough_id", sa.Integer(), nullable=False),
        sa.Column("is_programme_wide", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("last_signed_in_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_app_user_email_lower_case")),
        sa.ForeignKeyConstraint(
            ["borough_id"],
            ["borough.id"],
            name=op.f("fk_app_user_borough_id_borough"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_borough_id"), ["borough_id"], unique=False)

    op.create_table(
        "ksb",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("substr(code, 1, 1) IN ('K', 'S', 'B')", name=op.f("ck_ksb_code_kind")),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standard.id"],
            name=op.f("fk_ksb_standard_id_standard"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ksb")),
        sa.UniqueConstraint("standard_id", "code", name=op.f("uq_ksb_standard_id_code")),
    )
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "role IN ('coordinator', 'apprentice', 'mentor', 'borough_lead', 'admin')",
            name=op.f("ck_user_role_known_role"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_role_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_session_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_session_last_seen_at"), ["last_seen_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_session_last_seen_at"))

    op.drop_table("user_session")
    op.drop_table("user_role")
    op.drop_table("ksb")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_borough_id"))

    op.drop_table("app_user")
    op.drop_table("training_provider")
    with op.batch_alter_table("standard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standard_reference"))

    op.drop_table("standard")
    op.drop_table("borough")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_target")
        batch_op.drop_index(batch_op.f("ix_audit_event_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
