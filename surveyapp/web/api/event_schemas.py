"""The OpenAPI document's ``webhooks``: each event we POST, and what it carries in its
``data`` (a test checks every event delivered against these schemas)."""

from __future__ import annotations

from surveyapp.domain.vocabulary import PAIN_SHARE_EVENT
from surveyapp.web.api.schemas import NULLABLE_STRING, WHEN

TEXT = {"type": "string"}
RESPONSE_EVENT_DATA = {
    "type": "object",
    "required": [
        "id",
        "journey",
        "moment",
        "created_at",
        "locale",
        "channel",
        "polarity",
        "answers",
        "customer",
    ],
    "properties": {
        "id": {"type": "integer"},
        "journey": TEXT,
        "moment": TEXT,
        "created_at": WHEN,
        "locale": TEXT,
        "channel": TEXT,
        "polarity": {"enum": ["positive", "neutral", "negative"]},
        "answers": {"type": "object", "description": "Each question's key and its answer."},
        "customer": NULLABLE_STRING,
    },
}
FOLLOWUP_EVENT_DATA = {
    "type": "object",
    "required": ["id", "journey", "moment", "customer", "from", "to", "owner", "by", "at"],
    "properties": {
        "id": {"type": "integer", "description": "The follow-up's (its response's) id."},
        "journey": TEXT,
        "moment": TEXT,
        "customer": NULLABLE_STRING,
        "from": TEXT,
        "to": TEXT,
        "owner": NULLABLE_STRING,
        "by": {**NULLABLE_STRING, "description": "An admin, api:<key name>, or null."},
        "at": WHEN,
    },
}
SHARE = {"type": "number", "minimum": 0, "maximum": 1}
PAIN_SHARE_EVENT_DATA = {
    "type": "object",
    "required": [
        "journey",
        "moment",
        "since",
        "until",
        "answers",
        "negative",
        "share",
        "low",
        "high",
        "threshold",
    ],
    "properties": {
        "journey": TEXT,
        "moment": TEXT,
        "since": {"type": "string", "format": "date", "description": "First day counted."},
        "until": {"type": "string", "format": "date", "description": "Last day (today)."},
        "answers": {"type": "integer"},
        "negative": {"type": "integer", "description": "Answers lived as pain."},
        "share": {**SHARE, "description": "negative / answers"},
        "low": {**SHARE, "description": "Lower end of the share's 95% Wilson interval."},
        "high": {**SHARE, "description": "Upper end of the share's 95% Wilson interval."},
        "threshold": {"type": "integer", "description": "The endpoint's threshold, percent."},
    },
}
TEST_EVENT_DATA = {
    "type": "object",
    "required": ["journey"],
    "properties": {"journey": TEXT, "by": TEXT},
}


def _event(event_type: str, summary: str, data: dict) -> dict:
    """A webhook as OpenAPI 3.1 describes it: what we POST to the endpoint's URL."""
    body = {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {"type": {"const": event_type}, "timestamp": WHEN, "data": data},
    }
    return {
        "post": {
            "summary": summary,
            "description": "Signed with the Standard Webhooks headers webhook-id, "
            "webhook-timestamp and webhook-signature (HMAC-SHA256 with the endpoint's "
            "secret). Any 2xx answer is a delivery; anything else, a redirect or no answer "
            "within 10 seconds is tried again with backoff.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": body}},
            },
            "responses": {"2XX": {"description": "Received."}},
        }
    }


#: Every event a webhook may receive (OpenAPI 3.1 ``webhooks``).
WEBHOOKS = {
    "response.created": _event(
        "response.created", "A customer answered a survey", RESPONSE_EVENT_DATA
    ),
    "response.negative": _event(
        "response.negative", "A customer answered a survey negatively", RESPONSE_EVENT_DATA
    ),
    "followup.status_changed": _event(
        "followup.status_changed",
        "A follow-up's status changed (browser, bulk action, email, API)",
        FOLLOWUP_EVENT_DATA,
    ),
    PAIN_SHARE_EVENT: _event(
        PAIN_SHARE_EVENT,
        "A moment's pain share over the last 7 days is above the endpoint's threshold "
        "(the lower end of its 95% interval is); sent at most once a moment in 7 days",
        PAIN_SHARE_EVENT_DATA,
    ),
    "webhook.test": _event(
        "webhook.test", "A test event sent from the Integrations page", TEST_EVENT_DATA
    ),
}
