"""PostgreSQL: a covering index for the facets of a result

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 12:40:00

The facets read ``year``, ``kind`` and the ``*_codes`` JSON arrays of every matching record
(``pipeline.search._matching_ids``). For a result of a few thousand records spread over the
table those are as many random heap fetches (most of the time of a province filter with its
facets); ``records (report_id) INCLUDE (year, kind, agency_codes, regency_codes,
province_codes)`` serves them from an index-only scan (the table is vacuumed after bulk loads,
so its pages are all-visible). SQLite reads a record by its rowid directly: nothing to do.
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_records_facets ON records (report_id) "
                   "INCLUDE (year, kind, agency_codes, regency_codes, province_codes)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_records_facets")
