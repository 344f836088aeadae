"""Alembic environment: runs on the connection docgen.service.db.migrate hands over (never the CLI's ini)."""

from __future__ import annotations

from alembic import context

from docgen.service.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
