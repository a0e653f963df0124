"""Integrations from the browser (admins only): API keys (created with a name and shown
once, revoked, last use shown) and webhooks (added with their secret shown once,
removed, a test event, the delivery log with its errors and next retry, retry now).
The CLI keeps doing the same; every change goes to the audit log."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.i18n import lazy_translate as _l
from surveyapp.domain.vocabulary import (
    PAIN_SHARE_EVENT,
    WEBHOOK_EVENT_NAMES,
    WEBHOOK_EVENTS,
    WEBHOOK_FORMAT_NAMES,
    WebhookFormat,
)
from surveyapp.services import apikeys, outgoing, webhooks
from surveyapp.web import forms
from surveyapp.web.admin import confirm
from surveyapp.web.admin.base import admin_meta, bp, login_required
from surveyapp.web.database import get_db
from surveyapp.web.forms import NOT_VALID, BaseForm

BAD_KEY_NAME = N_(
    "Nothing was created: a key name is 1 to 64 characters without spaces, "
    "and not one already used."
)
BAD_URL = N_("Nothing was added: %(reason)s.")
NO_THRESHOLD = N_(
    "Nothing was added: give the pain share (a percentage from 1 to 99) above which a "
    "moment is reported."
)


class KeyForm(BaseForm):
    name = StringField(
        _l("Name of the system that uses it"), validators=[InputRequired(), Length(max=64)]
    )


class WebhookForm(BaseForm):
    journey = SelectField(_l("Journey"), choices=[])
    format = SelectField(
        _l("Who receives them"),
        choices=[SelectChoice(f, _l(name)) for f, name in WEBHOOK_FORMAT_NAMES.items()],
        default=WebhookFormat.STANDARD,
    )
    url = StringField(
        _l("Address that receives the events"), validators=[InputRequired(), Length(max=2000)]
    )
    events = SelectMultipleField(
        _l("Events"),
        choices=[SelectChoice(e, _l(WEBHOOK_EVENT_NAMES[e])) for e in WEBHOOK_EVENTS],
        default=["response.negative"],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[InputRequired()],
    )
    pain_threshold = IntegerField(
        _l("Pain share threshold, in percent (1 to 99)"),
        validators=[Optional(), NumberRange(min=1, max=99)],
    )

    def chosen_threshold(self) -> int | None:
        """The threshold, with its event asked for (a threshold given means the event is
        wanted); None without one."""
        if self.pain_threshold.data is None:
            return None
        if PAIN_SHARE_EVENT not in self.events.data:
            self.events.data.append(PAIN_SHARE_EVENT)
        return self.pain_threshold.data


#: What the templates say endpoints and events with.
_WORDS = {
    "format_names": WEBHOOK_FORMAT_NAMES,
    "event_names": WEBHOOK_EVENT_NAMES,
    "pain_share_event": PAIN_SHARE_EVENT,
}


def _when(stamp: str | None) -> str | None:
    return i18n.datetime_text(storage.parse_iso(stamp), g.locale) if stamp else None


def _page(notice=None, code=200, key_form=None, hook_form=None, shown=None):
    db = get_db()
    key_form = key_form or KeyForm(meta=admin_meta())
    hook_form = hook_form or WebhookForm(meta=admin_meta())
    hook_form.journey.choices = [
        SelectChoice(j.id, j.brand) for j in storage.journeys.all_journeys(db)
    ]
    keys = storage.apikeys.list_api_keys(db)
    for key in keys:
        key.update(created=_when(key["created_at"]), used=_when(key["last_used_at"]))
        key["revoked"] = _when(key["revoked_at"])
    return render_template(
        "admin/integrations.html",
        keys=keys,
        hooks=storage.webhooks.list_webhooks(db),
        **_WORDS,
        key_form=key_form,
        hook_form=hook_form,
        confirm=forms.confirm_form(admin_meta(), None),
        shown=shown,
        notice=_said(notice),
    ), code


def _said(notice: str | i18n.Message | None) -> str | None:
    if isinstance(notice, i18n.Message):
        return notice.text(g.locale)
    return i18n.translate(g.locale, notice) if notice else None


@bp.route("/integrations")
@login_required("admin")
def integrations():
    return _page()


REVOKE_CONSEQUENCE = N_(
    "The systems that use this key are refused from now on. To let them in again, make a "
    "new key and give it to them."
)
REMOVE_CONSEQUENCE = N_(
    "The events of the journey no longer go to this address, and its deliveries not yet "
    "made are dropped."
)


def _confirmed() -> bool:
    return forms.confirm_form(admin_meta(), request.form).validate()


@bp.route("/integrations/keys", methods=["POST"])
@login_required("admin")
def create_key():
    form = KeyForm(request.form, meta=admin_meta())
    if not form.validate():
        return _page(NOT_VALID, 422, key_form=form)
    db = get_db()
    try:
        key = apikeys.create(db, form.name.data)
    except apikeys.ApiKeyError:
        return _page(
            BAD_KEY_NAME,
            422,
            key_form=form,
        )
    storage.audit.record_audit(
        db, current_user["username"], "apikey.created", form.name.data.strip()
    )
    return _page(shown={"what": "key", "name": form.name.data.strip(), "value": key})


@bp.route("/integrations/keys/<int:key_id>/revoke", methods=["POST"])
@login_required("admin")
def revoke_key(key_id: int):
    db = get_db()
    key = next((k for k in storage.apikeys.list_api_keys(db) if k["id"] == key_id), None)
    if key is None:
        abort(404)
    if not _confirmed():
        return _page(NOT_VALID, 422)
    if not confirm.confirmed():
        return confirm.ask_first(
            question=i18n.translate(g.locale, N_("Revoke the API key %(name)s?"), name=key["name"]),
            consequences=[
                i18n.translate(g.locale, REVOKE_CONSEQUENCE),
            ],
            button=i18n.translate(g.locale, N_("Revoke the key")),
            back=url_for(".integrations"),
        )
    if storage.apikeys.revoke_api_key(db, key["name"]):
        storage.audit.record_audit(db, current_user["username"], "apikey.revoked", key["name"])
    return redirect(url_for(".integrations"), 303)


@bp.route("/integrations/webhooks", methods=["POST"])
@login_required("admin")
def add_webhook():
    db = get_db()
    form = WebhookForm(request.form, meta=admin_meta())
    form.journey.choices = [SelectChoice(j.id, j.brand) for j in storage.journeys.all_journeys(db)]
    if not form.validate():
        return _page(NOT_VALID, 422, hook_form=form)
    threshold = form.chosen_threshold()
    if PAIN_SHARE_EVENT in form.events.data and threshold is None:
        return _page(NO_THRESHOLD, 422, hook_form=form)
    url = form.url.data.strip()
    try:
        outgoing.destination(url, outgoing.allowed_hosts(current_app.config))
    except outgoing.NotAllowed as refused:
        return _page(i18n.message(BAD_URL, reason=refused.message), 422, hook_form=form)
    secret = webhooks.new_secret()
    endpoint = storage.webhooks.add_webhook(
        db,
        form.journey.data,
        url,
        secret,
        form.events.data,
        format=form.format.data,
        pain_threshold=threshold,
    )
    storage.audit.record_audit(
        db,
        current_user["username"],
        "webhook.added",
        url,
        {
            "journey": form.journey.data,
            "events": form.events.data,
            "format": form.format.data,
            "pain_threshold": threshold,
        },
    )
    if form.format.data != WebhookFormat.STANDARD:  # a chat checks no signature
        return redirect(url_for(".webhook_log", endpoint_id=endpoint, done="added"), 303)
    return _page(shown={"what": "secret", "name": f"#{endpoint} {url}", "value": secret})


def _endpoint_or_404(endpoint_id: int) -> dict:
    found = next(
        (e for e in storage.webhooks.list_webhooks(get_db()) if e["id"] == endpoint_id), None
    )
    if found is None:
        abort(404)
    return found


@bp.route("/integrations/webhooks/<int:endpoint_id>")
@login_required("admin")
def webhook_log(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    rows = storage.webhooks.deliveries(get_db(), endpoint_id)
    for row in rows:
        row.update(
            created=_when(row["created_at"]),
            delivered=_when(row["delivered_at"]),
            failed=_when(row["failed_at"]),
            next=_when(row["next_attempt_at"]),
            last_error=i18n.stored_text(row["last_error"], g.locale),
        )
    return render_template(
        "admin/webhook.html",
        endpoint=endpoint,
        rows=rows,
        confirm=forms.confirm_form(admin_meta(), None),
        done=request.args.get("done"),
        **_WORDS,
    )


@bp.route("/integrations/webhooks/<int:endpoint_id>/<action>", methods=["POST"])
@login_required("admin")
def webhook_action(endpoint_id: int, action: str):
    endpoint = _endpoint_or_404(endpoint_id)
    if action not in ("remove", "test", "retry") or not _confirmed():
        return _page(NOT_VALID, 422)
    db, by = get_db(), current_user["username"]
    if action == "remove" and not confirm.confirmed():
        return confirm.ask_first(
            question=i18n.translate(
                g.locale, N_("Remove the webhook to %(url)s?"), url=endpoint["url"]
            ),
            consequences=[
                i18n.translate(g.locale, REMOVE_CONSEQUENCE),
            ],
            button=i18n.translate(g.locale, N_("Remove the webhook")),
            back=url_for(".webhook_log", endpoint_id=endpoint_id),
        )
    if action == "remove":
        storage.webhooks.remove_webhook(db, endpoint_id)
        storage.audit.record_audit(db, by, "webhook.removed", endpoint["url"])
        return redirect(url_for(".integrations"), 303)
    if action == "test":
        storage.webhooks.queue_test(db, endpoint_id, {"journey": endpoint["journey_id"], "by": by})
        storage.audit.record_audit(db, by, "webhook.test", endpoint["url"])
    else:
        delivery = request.form.get("delivery", "")
        if not delivery.isdigit() or not storage.webhooks.retry_delivery(
            db, endpoint_id, int(delivery)
        ):
            abort(404)
        storage.audit.record_audit(
            db, by, "webhook.retry", endpoint["url"], {"delivery": int(delivery)}
        )
    return redirect(url_for(".webhook_log", endpoint_id=endpoint_id, done=action), 303)
