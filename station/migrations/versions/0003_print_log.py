"""Print log: who printed which form from which record version, and how many copies.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:15:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('print_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('printed_at', sa.DateTime(), nullable=False),
    sa.Column('form', sa.String(length=40), nullable=False),
    sa.Column('record_kind', sa.String(length=20), nullable=False),
    sa.Column('record_uid', sa.String(length=60), nullable=False),
    sa.Column('record_version', sa.Integer(), nullable=True),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('actor_uid', sa.String(length=36), nullable=True),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_log'))
    )
    op.create_index('ix_print_log_record_uid', 'print_log', ['record_uid'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_print_log_record_uid', table_name='print_log')
    op.drop_table('print_log')
