"""Report period closures (synced) and date indexes for the statistics queries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:10:00

Reports count events by their own date (受理 by accepted_on, 成功/不成 by
outcome_on, 司法确认 by jc_applied_on/jc_decided_on, 回访 by visited_on), so each
of those columns leads an index that also holds the grouped columns: a yearly
report over a million records is a handful of index-only range scans.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels = None
depends_on = None

#: covering indexes for the report queries: the date the event is counted by, then every column the
#: GROUP BY reads, so a yearly report reads index pages only (see station/reports/figures.py)
STATS_INDEXES: list[tuple[str, str, list[str]]] = [
    ("ix_consultations_stats", "consultations",
     ["occurred_at", "deleted", "category_code", "channel", "handling", "referral_target", "referral_status",
      "satisfaction"]),
    ("ix_mediation_cases_applied_stats", "mediation_cases", ["applied_on", "deleted"]),
    ("ix_mediation_cases_accepted_stats", "mediation_cases",
     ["accepted_on", "deleted", "dispute_type", "source", "committee_uid", "is_group", "amount"]),
    ("ix_mediation_cases_outcome_stats", "mediation_cases",
     ["outcome_on", "deleted", "outcome", "dispute_type", "source", "committee_uid", "performance_status", "amount",
      "prevents_crime", "prevents_crime_persons", "prevents_petition", "prevents_petition_persons"]),
    ("ix_mediation_cases_refused_on", "mediation_cases", ["refused_on"]),
    ("ix_mediation_cases_jc_applied_on", "mediation_cases", ["jc_applied_on"]),
    ("ix_mediation_cases_jc_decided_on", "mediation_cases", ["jc_decided_on"]),
    ("ix_follow_ups_stats", "follow_ups", ["visited_on", "deleted", "satisfaction", "case_uid"]),
    ("ix_adviser_visits_stats", "adviser_visits",
     ["visit_date", "deleted", "village_uid", "mode", "hours", "attendees", "service_types", "adviser_uid"]),
]


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
    for name, table, cols in STATS_INDEXES:
        op.create_index(name, table, cols, unique=False)
    # the few deleted cases, so "not a deleted case" needs no lookup per row
    op.create_index('ix_mediation_cases_deleted_uid', 'mediation_cases', ['uid'], unique=False,
                    sqlite_where=sa.text('deleted = 1'))


def downgrade() -> None:
    op.drop_index('ix_mediation_cases_deleted_uid', table_name='mediation_cases')
    for name, table, _cols in reversed(STATS_INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('period_closures', schema=None) as batch_op:
        batch_op.drop_index('ix_period_closures_period')
    op.drop_table('period_closures')
