"""Exports of scores with the dashboard's filters, downloaded at once: CSV, Excel's CSV
and XLSX in the manager's language, JSON. A journey's scores are one row per moment, read
from the daily tallies in milliseconds; its responses, which grow without bound, are
exported by a background job (web/admin/jobs.py)."""

from __future__ import annotations

import io

from flask import Response, abort, g, redirect, request, url_for

from surveyapp.domain import scoring
from surveyapp.services import export_files, exports, spreadsheets
from surveyapp.services.scores import journey_scores
from surveyapp.web.admin.base import bp, journey_or_404, login_required
from surveyapp.web.admin.dashboard import dashboard_filters
from surveyapp.web.database import get_db


@bp.route("/j/<journey_id>/export/<what>.<fmt>")
@login_required()
def export(journey_id: str, what: str, fmt: str):
    """Scores with the dashboard's filters: CSV with codes (for programs), CSV with
    semicolons in the manager's language (for Excel), XLSX, or JSON. Responses: the
    dashboard's exports, where they are prepared in the background."""
    journey = journey_or_404(journey_id)
    if what not in ("responses", "scores") or fmt not in ("csv", "json", "xlsx"):
        abort(404)
    if what == "responses":  # an older link: the dashboard prepares them now
        query = request.args.to_dict()
        return redirect(url_for(".dashboard_page", journey_id=journey.id, **query), 303)
    filters, _ = dashboard_filters()
    for_excel = fmt == "csv" and request.args.get("sep") == "semicolon"
    figures = journey_scores(get_db(), journey, **filters.as_kwargs(), name_locale=g.locale)
    scores = [s.to_dict() for s in figures.moments]
    columns = list(spreadsheets.SCORE_COLUMNS)
    if fmt == "json":
        body = "".join(exports.json_stream(scores, "moments", {"journey": journey.id}))
    elif for_excel:
        body = "".join(spreadsheets.localized_csv(columns, scores, g.locale, journey.brand))
    elif fmt == "csv":
        codes = scoring.SCORE_COLUMNS
        body = "".join(exports.csv_stream(codes, ([s.get(c) for c in codes] for s in scores)))
    else:
        book = io.BytesIO()
        spreadsheets.xlsx(columns, scores, g.locale, journey.brand, book)
        body = book.getvalue()
    mimetype = export_files.MIMETYPES["excel_csv" if for_excel else fmt]
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{journey.id}-{what}.{fmt}"'},
    )
