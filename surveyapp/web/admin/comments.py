"""What customers said about a moment: its free-text answers, filtered and searched."""

from __future__ import annotations

from flask import abort, g, render_template, request

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.comment_vocabulary import ANALYSED, SHOWN_TERMS
from surveyapp.domain.text import is_whole_number
from surveyapp.domain.vocabulary import POLARITIES
from surveyapp.web.admin.base import (
    PAGE_SIZE,
    bp,
    journey_or_404,
    login_required,
)
from surveyapp.web.admin.dashboard import dashboard_filters
from surveyapp.web.database import get_db


@bp.route("/j/<journey_id>/m/<moment_id>/comments")
@login_required()
def comments(journey_id: str, moment_id: str):
    journey = journey_or_404(journey_id)
    moment = journey.moment(moment_id) or next(
        (m for m in storage.journeys.retired_moments(get_db(), journey.id) if m.id == moment_id),
        None,
    )
    if moment is None:
        abort(404)
    polarity = request.args.get("polarity")
    polarity = polarity if polarity in POLARITIES else None
    search = request.args.get("q", "").strip()[:200] or None
    page = request.args.get("page", "1")
    page = int(page) if is_whole_number(page) and 0 < int(page) < 100_000 else 1
    filters, problems = dashboard_filters()
    period = {"since": filters.since, "until": filters.until, "locale": filters.locale}
    # PyStemmer and the stopword lists: loaded by the workers that show terms.
    from surveyapp.services import comment_terms, comment_themes

    themes = storage.themes.list_themes(get_db(), journey.id)
    theme = next((t for t in themes if str(t.id) == request.args.get("theme")), None)
    listed = {"polarity": polarity, "search": search, **period}
    window = {"limit": PAGE_SIZE + 1, "offset": (page - 1) * PAGE_SIZE}
    if theme is None:
        rows = storage.comments.comments(get_db(), journey.id, moment.id, **listed, **window)
    else:
        rows = comment_themes.comments_about(
            get_db(), journey, moment.id, theme, **listed, **window
        )
    for row in rows:
        row["when"] = i18n.datetime_text(storage.parse_iso(row["created_at"]), g.locale)
    analyses, shares, suggested = [], [], []
    if page == 1 and not search:  # a search's results alone: its page is quick
        read = comment_terms.read(get_db(), journey, moment.id, **period)  # once for both
        analyses = comment_terms.for_moment(get_db(), journey, moment.id, rows=read)
        shares = comment_themes.shares(themes, read)
        suggested = comment_themes.suggestions(analyses, themes)
    return render_template(
        "admin/comments.html",
        analyses=analyses,
        shares=shares,
        themes=themes,
        capped=sum(a.pain_comments + a.glory_comments for a in analyses) >= ANALYSED,
        analysed=ANALYSED,
        suggested=suggested,
        theme=theme,
        theme_name=lambda t: t.name(g.locale, journey.default_locale),
        short_date=lambda day: i18n.date_text(day, g.locale, short=True),
        shown_terms=SHOWN_TERMS,
        problems=problems,
        query={k: v for k, v in request.args.items() if k != "page"},
        journey=journey,
        moment=moment,
        rows=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        polarity=polarity,
        search=search or "",
        moment_name=moment.display_name(g.locale, journey.default_locale),
    )
