"""Sync state and conflicts tables.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_state',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sync_state'))
    )
    op.create_table('sync_conflicts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('mine_version', sa.Integer(), nullable=False),
    sa.Column('mine_hash', sa.String(length=64), nullable=False),
    sa.Column('mine_payload', sa.Text(), nullable=False),
    sa.Column('theirs_version', sa.Integer(), nullable=False),
    sa.Column('theirs_hash', sa.String(length=64), nullable=False),
    sa.Column('theirs_payload', sa.Text(), nullable=False),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflicts'))
    )
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.create_index('ix_sync_conflicts_uid', ['uid', 'resolved_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sync_conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_conflicts_uid')
    op.drop_table('sync_conflicts')
    op.drop_table('sync_state')
