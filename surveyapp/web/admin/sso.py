"""Signing in through the company's identity provider (OpenID Connect,
services/sso.py): the button on the login page sends the browser there, and its way
back signs it in, or says why not on the login page."""

from __future__ import annotations

import time

from flask import abort, current_app, g, redirect, render_template, request, session

from surveyapp.domain import i18n
from surveyapp.services import sso
from surveyapp.web.admin.auth import safe_next, sign_in
from surveyapp.web.admin.base import admin_meta, bp
from surveyapp.web.admin.forms import LoginForm
from surveyapp.web.database import get_db

#: Where a sign-in started here waits for the browser to come back, and for how long.
PENDING = "sso_pending"
PENDING_SECONDS = 600


def _provider() -> sso.Provider:
    provider = sso.Provider.from_config(current_app.config)
    if provider is None:
        abort(404)
    return provider


def _redirect_uri() -> str:
    """Our address the provider sends the browser back to (registered with it)."""
    return current_app.config["BASE_URL"] + "/admin/login/sso/callback"


def _refused(refusal: sso.Refused, status: int):
    form = LoginForm(meta=admin_meta())
    notice = refusal.text(g.locale)
    return render_template("admin/login.html", form=form, notice=notice), status


@bp.route("/login/sso")
def sso_start():
    provider = _provider()
    try:
        url, pending = sso.begin(provider, _redirect_uri())
    except sso.Refused as refusal:
        current_app.logger.error("single sign-on unavailable: %s", refusal)
        return _refused(refusal, 503)
    session[PENDING] = {
        **pending,
        "next": safe_next(request.args.get("next")),
        "at": int(time.time()),
    }
    return redirect(url, 303)


@bp.route("/login/sso/callback")
def sso_callback():
    provider = _provider()
    pending = session.pop(PENDING, None) or {}
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        pending = {}
    try:
        identity = sso.finish(provider, request.args, pending, _redirect_uri())
        user = sso.account(get_db(), provider, identity)
    except sso.Refused as refusal:
        current_app.logger.warning(
            "single sign-on refused from %s: %s", request.remote_addr, refusal
        )
        return _refused(refusal, 403)
    return sign_in(user, pending["next"], by_sso=True)


@bp.context_processor
def _sign_in_choices() -> dict:
    """What the login page offers: the identity provider's button (its words, when single
    sign-on is on) and whether passwords are."""
    config = current_app.config
    provider = sso.Provider.from_config(config)
    label = None
    if provider is not None and provider.name:
        label = i18n.translate(g.locale, "Sign in with %(name)s", name=provider.name)
    elif provider is not None:
        label = i18n.translate(g.locale, "Sign in with your company account")
    return {"sso_label": label, "local_passwords": config["LOCAL_PASSWORDS"]}
