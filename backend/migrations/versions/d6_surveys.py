"""surveys: questionnaires, questions, evaluated departments, responses and answers

Revision ID: d6_surveys
Revises: c6_reports
Create Date: 2026-11-23 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'd6_surveys'
down_revision: str | None = 'c6_reports'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('audience_kind', sa.String(length=20), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closes_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    op.create_table('surveytarget',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], ),
    sa.PrimaryKeyConstraint('survey_id', 'department_id')
    )
    with op.batch_alter_table('surveytarget', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveytarget_department_id'), ['department_id'], unique=False)

    op.create_table('surveyquestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('survey_id', 'seq')
    )
    with op.batch_alter_table('surveyquestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveyquestion_survey_id'), ['survey_id'], unique=False)

    op.create_table('surveyresponse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('respondent_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('evaluated_department_id', sa.Integer(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['evaluated_department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('survey_id', 'respondent_key', 'evaluated_department_id')
    )
    with op.batch_alter_table('surveyresponse', schema=None) as batch_op:
        batch_op.create_index('ix_surveyresponse_survey_evaluated', ['survey_id', 'evaluated_department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveyresponse_survey_id'), ['survey_id'], unique=False)

    op.create_table('surveyanswer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('option', sa.Integer(), nullable=True),
    sa.Column('number', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['surveyquestion.id'], ),
    sa.ForeignKeyConstraint(['response_id'], ['surveyresponse.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('surveyanswer', schema=None) as batch_op:
        batch_op.create_index('ix_surveyanswer_question_values', ['question_id', 'option', 'number'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveyanswer_response_id'), ['response_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('surveyanswer')
    op.drop_table('surveyresponse')
    op.drop_table('surveyquestion')
    op.drop_table('surveytarget')
    op.drop_table('survey')
