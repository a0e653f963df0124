"""Alembic's migrations of the schema, for SQLite and PostgreSQL (run by
:func:`surveyapp.storage.schema.upgrade`, never by hand; see docs/architecture.md)."""
