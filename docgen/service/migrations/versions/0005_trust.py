"""A service to trust: versions listed from metadata columns, one working draft per filing, login backoff.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("filing_versions") as batch:
        batch.add_column(sa.Column("valid", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("errors", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("warnings", sa.Integer, nullable=False, server_default="0"))
    # the counts of the versions already saved, from their reports (one at a time: a report may be large)
    conn = op.get_bind()
    versions = sa.table(
        "filing_versions",
        sa.column("id", sa.Integer),
        sa.column("report", sa.JSON),
        sa.column("valid", sa.Boolean),
        sa.column("errors", sa.Integer),
        sa.column("warnings", sa.Integer),
    )
    ids = [row[0] for row in conn.execute(sa.select(versions.c.id))]
    for vid in ids:
        report = conn.execute(sa.select(versions.c.report).where(versions.c.id == vid)).scalar()
        if isinstance(report, str):
            report = json.loads(report)
        report = report if isinstance(report, dict) else {}
        conn.execute(
            versions.update()
            .where(versions.c.id == vid)
            .values(
                valid=bool(report.get("valid")),
                errors=int(report.get("errors") or 0),
                warnings=int(report.get("warnings") or 0),
            )
        )
    op.create_table(
        "filing_drafts",
        sa.Column("filing_id", sa.Integer, sa.ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("submission", sa.JSON),
        sa.Column("report", sa.JSON, nullable=False),
    )
    with op.batch_alter_table("login_throttle") as batch:
        batch.add_column(sa.Column("strikes", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("login_throttle") as batch:
        batch.drop_column("strikes")
    op.drop_table("filing_drafts")
    with op.batch_alter_table("filing_versions") as batch:
        batch.drop_column("warnings")
        batch.drop_column("errors")
        batch.drop_column("valid")
