"""Storage: the SQLite database, one module per subject.

:mod:`.database` opens the file and runs write transactions, :mod:`.schema` holds the
migrations; each other module owns the queries of one subject. This package is their
public face: callers write ``storage.record_response(db, ...)`` and never SQL.
"""

from surveyapp.storage.accounts import (
    add_failure,
    clear_failures,
    delete_user,
    end_session,
    get_user,
    insert_user,
    list_users,
    recent_failures,
    session_user,
    set_password_hash,
    set_user_locale,
    start_session,
)
from surveyapp.storage.apikeys import (
    api_key_by_hash,
    get_idempotent,
    insert_api_key,
    list_api_keys,
    revoke_api_key,
    save_idempotent,
    take_token,
)
from surveyapp.storage.comments import comments
from surveyapp.storage.database import (
    BUSY_TIMEOUT_MS,
    backup,
    connect,
    immediate,
    iso,
    open_database,
    parse_iso,
    utcnow,
)
from surveyapp.storage.digests import digest_mark, negative_responses_after, set_digest_mark
from surveyapp.storage.followups import followups, open_followups, update_followup
from surveyapp.storage.insights import linked_responses, load_simulated
from surveyapp.storage.invitations import (
    add_optout,
    forget_customer,
    get_invitation,
    get_invitation_and_journey,
    insert_invitations,
    invitations_to_send,
    mark_send_failed,
    mark_sent,
    opted_out,
    recent_invitations,
    reminders_due,
)
from surveyapp.storage.journeys import (
    LoadReport,
    get_journey,
    list_journeys,
    retired_moments,
    store_journeys,
)
from surveyapp.storage.responses import (
    RESPONSE_EXPORT_COLUMNS,
    AlreadyAnswered,
    complete_response,
    count_responses,
    iter_responses,
    record_response,
    response_of_invitation,
    response_page,
)
from surveyapp.storage.schema import migrations
from surveyapp.storage.tallies import moment_tallies, weekly_tallies
from surveyapp.storage.webhooks import (
    add_webhook,
    due_deliveries,
    list_webhooks,
    mark_delivery,
    remove_webhook,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "RESPONSE_EXPORT_COLUMNS",
    "AlreadyAnswered",
    "LoadReport",
    "add_failure",
    "add_optout",
    "add_webhook",
    "api_key_by_hash",
    "backup",
    "clear_failures",
    "comments",
    "complete_response",
    "connect",
    "count_responses",
    "delete_user",
    "digest_mark",
    "end_session",
    "due_deliveries",
    "followups",
    "forget_customer",
    "get_idempotent",
    "get_invitation",
    "get_invitation_and_journey",
    "get_journey",
    "get_user",
    "immediate",
    "insert_api_key",
    "insert_invitations",
    "insert_user",
    "invitations_to_send",
    "iso",
    "iter_responses",
    "linked_responses",
    "list_api_keys",
    "list_journeys",
    "list_users",
    "list_webhooks",
    "load_simulated",
    "mark_delivery",
    "mark_send_failed",
    "mark_sent",
    "migrations",
    "moment_tallies",
    "negative_responses_after",
    "open_database",
    "open_followups",
    "opted_out",
    "parse_iso",
    "recent_failures",
    "recent_invitations",
    "record_response",
    "reminders_due",
    "remove_webhook",
    "response_of_invitation",
    "response_page",
    "retired_moments",
    "revoke_api_key",
    "save_idempotent",
    "session_user",
    "set_digest_mark",
    "set_password_hash",
    "set_user_locale",
    "start_session",
    "store_journeys",
    "take_token",
    "update_followup",
    "utcnow",
    "weekly_tallies",
]
