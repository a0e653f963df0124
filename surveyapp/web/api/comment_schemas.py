"""The OpenAPI schemas of what customers say: a moment's distinguishing terms per language
and its themes' shares (GET /journeys/{id}/moments/{moment}/terms, docs/comments.md);
kept apart from :mod:`.schemas` for its size."""

from __future__ import annotations

_TERM = {
    "type": "object",
    "required": ["term", "key", "z", "pain_comments", "glory_comments", "examples"],
    "properties": {
        "term": {"type": "string", "description": "As customers most often wrote it."},
        "key": {"type": "string", "description": "Its stems, folded."},
        "z": {"type": "number", "description": "Standard errors between the sides."},
        "pain_comments": {"type": "integer"},
        "glory_comments": {"type": "integer"},
        "examples": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["comment"],
                "properties": {
                    "comment": {"type": "string"},
                    "response_id": {"type": "integer"},
                    "created_at": {"type": "string"},
                    "item": {"type": "boolean", "description": "It has a follow-up item."},
                },
            },
        },
    },
}
_SHARE = {
    "type": ["object", "null"],
    "description": "In %, with its 95% Wilson interval; null without such comments.",
    "properties": {name: {"type": "number"} for name in ("share", "low", "high")},
}
_THEME_SHARE = {
    "type": "object",
    "required": ["id", "names", "words", "pain", "glory", "weeks"],
    "properties": {
        "id": {"type": "integer"},
        "names": {"type": "object", "additionalProperties": {"type": "string"}},
        "words": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "pain": _SHARE,
        "glory": _SHARE,
        "pain_comments": {"type": "integer"},
        "glory_comments": {"type": "integer"},
        "weeks": {
            "type": "array",
            "description": "The last 8 weeks of the period: pain comments about the theme, of all.",
            "items": {
                "type": "object",
                "properties": {
                    "monday": {"type": "string"},
                    "pain_comments": {"type": "integer"},
                    "of": {"type": "integer"},
                },
            },
        },
    },
}
TERMS = {
    "type": "object",
    "description": "As `surveyapp terms --format json` (docs/comments.md).",
    "required": ["journey", "moment", "languages"],
    "properties": {
        "journey": {"type": "string"},
        "moment": {"type": "string"},
        "correction": {"enum": ["bh", "holm"]},
        "error_level": {"type": "number"},
        "min_comments": {"type": "integer"},
        "languages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "locale", "pain_comments", "glory_comments", "tested", "pain", "glory"
                ],
                "properties": {
                    "locale": {"type": "string"},
                    "pain_comments": {"type": "integer"},
                    "glory_comments": {"type": "integer"},
                    "tested": {"type": "integer"},
                    "pain": {"type": "array", "items": _TERM},
                    "glory": {"type": "array", "items": _TERM},
                },
            },
        },
        "themes": {"type": "array", "items": _THEME_SHARE},
    },
}  # fmt: skip
