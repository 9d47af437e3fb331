"""data rights: subject access requests, erasure, retention, objection; audit immutability

Revision ID: b8e4d02f3c12
Revises: a7f3c91e2b11
Create Date: 2026-11-27 14:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8e4d02f3c12"
down_revision: str | Sequence[str] | None = "a7f3c91e2b11"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On PostgreSQL the audit trail refuses UPDATE always, and DELETE unless the retention command
# has switched on `app.retention` for its own transaction (SET LOCAL / set_config(..., true)).
APPEND_ONLY_FUNCTION = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('app.retention', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""
APPEND_ONLY_TRIGGER = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
    " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
)


def upgrade() -> None:
    op.create_table(
        "subject_access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "subject_type IN ('user', 'apprentice', 'application')",
            name=op.f("ck_subject_access_request_known_subject_type"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'completed')",
            name=op.f("ck_subject_access_request_known_status"),
        ),
        sa.CheckConstraint(
            "due_on >= received_on", name=op.f("ck_subject_access_request_due_after_received")
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"],
            ["app_user.id"],
            name=op.f("fk_subject_access_request_logged_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_access_request")),
    )
    with op.batch_alter_table("subject_access_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_access_request_logged_by_id"), ["logged_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_subject_access_request_status_due", ["status", "due_on"], unique=False
        )

    op.create_table(
        "erased_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('request', 'retention')", name=op.f("ck_erased_record_known_reason")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_record")),
        sa.UniqueConstraint(
            "record_type", "record_id", name=op.f("uq_erased_record_record_type_record_id")
        ),
    )

    # An erased apprentice keeps no date of birth.
    with op.batch_alter_table("apprentice", schema=None) as batch_op:
        batch_op.alter_column("date_of_birth", existing_type=sa.Date(), nullable=True)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")

    # Erased apprentices have no date of birth; the old schema needs one, so they get the
    # first day of the epoch rather than anything resembling the erased value.
    op.execute("UPDATE apprentice SET date_of_birth = '1970-01-01' WHERE date_of_birth IS NULL")
    with op.batch_alter_table("apprentice", schema=None) as batch_op:
        batch_op.alter_column("date_of_birth", existing_type=sa.Date(), nullable=False)

    op.drop_table("erased_record")
    with op.batch_alter_table("subject_access_request", schema=None) as batch_op:
        batch_op.drop_index("ix_subject_access_request_status_due")
        batch_op.drop_index(batch_op.f("ix_subject_access_request_logged_by_id"))
    op.drop_table("subject_access_request")
