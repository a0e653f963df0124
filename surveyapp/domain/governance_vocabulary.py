"""The words of data governance, each defined once: what becomes of a journey's data
older than its retention window. A part of the service's vocabulary (:mod:`.vocabulary`),
kept apart for its size."""

from __future__ import annotations

from enum import StrEnum

from surveyapp.domain.vocabulary import N_


class RetentionAction(StrEnum):
    """What becomes of a journey's data older than its retention window."""

    DELETE = "delete"  # responses, follow-ups, invitations and their daily tallies
    ANONYMIZE = "anonymize"  # kept and counted, but naming nobody


RETENTION_ACTION_NAMES: dict[str, str] = {
    RetentionAction.ANONYMIZE: N_(
        "Anonymize: keep the answers, erase who gave them (reference, email, contact)"
    ),
    RetentionAction.DELETE: N_(
        "Delete: the responses, follow-ups and invitations, and their counts"
    ),
}
#: A retention window is at least a month and at most ten years.
RETENTION_DAYS_MIN, RETENTION_DAYS_MAX = 30, 3650
#: How often the jobs worker applies each journey's retention.
RETENTION_EVERY_HOURS = 1
