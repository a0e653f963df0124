"""What webhooks carry in their ``data``: the schemas of the OpenAPI document's
``webhooks``, one per event (a test checks every event delivered against them)."""

from __future__ import annotations

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
