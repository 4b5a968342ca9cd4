"""search and bulk-load indexes: covering (report_id, value) indexes for the facets, the
newest-first order on PostgreSQL, redundant single-column indexes dropped

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:05:00

* ``record_agencies (report_id, code)`` and ``record_places (report_id, regency_code,
  province_code)`` replace the plain ``report_id`` indexes (a prefix of them): the facets
  group the matching ids' rows without reading the tables.
* ``records.date`` alone is a prefix of ``ix_records_date_report``: dropped (one index less
  to maintain per insert).
* ``records.agency_codes`` / ``regency_codes`` / ``province_codes``: the distinct values of
  the record's child rows as JSON arrays (filled for existing rows), so that the facets of a
  result count them from the matching records alone instead of looking up child rows.
* PostgreSQL: ``records (date DESC NULLS LAST, report_id DESC)``, the order of every result
  page (a backward scan of the ascending index gives NULLS FIRST, which it is not).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('record_agencies', schema=None) as batch_op:
        batch_op.drop_index('ix_record_agencies_report_id')
        batch_op.create_index('ix_record_agencies_report_code', ['report_id', 'code'], unique=False)
    with op.batch_alter_table('record_places', schema=None) as batch_op:
        batch_op.drop_index('ix_record_places_report_id')
        batch_op.create_index('ix_record_places_report_region', ['report_id', 'regency_code', 'province_code'],
                              unique=False)
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index('ix_records_date')
        batch_op.add_column(sa.Column('agency_codes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('regency_codes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('province_codes', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_records_date_desc ON records (date DESC NULLS LAST, report_id DESC)")
        agg = "coalesce(json_agg({col} ORDER BY first_pos), '[]'::json)::text"
        distinct = ("SELECT {col}, min(position) AS first_pos FROM {table} WHERE report_id = records.report_id "
                    "AND {col} IS NOT NULL GROUP BY {col}")
    else:
        agg = "coalesce(json_group_array({col}), '[]')"
        distinct = ("SELECT {col}, min(position) AS first_pos FROM {table} WHERE report_id = records.report_id "
                    "AND {col} IS NOT NULL GROUP BY {col} ORDER BY first_pos")
    for column, table, col in (("agency_codes", "record_agencies", "code"),
                               ("regency_codes", "record_places", "regency_code"),
                               ("province_codes", "record_places", "province_code")):
        op.execute(f"UPDATE records SET {column} = (SELECT {agg.format(col=col)} FROM "
                   f"({distinct.format(col=col, table=table)}) AS d)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_records_date_desc")
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('province_codes')
        batch_op.drop_column('regency_codes')
        batch_op.drop_column('agency_codes')
        batch_op.create_index('ix_records_date', ['date'], unique=False)
    with op.batch_alter_table('record_places', schema=None) as batch_op:
        batch_op.drop_index('ix_record_places_report_region')
        batch_op.create_index('ix_record_places_report_id', ['report_id'], unique=False)
    with op.batch_alter_table('record_agencies', schema=None) as batch_op:
        batch_op.drop_index('ix_record_agencies_report_code')
        batch_op.create_index('ix_record_agencies_report_id', ['report_id'], unique=False)
