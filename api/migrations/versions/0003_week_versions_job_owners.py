"""The version of each week's bookings, the allocation that changed with it, owners of jobs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "week_versions",
        sa.Column("problem_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["problem_id"], ["problems.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("problem_id"),
    )
    with op.batch_alter_table("allocations") as table:
        table.add_column(
            sa.Column("week_version", sa.Integer(), nullable=False, server_default="0")
        )
        table.create_index("ix_allocations_week_version", ["problem_id", "week_version"])
    with op.batch_alter_table("jobs") as table:
        table.add_column(sa.Column("owner", sa.String(length=200), nullable=True))
        table.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("jobs") as table:
        table.drop_column("heartbeat_at")
        table.drop_column("owner")
    with op.batch_alter_table("allocations") as table:
        table.drop_index("ix_allocations_week_version")
        table.drop_column("week_version")
    op.drop_table("week_versions")
