"""analytics: scoring configuration and a covering index on duty entries

Revision ID: c5_analytics
Revises: b2_scheduling
Create Date: 2026-11-23 16:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'c5_analytics'
down_revision: str | None = 'b2_scheduling'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('scoringconfig',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weights', sa.Text(), nullable=False),
    sa.Column('yellow_from', sa.Float(), nullable=False),
    sa.Column('green_from', sa.Float(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dutyentry', schema=None) as batch_op:
        batch_op.create_index('ix_dutyentry_analytics', ['staff_id', 'duty_id', 'task_type_code', 'work_date', 'hours', 'status', 'flags'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('dutyentry', schema=None) as batch_op:
        batch_op.drop_index('ix_dutyentry_analytics')
    op.drop_table('scoringconfig')
