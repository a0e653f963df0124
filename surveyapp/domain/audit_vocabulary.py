"""The words of the audit log, each defined once: what it records and the names of its
details, as an admin reads them. A part of the service's vocabulary (:mod:`.vocabulary`),
kept apart for its size; a test checks every action the code records is here."""

from __future__ import annotations

from surveyapp.domain.vocabulary import N_

#: What the audit log records, as an admin reads it.
AUDIT_ACTIONS: dict[str, str] = {
    "user.created": N_("account created"),
    "user.role": N_("role changed"),
    "user.journeys": N_("journeys of a viewer changed"),
    "user.email": N_("email changed"),
    "user.disabled": N_("account disabled"),
    "user.enabled": N_("account enabled again"),
    "user.deleted": N_("account deleted"),
    "user.reset_link": N_("password-reset link made"),
    "user.password_set": N_("password set with a reset link"),
    "user.two_factor_on": N_("two-factor sign-in turned on"),
    "user.two_factor_off": N_("two-factor sign-in turned off"),
    "user.recovery_codes": N_("new recovery codes for two-factor sign-in"),
    "user.recovery_code_used": N_("signed in with a recovery code"),
    "journey.target_time": N_("target time to handle a moment of pain changed"),
    "journey.digest": N_("email digest of a journey changed"),
    "journey.digest_retry": N_("email digest of a journey tried again"),
    "journey.import_columns": N_("column names of the spreadsheets of a journey changed"),
    "apikey.created": N_("key of the API created"),
    "apikey.revoked": N_("key of the API revoked"),
    "webhook.added": N_("webhook added"),
    "webhook.removed": N_("webhook removed"),
    "webhook.test": N_("test event sent to a webhook"),
    "webhook.retry": N_("webhook delivery retried"),
    "journey.retention": N_("retention of the data of a journey changed"),
    "journey.retention_applied": N_(
        "data older than the retention of a journey deleted or anonymized"
    ),
    "theme.added": N_("theme of comments added"),
    "theme.changed": N_("theme of comments changed"),
    "theme.removed": N_("theme of comments removed"),
    "customer.exported": N_("data of a customer downloaded"),
    "customer.forgotten": N_("data of a customer erased"),
}

#: The audit log's details, as an admin reads them.
AUDIT_DETAIL_LABELS: dict[str, str] = {
    "from": N_("from"),
    "to": N_("to"),
    "role": N_("role"),
    "email": N_("email"),
    "journeys": N_("journeys"),
    "journey": N_("journey"),
    "events": N_("events"),
    "delivery": N_("delivery"),
    "locale": N_("language"),
    "every": N_("how often"),
    "columns": N_("columns"),
    "format": N_("receiver"),
    "days": N_("days"),
    "action": N_("what becomes of older data"),
    "pain_threshold": N_("pain share threshold"),
    "names": N_("names"),
    "words": N_("words"),
    # What was found about a customer, or erased: how many of each.
    "invitations": N_("invitations"),
    "skipped": N_("rows of spreadsheets set aside"),
    "responses": N_("responses"),
    "followups": N_("follow-ups"),
    "recoveries": N_("recovery surveys"),
    "emails": N_("emails to the customer"),
}
