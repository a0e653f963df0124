"""The digest worker's round: DIGEST_TO's digest when it is due (always, run once), and
each journey's own digest when it is due (looping)."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from typing import Any

from surveyapp import storage
from surveyapp.services import digest
from surveyapp.storage import Database

#: Errors of a round that the next may not meet; nothing was marked, so the same
#: responses go in the next digest.
PASSING = (OSError, smtplib.SMTPException, *storage.DATABASE_DOWN)


def why_not_sent(exc: BaseException) -> str:
    return f"The digest could not be sent ({exc}); it is tried again."


def send_due(db: Database, config: Mapping[str, Any], *, global_digest: bool, loop: bool) -> int:
    """Send what is due this round; how many responses the digests reported."""
    every = float(config["DIGEST_EVERY_MINUTES"])
    reported = 0
    if global_digest and (not loop or digest.due(db, digest.NAME, every / 60)):
        reported = digest.send(db, config)
    if loop:
        reported += digest.send_journeys(db, config)
    return reported
