"""schemathesis against the API's own OpenAPI document, in-process: no server error and no
response that the document does not describe, for every operation.

schemathesis' pytest plugin does not run on pytest 9 yet, so its strategies are driven
with hypothesis directly."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from surveyapp import create_app, storage
from surveyapp.domain.definitions import read_definition_file
from surveyapp.services import apikeys
from tests.helpers import DEMO_JOURNEYS


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    import os

    previous = os.environ.get("SURVEYAPP_INSTANCE_PATH")
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("schemathesis"))
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "k", "API_RATE_PER_SECOND": 0})
    finally:
        if previous is None:
            del os.environ["SURVEYAPP_INSTANCE_PATH"]
        else:
            os.environ["SURVEYAPP_INSTANCE_PATH"] = previous
    with storage.open_database(app.config["DATABASE"]) as db:
        storage.journeys.store_journeys(
            db, [read_definition_file(p) for p in sorted(DEMO_JOURNEYS.glob("*.yaml"))]
        )
        key = apikeys.create(db, "schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = {op.ok().label: op.ok() for op in schema.get_all_operations()}
    return operations, {"Authorization": f"Bearer {key}"}


# What the issue asks: no server error, and no response the document does not describe.
# (Left out: schemathesis' heuristics that schema-valid data must be accepted, which cannot
# hold for rules JSON Schema cannot say, such as a journey that exists; and ignored_auth,
# which assumes its own generated token was sent. Invalid keys are tested in test_api.py.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# schemathesis leaves out the document's own operation (GET /openapi.json).
LABELS = [
    "GET /journeys",
    "POST /journeys",
    "GET /journeys/{journey_id}",
    "GET /journeys/{journey_id}/scores",
    "GET /journeys/{journey_id}/insights",
    "GET /journeys/{journey_id}/moments/{moment_id}/terms",
    "POST /invitations",
    "GET /responses",
    "GET /journeys/{journey_id}/followups",
    "GET /journeys/{journey_id}/followups/{followup_id}",
    "PATCH /journeys/{journey_id}/followups/{followup_id}",
    "POST /customers/export",
    "POST /customers/erase",
]


@pytest.mark.parametrize("label", LABELS)
def test_the_api_keeps_to_its_document(target, label):
    operations, auth = target
    assert set(operations) == set(LABELS)
    statuses = []

    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operations[label].as_strategy())
    def check(case):
        response = case.call(headers=auth)
        statuses.append(response.status_code)
        assert response.status_code < 500, (case.method, case.path, response.text)
        case.validate_response(response, checks=CHECKS)

    check()
    assert statuses
