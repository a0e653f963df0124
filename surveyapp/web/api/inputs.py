"""The API's inputs, each declared once (marshmallow): request bodies and query strings.
The declaration checks a request, every problem by path, and apispec turns it into the
OpenAPI document's schema (a body) or parameters (a query).

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
from surveyapp.domain.inbox import PAGE_MAX, SEARCH_MAX
from surveyapp.domain.text import is_whole_number
from surveyapp.domain.vocabulary import (
    FOLLOWUP_AGES,
    FOLLOWUP_NOBODY,
    FOLLOWUP_SORTS,
    FOLLOWUP_STATUS_FILTERS,
    FOLLOWUP_STATUSES,
    LOCALES,
    MAX_TEXT_ANSWER,
    RESPONSE_CHANNELS,
)

MAX_BATCH = 1000
MAX_RESPONSES_PAGE = 1000
MAX_FOLLOWUPS_PAGE = 100
NOT_BLANK = validate.Predicate("strip", error="is required (a non-empty string)")


class WholeNumber(fields.Integer):
    """An integer, never a boolean (JSON's true is not 1) nor a float or a string."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return super()._validated(value)


class Digits(fields.Integer):
    """A whole number in a query string: written with the digits 0-9 only (no sign, no
    ``1e3``, no ``²``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not is_whole_number(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


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


class CustomerBody(Strict):
    """Which customer: their reference, their email address, or both (either finds them)."""

    reference = fields.String(
        validate=validate.Length(max=254), metadata={"description": "Your own reference."}
    )
    email = fields.String(validate=validate.Length(max=254))


class Query(Strict):
    """A query string: only its own parameters (a misspelt filter is refused, not
    ignored), each of its type; an empty value is as if it were not given."""


def _one_of(choices, description: str | None = None) -> fields.String:
    metadata = {"description": description} if description else {}
    return fields.String(validate=validate.OneOf(list(choices)), metadata=metadata)


class ReportQuery(Query):
    """Which answers a report counts, and the language of its moments' names."""

    since = fields.Date(metadata={"description": "The first day counted (YYYY-MM-DD)."})
    until = fields.Date(metadata={"description": "The last day counted (YYYY-MM-DD)."})
    locale = _one_of(LOCALES, "Only answers given in this language.")


class InsightsQuery(Query):
    """The language of the insights' moment names."""

    locale = _one_of(LOCALES, "Moment names in this language where the journey has it.")
    outcome = fields.String(
        metadata={"description": "One of the journey's outcomes (`outcomes`); default: first."}
    )


class ResponsesQuery(Query):
    """A page of responses, oldest first, after an opaque cursor."""

    journey = fields.String(metadata={"description": "Only this journey's responses."})
    since = fields.Date(metadata={"description": "Only responses from this day on."})
    cursor = fields.String(metadata={"description": "The next_cursor of the page before."})
    limit = Digits(validate=validate.Range(1, MAX_RESPONSES_PAGE), load_default=100)


class FollowupsQuery(Query):
    """The follow-up inbox's filters, as query parameters (a moment and an owner are
    checked against the journey's own)."""

    status = _one_of(FOLLOWUP_STATUS_FILTERS)
    moment = fields.String()
    owner = fields.String(metadata={"description": f"an admin, or {FOLLOWUP_NOBODY} for nobody"})
    age = _one_of(FOLLOWUP_AGES)
    channel = _one_of(RESPONSE_CHANNELS)
    locale = _one_of(LOCALES)
    q = fields.String(
        validate=validate.Length(max=SEARCH_MAX), metadata={"description": "text searched"}
    )
    sort = _one_of(FOLLOWUP_SORTS)
    page = Digits(validate=validate.Range(1, PAGE_MAX), load_default=1)
    limit = Digits(validate=validate.Range(1, MAX_FOLLOWUPS_PAGE), load_default=50)


def query(schema: type[Query], args: Mapping[str, str]) -> dict:
    """A query string as ``schema`` reads it; an :class:`Invalid` (422) naming every
    parameter that is not right."""
    given = {name: value for name, value in args.items() if value != ""}
    return load(
        schema(), given, code="invalid_parameter", message="The query parameters are not right."
    )


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
        "Not a valid date.": "must be a date YYYY-MM-DD",
    }.get(reason, reason)


_converter = OpenAPIConverter(
    openapi_version="3.1.0", schema_name_resolver=lambda _schema: None, spec=None
)


def json_schema(schema: type[Schema]) -> dict[str, Any]:
    """The schema of a body in the OpenAPI document (nested bodies inlined)."""
    return _converter.schema2jsonschema(schema())


def parameters(schema: type[Query]) -> list[dict[str, Any]]:
    """A query's parameters in the OpenAPI document."""
    return _converter.schema2parameters(schema(), location="query")
