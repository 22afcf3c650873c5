"""Fingerprints of imported Excel ledger rows (re-import creates nothing new).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 09:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ledger_imports',
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('record_uid', sa.String(length=36), nullable=False),
    sa.Column('source', sa.String(length=260), nullable=False),
    sa.Column('sheet', sa.String(length=100), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('fingerprint', name=op.f('pk_ledger_imports'))
    )


def downgrade() -> None:
    op.drop_table('ledger_imports')
