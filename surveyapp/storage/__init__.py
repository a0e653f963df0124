"""Storage: the database (SQLite or PostgreSQL, through SQLAlchemy Core), one module per
subject.

:mod:`.database` opens it, :mod:`.transactions` runs write transactions and snapshots,
:mod:`.statements` runs every query, :mod:`.tables` describes the tables, :mod:`.schema`
runs the migrations; each other module owns the queries of one subject, and callers name
it: ``storage.responses.record_response(db, ...)``, ``storage.followups.history(db, ...)``.
This package gives the subjects and the few names every caller shares (a connection, a
transaction, the time as stored), and never SQL.
"""

from surveyapp.storage import (  # the subjects, named by their callers
    accounts,
    apikeys,
    audit,
    comments,
    copy,
    customer_emails,
    digests,
    followups,
    heartbeats,
    inbox,
    insights,
    invitation_tallies,
    invitation_tracking,
    invitations,
    jobs,
    journey_settings,
    journey_versions,
    journeys,
    mail_queue,
    recoveries,
    responses,
    tallies,
    webhooks,
)
from surveyapp.storage.database import (
    BUSY_TIMEOUT_MS,
    DATABASE_DOWN,
    Database,
    DatabaseUnavailable,
    backup,
    connect,
    database_url,
    day_of,
    describe,
    dispose_all,
    is_postgres,
    iso,
    parse_iso,
    ping,
    utcnow,
)
from surveyapp.storage.schema import (
    open_database,
)
from surveyapp.storage.transactions import (
    exclusive,
    lock,
    snapshot,
    transaction,
)

__all__ = [
    "backup",
    "BUSY_TIMEOUT_MS",
    "connect",
    "Database",
    "DATABASE_DOWN",
    "database_url",
    "DatabaseUnavailable",
    "day_of",
    "describe",
    "dispose_all",
    "exclusive",
    "is_postgres",
    "iso",
    "lock",
    "open_database",
    "parse_iso",
    "ping",
    "snapshot",
    "transaction",
    "utcnow",
    "accounts",
    "apikeys",
    "audit",
    "comments",
    "copy",
    "customer_emails",
    "digests",
    "followups",
    "heartbeats",
    "inbox",
    "insights",
    "invitation_tallies",
    "invitation_tracking",
    "invitations",
    "jobs",
    "journey_settings",
    "journey_versions",
    "journeys",
    "mail_queue",
    "recoveries",
    "responses",
    "tallies",
    "webhooks",
]
