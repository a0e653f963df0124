"""What customers said about a moment, and the follow-up of moments of pain."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.text import is_whole_number
from surveyapp.domain.vocabulary import FOLLOWUP_STATUSES, POLARITIES
from surveyapp.web.admin.base import (
    PAGE_SIZE,
    admin_meta,
    bp,
    journey_or_404,
    login_required,
    refuse_viewer,
)
from surveyapp.web.admin.forms import FollowupForm
from surveyapp.web.database import get_db


@bp.route("/j/<journey_id>/m/<moment_id>/comments")
@login_required()
def comments(journey_id: str, moment_id: str):
    journey = journey_or_404(journey_id)
    moment = journey.moment(moment_id) or next(
        (m for m in storage.retired_moments(get_db(), journey.id) if m.id == moment_id), None
    )
    if moment is None:
        abort(404)
    polarity = request.args.get("polarity")
    polarity = polarity if polarity in POLARITIES else None
    search = request.args.get("q", "").strip()[:200] or None
    page = request.args.get("page", "1")
    page = int(page) if is_whole_number(page) and 0 < int(page) < 100_000 else 1
    rows = storage.comments(
        get_db(),
        journey.id,
        moment.id,
        polarity=polarity,
        search=search,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    for row in rows:
        row["when"] = i18n.datetime_text(storage.parse_iso(row["created_at"]), g.locale)
    return render_template(
        "admin/comments.html",
        journey=journey,
        moment=moment,
        rows=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        polarity=polarity,
        search=search or "",
        moment_name=moment.display_name(g.locale, journey.default_locale),
    )


@bp.route("/j/<journey_id>/followups", methods=["GET", "POST"])
@login_required()
def followups(journey_id: str):
    journey = journey_or_404(journey_id)
    status_filter = request.args.get("status")
    status_filter = status_filter if status_filter in FOLLOWUP_STATUSES else None
    moment_filter = request.args.get("moment") or None
    notice, code = None, 200
    if request.method == "POST":
        if g.user["role"] != "admin":
            return refuse_viewer()
        form = FollowupForm(request.form, meta=admin_meta())
        response_id = request.form.get("response_id", "")
        if not is_whole_number(response_id) or not form.validate():
            notice, code = N_("Nothing was changed: the form was not valid. Please try again."), 422
        elif storage.update_followup(
            get_db(),
            int(response_id),
            status=form.status.data,
            note=(form.note.data or "").strip() or None,
            by=g.user["username"],
        ):
            return redirect(request.full_path, 303)
        else:
            notice, code = N_("That response does not exist."), 404
    rows = storage.followups(
        get_db(), journey.id, status=status_filter, moment_id=moment_filter, limit=PAGE_SIZE
    )
    moments = {m.id: m for m in [*journey.moments, *storage.retired_moments(get_db(), journey.id)]}
    items = []
    for row in rows:
        form = FollowupForm(
            meta=admin_meta(), data={"status": row["status"], "note": row["note"] or ""}
        )
        row["when"] = i18n.datetime_text(storage.parse_iso(row["created_at"]), g.locale)
        moment = moments.get(row["moment_id"])
        row["moment_name"] = (
            moment.display_name(g.locale, journey.default_locale) if moment else row["moment_id"]
        )
        row["readable"] = (
            survey_for(journey, moment).readable_answers(row["answers"], g.locale)
            if moment
            else list(row["answers"].items())
        )
        items.append((row, form))
    text = i18n.translate(g.locale, notice) if notice else None
    return render_template(
        "admin/followups.html",
        journey=journey,
        items=items,
        status_filter=status_filter,
        notice=text,
        statuses=FOLLOWUP_STATUSES,
    ), code
