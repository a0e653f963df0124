"""A journey's retention from the browser (admins only): how many days its responses,
contacts and invitations are kept and what becomes of older ones; switching it on shows
first what it would change now (the dry run, on the confirmation page)."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import IntegerField, RadioField, SelectChoice
from wtforms.validators import InputRequired, NumberRange

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.governance_vocabulary import (
    RETENTION_ACTION_NAMES,
    RETENTION_DAYS_MAX,
    RETENTION_DAYS_MIN,
    RetentionAction,
)
from surveyapp.domain.i18n import N_
from surveyapp.domain.i18n import lazy_translate as _l
from surveyapp.services import retention
from surveyapp.web import forms
from surveyapp.web.admin import confirm
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required
from surveyapp.web.admin.row_counts import counted
from surveyapp.web.database import get_db
from surveyapp.web.forms import NOT_VALID, BaseForm


class RetentionForm(BaseForm):
    days = IntegerField(
        _l("Keep for how many days (30 to 3,650)"),
        validators=[InputRequired(), NumberRange(RETENTION_DAYS_MIN, RETENTION_DAYS_MAX)],
        default=365,
    )
    action = RadioField(
        _l("Then"),
        choices=[SelectChoice(a, _l(name)) for a, name in RETENTION_ACTION_NAMES.items()],
        default=RetentionAction.ANONYMIZE,
        validators=[InputRequired()],
    )


def _page(journey, form=None, code=200, notice=None):
    window = retention.coverage(get_db(), journey.id)
    return render_template(
        "admin/retention.html",
        journey=journey,
        window=window,
        form=form or RetentionForm(data=window or {}, meta=admin_meta()),
        off_form=forms.confirm_form(admin_meta(), None),
        action_names=RETENTION_ACTION_NAMES,
        since=i18n.date_text(window["since"], g.locale) if window else None,
        applied=i18n.datetime_text(storage.parse_iso(window["applied_at"]), g.locale)
        if window and window["applied_at"]
        else None,
        done=request.args.get("done"),
        notice=notice,
    ), code


@bp.route("/j/<journey_id>/retention", methods=["GET", "POST"])
@login_required("admin")
def retention_page(journey_id: str):
    journey = journey_or_404(journey_id)
    if request.method == "GET":
        return _page(journey)
    form = RetentionForm(request.form, meta=admin_meta())
    if not form.validate():
        return _page(journey, form, 422, i18n.translate(g.locale, NOT_VALID))
    days, action = form.days.data, form.action.data
    if not confirm.confirmed():
        would = counted(retention.preview(get_db(), journey.id, days, action), g.locale)
        since = i18n.date_text(retention.first_day(days, storage.utcnow()), g.locale)
        verb = (
            N_("Now: %(rows)s from before %(day)s would be deleted.")
            if action == RetentionAction.DELETE
            else N_("Now: %(rows)s from before %(day)s would no longer name anyone.")
        )
        return confirm.ask_first(
            question=i18n.translate_plural(
                g.locale,
                "Keep the data of %(journey)s for %(num)s day?",
                "Keep the data of %(journey)s for %(num)s days?",
                days,
                journey=journey.brand,
            ),
            consequences=[
                i18n.translate(g.locale, verb, rows=i18n.listed(would, g.locale), day=since)
                if would
                else i18n.translate(g.locale, N_("Now: nothing is that old yet.")),
                i18n.translate_plural(
                    g.locale,
                    "Then, every hour, what grows older than %(num)s day.",
                    "Then, every hour, what grows older than %(num)s days.",
                    days,
                ),
            ],
            button=i18n.translate(g.locale, N_("Switch retention on")),
            back=url_for(".retention_page", journey_id=journey.id),
        )
    storage.retention.set_window(get_db(), journey.id, days, action, by=current_user["username"])
    return redirect(url_for(".retention_page", journey_id=journey.id, done="on"), 303)


@bp.route("/j/<journey_id>/retention/off", methods=["POST"])
@login_required("admin")
def retention_off(journey_id: str):
    journey = journey_or_404(journey_id)
    if not forms.confirm_form(admin_meta(), request.form).validate():
        return _page(journey, code=422, notice=i18n.translate(g.locale, NOT_VALID))
    storage.retention.set_window(get_db(), journey.id, None, None, by=current_user["username"])
    return redirect(url_for(".retention_page", journey_id=journey.id, done="off"), 303)
