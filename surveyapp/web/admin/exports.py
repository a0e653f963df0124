"""Exports of responses and scores, with the dashboard's filters: CSV, Excel's CSV and
XLSX in the manager's language, JSON."""

from __future__ import annotations

from flask import Response, abort, current_app, g, request, stream_with_context

from surveyapp import storage
from surveyapp.domain import scoring
from surveyapp.domain.surveys import survey_for
from surveyapp.services import exports, spreadsheets
from surveyapp.services.scores import journey_scores
from surveyapp.web.admin.base import bp, journey_or_404, login_required
from surveyapp.web.admin.dashboard import dashboard_filters


def _question_keys(journey, moments) -> list[str]:
    keys: list[str] = []
    for moment in moments:
        for question in survey_for(journey, moment).questions:
            if question.key not in keys:
                keys.append(question.key)
    return keys


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/j/<journey_id>/export/<what>.<fmt>")
@login_required()
def export(journey_id: str, what: str, fmt: str):
    """Responses or scores with the dashboard's filters: CSV with codes (for programs),
    CSV with semicolons in the manager's language (for Excel), XLSX, or JSON."""
    journey = journey_or_404(journey_id)
    if what not in ("responses", "scores") or fmt not in ("csv", "json", "xlsx"):
        abort(404)
    filters, _ = dashboard_filters()
    for_excel = fmt == "csv" and request.args.get("sep") == "semicolon"
    filename = f"{journey.id}-{what}.{fmt}"
    db = storage.connect(current_app.config["DATABASE"])  # lives as long as the stream
    moments = [*journey.moments, *storage.journeys.retired_moments(db, journey.id)]
    if what == "scores":
        figures = journey_scores(db, journey, **filters.as_kwargs(), name_locale=g.locale)
        scores = [s.to_dict() for s in figures.moments]
        db.close()
        columns, rows = list(spreadsheets.SCORE_COLUMNS), scores
        if fmt == "json":
            body = exports.json_stream(scores, "moments", {"journey": journey.id})
        elif fmt == "csv" and not for_excel:
            codes = scoring.SCORE_COLUMNS
            body = exports.csv_stream(codes, ([s.get(c) for c in codes] for s in scores), ",")
    else:
        keys = _question_keys(journey, moments)
        columns = [*spreadsheets.RESPONSE_COLUMNS, *spreadsheets.question_columns(journey, moments)]

        def closing(items):
            try:
                yield from items
            finally:
                db.close()

        rows = closing(storage.responses.iter_responses(db, journey.id, **filters.as_kwargs()))
        if fmt == "json":
            to_the_second = ({**r, "created_at": exports.seconds(r["created_at"])} for r in rows)
            body = exports.json_stream(to_the_second, "responses", {"journey": journey.id})
        elif fmt == "csv" and not for_excel:
            body = exports.csv_stream(
                exports.RESPONSE_HEADER + keys, exports.response_rows(rows, keys), ","
            )
    if fmt == "xlsx":
        body = [spreadsheets.xlsx(columns, rows, g.locale, journey.brand)]
    elif for_excel:
        body = spreadsheets.localized_csv(columns, rows, g.locale, journey.brand)
    mimetype = {"csv": "text/csv; charset=utf-8", "json": "application/json", "xlsx": XLSX}[fmt]
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
