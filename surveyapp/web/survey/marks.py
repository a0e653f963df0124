"""The answer this browser just gave, when its thank-you page offers a next step: kept
in a small signed cookie of its own, so that only that browser sees the offer and what
the customer does with it is counted in the answer's tally row.

It was kept in the Flask session: serializing the session (tagged JSON, zlib, a
signature) cost a tenth of every submit that is offered something, four in five on the
café. The mark is a few short fields, base64 and signed with a timestamp
(itsdangerous' TimestampSigner, which Flask's session uses too): the same guarantees,
a fifth of the cookie, and no JSON tags.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

from flask import after_this_request, current_app
from itsdangerous import BadSignature, TimestampSigner

from surveyapp.web.csrf import cookie, set_visitor_cookie

#: The cookie that holds the mark.
MARK_COOKIE = "answered"
#: How long the thank-you page's next step stays open in the browser that answered.
OFFER_OPEN = timedelta(hours=2)
#: The tally row an answer counts in, in the mark's order.
_TALLY = ("journey_id", "moment_id", "day", "locale", "channel")


def _signer() -> TimestampSigner:
    """Signs with the current key, and reads marks signed with a fallback key too (a key
    being rotated), as Flask's session does."""
    keys = [*(current_app.config["SECRET_KEY_FALLBACKS"] or ()), current_app.secret_key]
    return TimestampSigner(keys, salt="surveyapp-offer", digest_method=hashlib.sha256)


def remember(response_id: int, polarity: str, tally: dict, thanks: str, **flags: bool) -> None:
    """Send this browser the mark of its answer: the response, its polarity, its tally
    row (``journey_id``, ``moment_id``, ``day``, ``locale``, ``channel``), the thank-you
    page it led to, and what was done with the offer (``clicked``, ``left``)."""
    fields = [response_id, polarity, *(tally[k] for k in _TALLY), thanks, sorted(flags)]
    payload = base64.urlsafe_b64encode(json.dumps(fields, separators=(",", ":")).encode())
    value = _signer().sign(payload).decode()

    @after_this_request
    def _send(response):
        set_visitor_cookie(response, MARK_COOKIE, value, OFFER_OPEN)
        return response


def read(journey_id: str, moment_id: str) -> dict | None:
    """This browser's mark of its answer to this moment, if it is genuine and younger
    than OFFER_OPEN: ``r`` (the response id), ``p`` (its polarity), ``tally``, ``t``
    (the thank-you page) and the ``clicked`` and ``left`` flags."""
    value = cookie(MARK_COOKIE)
    if not value:
        return None
    try:
        payload = _signer().unsign(value, max_age=OFFER_OPEN.total_seconds())
    except BadSignature:  # also an expired mark (SignatureExpired)
        return None
    response_id, polarity, *tally, thanks, flags = json.loads(base64.urlsafe_b64decode(payload))
    if tally[:2] != [journey_id, moment_id]:
        return None
    mark = {"r": response_id, "p": polarity, "t": thanks, **dict.fromkeys(flags, True)}
    return {**mark, "tally": dict(zip(_TALLY, tally, strict=True))}
