"""Filings and batch jobs by form id (a form file's stem: "2024", "2025-fuwu-jigou"), not by an int year.

`filings.year` (int) becomes `filings.form_id` (text), each existing row keeping its year as text
("2024"), still unique per unit. `batch_jobs` gains `form_id` (its rows: their year as text) and keeps
`year`, the form's year, which names the job's files.

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FORM_ID = sa.String(100)


def upgrade() -> None:
    # PostgreSQL changes the column in place (USING year::text); SQLite copies the table with
    # CAST(year AS VARCHAR), foreign keys off meanwhile (migrations/env.py) so no version or draft is touched
    with op.batch_alter_table("filings") as batch:
        batch.alter_column(
            "year",
            new_column_name="form_id",
            type_=FORM_ID,
            existing_type=sa.Integer,
            existing_nullable=False,
            postgresql_using="year::text",
        )
    if op.get_bind().dialect.name == "postgresql":  # the unique constraint's name follows its column
        op.execute("ALTER TABLE filings RENAME CONSTRAINT filings_year_unit_id_key TO filings_form_id_unit_id_key")
    with op.batch_alter_table("batch_jobs") as batch:
        batch.add_column(sa.Column("form_id", FORM_ID, nullable=True))
    jobs = sa.table("batch_jobs", sa.column("year", sa.Integer), sa.column("form_id", FORM_ID))
    op.execute(jobs.update().values(form_id=sa.cast(jobs.c.year, FORM_ID)))
    op.create_index("ix_batch_jobs_form_id", "batch_jobs", ["form_id"])


def downgrade() -> None:
    # only years go back into an int column: refused while a filing's form id is not a year
    ids = {row[0] for row in op.get_bind().execute(sa.text("SELECT DISTINCT form_id FROM filings"))}
    others = sorted(i for i in ids if not (i.isascii() and i.isdigit()))
    if others:
        raise RuntimeError(f"无法降级：以下征集表的编号不是年份，其填报无法存入年度列：{'、'.join(others)}")
    op.drop_index("ix_batch_jobs_form_id", "batch_jobs")
    with op.batch_alter_table("batch_jobs") as batch:
        batch.drop_column("form_id")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE filings RENAME CONSTRAINT filings_form_id_unit_id_key TO filings_year_unit_id_key")
    with op.batch_alter_table("filings") as batch:
        batch.alter_column(
            "form_id",
            new_column_name="year",
            type_=sa.Integer,
            existing_type=FORM_ID,
            existing_nullable=False,
            postgresql_using="form_id::integer",
        )
