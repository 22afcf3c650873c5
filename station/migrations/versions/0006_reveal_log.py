"""Reveal log: each explicit reveal of a masked ID number or phone, with who and when.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reveal_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revealed_at', sa.DateTime(), nullable=False),
    sa.Column('actor_uid', sa.String(length=36), nullable=True),
    sa.Column('actor_name', sa.String(length=60), nullable=False),
    sa.Column('record_kind', sa.String(length=24), nullable=False),
    sa.Column('record_uid', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reveal_log'))
    )
    with op.batch_alter_table('reveal_log', schema=None) as batch_op:
        batch_op.create_index('ix_reveal_log_record', ['record_uid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reveal_log', schema=None) as batch_op:
        batch_op.drop_index('ix_reveal_log_record')
    op.drop_table('reveal_log')
