"""Alembic revisions, oldest first by ``down_revision``; Alembic reads them by path."""
