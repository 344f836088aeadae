"""Alembic migrations of the service's database, run by docgen.service.db.migrate at start."""
