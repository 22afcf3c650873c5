"""Staff accounts and the hash-chained audit log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:55:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'accounts',
        sa.Column('uid', sa.String(length=36), nullable=False),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('staff_uid', sa.String(length=36), nullable=True),
        sa.Column('roles', sa.JSON(), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('failed_count', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('last_login_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('uid', name=op.f('pk_accounts')),
        sa.UniqueConstraint('username', name=op.f('uq_accounts_username')),
    )
    op.create_table(
        'audit_log',
        sa.Column('device_id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=36), nullable=True),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('uid', sa.String(length=60), nullable=False),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('at', sa.String(length=26), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('device_id', 'seq', name=op.f('pk_audit_log')),
    )


def downgrade() -> None:
    op.drop_table('audit_log')
    op.drop_table('accounts')
