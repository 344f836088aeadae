"""A token may belong to a user: a password change or a disable of that user revokes it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_api_tokens_user_id", "users", ["user_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_api_tokens_user_id", ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_index("ix_api_tokens_user_id")
        batch.drop_constraint("fk_api_tokens_user_id", type_="foreignkey")
        batch.drop_column("user_id")
