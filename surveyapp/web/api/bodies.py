"""The API's request bodies, each declared once (marshmallow): the declaration checks a
request, every problem by path, and apispec turns it into the OpenAPI document's schema.

Why marshmallow with apispec rather than pydantic: the same job, one declaration for
both, and 1 MB more per web worker instead of pydantic's 8.5 MB (measured after
``import surveyapp.web.app``; every worker loads the API, and a worker's memory is a
target of benchmarks/submit.py). A body's shape and types are checked here; what only
the service can say (a journey that does not exist, an email address mail would misread)
the service checks, in the same problem list.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from apispec.ext.marshmallow import OpenAPIConverter
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from surveyapp.domain.errors import Invalid
from surveyapp.domain.vocabulary import FOLLOWUP_STATUSES, MAX_TEXT_ANSWER

MAX_BATCH = 1000
NOT_BLANK = validate.Predicate("strip", error="is required (a non-empty string)")


class WholeNumber(fields.Integer):
    """An integer, never a boolean (JSON's true is not 1) nor a float or a string."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return super()._validated(value)


class StrictBoolean(fields.Boolean):
    """true or false, never 1, 0 or "yes"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Strict(Schema):
    """A body that names only its own fields, with values of their own types."""

    class Meta:
        unknown = RAISE


class InvitationBody(Strict):
    """One personal invitation to make (and, with ``send``, to email now)."""

    journey = fields.String(required=True, validate=NOT_BLANK)
    moment = fields.String(required=True, validate=NOT_BLANK)
    customer = fields.String(
        required=True, validate=NOT_BLANK, metadata={"description": "Your own reference."}
    )
    email = fields.String(allow_none=True, load_default=None)
    locale = fields.String(allow_none=True, load_default=None)
    send = StrictBoolean(
        load_default=False,
        metadata={"description": "Email the invitation now."},
    )


class InvitationBatchBody(Strict):
    """Up to 1,000 invitations at once, all made or none."""

    invitations = fields.List(
        fields.Nested(InvitationBody), required=True, validate=validate.Length(1, MAX_BATCH)
    )


class FollowupChangeBody(Strict):
    """What a PATCH of a follow-up may change; ``revision``, the one it was read at."""

    status = fields.String(validate=validate.OneOf(FOLLOWUP_STATUSES))
    owner = fields.String(
        allow_none=True, metadata={"description": "An admin's user name, or null"}
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT_ANSWER))
    revision = WholeNumber(metadata={"description": "The revision the change was made on"})


def check(schema: Schema, data: Any, where: str = "") -> tuple[dict | None, list[dict]]:
    """``data`` as ``schema`` loads it, or None with every problem by path (``where``
    before each, as ``invitations[3].customer``)."""
    if not isinstance(data, Mapping):
        return None, [{"path": where or "body", "reason": "must be a JSON object"}]
    try:
        return schema.load(data), []
    except ValidationError as exc:
        return None, problems_of(exc.messages, where)


def load(schema: Schema, data: Any, *, code: str, message: str, where: str = "") -> dict:
    """``data`` checked by ``schema``; an :class:`Invalid` with every problem by path if
    it is not right."""
    loaded, problems = check(schema, data, where)
    if loaded is None:
        raise Invalid(message, code=code, problems=problems)
    return loaded


def problems_of(messages: Any, where: str = "") -> list[dict[str, str]]:
    """marshmallow's nested messages as ``{"path", "reason"}``, in path order."""
    found: list[dict[str, str]] = []
    if isinstance(messages, Mapping):
        for key in sorted(messages, key=lambda k: (isinstance(k, str), k)):
            inner = messages[key]
            if isinstance(key, int):
                path = f"{where}[{key}]"
            elif key == "_schema":
                path = where
            else:
                path = f"{where}.{key}" if where else key
            found.extend(problems_of(inner, path))
    else:
        for reason in messages if isinstance(messages, list) else [messages]:
            if isinstance(reason, str):
                found.append({"path": where or "body", "reason": _plain(reason)})
            else:
                found.extend(problems_of(reason, where))
    return found


def _plain(reason: str) -> str:
    """marshmallow's words, as this API's other reasons read."""
    return {
        "Unknown field.": "unknown field",
        "Missing data for required field.": "is required",
        "Field may not be null.": "must not be null",
        "Not a valid string.": "must be a string",
        "Not a valid boolean.": "must be true or false",
        "Not a valid integer.": "must be a whole number",
    }.get(reason, reason)


_converter = OpenAPIConverter(
    openapi_version="3.1.0", schema_name_resolver=lambda _schema: None, spec=None
)


def json_schema(schema: type[Schema]) -> dict[str, Any]:
    """The schema of a body in the OpenAPI document (nested bodies inlined)."""
    return _converter.schema2jsonschema(schema())
