"""recruitment: vacancies, applications, drafts, equality monitoring

Revision ID: e9c2a7bbb09f
Revises: 3fa80fd7ee20
Create Date: 2026-11-27 12:54:04.165850
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e9c2a7bbb09f"
down_revision: str | Sequence[str] | None = "3fa80fd7ee20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hit")),
    )
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rate_limit_hit_key", ["scope", "key", "occurred_at"], unique=False
        )

    op.create_table(
        "vacancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("employing_borough_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("positions", sa.Integer(), nullable=False),
        sa.Column("hourly_pay", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("closing_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("residence_rule", sa.String(length=10), nullable=False),
        sa.Column("educated_route", sa.Boolean(), nullable=False),
        sa.Column("care_leaver_route", sa.Boolean(), nullable=False),
        sa.Column("minimum_age", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "residence_rule IN ('own', 'list', 'london')", name=op.f("ck_vacancy_known_rule")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published')", name=op.f("ck_vacancy_known_status")
        ),
        sa.CheckConstraint("hourly_pay > 0", name=op.f("ck_vacancy_pay_positive")),
        sa.CheckConstraint(
            "minimum_age BETWEEN 16 AND 99", name=op.f("ck_vacancy_minimum_age_range")
        ),
        sa.CheckConstraint("positions > 0", name=op.f("ck_vacancy_positions_positive")),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_vacancy_cohort_id_cohort"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["employing_borough_id"],
            ["borough.id"],
            name=op.f("fk_vacancy_employing_borough_id_borough"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standard.id"],
            name=op.f("fk_vacancy_standard_id_standard"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy")),
    )
    with op.batch_alter_table("vacancy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vacancy_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_vacancy_employing_borough_id"), ["employing_borough_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_vacancy_standard_id"), ["standard_id"], unique=False)
        batch_op.create_index("ix_vacancy_status_closing", ["status", "closing_date"], unique=False)

    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("supporting_statement", sa.Text(), nullable=True),
        sa.Column("residence_borough_id", sa.Integer(), nullable=True),
        sa.Column("educated_in_borough", sa.Boolean(), nullable=False),
        sa.Column("care_leaver", sa.Boolean(), nullable=False),
        sa.Column("right_to_work", sa.Boolean(), nullable=False),
        sa.Column("full_time_education", sa.Boolean(), nullable=False),
        sa.Column("guaranteed_interview", sa.String(length=25), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("eligibility_reasons", sa.JSON(), nullable=False),
        sa.Column("is_local", sa.Boolean(), nullable=False),
        sa.Column("age_band", sa.String(length=10), nullable=False),
        sa.Column("right_to_work_checked_on", sa.Date(), nullable=True),
        sa.Column("apprentice_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "guaranteed_interview IN ('no', 'disability_confident', 'care_leaver')",
            name=op.f("ck_application_known_interview"),
        ),
        sa.CheckConstraint(
            "stage IN ('submitted', 'screening', 'assessment', 'offered', 'hired', 'rejected', 'withdrawn')",
            name=op.f("ck_application_known_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["apprentice_id"],
            ["apprentice.id"],
            name=op.f("fk_application_apprentice_id_apprentice"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["residence_borough_id"],
            ["borough.id"],
            name=op.f("fk_application_residence_borough_id_borough"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["vacancy.id"],
            name=op.f("fk_application_vacancy_id_vacancy"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("apprentice_id", name=op.f("uq_application_apprentice_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_application_reference")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_residence_borough_id"),
            ["residence_borough_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_application_submitted_at"), ["submitted_at"], unique=False
        )
        batch_op.create_index("ix_application_vacancy_stage", ["vacancy_id", "stage"], unique=False)
        batch_op.create_index(
            "uq_application_vacancy_email",
            ["vacancy_id", "email"],
            unique=True,
            sqlite_where=sa.text("email IS NOT NULL"),
            postgresql_where=sa.text("email IS NOT NULL"),
        )

    op.create_table(
        "application_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["vacancy.id"],
            name=op.f("fk_application_draft_vacancy_id_vacancy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_draft")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_application_draft_key_hash")),
    )
    with op.batch_alter_table("application_draft", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_draft_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "application_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("applications_created", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["app_user.id"],
            name=op.f("fk_application_import_imported_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["vacancy.id"],
            name=op.f("fk_application_import_vacancy_id_vacancy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_import")),
        sa.UniqueConstraint(
            "vacancy_id", "file_sha256", name=op.f("uq_application_import_vacancy_id_file_sha256")
        ),
    )
    op.create_table(
        "vacancy_eligible_borough",
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("borough_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_id"],
            ["borough.id"],
            name=op.f("fk_vacancy_eligible_borough_borough_id_borough"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["vacancy.id"],
            name=op.f("fk_vacancy_eligible_borough_vacancy_id_vacancy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "vacancy_id", "borough_id", name=op.f("pk_vacancy_eligible_borough")
        ),
    )
    op.create_table(
        "application_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=12), nullable=True),
        sa.Column("to_stage", sa.String(length=12), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "to_stage IN ('submitted', 'screening', 'assessment', 'offered', 'hired', 'rejected', 'withdrawn')",
            name=op.f("ck_application_event_known_to_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["app_user.id"],
            name=op.f("fk_application_event_actor_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_event_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_event")),
    )
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_event_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "equality_monitoring",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=30), nullable=True),
        sa.Column("ethnic_group", sa.String(length=60), nullable=True),
        sa.Column("disability", sa.String(length=30), nullable=True),
        sa.Column("age_band", sa.String(length=20), nullable=True),
        sa.Column("care_experience", sa.String(length=30), nullable=True),
        sa.Column("objected", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_equality_monitoring_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equality_monitoring")),
        sa.UniqueConstraint("application_id", name=op.f("uq_equality_monitoring_application_id")),
    )


def downgrade() -> None:
    op.drop_table("equality_monitoring")
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_event_application_id"))

    op.drop_table("application_event")
    op.drop_table("vacancy_eligible_borough")
    op.drop_table("application_import")
    with op.batch_alter_table("application_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_draft_expires_at"))

    op.drop_table("application_draft")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_application_vacancy_email",
            sqlite_where=sa.text("email IS NOT NULL"),
            postgresql_where=sa.text("email IS NOT NULL"),
        )
        batch_op.drop_index("ix_application_vacancy_stage")
        batch_op.drop_index(batch_op.f("ix_application_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_application_residence_borough_id"))

    op.drop_table("application")
    with op.batch_alter_table("vacancy", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancy_status_closing")
        batch_op.drop_index(batch_op.f("ix_vacancy_standard_id"))
        batch_op.drop_index(batch_op.f("ix_vacancy_employing_borough_id"))
        batch_op.drop_index(batch_op.f("ix_vacancy_cohort_id"))

    op.drop_table("vacancy")
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_limit_hit_key")

    op.drop_table("rate_limit_hit")
