"""The OpenAPI 3.1 document of /api/v1: every endpoint, body, error and status."""

from __future__ import annotations

from typing import Any

from surveyapp.web.api import inputs
from surveyapp.web.api.comment_schemas import TERMS
from surveyapp.web.api.event_schemas import WEBHOOKS
from surveyapp.web.api.schemas import (
    CUSTOMER_DATA,
    CUSTOMER_ERASED,
    DEFINITION,
    ERROR,
    FOLLOWUP,
    FOLLOWUP_PAGE,
    INSIGHTS,
    INVITATION_RESULTS,
    INVITATIONS_TOTAL,
    MOMENT,
    NULLABLE_STRING,
    RESPONSE,
    SCORE,
)


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, **_json(schema)}


ERRORS = {
    status: {
        "description": "An RFC 9457 problem: what went wrong (detail), a stable code, and "
        "for a definition or a batch every problem by path (errors).",
        "content": {"application/problem+json": {"schema": ERROR}},
    }
    for status in ("4XX", "5XX")
}
JOURNEY_ID = {"name": "journey_id", "in": "path", "required": True, "schema": {"type": "string"}}
MOMENT_ID = {"name": "moment_id", "in": "path", "required": True, "schema": {"type": "string"}}
FOLLOWUP_ID = {
    "name": "followup_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "schema": {"type": "string", "maxLength": 200},
    "description": "A retried request with the same key returns the first result and "
    "changes nothing more.",
}


def _customer_operation(operation_id: str, summary: str, answer: dict) -> dict:
    """A POST about one customer, named in its body (never in a URL a log keeps)."""
    body = {**inputs.json_schema(inputs.CustomerBody), "minProperties": 1}
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "requestBody": {"required": True, **_json(body)},
            "responses": {"200": answer, **ERRORS},
        }
    }


def document(base_url: str) -> dict[str, Any]:
    """The OpenAPI document, with the service's own address as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "surveyapp API",
            "version": "1.0.0",
            "description": "Load journeys, create invitations right after a touchpoint, "
            "read scores and responses. Authenticate with "
            "`Authorization: Bearer <key>`: an admin makes keys in the browser, on the "
            "Integrations page (`/admin/integrations`), or with `surveyapp apikey create`. "
            "Limited per key (429 with Retry-After).",
        },
        "servers": [{"url": f"{base_url}/api/v1"}],
        "webhooks": WEBHOOKS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/journeys": {
                "get": {
                    "operationId": "listJourneys",
                    "summary": "Every journey",
                    "responses": {
                        "200": _ok(
                            "The journeys",
                            {
                                "type": "object",
                                "required": ["journeys"],
                                "properties": {
                                    "journeys": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "brand", "responses"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "brand": {"type": "string"},
                                                "default_locale": {"type": "string"},
                                                "locales": {
                                                    "type": "array",
                                                    "items": {"type": "string"},
                                                },
                                                "moments": {"type": "integer"},
                                                "responses": {"type": "integer"},
                                                "last_response_at": NULLABLE_STRING,
                                            },
                                        },
                                    }
                                },
                            },
                        ),
                        **ERRORS,
                    },
                },
                "post": {
                    "operationId": "loadJourney",
                    "summary": "Load or replace a journey definition (JSON or YAML)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": DEFINITION},
                            "application/yaml": {"schema": {"type": "string"}},
                        },
                    },
                    "responses": {
                        "201": _ok("Created", {"type": "object"}),
                        "200": _ok(
                            "Updated or unchanged: what changed",
                            {
                                "type": "object",
                                "required": ["journey", "status"],
                                "properties": {
                                    "journey": {"type": "string"},
                                    "status": {"enum": ["created", "updated", "unchanged"]},
                                    "version": {
                                        "type": ["integer", "null"],
                                        "description": "The version this load published "
                                        "(null when unchanged).",
                                    },
                                    "warnings": {
                                        "type": "array",
                                        "description": "Texts missing in a locale: its "
                                        "readers get the default locale's.",
                                        "items": {
                                            "type": "object",
                                            "required": ["path", "locale", "shown"],
                                            "properties": {
                                                "path": {"type": "string"},
                                                "locale": {"type": "string"},
                                                "shown": {"type": "string"},
                                            },
                                        },
                                    },
                                },
                            },
                        ),
                        **ERRORS,
                    },
                },
            },
            "/journeys/{journey_id}": {
                "get": {
                    "operationId": "getJourney",
                    "summary": "A journey and its moments",
                    "parameters": [JOURNEY_ID],
                    "responses": {
                        "200": _ok(
                            "The journey",
                            {
                                **DEFINITION,
                                "properties": {
                                    **DEFINITION["properties"],
                                    "moments": {"type": "array", "items": MOMENT},
                                },
                            },
                        ),
                        **ERRORS,
                    },
                }
            },
            "/journeys/{journey_id}/scores": {
                "get": {
                    "operationId": "getScores",
                    "summary": "Per-moment scores, as `surveyapp scores`",
                    "parameters": [
                        JOURNEY_ID,
                        *inputs.parameters(inputs.ReportQuery),
                    ],
                    "responses": {
                        "200": _ok(
                            "Scores in journey order",
                            {
                                "type": "object",
                                "required": ["journey", "moments", "invitations"],
                                "properties": {
                                    "journey": {"type": "string"},
                                    "moments": {"type": "array", "items": SCORE},
                                    "invitations": INVITATIONS_TOTAL,
                                },
                            },
                        ),
                        **ERRORS,
                    },
                }
            },
            "/journeys/{journey_id}/insights": {
                "get": {
                    "operationId": "getInsights",
                    "summary": "Which moments drive the outcome, as `surveyapp insights`",
                    "parameters": [
                        JOURNEY_ID,
                        *inputs.parameters(inputs.InsightsQuery),
                    ],
                    "responses": {
                        "200": _ok("Labels, effects and their intervals", INSIGHTS),
                        **ERRORS,
                    },
                }
            },
            "/journeys/{journey_id}/moments/{moment_id}/terms": {
                "get": {
                    "operationId": "getTerms",
                    "summary": "The words that set a moment's pain comments apart from its "
                    "glory comments, per language",
                    "parameters": [
                        JOURNEY_ID,
                        MOMENT_ID,
                        *inputs.parameters(inputs.ReportQuery),
                    ],
                    "responses": {
                        "200": _ok("Claimed terms per language, strongest first", TERMS),
                        **ERRORS,
                    },
                }
            },
            "/invitations": {
                "post": {
                    "operationId": "createInvitations",
                    "summary": "One invitation, or a batch of up to 1,000",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "schema": {"type": "string", "maxLength": 200},
                            "description": "A retried request with the same key returns "
                            "the first result and creates nothing.",
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "oneOf": [
                                    inputs.json_schema(inputs.InvitationBody),
                                    inputs.json_schema(inputs.InvitationBatchBody),
                                ]
                            }
                        ),
                    },
                    "responses": {
                        "201": _ok("At least one invitation created", INVITATION_RESULTS),
                        "200": _ok(
                            "Every invitation skipped (budget, opted out)", INVITATION_RESULTS
                        ),
                        **ERRORS,
                    },
                }
            },
            "/responses": {
                "get": {
                    "operationId": "listResponses",
                    "summary": "Responses with their answers, paginated by an opaque cursor",
                    "parameters": [
                        *inputs.parameters(inputs.ResponsesQuery),
                    ],
                    "responses": {
                        "200": _ok(
                            "A page of responses",
                            {
                                "type": "object",
                                "required": ["responses", "next_cursor"],
                                "properties": {
                                    "responses": {"type": "array", "items": RESPONSE},
                                    "next_cursor": NULLABLE_STRING,
                                },
                            },
                        ),
                        **ERRORS,
                    },
                }
            },
            "/journeys/{journey_id}/followups": {
                "get": {
                    "operationId": "listFollowups",
                    "summary": "A page of the journey's moments of pain to follow up, with "
                    "the inbox's filters; every value is checked (422 if not one of its own)",
                    "parameters": [
                        JOURNEY_ID,
                        *inputs.parameters(inputs.FollowupsQuery),
                    ],
                    "responses": {"200": _ok("A page of follow-ups", FOLLOWUP_PAGE), **ERRORS},
                }
            },
            "/journeys/{journey_id}/followups/{followup_id}": {
                "parameters": [JOURNEY_ID, FOLLOWUP_ID],
                "get": {
                    "operationId": "getFollowup",
                    "summary": "One follow-up with its history",
                    "responses": {"200": _ok("The follow-up", FOLLOWUP), **ERRORS},
                },
                "patch": {
                    "operationId": "updateFollowup",
                    "summary": "Change a follow-up's status, owner or note; a status change "
                    "sends the followup.status_changed webhook event",
                    "parameters": [IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": True,
                        **_json(
                            {**inputs.json_schema(inputs.FollowupChangeBody), "minProperties": 1}
                        ),
                    },
                    "responses": {
                        "200": _ok("The follow-up as it is now", FOLLOWUP),
                        **ERRORS,
                    },
                },
            },
            "/customers/export": _customer_operation(
                "exportCustomerData",
                "Everything stored about one customer, across journeys (a request of "
                "access); recorded in the audit log; 404 if nothing is stored",
                _ok("The customer's data", CUSTOMER_DATA),
            ),
            "/customers/erase": _customer_operation(
                "eraseCustomerData",
                "Erase what names a customer (reference, email, contact, queued emails); "
                "their answers still count; recorded in the audit log",
                _ok("How many rows of each kind no longer name them", CUSTOMER_ERASED),
            ),
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": _ok("The OpenAPI document", {"type": "object"}), **ERRORS},
                }
            },
        },
    }
