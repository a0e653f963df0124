"""A customer's data on request through the API: exported as one JSON document, or
erased; the customer is named in the body, never in a URL that logs keep."""

from __future__ import annotations

from flask import g, jsonify

from surveyapp.domain.errors import NotFound
from surveyapp.services import customer_data
from surveyapp.web.api import inputs
from surveyapp.web.api.base import bp, json_body
from surveyapp.web.database import get_db

NOTHING = "Nothing is stored about this customer."


def _customer() -> tuple[str | None, str | None]:
    asked = inputs.load(
        inputs.CustomerBody(),
        json_body(),
        code="invalid_customer",
        message="Name the customer by reference or email.",
        where="body",
    )
    return customer_data.who(asked.get("reference"), asked.get("email"))


def _by() -> str:
    return f"api:{g.api_key['name']}"


@bp.post("/customers/export")
def export_customer():
    ref, email = _customer()
    document = customer_data.export(get_db(), ref, email, by=_by())
    if document is None:
        raise NotFound(NOTHING)
    return jsonify(document)


@bp.post("/customers/erase")
def erase_customer():
    ref, email = _customer()
    return jsonify({"erased": customer_data.forget(get_db(), ref, email, by=_by())})
