"""Outbox indexes that cover only what sync looks for: unsent entries and rejected ones.

The old index on (sent_at, seq) held every entry ever written, and marking 20,000
entries sent moved 20,000 of its entries; the partial index on unsent entries only
loses them. The final check of a sync asks for unsent and rejected entries, which
the rejected-entry index answers without reading the whole outbox.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 20:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')
        batch_op.create_index('ix_outbox_unsent', ['seq'], unique=False,
                              sqlite_where=sa.text('sent_at IS NULL'))
        batch_op.create_index('ix_outbox_rejected', ['uid'], unique=False,
                              sqlite_where=sa.text("batch_id LIKE 'rejected:%'"))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_rejected')
        batch_op.drop_index('ix_outbox_unsent')
        batch_op.create_index('ix_outbox_pending', ['sent_at', 'seq'], unique=False)
