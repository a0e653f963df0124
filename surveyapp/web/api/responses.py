"""Reading responses through the API, a page at a time with an opaque cursor."""

from __future__ import annotations

import base64
import binascii
import json

from flask import jsonify, request

from surveyapp import storage
from surveyapp.domain.errors import Refusal
from surveyapp.web.api import inputs
from surveyapp.web.api.base import bp, journey_or_404
from surveyapp.web.database import get_db


def _cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after_id}).encode()).decode()


def _after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
        if not isinstance(after, int) or after < 0:
            raise ValueError
        return after
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise Refusal(
            "The cursor is not one this API gave.", status=400, code="invalid_cursor"
        ) from None


@bp.get("/responses")
def responses():
    asked = inputs.query(inputs.ResponsesQuery, request.args)
    limit, journey_id = asked["limit"], asked.get("journey")
    if journey_id is not None:
        journey_or_404(journey_id)
    page = storage.responses.response_page(
        get_db(),
        journey_id=journey_id,
        since=asked.get("since"),
        after_id=_after(asked.get("cursor")),
        limit=limit + 1,
    )
    more = len(page) > limit
    page = page[:limit]
    for row in page:
        row["journey"] = row.pop("journey_id")
        row["moment"] = row.pop("moment_id")
        row["customer"] = row.pop("customer_ref")
    return jsonify({"responses": page, "next_cursor": _cursor(page[-1]["id"]) if more else None})
