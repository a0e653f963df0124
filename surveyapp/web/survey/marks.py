"""What a browser's answers leave in it, each in a small signed cookie of its own: the
answer it just gave, when its thank-you page offers a next step (so that only that
browser sees the offer, and what the customer does with it is counted in the answer's
tally row), and when it last answered each public survey (not twice a day).

Both were kept in the Flask session: serializing it (tagged JSON, zlib, a signature) cost
a tenth of every submit that wrote it, and the session cookie stays SameSite=Lax, which
a browser does not send to a survey framed by another site. These are a few short
fields, signed by itsdangerous' URLSafeTimedSerializer (as Flask's session, without its
tagged JSON), and sent as the visitor's cookies are (csrf.set_visitor_cookie:
partitioned when framed).
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from flask import after_this_request, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from surveyapp.web import lookups
from surveyapp.web.csrf import set_visitor_cookie

#: The cookie that holds the mark.
MARK_COOKIE = "answered"
#: How long the thank-you page's next step stays open in the browser that answered.
OFFER_OPEN = timedelta(hours=2)
#: The cookie that holds when this browser last answered each public survey.
PUBLIC_COOKIE = "answered_public"
#: A browser answers a public survey at most once in this time.
ONCE_A_DAY = timedelta(days=1)
#: The public surveys one browser's cookie remembers at most (the latest ones).
PUBLIC_KEPT = 20
#: The tally row an answer counts in, in the mark's order.
_TALLY = ("journey_id", "moment_id", "day", "locale", "channel")


def _serializer(name: str) -> URLSafeTimedSerializer:
    """itsdangerous' timed serializer for the cookie ``name`` (which salts it, so one
    cookie can never pass for the other): it signs with the current key and still reads
    what a fallback key signed (a key being rotated), as Flask's session does."""
    keys = [*(current_app.config["SECRET_KEY_FALLBACKS"] or ()), current_app.secret_key]
    return URLSafeTimedSerializer(
        keys, salt=f"surveyapp-{name}", signer_kwargs={"digest_method": hashlib.sha256}
    )


def _send(name: str, payload, max_age: timedelta) -> None:
    """Send ``payload`` (JSON) as the signed cookie ``name`` with this request's response."""
    value = _serializer(name).dumps(payload)

    @after_this_request
    def _set(response):
        set_visitor_cookie(response, name, value, max_age)
        return response


def _read(name: str, max_age: timedelta):
    """The payload of the signed cookie ``name``, if genuine and younger than
    ``max_age``; else None."""
    value = lookups.cookie(name)
    if not value:
        return None
    try:
        return _serializer(name).loads(value, max_age=max_age.total_seconds())
    except BadSignature:  # also an expired or undecodable one
        return None


def remember(response_id: int, polarity: str, tally: dict, thanks: str, **flags: bool) -> None:
    """Send this browser the mark of its answer: the response, its polarity, its tally
    row (``journey_id``, ``moment_id``, ``day``, ``locale``, ``channel``), the thank-you
    page it led to, and what was done with the offer (``clicked``, ``left``)."""
    fields = [response_id, polarity, *(tally[k] for k in _TALLY), thanks, sorted(flags)]
    _send(MARK_COOKIE, fields, OFFER_OPEN)


def read(journey_id: str, moment_id: str) -> dict | None:
    """This browser's mark of its answer to this moment, if it is genuine and younger
    than OFFER_OPEN: ``r`` (the response id), ``p`` (its polarity), ``tally``, ``t``
    (the thank-you page) and the ``clicked`` and ``left`` flags."""
    fields = _read(MARK_COOKIE, OFFER_OPEN)
    if fields is None:
        return None
    response_id, polarity, *tally, thanks, flags = fields
    if tally[:2] != [journey_id, moment_id]:
        return None
    mark = {"r": response_id, "p": polarity, "t": thanks, **dict.fromkeys(flags, True)}
    return {**mark, "tally": dict(zip(_TALLY, tally, strict=True))}


def _public_answers() -> dict[str, int]:
    """When this browser answered each public survey in the last day (Unix seconds)."""
    answered = _read(PUBLIC_COOKIE, ONCE_A_DAY)
    now = time.time()
    if not isinstance(answered, dict):
        return {}
    return {k: v for k, v in answered.items() if now - v < ONCE_A_DAY.total_seconds()}


def answered_today(survey_key: str) -> bool:
    """Did this browser answer this public survey (``journey/moment``) in the last day?"""
    return survey_key in _public_answers()


def remember_public_answer(survey_key: str) -> None:
    """Remember in this browser that it answered this public survey now."""
    answered = _public_answers()
    answered[survey_key] = int(time.time())
    latest = dict(sorted(answered.items(), key=lambda item: item[1])[-PUBLIC_KEPT:])
    _send(PUBLIC_COOKIE, latest, ONCE_A_DAY)
