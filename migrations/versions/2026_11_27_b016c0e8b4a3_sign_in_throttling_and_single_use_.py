"""sign-in throttling and single-use account links

Revision ID: b016c0e8b4a3
Revises: 28e8e39eb74d
Create Date: 2026-11-27 11:43:04.779453
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b016c0e8b4a3"
down_revision: str | Sequence[str] | None = "28e8e39eb74d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sign_in_failure_account", ["account_key", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_sign_in_failure_ip", ["ip_address", "occurred_at"], unique=False)

    op.create_table(
        "sign_in_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('account', 'ip')", name=op.f("ck_sign_in_lock_known_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_lock")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_sign_in_lock_kind_key")),
    )
    with op.batch_alter_table("sign_in_lock", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_lock_locked_until"), ["locked_until"], unique=False
        )

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("security_stamp", sa.String(length=32), nullable=True))
    # Every existing account gets its own random stamp before the column becomes required.
    if op.get_bind().dialect.name == "postgresql":
        random_stamp = "substr(md5(random()::text || id::text), 1, 32)"
    else:
        random_stamp = "lower(hex(randomblob(16)))"
    op.execute(f"UPDATE app_user SET security_stamp = {random_stamp}")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.alter_column("security_stamp", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("security_stamp")
        batch_op.drop_column("password_changed_at")

    with op.batch_alter_table("sign_in_lock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_lock_locked_until"))

    op.drop_table("sign_in_lock")
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failure_ip")
        batch_op.drop_index("ix_sign_in_failure_account")

    op.drop_table("sign_in_failure")
