"""two-factor authentication

Revision ID: 0003_two_factor
Revises: 0002_accounts
Create Date: 2026-11-25 09:23:38.142487
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # noqa: F401 - autogenerate writes JSONB(astext_type=Text())

import openchance.db.types

revision: str = "0003_two_factor"
down_revision: str | None = "0002_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "recovery_codes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", openchance.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index("ix_recovery_codes_user", ["user_id", "code_hash"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("totp_pending_secret", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "totp_enabled_at", openchance.db.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_pending_secret")
        batch_op.drop_column("totp_secret")

    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_recovery_codes_user")

    op.drop_table("recovery_codes")
