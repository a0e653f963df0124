"""The words of background work, each defined once: the workers ``surveyapp serve``
supervises, their queues, and the jobs (exports, imports) managers follow on their pages.
A part of the service's vocabulary (:mod:`.vocabulary`), kept apart for its size."""

from __future__ import annotations

from enum import StrEnum

from surveyapp.domain.vocabulary import N_

#: The background workers `surveyapp serve` supervises, as pages name them.
WORKER_LABELS: dict[str, str] = {
    "webhooks": N_("Webhooks"),
    "mail": N_("Emails"),
    "digest": N_("Digests"),
    "jobs": N_("Exports and imports"),
}
#: Their queues, as pages name them.
QUEUE_LABELS: dict[str, str] = {
    "webhooks": N_("Webhook deliveries"),
    "mail": N_("Invitations and reminders to send"),
    "customer_mail": N_("Emails to customers of follow-ups"),
    "resets": N_("Password links asked for from the login page"),
    "jobs": N_("Exports and imports"),
    "digests": N_("Digests of journeys that could not be sent"),
}


class JobKind(StrEnum):
    """Long work a manager starts and follows on its own page."""

    EXPORT_RESPONSES = "export_responses"
    IMPORT_INVITATIONS = "import_invitations"


class JobState(StrEnum):
    """A job from asked to finished: waiting (also between attempts), running, done, or
    set aside after its last attempt failed (a manager may try it again). An import
    whose file names its columns in words we do not know first waits for its manager to
    say which column is which (columns)."""

    COLUMNS = "columns"
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: What each state is called on a job's page.
JOB_STATE_LABELS: dict[str, str] = {
    JobState.COLUMNS: N_("waiting for you to say which column is which"),
    JobState.WAITING: N_("waiting for its turn"),
    JobState.RUNNING: N_("in progress"),
    JobState.DONE: N_("done"),
    JobState.FAILED: N_("failed"),
}
