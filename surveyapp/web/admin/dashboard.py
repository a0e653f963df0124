"""A journey's dashboard (with its filters) and its insights page."""

from __future__ import annotations

from datetime import date

from flask import current_app, g, render_template, request

from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.insight_vocabulary import (
    INSIGHT_LABEL_NAMES,
    INSIGHT_VERDICTS,
    OUTCOME_GROUP_NAMES,
    PEAK_END_VERDICTS,
)
from surveyapp.domain.vocabulary import (
    CHANGE_VERDICTS,
    KIND_LABELS,
    LOCALES,
    RESPONSE_CHANNELS,
    TILE_NAMES,
)
from surveyapp.services import dashboard, invitations, recovery, retention
from surveyapp.web.admin import charts
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required
from surveyapp.web.admin.forms import ExportForm
from surveyapp.web.database import get_db


def dashboard_filters() -> tuple[dashboard.Filters, list[str]]:
    """The dashboard's filters from the query string, and a message for each one ignored."""
    problems = []
    values: dict[str, date | None] = {}
    for name in ("since", "until"):
        raw = request.args.get(name, "").strip()
        values[name] = None
        if raw:
            try:
                values[name] = date.fromisoformat(raw)
            except ValueError:
                problems.append(
                    i18n.translate(
                        g.locale,
                        N_("The filter “%(value)s” is not a date (YYYY-MM-DD) and is ignored."),
                        value=raw,
                    )
                )
    if values["since"] and values["until"] and values["since"] > values["until"]:
        problems.append(i18n.translate(g.locale, N_("The start date is after the end date.")))
    locale = request.args.get("locale") if request.args.get("locale") in LOCALES else None
    channel = request.args.get("channel")
    channel = channel if channel in RESPONSE_CHANNELS else None
    return dashboard.Filters(values["since"], values["until"], locale, channel), problems


@bp.route("/j/<journey_id>")
@login_required()
def dashboard_page(journey_id: str):
    journey = journey_or_404(journey_id)
    filters, problems = dashboard_filters()
    board = dashboard.build(get_db(), journey, filters, name_locale=g.locale)
    return render_template(
        "admin/dashboard.html",
        **_window(journey),
        board=board,
        journey=journey,
        problems=problems,
        kind_labels={k: i18n.translate(g.locale, v) for k, v in KIND_LABELS.items()},
        moment_names=_moment_names(journey),
        channels=RESPONSE_CHANNELS,
        min_responses=dashboard.MIN_RESPONSES,
        tile_names={k: i18n.translate(g.locale, v) for k, v in TILE_NAMES.items()},
        verdict_names={k: i18n.translate(g.locale, v) for k, v in CHANGE_VERDICTS.items()},
        date_text=lambda day: i18n.date_text(day, g.locale),
        embed=current_app.config.get("EMBED_ORIGINS") or [],
        query=request.args.to_dict(),
        export_form=ExportForm(meta=admin_meta()),
        links={
            (m.id, lang): invitations.public_link(
                current_app.config["BASE_URL"], journey.id, m.id, lang
            )
            for m in journey.moments
            for lang in journey.locales
        },
    )


def _window(journey) -> dict:
    """The window the journey's data covers (retention), for the page to say."""
    window = retention.coverage(get_db(), journey.id)
    since = i18n.date_text(window["since"], g.locale) if window else None
    return {"window": window, "window_since": since}


def _moment_names(journey) -> dict[str, str]:
    return {m.id: m.display_name(g.locale, journey.default_locale) for m in journey.moments}


@bp.route("/j/<journey_id>/insights")
@login_required()
def insights_page(journey_id: str):
    """The journey map annotated: which moments are true moments of truth, makers or
    breakers, beside the kind the company declared, with the evidence."""
    journey = journey_or_404(journey_id)
    from surveyapp.services import insights  # numpy: loaded by the worker that analyses

    result = insights.compute(
        get_db(), journey, name_locale=g.locale, outcome_id=request.args.get("outcome")
    )
    return render_template(
        "admin/insights.html",
        **_window(journey),
        journey=journey,
        result=result,
        priority_chart=charts.priority_chart,
        labels={k: i18n.translate(g.locale, v) for k, v in INSIGHT_LABEL_NAMES.items()},
        verdicts={k: i18n.translate(g.locale, v) for k, v in INSIGHT_VERDICTS.items()},
        verdict_names={k: i18n.translate(g.locale, v) for k, v in PEAK_END_VERDICTS.items()},
        kind_labels={k: i18n.translate(g.locale, v) for k, v in KIND_LABELS.items()},
        recovery=recovery.figures(get_db(), journey),
        moment_names=_moment_names(journey),
        rates_said=_rates_said(result.answer_rates),
    )


def _rates_said(rates) -> str | None:
    """Each outcome group's answer rate with its interval, as one list in words."""
    if not rates:
        return None
    return i18n.listed(
        [
            i18n.translate(
                g.locale,
                "%(group)s %(rate)s (%(low)s to %(high)s)",
                group=i18n.translate(g.locale, OUTCOME_GROUP_NAMES[r.group]),
                rate=i18n.percent(r.rate / 100, g.locale),
                low=i18n.percent(r.low / 100, g.locale),
                high=i18n.percent(r.high / 100, g.locale),
            )
            for r in rates
        ],
        g.locale,
    )
