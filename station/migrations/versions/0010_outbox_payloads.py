"""Outbox payloads in their own table, apart from the entries.

Marking 20,000 entries sent rewrote 20,000 rows that were mostly payload (the
whole record's JSON), so every sync wrote each change's payload a second time.
The entries keep what changes (sent_at, batch_id) and what sync looks up; the
payloads, written once, live in ``outbox_payloads`` under the entry's seq.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 23:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_payloads',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox_payloads'))
    )
    op.execute("INSERT INTO outbox_payloads (seq, payload) SELECT seq, payload FROM outbox")
    op.execute("ALTER TABLE outbox DROP COLUMN payload")  # SQLite 3.35+: no table rebuild, indexes kept


def downgrade() -> None:
    op.execute("ALTER TABLE outbox ADD COLUMN payload TEXT NOT NULL DEFAULT ''")
    op.execute("UPDATE outbox SET payload = (SELECT p.payload FROM outbox_payloads p WHERE p.seq = outbox.seq)")
    op.drop_table('outbox_payloads')
