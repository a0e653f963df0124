"""Exports of responses and scores, with the dashboard's filters, as CSV or JSON."""

from __future__ import annotations

from flask import Response, abort, current_app, request, stream_with_context

from surveyapp import storage
from surveyapp.domain import scoring
from surveyapp.domain.surveys import survey_for
from surveyapp.jobs import exports
from surveyapp.web.admin.base import bp, journey_or_404, login_required
from surveyapp.web.admin.dashboard import dashboard_filters
from surveyapp.web.database import get_db


def _question_keys(journey) -> list[str]:
    keys: list[str] = []
    for moment in [*journey.moments, *storage.retired_moments(get_db(), journey.id)]:
        for question in survey_for(journey, moment).questions:
            if question.key not in keys:
                keys.append(question.key)
    return keys


@bp.route("/j/<journey_id>/export/<what>.<fmt>")
@login_required()
def export(journey_id: str, what: str, fmt: str):
    """Responses or scores with the dashboard's filters, as CSV (Excel-ready) or JSON."""
    journey = journey_or_404(journey_id)
    if what not in ("responses", "scores") or fmt not in ("csv", "json"):
        abort(404)
    filters, _ = dashboard_filters()
    delimiter = ";" if request.args.get("sep") == "semicolon" else ","
    filename = f"{journey.id}-{what}.{fmt}"
    db = storage.connect(current_app.config["DATABASE"])  # lives as long as the stream
    if what == "scores":
        tallies = storage.moment_tallies(db, journey.id, **filters.as_kwargs())
        scores = [
            s.to_dict()
            for s in scoring.journey_scores(
                journey, storage.retired_moments(db, journey.id), tallies
            )
        ]
        db.close()
        if fmt == "json":
            body = exports.json_stream(scores, "moments", {"journey": journey.id})
        else:
            columns = scoring.SCORE_COLUMNS
            body = exports.csv_stream(
                columns, ([s.get(c) for c in columns] for s in scores), delimiter
            )
    else:
        keys = _question_keys(journey)
        rows = storage.iter_responses(db, journey.id, **filters.as_kwargs())

        def closing(items):
            try:
                yield from items
            finally:
                db.close()

        if fmt == "json":
            body = exports.json_stream(closing(rows), "responses", {"journey": journey.id})
        else:
            body = exports.csv_stream(
                exports.RESPONSE_HEADER + keys,
                exports.response_rows(closing(rows), keys),
                delimiter,
            )
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
