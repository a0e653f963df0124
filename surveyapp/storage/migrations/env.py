"""Alembic's environment: the migrations run on the connection that
:func:`surveyapp.storage.schema.upgrade` passes, inside its transaction.

SQLite alters a table by copying it, so Alembic's batch mode is on for SQLite.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
