"""The schemas of the OpenAPI document's bodies: definitions, scores, invitations,
responses, follow-ups, insights, a customer's data and errors (what webhooks carry is
in :mod:`.event_schemas`)."""

from __future__ import annotations

from surveyapp.domain.insight_vocabulary import INSIGHT_LABELS
from surveyapp.domain.journeys import MAX_MOMENTS
from surveyapp.domain.scoring import ALWAYS_SHOWN, INVITATION_FIGURES
from surveyapp.domain.vocabulary import (
    FOLLOWUP_ACTIONS,
    FOLLOWUP_STATUSES,
    KINDS,
    LOCALES,
    MAX_QUESTIONS,
    MOMENT_CHANNELS,
    POLARITIES,
)

#: An RFC 9457 problem, with our two extensions: ``code`` (stable, for programs) and
#: ``errors`` (every problem of an invalid input, by path).
ERROR = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code", "errors"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "reason"],
                "properties": {"path": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
NAME = {
    "oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "string"}}]
}
MOMENT = {
    "type": "object",
    "required": ["id", "kind", "name"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"},
        "kind": {"enum": list(KINDS)},
        "name": NAME,
        "description": NAME,
        "channel": {"enum": list(MOMENT_CHANNELS)},
        "questions": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_QUESTIONS},
        "retired": {"type": "boolean"},
    },
}
DEFINITION = {
    "type": "object",
    "required": ["id", "brand", "default_locale", "locales", "moments"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"},
        "brand": {"type": "string"},
        "default_locale": {"enum": list(LOCALES)},
        "locales": {"type": "array", "items": {"enum": list(LOCALES)}},
        "moments": {"type": "array", "items": MOMENT, "minItems": 1, "maxItems": MAX_MOMENTS},
    },
}
#: A moment's (or the journey's) personal invitations and response rate.
INVITATION_FIGURES_SCHEMA = {
    "invited": {"type": "integer", "description": "Invitations made in the period."},
    "sent": {"type": "integer"},
    "opened": {"type": "integer", "description": "Opened by a person (answers count)."},
    "answered": {"type": "integer"},
    "reached": {
        "type": "integer",
        "description": "Reached their customer: made without an email (handed to your own "
        "systems), or emailed and sent (or answered).",
    },
    "response_rate_pct": {
        **NULLABLE_NUMBER,
        "description": "Answered of reached, in percent (links not yet sent are left "
        "out); null before any invitation reached its customer.",
    },
    "response_rate_low_pct": {**NULLABLE_NUMBER, "description": "95% Wilson interval, low."},
    "response_rate_high_pct": {**NULLABLE_NUMBER, "description": "95% Wilson interval, high."},
}
INVITATIONS_TOTAL = {
    "type": "object",
    "required": list(INVITATION_FIGURES),
    "properties": INVITATION_FIGURES_SCHEMA,
}
SCORE = {
    "type": "object",
    "required": [*ALWAYS_SHOWN, *INVITATION_FIGURES],
    "properties": {
        **INVITATION_FIGURES_SCHEMA,
        "id": {"type": "string"},
        "kind": {"type": "string"},
        "name": {"type": "string"},
        "retired": {"type": "boolean"},
        "responses": {"type": "integer"},
        "positive": {"type": "integer"},
        "neutral": {"type": "integer"},
        "negative": {"type": "integer"},
        "net_score": NULLABLE_NUMBER,
        "nps": NULLABLE_NUMBER,
        "csat_mean": NULLABLE_NUMBER,
        "csat_satisfied_pct": NULLABLE_NUMBER,
        "ces_mean": NULLABLE_NUMBER,
    },
}
INVITATION_RESULT = {
    "type": "object",
    "required": ["status", "customer"],
    "properties": {
        "status": {"enum": ["created", "skipped"]},
        "customer": {"type": "string"},
        "token": {"type": "string"},
        "url": {"type": "string"},
        "locale": {"type": "string"},
        "expires_at": {"type": "string"},
        "sent": {"type": "boolean"},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "reason": {
            "type": "string",
            "description": "Why it was skipped (contact budget, opted out).",
        },
    },
}
# One invitation answers with its result; a batch with {"results": [...]}.
INVITATION_RESULTS = {
    "oneOf": [
        INVITATION_RESULT,
        {
            "type": "object",
            "required": ["results"],
            "properties": {"results": {"type": "array", "items": INVITATION_RESULT}},
        },
    ]
}
RESPONSE = {
    "type": "object",
    "required": [
        "id",
        "created_at",
        "journey",
        "moment",
        "locale",
        "channel",
        "polarity",
        "answers",
    ],
    "properties": {
        "id": {"type": "integer"},
        "created_at": {"type": "string"},
        "journey": {"type": "string"},
        "moment": {"type": "string"},
        "locale": {"type": "string"},
        "channel": {"type": "string"},
        "polarity": {"enum": list(POLARITIES)},
        "customer": NULLABLE_STRING,
        "invitation_id": {"type": ["integer", "null"]},
        "answers": {"type": "object"},
    },
}

FIGURE = {
    "type": ["object", "null"],
    "description": "A figure and its 95% interval; effects also carry their p-values: "
    "`p` against no effect, `p_material` against an effect no larger than the margin, "
    "`adjusted_p` that one after Holm's correction over the journey.",
    "required": ["value", "low", "high"],
    "properties": {
        "value": {"type": "number"},
        "low": {"type": "number"},
        "high": {"type": "number"},
        "p": NULLABLE_NUMBER,
        "se": NULLABLE_NUMBER,
        "p_material": NULLABLE_NUMBER,
        "adjusted_p": NULLABLE_NUMBER,
        "unseen_below": {
            **NULLABLE_NUMBER,
            "description": "The smallest effect of this kind the journey's tests would "
            "label 4 times in 5 at this sample size; smaller ones go unseen.",
        },
    },
}
GROUP = {
    "type": "object",
    "required": ["n", "outcome"],
    "properties": {"n": {"type": "integer"}, "outcome": NULLABLE_NUMBER},
}
INSIGHTS = {
    "type": "object",
    "description": "As `surveyapp insights --format json` (docs/insights.md).",
    "required": ["journey", "outcome_moment", "outcome_metric", "customers", "moments"],
    "properties": {
        "journey": {"type": "string"},
        "outcome_moment": NULLABLE_STRING,
        "outcome_metric": {"enum": ["nps", "positive_share", "none"]},
        "customers": {"type": "integer"},
        "modelled": {"type": "integer"},
        "explained": NULLABLE_NUMBER,
        "moments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "kind", "label", "glory_lift", "pain_drag", "importance"],
                "properties": {
                    "id": {"type": "string"},
                    "kind": {"enum": list(KINDS)},
                    "name": {"type": "string"},
                    "label": {"enum": list(INSIGHT_LABELS)},
                    "answered": {"type": "integer"},
                    "glory": GROUP,
                    "so_so": GROUP,
                    "pain": GROUP,
                    "glory_lift": FIGURE,
                    "pain_drag": FIGURE,
                    "pain_share": FIGURE,
                    "importance": FIGURE,
                    "pain_peaks": {"type": "integer"},
                },
            },
        },
        "peak_end": {"type": "object"},
        "recoveries": {"type": "array", "items": {"type": "object"}},
        "answer_rates": {
            "type": "array",
            "description": "Each outcome group's share of the other moments answered, in %.",
            "items": {
                "type": "object",
                "required": ["group", "customers", "rate", "low", "high"],
                "properties": {
                    "group": {"type": "string"},
                    "customers": {"type": "integer"},
                    **{name: {"type": "number"} for name in ("rate", "low", "high")},
                },
            },
        },
        "shares_withheld": {
            "type": "boolean",
            "description": "No label is sure: every moment's importance is null.",
        },
        "mood_gap": {
            "type": ["object", "null"],
            "description": "The widest gap between groups' answer rates, in points; "
            "follows_mood when its interval is all beyond 10 points.",
        },
        "min_group": {"type": "integer"},
        "threshold": {"type": "number"},
        "margin": {"type": "number"},
        "family_error": {"type": "number"},
        "correction": {"const": "holm"},
    },
}

FOLLOWUP = {
    "type": "object",
    "description": "A moment of pain to follow up: the response's id, its status and owner, "
    "its revision (send it back with a change: a stale one is refused), when it is due "
    "(the journey's target time after the answer).",
    "required": ["id", "journey", "moment", "status", "revision", "created_at", "due_at"],
    "properties": {
        "id": {"type": "integer"},
        "journey": {"type": "string"},
        "moment": {"type": "string"},
        "status": {"enum": list(FOLLOWUP_STATUSES)},
        "owner": NULLABLE_STRING,
        "note": NULLABLE_STRING,
        "revision": {"type": "integer"},
        "created_at": {"type": "string"},
        "due_at": {"type": "string"},
        "overdue": {"type": "boolean"},
        "updated_at": {"type": "string"},
        "updated_by": NULLABLE_STRING,
        "resolved_at": NULLABLE_STRING,
        "channel": {"type": "string"},
        "locale": {"type": "string"},
        "customer": NULLABLE_STRING,
        "contact": NULLABLE_STRING,
        "answers": {"type": "object"},
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["at", "action", "detail"],
                "properties": {
                    "at": {"type": "string"},
                    "by": NULLABLE_STRING,
                    "action": {"enum": list(FOLLOWUP_ACTIONS)},
                    "detail": {"type": "object"},
                },
            },
        },
    },
}

FOLLOWUP_PAGE = {
    "type": "object",
    "required": ["followups", "total", "page", "pages"],
    "properties": {
        "followups": {"type": "array", "items": FOLLOWUP},
        "total": {"type": "integer"},
        "page": {"type": "integer"},
        "pages": {"type": "integer"},
    },
}


WHEN = {"type": "string", "format": "date-time"}
_ROWS = {"type": "array", "items": {"type": "object"}}
#: A customer's data (a request of access): every kind of row stored about them.
CUSTOMER_DATA = {
    "type": "object",
    "required": ["format", "exported_at", "asked_for", "opted_out", "invitations", "responses"],
    "properties": {
        "format": {"const": "surveyapp.customer-data/1"},
        "exported_at": WHEN,
        "asked_for": {"type": "object"},
        "opted_out": {"type": "boolean"},
        **{
            kind: _ROWS
            for kind in (
                "invitations",
                "skipped",
                "responses",
                "followups",
                "followup_events",
                "recoveries",
                "emails",
            )
        },
    },
}
#: What an erasure changed: how many rows of each kind no longer name the customer.
CUSTOMER_ERASED = {
    "type": "object",
    "required": ["erased"],
    "properties": {"erased": {"type": "object", "additionalProperties": {"type": "integer"}}},
}
