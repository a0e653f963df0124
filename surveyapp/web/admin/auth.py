"""Logging in and out of the admin area."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.services import accounts, users
from surveyapp.web import forms
from surveyapp.web.admin.base import SignedIn, admin_meta, bp, signed_in
from surveyapp.web.admin.distribution import can_send
from surveyapp.web.admin.forms import ForgotForm, LoginForm
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page


def _safe_next(target: str | None) -> str:
    """Where to go after logging in: a page of the admin area, else the journeys."""
    if (
        target
        and target.startswith("/admin")
        and not target.startswith("//")
        and target.isprintable()  # no CR, LF or other control character in a Location
        and "\\" not in target
    ):
        return target
    return url_for(".journeys")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(request.form if request.method == "POST" else None, meta=admin_meta())
    notice = None
    status = 200
    if session.pop("expired", False):
        notice = N_("Your session expired. Please log in again.")
    if request.method == "POST":
        status = 422
        client = request.remote_addr or "unknown"
        if not form.validate():
            notice = N_("Please fill in both fields.")
            if form.csrf_token.errors:
                notice = N_("This page was open for too long. Please log in again.")
        else:
            result = accounts.authenticate(get_db(), form.username.data, form.password.data, client)
            if result.user:
                session.clear()
                token = accounts.start_session(get_db(), result.user)
                login_user(SignedIn(result.user, token))
                session.update(admin_locale=result.user.get("locale") or g.locale)
                session.permanent = True
                current_app.logger.info("admin login: %s from %s", result.user["username"], client)
                return redirect(_safe_next(request.args.get("next")), 303)
            if result.wait_seconds:
                status = 429
                current_app.logger.warning(
                    "admin login refused (too many failures): %r from %s",
                    form.username.data,
                    client,
                )
                notice = i18n.translate_plural(
                    g.locale,
                    "Too many failed attempts. Try again in %(num)d second.",
                    "Too many failed attempts. Try again in %(num)d seconds.",
                    result.wait_seconds,
                )
                response = render_template("admin/login.html", form=form, notice=notice)
                return response, status, {"Retry-After": str(result.wait_seconds)}
            current_app.logger.warning("admin login failed: %r from %s", form.username.data, client)
            notice = N_("Wrong user name or password.")
    text = i18n.translate(g.locale, notice) if notice else None
    return render_template("admin/login.html", form=form, notice=text), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = forms.confirm_form(admin_meta(), request.form)
    if signed_in() is not None:
        if not form.validate():
            return error_page(400)
        accounts.end_session(get_db(), current_user.get_id())
    logout_user()
    session.clear()
    return redirect(url_for(".login", lang=g.locale), 303)


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    """A link to set one's password, emailed: the page answers the same whether an
    account has that name or address or not."""
    form = ForgotForm(request.form if request.method == "POST" else None, meta=admin_meta())
    if request.method == "GET":
        return _forgot_page(form, sent=request.args.get("sent") == "1")
    if not form.validate():
        return _forgot_page(form, notice=i18n.translate(g.locale, FORGOT_NOT_VALID)), 422
    if can_send():  # queued: the sending worker makes the link and emails it
        users.ask_reset(get_db(), form.name.data, locale=g.locale)
    return redirect(url_for(".forgot_password", sent=1), 303)


FORGOT_NOT_VALID = N_("Please give your user name or your email address.")


def _forgot_page(form, *, sent: bool = False, notice: str | None = None):
    return render_template(
        "admin/forgot.html", form=form, sent=sent, notice=notice, can_send=can_send()
    )
