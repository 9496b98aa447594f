"""report requests from chat

Revision ID: c6_reports
Revises: c5_analytics
Create Date: 2026-11-23 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'c6_reports'
down_revision: str | None = 'c5_analytics'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reportrequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('period_end', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reportrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reportrequest_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reportrequest_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reportrequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reportrequest_status'))
        batch_op.drop_index(batch_op.f('ix_reportrequest_department_id'))

    op.drop_table('reportrequest')
