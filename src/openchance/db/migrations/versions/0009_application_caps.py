"""application caps: a challenger's optional cap on the applications a challenge receives

Revision ID: 0009_application_caps
Revises: 0008_applications_messaging
Create Date: 2026-12-02 14:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_application_caps"
down_revision: str | None = "0008_applications_messaging"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("challenges", sa.Column("max_applications", sa.Integer(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy would rebuild the table.
    op.drop_column("challenges", "max_applications")
