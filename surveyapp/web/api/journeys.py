"""Journeys through the API: load a definition, list and read journeys, their scores."""

from __future__ import annotations

import json
from typing import Any

from flask import g, jsonify, request

from surveyapp import storage
from surveyapp.domain.comment_vocabulary import CORRECTION, ERROR_LEVEL, MIN_COMMENTS
from surveyapp.domain.completeness import fallbacks
from surveyapp.domain.definitions import parse_definition
from surveyapp.domain.errors import Invalid, NotFound, Refusal
from surveyapp.domain.problems import DefinitionError
from surveyapp.domain.surveys import survey_for
from surveyapp.services import scores as scores_job
from surveyapp.web.api import inputs
from surveyapp.web.api.base import bp, journey_or_404
from surveyapp.web.database import get_db

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


@bp.post("/journeys")
def load_journey():
    content_type = (request.mimetype or "").lower()
    if content_type == "application/json":
        fmt = "json"
    elif content_type in YAML_TYPES:
        fmt = "yaml"
    else:
        raise Refusal(
            "Send a definition as application/json or application/yaml.",
            status=415,
            code="unsupported_media_type",
        )
    try:
        journey = parse_definition(request.get_data(), fmt)
    except DefinitionError as exc:
        raise Invalid(
            "The journey definition is not valid; nothing was stored.",
            code="invalid_definition",
            problems=exc.problems,
        ) from None
    author = f"api:{g.api_key['name']}"
    (report,) = storage.journeys.store_journeys(get_db(), [journey], author=author)
    body = {
        "journey": journey.id,
        "status": report.status,
        "added": report.added,
        "changed": report.changed,
        "retired": report.retired,
        "restored": report.restored,
        "version": report.version,
        # Texts a locale's readers get in the default locale: loaded, but said.
        "warnings": [
            {"path": f.path, "locale": f.locale, "shown": f.shown} for f in fallbacks(journey)
        ],
    }
    return jsonify(body), 201 if report.status == "created" else 200


def _journey_json(journey, retired) -> dict[str, Any]:
    def moment(m, is_retired):
        return {
            **m.to_dict(),
            "questions": [q.key for q in survey_for(journey, m).questions],
            "retired": is_retired,
        }

    return {
        "id": journey.id,
        "brand": journey.brand,
        "default_locale": journey.default_locale,
        "locales": list(journey.locales),
        "moments": [moment(m, False) for m in journey.moments] + [moment(m, True) for m in retired],
    }


@bp.get("/journeys")
def list_journeys():
    rows = storage.journeys.list_journeys(get_db())
    return jsonify(
        {
            "journeys": [
                {
                    "id": r["id"],
                    "brand": r["brand"],
                    "default_locale": r["default_locale"],
                    "locales": json.loads(r["locales"]),
                    "moments": r["moments"],
                    "responses": r["responses"],
                    "last_response_at": r["last_response_at"],
                }
                for r in rows
            ]
        }
    )


@bp.get("/journeys/<journey_id>")
def get_journey(journey_id: str):
    journey = journey_or_404(journey_id)
    return jsonify(_journey_json(journey, storage.journeys.retired_moments(get_db(), journey.id)))


@bp.get("/journeys/<journey_id>/scores")
def scores(journey_id: str):
    journey = journey_or_404(journey_id)
    asked = inputs.query(inputs.ReportQuery, request.args)
    figures = scores_job.journey_scores(
        get_db(),
        journey,
        since=asked.get("since"),
        until=asked.get("until"),
        locale=asked.get("locale"),
    )
    return jsonify(figures.to_dict(journey.id))


@bp.get("/journeys/<journey_id>/insights")
def insights_of(journey_id: str):
    """Which moments drive the outcome: the figures of `surveyapp insights --format json`
    and of the insights page (moment names in ``locale`` where the journey has it, else in
    its default locale)."""
    journey = journey_or_404(journey_id)
    asked = inputs.query(inputs.InsightsQuery, request.args)
    from surveyapp.services import insights  # numpy: loaded by the worker that analyses

    outcome = asked.get("outcome")
    if outcome is not None and outcome not in {m.id for m in insights.outcome_moments(journey)}:
        raise Invalid(
            "The query parameters are not right.",
            code="invalid_parameter",
            problems=[{"path": "outcome", "reason": "not an outcome of this journey"}],
        )
    found = insights.compute(get_db(), journey, name_locale=asked.get("locale"), outcome_id=outcome)
    return jsonify(found.to_dict())


@bp.get("/journeys/<journey_id>/moments/<moment_id>/terms")
def terms_of(journey_id: str, moment_id: str):
    """The words that set a moment's pain comments apart from its glory comments, per
    language, and each theme's shares: the figures of the comments page and of
    `surveyapp terms --format json`."""
    journey = journey_or_404(journey_id)
    if journey.moment(moment_id) is None:
        raise NotFound(f"No moment '{moment_id}' in journey '{journey_id}'.")
    asked = inputs.query(inputs.ReportQuery, request.args)
    # Stemmers: loaded by the worker that reads terms.
    from surveyapp.services import comment_terms, comment_themes

    read = comment_terms.read(get_db(), journey, moment_id, **asked)  # once for both
    found = comment_terms.for_moment(get_db(), journey, moment_id, rows=read)
    themes = storage.themes.list_themes(get_db(), journey.id)
    shares = comment_themes.shares(themes, read)
    return jsonify(
        {
            "journey": journey.id,
            "moment": moment_id,
            "correction": CORRECTION,
            "error_level": ERROR_LEVEL,
            "min_comments": MIN_COMMENTS,
            "languages": [a.to_dict() for a in found],
            "themes": [share.to_dict() for share in shares],
        }
    )
