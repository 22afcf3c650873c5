"""Report period closures (synced) and date indexes for the statistics queries.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-23 09:10:00

Reports count events by their own date (受理 by accepted_on, 成功/不成 by
outcome_on, 司法确认 by jc_applied_on/jc_decided_on, 回访 by visited_on), so each
of those columns gets an index and a yearly report over a million records stays
a handful of index range scans.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0002'
branch_labels = None
depends_on = None

_CASE_INDEXES = ("accepted_on", "refused_on", "outcome_on", "jc_applied_on", "jc_decided_on")


def upgrade() -> None:
    op.create_table(
        'period_closures',
        sa.Column('period', sa.String(length=32), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('scope', sa.String(length=60), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=False),
        sa.Column('closed_by', sa.String(length=36), nullable=True),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.Column('uid', sa.String(length=36), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('device_id', sa.String(length=36), nullable=False),
        sa.Column('created_by', sa.String(length=36), nullable=True),
        sa.Column('updated_by', sa.String(length=36), nullable=True),
        sa.Column('deleted', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('uid', name=op.f('pk_period_closures')),
    )
    with op.batch_alter_table('period_closures', schema=None) as batch_op:
        batch_op.create_index('ix_period_closures_period', ['period', 'scope'], unique=False)
    for col in _CASE_INDEXES:
        op.create_index(f'ix_mediation_cases_{col}', 'mediation_cases', [col], unique=False)
    op.create_index('ix_follow_ups_visited_on', 'follow_ups', ['visited_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_follow_ups_visited_on', table_name='follow_ups')
    for col in _CASE_INDEXES:
        op.drop_index(f'ix_mediation_cases_{col}', table_name='mediation_cases')
    with op.batch_alter_table('period_closures', schema=None) as batch_op:
        batch_op.drop_index('ix_period_closures_period')
    op.drop_table('period_closures')
